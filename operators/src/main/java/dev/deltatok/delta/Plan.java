package dev.deltatok.delta;

import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.KeyframeReason;
import java.util.List;

/**
 * What one frame changes in what the consumer holds, decided by {@link BudgetPacker} and applied by
 * {@link dev.deltatok.state.PlanApplier}. Immutable: arrays are owned by the plan and never
 * modified after construction.
 *
 * <p>A DELTA sends {@link #assignments} (new tokens at those positions, in position order), {@link
 * #refreshed} positions whose held tokens turned out to be exactly what the frame encodes to (the
 * reference moves, nothing is sent), clears the wait of {@link #settled} positions and counts one
 * more waiting frame at {@link #deferred} ones. A KEYFRAME rebuilds the table from {@link
 * #assignments} and, at every other position, the tokens it holds; an ERROR_BOUND keyframe also
 * carries the refreshed and settled positions found before it escalated.
 *
 * @param driftAfter per position, the squared drift left after this frame (0 where the reference
 *     moves); null for a keyframe decided before encoding, where every position is re-encoded
 */
public record Plan(
        DeltaKind kind,
        KeyframeReason reason,
        List<Assignment> assignments,
        List<Refresh> refreshed,
        int[] settled,
        int[] deferred,
        float[] driftAfter) {

    /**
     * New tokens for a position: the leading {@code tokens.length} levels of its encoding.
     *
     * @param latents the encoder's latent array, the position's latent at {@code latentOffset}
     * @param error estimated MSE of these tokens against the current picture
     * @param excess how much {@code error} exceeds the all-level error
     */
    public record Assignment(
            int position,
            int[] tokens,
            float[] latents,
            int latentOffset,
            float error,
            float excess) {

        public int levels() {
            return tokens.length;
        }
    }

    /** A position whose held tokens are exactly this frame's encoding: new errors, no tokens. */
    public record Refresh(int position, float error, float excess) {}

    public boolean isKeyframe() {
        return kind == DeltaKind.KEYFRAME;
    }
}
