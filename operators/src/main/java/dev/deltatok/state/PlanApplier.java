package dev.deltatok.state;

import dev.deltatok.delta.Plan;
import dev.deltatok.delta.Plan.Assignment;
import dev.deltatok.delta.Plan.Refresh;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.reference.PictureMotion;
import dev.deltatok.reference.ReferenceGrid;
import dev.deltatok.reference.ReferencePolicy;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.table.TokenTable;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Applies a {@link Plan} to a camera's state: the token table, key map, reference and error
 * bookkeeping change together, so that the state always equals what a consumer holds after the
 * delta that reports it. The only writer of a {@link CameraState} besides its serializer.
 * Stateless; one instance serves every camera of a thread.
 */
public final class PlanApplier {

    private final ModelSpec spec;
    private final TokenizerSettings settings;
    private final ReferencePolicy policy;

    public PlanApplier(ModelSpec spec, TokenizerSettings settings) {
        this.spec = spec;
        this.settings = settings;
        this.policy = ReferencePolicy.of(settings);
    }

    /**
     * Moves what the consumer holds by the frame's global motion, whole patches only ({@link
     * PictureMotion}); the offset is recorded by {@link #apply}. Called before the frame is
     * planned, so that planning sees positions where the consumer will hold them.
     */
    public void move(CameraState state, PictureMotion motion) {
        state.moveBy(motion, state.nextDeltaSeq());
    }

    /**
     * Applies the plan of frame {@code frameSeq}, whose reference-block means are {@code
     * blockMeans}, and records the frame (it becomes the previous frame, {@code noiseLevel} the
     * camera's noise level). A DELTA leaves the picture at the motion's offset, a KEYFRAME at none.
     */
    public AppliedPlan apply(
            CameraState state,
            Plan plan,
            long frameSeq,
            byte[] blockMeans,
            float noiseLevel,
            PictureMotion motion) {
        if (plan.reason() == KeyframeReason.FIRST_FRAME
                || plan.reason() == KeyframeReason.FULL_MODE) {
            if (!state.fits(spec, settings)) {
                state.reset(spec, settings);
            }
        }
        ReferenceGrid grid = state.referenceGrid();
        for (Refresh r : plan.refreshed()) {
            grid.copyPosition(blockMeans, state.referenceArray(), r.position());
            state.heldErrorArray()[r.position()] = r.error();
            state.heldExcessArray()[r.position()] = r.excess();
            state.waitingArray()[r.position()] = 0;
        }
        for (int p : plan.settled()) {
            state.waitingArray()[p] = 0;
        }
        AppliedPlan applied =
                plan.isKeyframe()
                        ? rebuild(state, plan, blockMeans)
                        : update(state, plan, blockMeans);
        if (plan.isKeyframe()) {
            state.setOffset(0, 0);
        } else {
            state.setOffset(motion.offsetX(), motion.offsetY());
        }
        if (plan.isKeyframe()) {
            state.recordKeyframe(
                    frameSeq, policy.clockAfterKeyframe(plan.reason(), state.cameraId()));
        } else {
            state.recordDelta(frameSeq);
        }
        state.recordPicture(blockMeans, noiseLevel);
        return applied;
    }

