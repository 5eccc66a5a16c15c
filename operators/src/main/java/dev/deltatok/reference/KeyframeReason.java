package dev.deltatok.reference;

/** Why a frame re-bases the consumer's picture (RefTok reference policy), or NONE. */
public enum KeyframeReason {
    NONE,
    /** The camera's first frame, or the first after its state was reset (new model, settings). */
    FIRST_FRAME,
    /** At least {@code sceneCutFraction} of the patches changed. */
    SCENE_CUT,
    /** {@code maxKeyframeInterval} frames since the last keyframe. */
    MAX_INTERVAL,
    /** The token cap left more estimated error than {@code keyframeErrorBound}. */
    ERROR_BOUND,
    /** FULL mode: every frame is a keyframe. */
    FULL_MODE
}
