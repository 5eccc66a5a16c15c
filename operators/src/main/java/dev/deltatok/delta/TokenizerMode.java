package dev.deltatok.delta;

/** How frames become deltas. */
public enum TokenizerMode {
    /** Only what changed is encoded and sent, under the error budget and token cap. */
    DELTA,
    /** Every patch is encoded and sent with all levels every frame, as a KEYFRAME: the baseline. */
    FULL
}