    /** A DELTA: new appearances into the table, the sent positions' key map and reference. */
    private AppliedPlan update(CameraState state, Plan plan, byte[] blockMeans) {
        TokenTable table = state.mutableTable();
        int[] keyMap = state.keyMapArray();
        byte[] waiting = state.waitingArray();
        for (int p : plan.deferred()) {
            waiting[p] = (byte) Math.min(255, (waiting[p] & 0xFF) + 1);
        }
        long now = state.nextDeltaSeq();
        int n = plan.assignments().size();
        int[] slots = new int[n];
        // Pass 1: pin appearances the table already has, so inserts cannot evict them.
        for (int i = 0; i < n; i++) {
            slots[i] = findExisting(table, plan.assignments().get(i));
            if (slots[i] >= 0) {
                table.acquire(slots[i], now);
            }
        }
        // Pass 2: positions let go of what they held.
        for (Assignment a : plan.assignments()) {
            table.release(keyMap[a.position()], now);
        }
        // Pass 3: new appearances.
        IntList upserts = new IntList(n);
        IntList evicted = new IntList(4);
        int[] positions = new int[n];
        int tokens = n;
        for (int i = 0; i < n; i++) {
            Assignment a = plan.assignments().get(i);
            int slot = slots[i];
            if (slot < 0) {
                slot = findExisting(table, a);
                if (slot < 0) {
                    slot = table.insert(a.tokens(), a.latents(), a.latentOffset(), now, evicted);
                    evicted.remove(slot);
                    upserts.accept(slot);
                    tokens += a.levels();
                }
                table.acquire(slot, now);
            }
            positions[i] = a.position();
            slots[i] = slot;
            keyMap[a.position()] = slot;
            hold(state, a, blockMeans);
        }
        float[] heldError = state.heldErrorArray();
        float[] driftAfter = plan.driftAfter();
        double estimated = 0;
        for (int p = 0; p < heldError.length; p++) {
            estimated += heldError[p] + driftAfter[p];
        }
        int[] upsertSlots = upserts.toArray();
        Arrays.sort(upsertSlots);
        return new AppliedPlan(
                state.takeDeltaSeq(),
                upsertSlots,
                evicted.toArray(),
                positions,
                slots,
                tokens,
                (float) (estimated / heldError.length));
    }

    /**
     * A KEYFRAME: forgets the table and rebuilds it from the assigned tokens and, at every other
     * position, the tokens held there.
     */
    private AppliedPlan rebuild(CameraState state, Plan plan, byte[] blockMeans) {
        TokenTable table = state.mutableTable();
        int[] keyMap = state.keyMapArray();
        int positions = keyMap.length;
        int[][] tokens = new int[positions][];
        float[][] latents = new float[positions][];
        int[] latentOffsets = new int[positions];
        for (Assignment a : plan.assignments()) {
            int p = a.position();
            tokens[p] = a.tokens();
            latents[p] = a.latents();
            latentOffsets[p] = a.latentOffset();
            hold(state, a, blockMeans);
        }
        for (int p = 0; p < positions; p++) {
            if (tokens[p] == null) {
                tokens[p] = table.tokens(keyMap[p]).clone();
                latents[p] = table.latent(keyMap[p]);
            }
        }
        long now = state.nextDeltaSeq();
        table.clear();
        int[] all = new int[positions];
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
            all[p] = p;
        }
        int[] live = table.liveSlots();
        int tokenCount = positions;
        for (int slot : live) {
            tokenCount += table.tokens(slot).length;
        }
        double estimated = 0;
        for (float e : state.heldErrorArray()) {
            estimated += e;
        }
        if (plan.driftAfter() != null) {
            // Positions that kept their tokens keep their drift in the estimate.
            for (float d : plan.driftAfter()) {
                estimated += d;
            }
        }
        state.markSynced();
        return new AppliedPlan(
                state.takeDeltaSeq(),
                live,
                new int[0],
                all,
                keyMap.clone(),
                tokenCount,
                (float) (estimated / positions));
    }

    /** The position now holds the assignment's tokens, made from this frame's pixels. */
    private static void hold(CameraState state, Assignment a, byte[] blockMeans) {
        int p = a.position();
        state.referenceGrid().copyPosition(blockMeans, state.referenceArray(), p);
        state.heldErrorArray()[p] = a.error();
        state.heldExcessArray()[p] = a.excess();
        state.waitingArray()[p] = 0;
    }

    /**
     * The slot already holding the assignment's tokens, or -1: the packer chose them, either the
     * position's own encoding or a slot it measured as fitting.
     */
    private static int findExisting(TokenTable table, Assignment a) {
        return table.find(a.tokens());
    }

    /** A growable list of ints, in insertion order. */
    private static final class IntList implements IntConsumer {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(1, capacity)];
        }

        @Override
        public void accept(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void remove(int value) {
            for (int i = 0; i < size; i++) {
                if (values[i] == value) {
                    System.arraycopy(values, i + 1, values, i, size - i - 1);
                    size--;
                    return;
                }
            }
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
