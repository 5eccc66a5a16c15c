package dev.deltatok.reference;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.schema.KeyframeReason;

/**
 * The keyframe decision, all of it (RefTok's re-basing): every frame in FULL mode; in DELTA mode
 * the first frame of a camera (or of a new model or shape), a scene cut, the camera's periodic
 * keyframe, and, after budget packing, an error the consumer would be left with above a bound. Pure
 * functions of counters and the camera id.
 *
 * <p>Periodic keyframes are staggered. A camera's keyframe clock ({@link
 * dev.deltatok.state.CameraState#keyframeClock}) counts its frames toward the next periodic
 * keyframe, due when it reaches the maximum interval. After a periodic keyframe it restarts at 0,
 * so periodic keyframes stay one interval apart; after any other keyframe it restarts at the
 * camera's {@linkplain #phase phase}, a number of frames in [0, interval / 2) fixed by the camera
 * id. Cameras that start together (a fleet switched on, a job started from nothing) or re-base
 * together (a light switched on over a whole site) would otherwise take every later periodic
 * keyframe on the same frame: all their cameras' whole-frame encodes at once, a stall of the
 * operator and a burst of tokens on the deltas topic once per interval. No camera goes longer than
 * the interval without a keyframe.
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
     * @param keyframeClock the camera's frames toward its next periodic keyframe (see the class
     *     comment)
     */
    public KeyframeReason beforeEncode(
            boolean synced, int changed, int positions, int keyframeClock) {
        if (mode == TokenizerMode.FULL) {
            return KeyframeReason.FULL_MODE;
        }
        if (!synced) {
            return KeyframeReason.FIRST_FRAME;
        }
        if (changed > 0 && changed >= sceneCutFraction * positions) {
            return KeyframeReason.SCENE_CUT;
        }
        if (keyframeClock + 1 >= maxKeyframeInterval) {
            return KeyframeReason.MAX_INTERVAL;
        }
        return KeyframeReason.NONE;
    }

    /**
     * Where the camera's keyframe clock restarts after a keyframe of {@code reason}: 0 after a
     * periodic one, the camera's {@linkplain #phase phase} after any other.
     */
    public int clockAfterKeyframe(KeyframeReason reason, String cameraId) {
        return reason == KeyframeReason.MAX_INTERVAL ? 0 : phase(cameraId, maxKeyframeInterval);
    }

    /**
     * A camera's keyframe phase: frames in [0, maxKeyframeInterval / 2), from a mix of the camera
     * id's {@link String#hashCode} (which the Java language fixes, so it is the same on every JVM
     * and after every restart), spread evenly however alike the ids are.
     */
    public static int phase(String cameraId, int maxKeyframeInterval) {
        int span = maxKeyframeInterval / 2;
        if (span <= 1) {
            return 0;
        }
        // MurmurHash3's finaliser: the hashCodes of "cam-1" and "cam-2" are 1 apart, their phases
        // should not be
        int h = cameraId.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, span);
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
