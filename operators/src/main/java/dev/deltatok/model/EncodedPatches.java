package dev.deltatok.model;

/**
 * The encoder's answer for a batch of patches. Arrays are row-major per patch.
 *
 * @param count patches in the batch (N)
 * @param levels token ids per patch (L)
 * @param latentDim floats per latent (D)
 * @param tokens {@code [N, L]} codebook ids, coarse level first
 * @param latents {@code [N, D]} the unquantised encoder output
 * @param levelError {@code [N, L]} mean squared pixel error (values in [0, 1]) of the patch decoded
 *     from its first {@code l + 1} levels; non-increasing along a row in practice
 */
public record EncodedPatches(
        int count, int levels, int latentDim, int[] tokens, float[] latents, float[] levelError) {

    public EncodedPatches {
        if (tokens.length != count * levels
                || latents.length != count * latentDim
                || levelError.length != count * levels) {
            throw new IllegalArgumentException(
                    "inconsistent encoder output for " + count + " patches");
        }
    }

    public int token(int patch, int level) {
        return tokens[patch * levels + level];
    }

    public float levelError(int patch, int level) {
        return levelError[patch * levels + level];
    }
}
