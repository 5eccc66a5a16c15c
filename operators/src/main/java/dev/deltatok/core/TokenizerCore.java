package dev.deltatok.core;

import dev.deltatok.delta.BudgetPacker;
import dev.deltatok.delta.DeltaWriter;
import dev.deltatok.delta.NoiseFloorMode;
import dev.deltatok.delta.Plan;
import dev.deltatok.delta.PreparedFrame;
import dev.deltatok.delta.RepresentationShift;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.reference.ChangeDetector;
import dev.deltatok.reference.GlobalMotionEstimator;
import dev.deltatok.reference.NoiseEstimator;
import dev.deltatok.reference.PictureMotion;
import dev.deltatok.reference.Projections;
import dev.deltatok.reference.ReferenceGrid;
import dev.deltatok.reference.ReferencePolicy;
import dev.deltatok.reference.Registration;
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
 *   <li>per frame: for a model that is not patch-local, the representation shift of every position
 *       ({@link RepresentationShift}); budget packing into a {@link Plan} ({@link BudgetPacker}),
 *       applying it to the state ({@link PlanApplier}), writing the delta ({@link DeltaWriter}).
 * </ol>
 *
 * <p>A patch-local model ({@link ModelSpec#patchLocal()}) is given only the changed patches. A
 * model that is not (a ViT, whose tokens depend on the whole frame) is given the whole frame, in
 * grid order, whenever a frame has to be encoded at all (a keyframe, or any patch over the change
 * threshold), and nothing otherwise; which positions are sent is then decided by how far their
 * representation moved from what the consumer holds. A batch holds whole frames only, one after
 * another, so such a model must not mix patches of different frames of one call.
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

    private static final int[] NO_POSITIONS = new int[0];

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
    private final RepresentationShift shift;
    private final int[] allPositions;
    private final float[] noiseScratch;
    private final GlobalMotionEstimator estimator;
    private final Projections projections;

    /**
     * Motion is accepted when the moved frame's summed block-mean difference to the moved reference
     * is at most this fraction of the difference without it.
     */
    static final double MOTION_ACCEPT = 0.75;

    /**
     * @throws IllegalArgumentException if the settings do not fit the model
     */
    public TokenizerCore(TokenizerModel model, TokenizerSettings settings) {
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.spec = model.spec();
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
        this.shift = spec.patchLocal() ? null : new RepresentationShift(spec);
        this.allPositions = new int[spec.patchesPerFrame()];
        Arrays.setAll(allPositions, p -> p);
        this.noiseScratch = new float[spec.patchesPerFrame()];
        // Global motion moves patches' tokens with the picture, which holds only when a patch's
        // tokens depend on that patch alone.
        this.estimator =
                settings.motionSearch() > 0 && spec.patchLocal()
                        ? new GlobalMotionEstimator(
                                spec.frameWidth(),
                                spec.frameHeight(),
                                settings.referenceBlock(),
                                settings.motionSearch())
                        : null;
        this.projections =
                estimator == null ? null : new Projections(spec.frameWidth(), spec.frameHeight());
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
        int positions = spec.patchesPerFrame();
        boolean synced = state.synced() && state.fits(spec, settings);
        boolean compares = policy.comparesReference(synced);
        Aligned seen =
                compares ? align(state, image) : new Aligned(image, null, PictureMotion.NONE);
        byte[] means = seen.means() != null ? seen.means() : detector.blockMeans(image);
        PictureMotion motion = seen.motion();
        float noiseLevel = noiseLevel(state, means, motion);
        ChangeDetector.Change change =
                compares
                        ? detector.detect(
                                means, state, motion, settings.changeThresholdFor(noiseLevel))
                        : null;
        int changed = change == null ? positions : change.changedCount();
        KeyframeReason reason =
                policy.beforeEncode(synced, changed, positions, state.keyframeClock());
        RgbImage encodeFrom = seen.image();
        if (reason != KeyframeReason.NONE && motion.moved()) {
            // A keyframe re-bases on the frame as it is: no shift, no offset.
            motion = PictureMotion.NONE;
            encodeFrom = image;
            means = detector.blockMeans(image);
        }
        int[] encode;
        if (reason != KeyframeReason.NONE) {
            encode = allPositions;
        } else if (shift != null) {
            // Not patch-local: the whole frame or nothing; the token cap does the shrinking.
            encode = changed == 0 ? NO_POSITIONS : allPositions;
        } else {
            encode = mostChanged(change, cameraFrame.budgetScale());
        }
        int row = batch.add(encodeFrom, encode);
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
                noiseLevel,
                motion);
    }

    /** A frame in the coordinates of the key map after its global motion. */
    private record Aligned(RgbImage image, byte[] means, PictureMotion motion) {}

    /**
     * Global motion ({@link GlobalMotionEstimator}): the frame aligned at the offset the consumer
     * shows its picture at, or, when the estimator finds the picture moved and that motion clearly
     * explains the frame better (its block means differ from the moved reference by at most {@link
     * #MOTION_ACCEPT} of what they differ without it, with no more positions over the change
     * threshold), aligned at the new offset. Without an offset and without accepted motion the
     * frame is used as it is.
     */
    private Aligned align(CameraState state, RgbImage image) {
        PictureMotion held = new PictureMotion(0, 0, state.offsetX(), state.offsetY());
        RgbImage atHeld = Registration.align(image, held.offsetX(), held.offsetY());
        if (estimator == null) {
            return new Aligned(atHeld, detector.blockMeans(atHeld), held);
        }
        byte[] heldMeans;
        if (atHeld == image) {
            // At no offset the block means and the estimator's projections share one pass.
            heldMeans = detector.blockMeans(image, projections);
        } else {
            heldMeans = detector.blockMeans(atHeld);
            projections.compute(image);
        }
        GlobalMotionEstimator.Estimate e = state.estimateMotion(estimator, image, projections);
        if (e.offsetX() == held.offsetX() && e.offsetY() == held.offsetY()) {
            return new Aligned(atHeld, heldMeans, held);
        }
        PictureMotion moved = PictureMotion.toOffset(e.offsetX(), e.offsetY(), spec.patchSize());
        RgbImage atMoved = Registration.align(image, moved.offsetX(), moved.offsetY());
        byte[] movedMeans = detector.blockMeans(atMoved);
        double threshold = settings.changeThresholdFor(state.noiseLevel());
        int positions = spec.patchesPerFrame();
        float[] mad = new float[positions];
        float[] msd = new float[positions];
        state.compareWithReference(heldMeans, held, mad, msd);
        double stayCost = 0;
        int stayChanged = 0;
        for (float m : mad) {
            stayCost += m;
            stayChanged += m > threshold ? 1 : 0;
        }
        state.compareWithReference(movedMeans, moved, mad, msd);
        double moveCost = 0;
        int moveChanged = 0;
        for (float m : mad) {
            moveCost += m;
            moveChanged += m > threshold ? 1 : 0;
        }
        if (moveCost <= MOTION_ACCEPT * stayCost && moveChanged <= stayChanged) {
            return new Aligned(atMoved, movedMeans, moved);
        }
        return new Aligned(atHeld, heldMeans, held);
    }

    /** The camera's noise level updated with this frame's sample ({@link NoiseEstimator}). */
    private float noiseLevel(CameraState state, byte[] means, PictureMotion motion) {
        if (settings.noiseFloor() == NoiseFloorMode.FIXED
                || !state.compareWithPrevious(means, motion, noiseScratch)) {
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
        applier.move(state, frame.motion());
        PreparedFrame measured =
                shift != null
                                && frame.keyframeReason() == KeyframeReason.NONE
                                && frame.encodedCount() > 0
                        ? shift.apply(frame, state, encoded)
                        : frame;
        Plan plan =
                packer.plan(
                        measured,
                        state,
                        encoded,
                        (rows, tokens, pairs) -> batch.errors(model, rows, tokens, pairs));
        AppliedPlan applied =
                applier.apply(
                        state,
                        plan,
                        frame.frameSeq(),
                        frame.blockMeans(),
                        frame.noiseLevel(),
                        frame.motion());
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
