package dev.deltatok.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.frame.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceGridTest {

    private static RgbImage randomImage(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        return new RgbImage(width, height, rgb);
    }

    /** The definition: each block's rounded mean, block by block, channel by channel. */
    private static byte[] blockMeansByDefinition(RgbImage image, int block) {
        int w = image.width() / block;
        int h = image.height() / block;
        byte[] out = new byte[w * h * 3];
        for (int by = 0; by < h; by++) {
            for (int bx = 0; bx < w; bx++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int y = by * block; y < (by + 1) * block; y++) {
                        for (int x = bx * block; x < (bx + 1) * block; x++) {
                            sum += image.data()[(y * image.width() + x) * 3 + c] & 0xFF;
                        }
                    }
                    out[(by * w + bx) * 3 + c] = (byte) Math.round(sum / (double) (block * block));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 16})
    void blockMeansAreTheRoundedMeanOfEachBlock(int block) {
        ReferenceGrid grid = new ReferenceGrid(16, block, 6, 5);
        for (long seed = 0; seed < 5; seed++) {
            RgbImage image = randomImage(5 * 16, 6 * 16, seed);
            assertThat(grid.blockMeans(image))
                    .as("block %d, seed %d", block, seed)
                    .isEqualTo(blockMeansByDefinition(image, block));
        }
    }

    @Test
    void comparesPatchesBlockByBlock() {
        ReferenceGrid grid = new ReferenceGrid(16, 4, 2, 2);
        RgbImage image = randomImage(32, 32, 3);
        byte[] current = grid.blockMeans(image);
        byte[] reference = current.clone();
        // Patch (1, 0), i.e. position 2: every value of its first block row 6 levels brighter.
        int per = 4;
        for (int i = 0; i < per * 3; i++) {
            int o = (1 * per * grid.width()) * 3 + i;
            reference[o] = (byte) ((current[o] & 0xFF) >= 6 ? (current[o] & 0xFF) - 6 : 250);
        }
        float[] mad = new float[4];
        float[] msd = new float[4];
        grid.compare(current, reference, mad, msd);

        assertThat(mad[0]).isZero();
        assertThat(mad[1]).isZero();
        assertThat(mad[3]).isZero();
        assertThat(mad[2]).isPositive();
        assertThat(msd[2]).isPositive();
        assertThat(msd[0]).isZero();
    }

    @Test
    void refusesImagesNotAtTheModelResolution() {
        ReferenceGrid grid = new ReferenceGrid(16, 4, 16, 16);
        assertThatThrownBy(() -> grid.blockMeans(randomImage(128, 128, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model resolution");
    }
}
