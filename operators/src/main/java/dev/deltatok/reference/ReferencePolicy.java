package dev.deltatok.reference;

import dev.deltatok.schema.KeyframeReason;

/**
 * When to re-base (RefTok): on the first frame, on a scene cut, after a maximum interval, and when
 * the error the consumer would be left with exceeds a bound. Pure functions of counters.
 */
public final class ReferencePolicy {

    private final double sceneCutFraction;
    private final int maxKeyframeInterval;
    private final double keyframeErrorBound;

    public ReferencePolicy(
            double sceneCutFraction, int maxKeyframeInterval, double keyframeErrorBound) {
        this.sceneCutFraction = sceneCutFraction;
        this.maxKeyframeInterval = maxKeyframeInterval;
        this.keyframeErrorBound = keyframeErrorBound;
    }

    /**
     * The decision before encoding.
     *
     * @param synced whether the consumer holds a picture for the current model and grid
     * @param changed patches above the noise floor
     * @param positions patches per frame
     * @param framesSinceKeyframe frames emitted since the last keyframe
     */
    public KeyframeReason beforeEncode(
            boolean synced, int changed, int positions, int framesSinceKeyframe) {
        if (!synced) {
            return KeyframeReason.FIRST_FRAME;
        }
        if (changed > 0 && changed >= sceneCutFraction * positions) {
            return KeyframeReason.SCENE_CUT;
        }
        if (framesSinceKeyframe + 1 >= maxKeyframeInterval) {
            return KeyframeReason.MAX_INTERVAL;
        }
        return KeyframeReason.NONE;
    }

    /**
     * The decision after the error budget: whether the mean estimated excess error left by the
     * token cap calls for a keyframe.
     */
    public boolean exceedsErrorBound(double meanExcessAfterCap, boolean anythingDeferred) {
        return anythingDeferred && meanExcessAfterCap > keyframeErrorBound;
    }
}
