package dev.deltatok.delta;

import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.reference.ReferenceGrid;
import dev.deltatok.reference.ReferencePolicy;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.table.TokenTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns one camera's frames into {@link TokenDelta}s, mutating its {@link CameraState}. Holds no
 * per-camera data itself: one instance serves every camera of a thread (it is immutable, so it may
 * also be shared between threads as long as each state is used by one thread at a time).
 *
 * <p>Two phases let a caller batch encoder calls across cameras: {@link #prepare} decodes,
 * validates and detects change without touching the state; {@link #complete} takes the encoder's
 * answer and updates the state. For a given camera, {@code complete} of a frame must run before
 * {@code prepare} of the next.
 *
 * <p>DELTA mode, per frame:
 *
 * <ol>
 *   <li>Patches whose reference-block MAD exceeds {@code changeThreshold} are changed; only they
 *       are encoded (the model is patch-local), unless a keyframe is due (first frame, scene cut,
 *       max interval), when all are.
 *   <li>For each encoded patch: if the consumer's slot holds exactly the leading token ids of the
 *       new encoding and that prefix meets the budget, nothing is sent (the reference is moved to
 *       the current pixels). Else, if its latent moved less than {@code latentThreshold} from the
 *       slot's latent, nothing is sent. Else its current excess error is estimated as the held
 *       excess plus the squared block-mean drift since the reference; under {@code errorBudget} it
 *       is not sent.
 *   <li>Candidates get the fewest residual levels whose error is within {@code errorBudget} of the
 *       all-level error, cost {@code levels + 1} tokens (or 1 when the table already has the
 *       appearance), and are sent by excess reduction per token, boosted by how many frames they
 *       have waited, until {@code maxTokensPerFrame}. What does not fit waits for a later frame; if
 *       the frame's mean estimated excess then exceeds {@code keyframeErrorBound}, the frame
 *       becomes a KEYFRAME carrying every candidate.
 * </ol>
 *
 * FULL mode encodes every patch with every level into a KEYFRAME each frame.
 */
public final class CameraTokenizer {

    private final ModelSpec spec;
    private final TokenizerSettings settings;
    private final FrameDecoder decoder;
    private final ReferenceGrid grid;
    private final ReferencePolicy policy;

    public CameraTokenizer(ModelSpec spec, TokenizerSettings settings) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.settings = Objects.requireNonNull(settings, "settings");
        // Fail fast on settings that cannot fit the model.
        CameraState.initial("settings-check", spec, settings);
        this.decoder =
                new FrameDecoder(settings.frameLimits(), spec.frameWidth(), spec.frameHeight());
        this.grid =
                new ReferenceGrid(
                        spec.patchSize(),
                        settings.referenceBlock(),
                        spec.gridRows(),
                        spec.gridCols());
        this.policy =
                new ReferencePolicy(
                        settings.sceneCutFraction(),
                        settings.maxKeyframeInterval(),
                        settings.keyframeErrorBound());
    }

    public ModelSpec spec() {
        return spec;
    }

    public TokenizerSettings settings() {
        return settings;
    }

    public FrameDecoder decoder() {
        return decoder;
    }

    /** A state for a camera never seen before. */
    public CameraState newState(String cameraId) {
        return CameraState.initial(cameraId, spec, settings);
    }

    /** Both phases with one encoder call. */
    public TokenDelta process(
            CameraState state, Frame frame, TokenizerModel model, Instant emitTime)
            throws FrameRejectedException {
        PendingFrame pending = prepare(state, frame);
        EncodedPatches encoded =
                pending.count() == 0 ? null : model.encode(pending.patches(), pending.count());
        return complete(state, pending, encoded, 0, emitTime);
    }

    /**
     * Phase one: decodes and validates the frame, detects change against the reference and picks
     * the patches to encode. Does not modify {@code state}.
     *
     * @throws FrameRejectedException OUT_OF_ORDER when {@code frame.seq} is not above the last
     *     accepted seq, or any decoding rejection
     * @throws IllegalArgumentException if the frame belongs to another camera
     */
    public PendingFrame prepare(CameraState state, Frame frame) throws FrameRejectedException {
        if (!state.cameraId().equals(frame.getCameraId())) {
            throw new IllegalArgumentException(
                    "frame of camera '"
                            + frame.getCameraId()
                            + "' given the state of '"
                            + state.cameraId()
                            + "'");
        }
        if (state.lastFrameSeq() >= 0 && frame.getSeq() <= state.lastFrameSeq()) {
            throw new FrameRejectedException(
                    RejectReason.OUT_OF_ORDER,
                    "frame seq "
                            + frame.getSeq()
                            + " of camera '"
                            + state.cameraId()
                            + "' is not after the last accepted seq "
                            + state.lastFrameSeq());
        }
        RgbImage image = decoder.decode(frame);
        byte[] means = grid.blockMeans(image);
        int positions = spec.patchesPerFrame();
        boolean synced = state.synced() && state.fits(spec, settings);
        float[] mad = null;
        float[] drift = null;
        int changed = positions;
        KeyframeReason reason;
        if (settings.mode() == TokenizerMode.FULL) {
            reason = KeyframeReason.FULL_MODE;
        } else if (!synced) {
            reason = KeyframeReason.FIRST_FRAME;
        } else {
            mad = new float[positions];
            drift = new float[positions];
            grid.compare(means, state.reference(), mad, drift);
            changed = 0;
            for (float m : mad) {
                if (m > settings.changeThreshold()) {
                    changed++;
                }
            }
            reason = policy.beforeEncode(true, changed, positions, state.framesSinceKeyframe());
        }
        int[] selected;
        if (reason != KeyframeReason.NONE) {
            selected = new int[positions];
            for (int p = 0; p < positions; p++) {
                selected[p] = p;
            }
        } else {
            selected = new int[changed];
            int n = 0;
            for (int p = 0; p < positions; p++) {
                if (mad[p] > settings.changeThreshold()) {
                    selected[n++] = p;
                }
            }
        }
        int values = spec.patchValues();
        float[] patches = new float[selected.length * values];
        for (int i = 0; i < selected.length; i++) {
            int p = selected[i];
            image.copyPatch(
                    p / spec.gridCols(),
                    p % spec.gridCols(),
                    spec.patchSize(),
                    patches,
                    i * values);
        }
        return new PendingFrame(
                state.cameraId(),
                frame.getSeq(),
                frame.getCaptureTime(),
                image,
                means,
                mad,
                drift,
                changed,
                selected,
                patches,
                reason);
    }

    /**
     * Phase two: applies the encoder's answer for this frame's patches and returns the delta.
     *
     * @param encoded the encoder output of a batch holding this frame's {@code pending.count()}
     *     patches from index {@code offset}; may be null when the count is 0
     * @param emitTime the delta's emit time (the caller's clock)
     */
    public TokenDelta complete(
            CameraState state,
            PendingFrame pending,
            EncodedPatches encoded,
            int offset,
            Instant emitTime) {
        if (!state.cameraId().equals(pending.cameraId())) {
            throw new IllegalArgumentException(
                    "pending frame of '"
                            + pending.cameraId()
                            + "' given the state of '"
                            + state.cameraId()
                            + "'");
        }
        if (pending.count() > 0) {
            Objects.requireNonNull(encoded, "encoded");
            if (offset < 0
                    || offset + pending.count() > encoded.count()
                    || encoded.levels() != spec.levels()
                    || encoded.latentDim() != spec.latentDim()) {
                throw new IllegalArgumentException(
                        "encoder output of "
                                + encoded.count()
                                + " patches x "
                                + encoded.levels()
                                + " levels does not hold "
                                + pending.count()
                                + " patches at offset "
                                + offset
                                + " for "
                                + spec.modelId());
            }
        }
        if (pending.keyframeReason() == KeyframeReason.FIRST_FRAME
                || pending.keyframeReason() == KeyframeReason.FULL_MODE) {
            if (!state.fits(spec, settings)) {
                state.reset(spec, settings);
            }
        }
        TokenDelta delta;
        if (pending.keyframeReason() == KeyframeReason.FULL_MODE) {
            delta = full(state, pending, encoded, offset, emitTime);
        } else if (pending.keyframeReason() != KeyframeReason.NONE) {
            delta =
                    keyframe(
                            state,
                            pending,
                            encoded,
                            offset,
                            emitTime,
                            null,
                            null,
                            pending.keyframeReason());
        } else {
            delta = delta(state, pending, encoded, offset, emitTime);
        }
        state.recordFrame(pending.frameSeq(), delta.getKind() == DeltaKind.KEYFRAME);
        return delta;
    }

    /** One sendable change: a position and the leading levels of its new encoding. */
    private static final class Candidate {
        final int position;
        final int row;
        final int levels;
        final int[] tokens;
        final float newError;
        final float newExcess;
        final int cost;
        final double priority;

        Candidate(
                int position,
                int row,
                int levels,
                int[] tokens,
                float newError,
                float newExcess,
                int cost,
                double priority) {
            this.position = position;
            this.row = row;
            this.levels = levels;
            this.tokens = tokens;
            this.newError = newError;
            this.newExcess = newExcess;
            this.cost = cost;
            this.priority = priority;
        }
    }

    private TokenDelta delta(
            CameraState state,
            PendingFrame pending,
            EncodedPatches encoded,
            int offset,
            Instant emitTime) {
        TokenTable table = state.table();
        int[] keyMap = state.keyMap();
        float[] heldExcess = state.heldExcess();
        float[] heldError = state.heldError();
        byte[] waiting = state.waiting();
        float[] drift = pending.drift();
        int positions = keyMap.length;
        double budget = settings.errorBudget();
        // Per position, the squared drift left after this frame (0 where the reference moves).
        float[] driftAfter = drift.clone();
        List<Candidate> candidates = new ArrayList<>();
        int[] selectedPositions = pending.positions();
        for (int i = 0; i < selectedPositions.length; i++) {
            int p = selectedPositions[i];
            int row = offset + i;
            float best = encoded.levelError(row, spec.levels() - 1);
            int held = keyMap[p];
            int[] heldTokens = table.tokens(held);
            double currentExcess;
            if (isPrefix(heldTokens, encoded, row)) {
                float exactError = encoded.levelError(row, heldTokens.length - 1);
                double exactExcess = Math.max(0, exactError - best);
                if (exactExcess <= budget) {
                    // The consumer already holds what this frame encodes to.
                    grid.copyPosition(pending.blockMeans(), state.reference(), p);
                    heldError[p] = exactError;
                    heldExcess[p] = (float) exactExcess;
                    waiting[p] = 0;
                    driftAfter[p] = 0;
                    continue;
                }
                currentExcess = exactExcess;
            } else {
                if (settings.latentThreshold() > 0
                        && table.relativeDistance(held, encoded.latents(), row * spec.latentDim())
                                < settings.latentThreshold()) {
                    waiting[p] = 0;
                    continue;
                }
                currentExcess = heldExcess[p] + drift[p];
                if (currentExcess <= budget) {
                    waiting[p] = 0;
                    continue;
                }
            }
            int levels = fewestLevels(encoded, row, best, budget);
            int[] tokens =
                    Arrays.copyOfRange(
                            encoded.tokens(), row * spec.levels(), row * spec.levels() + levels);
            int existing = table.find(tokens);
            if (existing < 0 && settings.mergeDistance() > 0) {
                existing =
                        table.findNear(
                                encoded.latents(),
                                row * spec.latentDim(),
                                levels,
                                settings.mergeDistance());
            }
            if (existing == held) {
                // Within merge distance of what the consumer holds already.
                waiting[p] = 0;
                continue;
            }
            float newError = encoded.levelError(row, levels - 1);
            float newExcess = Math.max(0, newError - best);
            int cost = existing >= 0 ? 1 : levels + 1;
            double gain = Math.max(1e-9, currentExcess - newExcess);
            double priority = gain / cost * (1 + (waiting[p] & 0xFF));
            candidates.add(
                    new Candidate(p, row, levels, tokens, newError, newExcess, cost, priority));
        }
        candidates.sort(
                Comparator.comparingDouble((Candidate c) -> -c.priority)
                        .thenComparingInt(c -> c.position));
        List<Candidate> sent = new ArrayList<>();
        List<Candidate> deferred = new ArrayList<>();
        int budgetTokens = settings.maxTokensPerFrame();
        int used = 0;
        for (Candidate c : candidates) {
            if (used + c.cost <= budgetTokens) {
                sent.add(c);
                used += c.cost;
            } else {
                deferred.add(c);
            }
        }
        double excessAfter = 0;
        boolean[] isSent = new boolean[positions];
        for (Candidate c : sent) {
            isSent[c.position] = true;
        }
        for (int p = 0; p < positions; p++) {
            if (!isSent[p]) {
                excessAfter += heldExcess[p] + driftAfter[p];
            }
        }
        for (Candidate c : sent) {
            excessAfter += c.newExcess;
        }
        if (policy.exceedsErrorBound(excessAfter / positions, !deferred.isEmpty())) {
            return keyframe(
                    state,
                    pending,
                    encoded,
                    offset,
                    emitTime,
                    candidates,
                    driftAfter,
                    KeyframeReason.ERROR_BOUND);
        }
        for (Candidate c : deferred) {
            int w = waiting[c.position] & 0xFF;
            waiting[c.position] = (byte) Math.min(255, w + 1);
        }
        sent.sort(Comparator.comparingInt(c -> c.position));
        long now = state.nextDeltaSeq();
        int[] slots = new int[sent.size()];
        // Pass 1: pin appearances the table already has, so inserts cannot evict them.
        for (int i = 0; i < sent.size(); i++) {
            Candidate c = sent.get(i);
            slots[i] = findExisting(table, c, encoded);
            if (slots[i] >= 0) {
                table.acquire(slots[i], now);
            }
        }
        // Pass 2: positions let go of what they held.
        for (Candidate c : sent) {
            table.release(keyMap[c.position], now);
        }
        // Pass 3: new appearances.
        TreeMap<Integer, SlotUpsert> upserts = new TreeMap<>();
        Set<Integer> evicted = new LinkedHashSet<>();
        int[] kmPositions = new int[sent.size()];
        int[] kmSlots = new int[sent.size()];
        int tokenCount = 0;
        for (int i = 0; i < sent.size(); i++) {
            Candidate c = sent.get(i);
            int slot = slots[i];
            if (slot < 0) {
                slot = findExisting(table, c, encoded);
                if (slot < 0) {
                    slot =
                            table.insert(
                                    c.tokens,
                                    encoded.latents(),
                                    c.row * spec.latentDim(),
                                    now,
                                    evicted::add);
                    evicted.remove(slot);
                    upserts.put(slot, upsert(table, slot));
                    tokenCount += c.tokens.length;
                }
                table.acquire(slot, now);
            }
            kmPositions[i] = c.position;
            kmSlots[i] = slot;
            keyMap[c.position] = slot;
            grid.copyPosition(pending.blockMeans(), state.reference(), c.position);
            heldError[c.position] = c.newError;
            heldExcess[c.position] = c.newExcess;
            waiting[c.position] = 0;
            driftAfter[c.position] = 0;
        }
        tokenCount += sent.size();
        double estimated = 0;
        for (int p = 0; p < positions; p++) {
            estimated += heldError[p] + driftAfter[p];
        }
        return build(
                state,
                pending,
                emitTime,
                DeltaKind.DELTA,
                new ArrayList<>(upserts.values()),
                new ArrayList<>(evicted),
                KeyMapCodec.encode(kmPositions, kmSlots, kmPositions.length),
                pending.changedPatches(),
                pending.count(),
                sent.size(),
                tokenCount,
                (float) (estimated / positions),
                KeyframeReason.NONE);
    }

    private int findExisting(TokenTable table, Candidate c, EncodedPatches encoded) {
        int slot = table.find(c.tokens);
        if (slot < 0 && settings.mergeDistance() > 0) {
            slot =
                    table.findNear(
                            encoded.latents(),
                            c.row * spec.latentDim(),
                            c.levels,
                            settings.mergeDistance());
        }
        return slot;
    }

    /**
     * A KEYFRAME in DELTA mode. Encoded positions take the fewest levels meeting the budget; with
     * {@code candidates} (error-bound escalation) only those take new tokens and every other
     * position keeps what it holds.
     */
    private TokenDelta keyframe(
            CameraState state,
            PendingFrame pending,
            EncodedPatches encoded,
            int offset,
            Instant emitTime,
            List<Candidate> candidates,
            float[] driftAfter,
            KeyframeReason reason) {
        int positions = spec.patchesPerFrame();
        int[][] tokens = new int[positions][];
        float[][] latents = new float[positions][];
        int[] latentOffsets = new int[positions];
        TokenTable table = state.table();
        int[] keyMap = state.keyMap();
        float[] heldError = state.heldError();
        float[] heldExcess = state.heldExcess();
        byte[] waiting = state.waiting();
        double budget = settings.errorBudget();
        if (candidates == null) {
            int[] selected = pending.positions();
            for (int i = 0; i < selected.length; i++) {
                int p = selected[i];
                int row = offset + i;
                float best = encoded.levelError(row, spec.levels() - 1);
                int levels = fewestLevels(encoded, row, best, budget);
                tokens[p] =
                        Arrays.copyOfRange(
                                encoded.tokens(),
                                row * spec.levels(),
                                row * spec.levels() + levels);
                latents[p] = encoded.latents();
                latentOffsets[p] = row * spec.latentDim();
                heldError[p] = encoded.levelError(row, levels - 1);
                heldExcess[p] = Math.max(0, heldError[p] - best);
                waiting[p] = 0;
                grid.copyPosition(pending.blockMeans(), state.reference(), p);
            }
        } else {
            for (int p = 0; p < positions; p++) {
                tokens[p] = table.tokens(keyMap[p]).clone();
                latents[p] = table.latent(keyMap[p]);
                latentOffsets[p] = 0;
            }
            for (Candidate c : candidates) {
                int p = c.position;
                tokens[p] = c.tokens;
                latents[p] = encoded.latents();
                latentOffsets[p] = c.row * spec.latentDim();
                heldError[p] = c.newError;
                heldExcess[p] = c.newExcess;
                waiting[p] = 0;
                driftAfter[p] = 0;
                grid.copyPosition(pending.blockMeans(), state.reference(), p);
            }
        }
        return rebuild(
                state, pending, emitTime, tokens, latents, latentOffsets, driftAfter, reason);
    }

    private TokenDelta full(
            CameraState state,
            PendingFrame pending,
            EncodedPatches encoded,
            int offset,
            Instant emitTime) {
        int positions = spec.patchesPerFrame();
        int levels = spec.levels();
        int[][] tokens = new int[positions][];
        float[][] latents = new float[positions][];
        int[] latentOffsets = new int[positions];
        for (int p = 0; p < positions; p++) {
            int row = offset + p;
            tokens[p] = Arrays.copyOfRange(encoded.tokens(), row * levels, (row + 1) * levels);
            latents[p] = encoded.latents();
            latentOffsets[p] = row * spec.latentDim();
            state.heldError()[p] = encoded.levelError(row, levels - 1);
            state.heldExcess()[p] = 0;
            state.waiting()[p] = 0;
        }
        System.arraycopy(pending.blockMeans(), 0, state.reference(), 0, state.reference().length);
        return rebuild(
                state,
                pending,
                emitTime,
                tokens,
                latents,
                latentOffsets,
                null,
                KeyframeReason.FULL_MODE);
    }

    /** Forgets the table, rebuilds it from per-position tokens and emits a KEYFRAME. */
    private TokenDelta rebuild(
            CameraState state,
            PendingFrame pending,
            Instant emitTime,
            int[][] tokens,
            float[][] latents,
            int[] latentOffsets,
            float[] driftAfter,
            KeyframeReason reason) {
        TokenTable table = state.table();
        int[] keyMap = state.keyMap();
        int positions = keyMap.length;
        long now = state.nextDeltaSeq();
        table.clear();
        int[] allPositions = new int[positions];
        for (int p = 0; p < positions; p++) {
            int slot = table.find(tokens[p]);
            if (slot < 0) {
                slot =
                        table.insert(
                                tokens[p],
                                latents[p],
                                latentOffsets[p],
                                now,
                                s -> {
                                    throw new IllegalStateException("keyframe evicted slot " + s);
                                });
            }
            table.acquire(slot, now);
            keyMap[p] = slot;
            allPositions[p] = p;
        }
        List<SlotUpsert> upserts = new ArrayList<>();
        int tokenCount = positions;
        for (int slot : table.liveSlots()) {
            upserts.add(upsert(table, slot));
            tokenCount += table.tokens(slot).length;
        }
        double estimated = 0;
        for (float e : state.heldError()) {
            estimated += e;
        }
        if (driftAfter != null) {
            // Positions that kept their tokens keep their drift in the estimate.
            for (float d : driftAfter) {
                estimated += d;
            }
        }
        state.markSynced();
        return build(
                state,
                pending,
                emitTime,
                DeltaKind.KEYFRAME,
                upserts,
                List.of(),
                KeyMapCodec.encode(allPositions, keyMap, positions),
                pending.changedPatches(),
                pending.count(),
                positions,
                tokenCount,
                (float) (estimated / positions),
                reason);
    }

    private SlotUpsert upsert(TokenTable table, int slot) {
        int[] ids = table.tokens(slot);
        List<Integer> list = new ArrayList<>(ids.length);
        for (int id : ids) {
            list.add(id);
        }
        ByteBuffer latent = null;
        if (settings.includeLatents()) {
            float[] values = table.latent(slot);
            if (values != null) {
                latent = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    latent.putFloat(v);
                }
                latent.flip();
            }
        }
        return SlotUpsert.newBuilder().setSlot(slot).setTokens(list).setLatent(latent).build();
    }

    private TokenDelta build(
            CameraState state,
            PendingFrame pending,
            Instant emitTime,
            DeltaKind kind,
            List<SlotUpsert> upserts,
            List<Integer> evictions,
            ByteBuffer keyMap,
            int changed,
            int encodedCount,
            int sentPatches,
            int tokens,
            float estimatedError,
            KeyframeReason reason) {
        FrameStats stats =
                FrameStats.newBuilder()
                        .setChangedPatches(changed)
                        .setEncodedPatches(encodedCount)
                        .setSentPatches(sentPatches)
                        .setTokens(tokens)
                        .setTableSize(state.table().size())
                        .setEstimatedError(estimatedError)
                        .setKeyframeReason(reason)
                        .build();
        return TokenDelta.newBuilder()
                .setCameraId(state.cameraId())
                .setDeltaSeq(state.takeDeltaSeq())
                .setFrameSeq(pending.frameSeq())
                .setCaptureTime(pending.captureTime())
                .setEmitTime(emitTime)
                .setKind(kind)
                .setModelId(spec.modelId())
                .setGridRows(spec.gridRows())
                .setGridCols(spec.gridCols())
                .setLevels(spec.levels())
                .setUpserts(upserts)
                .setEvictions(evictions)
                .setKeyMap(keyMap)
                .setStats(stats)
                .build();
    }

    private static boolean isPrefix(int[] held, EncodedPatches encoded, int row) {
        int base = row * encoded.levels();
        for (int l = 0; l < held.length; l++) {
            if (held[l] != encoded.tokens()[base + l]) {
                return false;
            }
        }
        return true;
    }

    /** Fewest leading levels whose error is within {@code budget} of the all-level error. */
    private int fewestLevels(EncodedPatches encoded, int row, float best, double budget) {
        for (int l = 1; l <= spec.levels(); l++) {
            if (encoded.levelError(row, l - 1) - best <= budget) {
                return l;
            }
        }
        return spec.levels();
    }
}
