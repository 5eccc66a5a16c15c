package dev.deltatok.delta;

/**
 * How well appearances the consumer could be pointed at fit the patches of the frame being packed:
 * the pixel error of a patch decoded from token ids other than its own encoding. {@link
 * BudgetPacker} asks it before it lets a position keep what it holds or reuse another slot, so that
 * no reuse leaves more error than the budget allows.
 */
@FunctionalInterface
public interface PatchFit {

    /**
     * Measures {@code count} pairs in one call.
     *
     * @param rows batch rows of the encoder output whose source patches to compare against
     * @param tokens per pair, the token ids to decode (their leading {@code tokens[i].length}
     *     levels)
     * @return per pair, the mean squared pixel error (pixels in [0, 1]) of the decoded patch
     *     against the source patch, measured like {@link
     *     dev.deltatok.model.EncodedPatches#levelError}
     */
    float[] errors(int[] rows, int[][] tokens, int count);
}
