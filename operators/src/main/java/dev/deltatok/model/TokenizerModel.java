package dev.deltatok.model;

import dev.deltatok.frame.RgbImage;
import java.nio.FloatBuffer;

/**
 * The tokenizer model port: patches to token ids and latents, token ids back to pixels.
 *
 * <p>Tensor layout everywhere is {@code [N, C, P, P]} row-major (N patches, C channels, P = patch
 * size), float pixel values in {@code [0, 1]}, channels in RGB order. Implementations must be safe
 * to call from several threads at once.
 */
public interface TokenizerModel extends AutoCloseable {

    ModelSpec spec();

    /**
     * Encodes {@code count} patches in one batched call.
     *
     * @param patches {@code count * C * P * P} values, layout {@code [N, C, P, P]}, in [0, 1]
     */
    EncodedPatches encode(float[] patches, int count);

    /**
     * Encodes {@code count} patches read from {@code patches} at indices {@code [0, count * C * P *
     * P)} (absolute; position and limit are ignored). A direct buffer in native order lets an
     * implementation hand the memory to its runtime without a copy; the default copies into an
     * array. The buffer is only read, and only during the call.
     */
    default EncodedPatches encode(FloatBuffer patches, int count) {
        float[] copy = new float[count * spec().patchValues()];
        patches.get(0, copy);
        return encode(copy, count);
    }

    /**
     * Decodes token ids back to pixels.
     *
     * @param tokens {@code count * levels} codebook ids, layout {@code [N, L]}, coarse level first
     * @param levelsUsed per patch, how many leading levels to use (1..levels); the rest are ignored
     * @return {@code count * C * P * P} values in [0, 1], layout {@code [N, C, P, P]}
     */
    float[] decode(int[] tokens, int[] levelsUsed, int count);

    /**
     * Decodes a whole frame: every patch of the grid, then, for a model that has one, the frame
     * refiner, which looks across patch borders (seams, edges that continue into a neighbour). Use
     * this, not {@link #decode}, to show or score a picture. The default assembles the patches.
     *
     * @param tokens {@code patchesPerFrame * levels} ids, patches in row-major grid order
     * @param levelsUsed per patch, how many leading levels to use (1..levels)
     */
    default RgbImage decodeFrame(int[] tokens, int[] levelsUsed) {
        ModelSpec spec = spec();
        float[] pixels = decode(tokens, levelsUsed, spec.patchesPerFrame());
        return RgbImage.fromPatches(pixels, spec.patchSize(), spec.gridRows(), spec.gridCols());
    }

    @Override
    void close();
}
