package dev.deltatok.state;

/**
 * What applying a {@link dev.deltatok.delta.Plan} changed in a camera's state, for the delta that
 * tells the consumer. Arrays are owned by this record and never modified after construction.
 *
 * @param deltaSeq the sequence number of the delta that carries the change
 * @param upsertSlots slots (increasing) whose tokens the consumer must (re)learn
 * @param evictedSlots slots the consumer must forget, in the order they were evicted
 * @param keyMapPositions positions whose slot is sent, increasing
 * @param keyMapSlots the slot at each of {@code keyMapPositions}
 * @param tokens token ids the delta carries: upserts' ids plus key-map updates
 * @param estimatedError mean estimated MSE of what the consumer holds after the change
 */
public record AppliedPlan(
        long deltaSeq,
        int[] upsertSlots,
        int[] evictedSlots,
        int[] keyMapPositions,
        int[] keyMapSlots,
        int tokens,
        float estimatedError) {

    /** Positions that got new tokens. */
    public int sentPatches() {
        return keyMapPositions.length;
    }
}
