package dev.deltatok.reference;

import java.util.Arrays;

/**
 * A camera's noise level, learnt online from its own frames: per frame, the median over grid
 * positions of the mean absolute difference between the frame's reference-block means and the
 * previous frame's (8-bit levels). Where nothing moves that difference is sensor noise and
 * compression flicker; the median ignores the positions where something does move, as long as they
 * are fewer than half. Consecutive frames are compared, not frame and reference, so slow drift
 * (light fading, the sun moving) is not mistaken for noise and stays visible to change detection.
 *
 * <p>The level follows the samples by an exponential moving average, each sample first clamped to
 * within a factor of two of the current level, so one odd frame (a flash, an encoder hiccup) moves
 * it by at most an eighth, while a lasting change (night gain, rain) is followed within a few dozen
 * frames. Stateless; the level lives in the camera's state.
 */
public final class NoiseEstimator {

    /** The level of a camera not yet estimated (fewer than two frames). */
    public static final float UNKNOWN = -1f;

    /** Weight of a new sample in the moving average. */
    static final float ALPHA = 1f / 8;

    /** Lowest level kept, so that the clamp around a silent camera's level can still widen. */
    static final float MIN_LEVEL = 1f / 64;

    private NoiseEstimator() {}

    /**
     * The frame's sample: median over positions of the per-position mean absolute difference.
     *
     * @param differences per position, the mean absolute difference to the previous frame; sorted
     *     in place
     */
    public static float sample(float[] differences) {
        if (differences.length == 0) {
            throw new IllegalArgumentException("no positions");
        }
        Arrays.sort(differences);
        int n = differences.length;
        return n % 2 == 1 ? differences[n / 2] : (differences[n / 2 - 1] + differences[n / 2]) / 2;
    }

    /** The level after one more sample; the first sample is taken as it is. */
    public static float update(float level, float sample) {
        if (!(level > 0)) {
            return Math.max(MIN_LEVEL, sample);
        }
        float clamped = Math.max(level / 2, Math.min(2 * level, sample));
        return Math.max(MIN_LEVEL, level + ALPHA * (clamped - level));
    }
}
