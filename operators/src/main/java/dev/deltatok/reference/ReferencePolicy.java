package dev.deltatok.reference;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.schema.KeyframeReason;

/**
 * The keyframe decision, all of it (RefTok's re-basing): every frame in FULL mode; in DELTA mode
 * the first frame of a camera (or of a new model or shape), a scene cut, the maximum interval since
 * the last keyframe, and, after budget packing, an error the consumer would be left with above a
 * bound. Pure functions of counters.
 */
public final class ReferencePolicy {

    private final TokenizerMode mode;
    private final double sceneCutFraction;
    private final int maxKeyframeInterval;
    private final double keyframeErrorBound;

    public ReferencePolicy(
            TokenizerMode mode,
            double sceneCutFraction,
            int maxKeyframeInterval,
            double keyframeErrorBound) {
        this.mode = mode;
        this.sceneCutFraction = sceneCutFraction;
        this.maxKeyframeInterval = maxKeyframeInterval;
        this.keyframeErrorBound = keyframeErrorBound;
    }

    public static ReferencePolicy of(TokenizerSettings settings) {
        return new ReferencePolicy(
                settings.mode(),
                settings.sceneCutFraction(),
                settings.maxKeyframeInterval(),
                settings.keyframeErrorBound());
    }

    /**
     * Whether change detection against the reference can matter for this frame: only in DELTA mode,
     * and only when the consumer holds a picture.
     */
    public boolean comparesReference(boolean synced) {
        return mode == TokenizerMode.DELTA && synced;
    }

    /**
     * The decision before encoding.
     *
     * @param synced whether the consumer holds a picture for the current model and grid
     * @param changed patches above the change threshold (ignored unless synced in DELTA mode)
     * @param positions patches per frame
     * @param framesSinceKeyframe frames emitted since the last keyframe
     */
    public KeyframeReason beforeEncode(
            boolean synced, int changed, int positions, int framesSinceKeyframe) {
        if (mode == TokenizerMode.FULL) {
            return KeyframeReason.FULL_MODE;
        }
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
     * The decision after budget packing: whether the mean estimated excess error left by the token
     * cap calls for a keyframe.
     */
    public boolean exceedsErrorBound(double meanExcessAfterCap, boolean anythingDeferred) {
        return exceedsErrorBound(meanExcessAfterCap, anythingDeferred, 1.0);
    }

    /**
     * The same under a shrunk budget: the bound is divided by {@code budgetScale}, (0, 1], so a
     * smaller budget tolerates proportionally more error before it pays for a keyframe.
     */
    public boolean exceedsErrorBound(
            double meanExcessAfterCap, boolean anythingDeferred, double budgetScale) {
        return anythingDeferred && meanExcessAfterCap > keyframeErrorBound / budgetScale;
    }
}
