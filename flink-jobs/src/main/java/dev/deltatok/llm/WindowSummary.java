package dev.deltatok.llm;

/**
 * The single summary token of a camera window (the Token Bottleneck idea: one token that remembers
 * the window's dynamics), an 8-bit value built from the window's changed-patch histogram:
 *
 * <ul>
 *   <li>bits 0-1, activity: mean fraction of positions whose tokens changed per frame after the
 *       window's first frame: 0 = none, 1 = below 2 %, 2 = below 10 %, 3 = 10 % or more;
 *   <li>bits 2-5, where: one bit per grid quadrant (top-left, top-right, bottom-left, bottom-right)
 *       holding at least 25 % of the window's changes;
 *   <li>bit 6, re-based: the tokenizer sent a KEYFRAME inside the window (scene cut, drift,
 *       interval);
 *   <li>bit 7, rising: the second half of the window changed more positions than the first half.
 * </ul>
 *
 * Equal dynamics give equal tokens, so a model can learn what each value means.
 */
public record WindowSummary(
        int activity, int quadrants, boolean rebased, boolean rising, double changedFraction) {

    public static final int VALUES = 256;

    /** The summary value in [0, 256). */
    public int value() {
        return activity | quadrants << 2 | (rebased ? 1 << 6 : 0) | (rising ? 1 << 7 : 0);
    }

    /**
     * @param changesPerPosition per grid position, how many frames after the first changed its
     *     tokens (the changed-patch histogram)
     * @param changesPerFrame per frame after the first, positions changed
     */
    public static WindowSummary of(
            int[] changesPerPosition,
            int gridRows,
            int gridCols,
            int[] changesPerFrame,
            boolean rebased) {
        int positions = gridRows * gridCols;
        long total = 0;
        long[] quadrant = new long[4];
        for (int p = 0; p < positions; p++) {
            int r = p / gridCols;
            int c = p % gridCols;
            int q = (r * 2 >= gridRows ? 2 : 0) + (c * 2 >= gridCols ? 1 : 0);
            quadrant[q] += changesPerPosition[p];
            total += changesPerPosition[p];
        }
        int frames = changesPerFrame.length;
        double fraction = frames == 0 ? 0 : (double) total / ((long) frames * positions);
        int activity = total == 0 ? 0 : fraction < 0.02 ? 1 : fraction < 0.10 ? 2 : 3;
        int quadrants = 0;
        for (int q = 0; q < 4; q++) {
            if (total > 0 && quadrant[q] * 4 >= total) {
                quadrants |= 1 << q;
            }
        }
        long first = 0;
        long second = 0;
        for (int i = 0; i < frames; i++) {
            if (i < frames / 2) {
                first += changesPerFrame[i];
            } else if (i >= frames - frames / 2) {
                second += changesPerFrame[i];
            }
        }
        return new WindowSummary(activity, quadrants, rebased, second > first, fraction);
    }
}
