package dev.deltatok.core;

import dev.deltatok.delta.BudgetPacker;
import dev.deltatok.delta.DeltaWriter;
import dev.deltatok.delta.NoiseFloorMode;
import dev.deltatok.delta.Plan;
import dev.deltatok.delta.PreparedFrame;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.reference.ChangeDetector;
import dev.deltatok.reference.NoiseEstimator;
import dev.deltatok.reference.ReferenceGrid;
import dev.deltatok.reference.ReferencePolicy;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.AppliedPlan;
import dev.deltatok.state.CameraState;
import dev.deltatok.state.PlanApplier;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The tokenizer, one entry point: {@link #process} takes frames of many cameras with their states
 * and returns, per frame, a {@link TokenDelta} or a rejection. Every caller (the Flink operator,
 * {@code deltatok eval}, benchmarks, tests) goes through it.
 *
 * <p>Per batch round (each camera at most once, so a camera's frames keep their order):
 *
 * <ol>
 *   <li>validate and decode the frame to model resolution ({@link FrameDecoder});
 *   <li>change detection against the camera's reference ({@link ChangeDetector}), above the
 *       camera's own noise floor ({@link NoiseEstimator});
 *   <li>the keyframe decision before encoding ({@link ReferencePolicy});
 *   <li>the patches to encode go straight from the decoded image into the round's encoder batch,
 *       one encoder call for every camera of the round;
 *   <li>per frame: budget packing into a {@link Plan} ({@link BudgetPacker}), applying it to the
 *       state ({@link PlanApplier}), writing the delta ({@link DeltaWriter}).
 * </ol>
 *
 * <p>Each frame may carry a budget scale and a count of frames skipped before it (decided by the
 * caller's {@link dev.deltatok.overload.OverloadPolicy}); its delta reports both. Skips carried by
 * a rejected frame pass to the camera's next frame in the batch, or come back in {@link
 * BatchResult#unreportedSkips()}.
 *
 * <p>Owns its scratch buffers, so one instance belongs to one thread; the model may be shared. The
 * model is not closed by the core.
 */
public final class TokenizerCore {

    private final TokenizerModel model;
    private final ModelSpec spec;
    private final TokenizerSettings settings;
    private final FrameDecoder decoder;
    private final ChangeDetector detector;
    private final ReferencePolicy policy;
    private final BudgetPacker packer;
    private final PlanApplier applier;
    private final DeltaWriter writer;
    private final EncoderBatch batch;
    private final int[] allPositions;
    private final float[] noiseScratch;

    /**
     * @throws IllegalArgumentException if the model is not patch-local or the settings do not fit
     *     it
     */
    public TokenizerCore(TokenizerModel model, TokenizerSettings settings) {
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.spec = model.spec();
        if (!spec.patchLocal()) {
            throw new IllegalArgumentException(
                    "model "
                            + spec.modelId()
                            + " is not patch-local (its manifest says \"patchLocal\": false):"
                            + " the tokenizer encodes only the changed patches of a frame, which"
                            + " needs a model whose tokens depend on their own patch alone");
        }
        // Fail fast on settings that cannot fit the model.
        CameraState.initial("settings-check", spec, settings);
        this.decoder =
                new FrameDecoder(settings.frameLimits(), spec.frameWidth(), spec.frameHeight());
        this.detector =
                new ChangeDetector(
                        new ReferenceGrid(
                                spec.patchSize(),
                                settings.referenceBlock(),
                                spec.gridRows(),
                                spec.gridCols()));
        this.policy = ReferencePolicy.of(settings);
        this.packer = new BudgetPacker(spec, settings, policy);
        this.applier = new PlanApplier(spec, settings);
        this.writer = new DeltaWriter(spec, settings);
        this.batch = new EncoderBatch(spec, spec.patchesPerFrame());
        this.allPositions = new int[spec.patchesPerFrame()];
        Arrays.setAll(allPositions, p -> p);
        this.noiseScratch = new float[spec.patchesPerFrame()];
    }

    public ModelSpec spec() {
        return spec;
    }

    public TokenizerSettings settings() {
        return settings;
    }

    /** The decoder that turns frames into images at model resolution, as the core sees them. */
    public FrameDecoder decoder() {
        return decoder;
    }

    /** A state for a camera never seen before. */
    public CameraState newState(String cameraId) {
        return CameraState.initial(cameraId, spec, settings);
    }

    /** One frame of one camera: {@link #process(List, Instant)} with a batch of one. */
    public FrameOutcome process(CameraState state, Frame frame, Instant emitTime) {
        return process(List.of(new CameraFrame(frame, state)), emitTime).outcome(0);
    }

    /**
     * Tokenises a batch of frames, updating their cameras' states.
     *
     * @param frames frames of any cameras; frames of one camera share one state object and are
     *     processed in list order
     * @param emitTime the emit time every delta carries (the caller's clock)
     * @return one outcome per frame, in list order
     */
    public BatchResult process(List<CameraFrame> frames, Instant emitTime) {
        int n = frames.size();
        FrameOutcome[] outcomes = new FrameOutcome[n];
        PreparedFrame[] prepared = new PreparedFrame[n];
        boolean[] done = new boolean[n];
        int[] round = new int[n];
        Set<String> inRound = new HashSet<>();
        // Skips carried by a rejected frame pass to the camera's next frame (a later round).
        Map<String, Integer> carried = new HashMap<>();
        int remaining = n;
        int encodedPatches = 0;
        int calls = 0;
        long encodeNanos = 0;
        while (remaining > 0) {
            int size = 0;
            inRound.clear();
            for (int i = 0; i < n; i++) {
                if (!done[i] && inRound.add(frames.get(i).cameraId())) {
                    round[size++] = i;
                    done[i] = true;
                    remaining--;
                }
            }
            batch.clear();
            for (int r = 0; r < size; r++) {
                int i = round[r];
                CameraFrame f = frames.get(i);
                int skipped = f.skippedFrames() + carried.getOrDefault(f.cameraId(), 0);
                carried.remove(f.cameraId());
                try {
                    prepared[i] = prepare(f, skipped);
                } catch (FrameRejectedException e) {
                    outcomes[i] = FrameOutcome.rejected(e.reason(), e.getMessage());
                    if (skipped > 0) {
                        carried.put(f.cameraId(), skipped);
                    }
                }
            }
            EncodedPatches encoded = null;
            if (batch.count() > 0) {
                long start = System.nanoTime();
                encoded = batch.encode(model);
                encodeNanos += System.nanoTime() - start;
                encodedPatches += batch.count();
                calls++;
                checkEncoded(encoded, batch.count());
            }
            for (int r = 0; r < size; r++) {
                int i = round[r];
                if (prepared[i] != null) {
                    outcomes[i] =
                            FrameOutcome.delta(
                                    complete(
                                            frames.get(i).state(), prepared[i], encoded, emitTime));
                    prepared[i] = null;
                }
            }
        }
        return new BatchResult(
                List.of(outcomes), encodedPatches, calls, encodeNanos, Map.copyOf(carried));
    }

    /**
     * Validation, decoding, change detection and the keyframe decision; the patches to encode go
     * into the round's batch. Does not modify the state.
     */
    private PreparedFrame prepare(CameraFrame cameraFrame, int skippedFrames)
            throws FrameRejectedException {
        CameraState state = cameraFrame.state();
        Frame frame = cameraFrame.frame();
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
        byte[] means = detector.blockMeans(image);
        int positions = spec.patchesPerFrame();
        boolean synced = state.synced() && state.fits(spec, settings);
        float noiseLevel = noiseLevel(state, means);
        ChangeDetector.Change change =
                policy.comparesReference(synced)
                        ? detector.detect(means, state, settings.changeThresholdFor(noiseLevel))
                        : null;
        int changed = change == null ? positions : change.changedCount();
        KeyframeReason reason =
                policy.beforeEncode(synced, changed, positions, state.framesSinceKeyframe());
        int[] encode =
                reason == KeyframeReason.NONE
                        ? mostChanged(change, cameraFrame.budgetScale())
                        : allPositions;
        int row = batch.add(image, encode);
        return new PreparedFrame(
                state.cameraId(),
                frame.getSeq(),
                frame.getCaptureTime(),
                means,
                reason == KeyframeReason.NONE ? change.drift() : null,
                changed,
                encode,
                row,
                reason,
                (float) cameraFrame.budgetScale(),
                skippedFrames,
                noiseLevel);
    }

    /** The camera's noise level updated with this frame's sample ({@link NoiseEstimator}). */
    private float noiseLevel(CameraState state, byte[] means) {
        if (settings.noiseFloor() == NoiseFloorMode.FIXED
                || !state.compareWithPrevious(means, noiseScratch)) {
            return state.noiseLevel();
        }
        return NoiseEstimator.update(state.noiseLevel(), NoiseEstimator.sample(noiseScratch));
    }

    /**
     * The changed positions a delta encodes: all of them at full budget; under a shrunk budget only
     * the {@code ceil(scale * changed)} that drifted most (ties to the lower position), in
     * increasing order. The others keep their drift and compete again on the next frame.
     */
    private static int[] mostChanged(ChangeDetector.Change change, double budgetScale) {
        int[] changed = change.changedPositions();
        int keep = (int) Math.ceil(budgetScale * changed.length);
        if (keep >= changed.length) {
            return changed;
        }
        float[] drift = change.drift();
        Integer[] order = new Integer[changed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = changed[i];
        }
        Arrays.sort(
                order,
                (a, b) -> {
                    int byDrift = Float.compare(drift[b], drift[a]);
                    return byDrift != 0 ? byDrift : Integer.compare(a, b);
                });
        int[] out = new int[keep];
        for (int i = 0; i < keep; i++) {
            out[i] = order[i];
        }
        Arrays.sort(out);
        return out;
    }

    private TokenDelta complete(
            CameraState state, PreparedFrame frame, EncodedPatches encoded, Instant emitTime) {
        Plan plan =
                packer.plan(
                        frame,
                        state,
                        encoded,
                        (rows, tokens, pairs) -> batch.errors(model, rows, tokens, pairs));
        AppliedPlan applied =
                applier.apply(
                        state, plan, frame.frameSeq(), frame.blockMeans(), frame.noiseLevel());
        return writer.write(state.cameraId(), frame, plan, applied, state.table(), emitTime);
    }

    private void checkEncoded(EncodedPatches encoded, int count) {
        if (encoded.count() != count
                || encoded.levels() != spec.levels()
                || encoded.latentDim() != spec.latentDim()) {
            throw new IllegalStateException(
                    "encoder output of "
                            + encoded.count()
                            + " patches x "
                            + encoded.levels()
                            + " levels does not answer "
                            + count
                            + " patches of "
                            + spec.modelId());
        }
    }
}
