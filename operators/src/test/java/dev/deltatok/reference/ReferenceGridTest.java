package dev.deltatok.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.frame.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    @ParameterizedTest(name = "patch {0}, {1} x {2} patches")
    @CsvSource({
        // 80 x 96: eight bytes at a time; 12 x 8: rows of 36 bytes, block by block
        "16, 5, 6",
        "4, 3, 2",
        // 256 x 320: column lanes emptied after 64 block rows; 352 wide: row sums too wide for
        // the lanes, so projections take their own pass
        "16, 16, 20",
        "16, 22, 4"
    })
    void blockMeansAndProjectionsFromOnePassAreThoseByDefinition(int patch, int cols, int rows) {
        ReferenceGrid grid = new ReferenceGrid(patch, 4, rows, cols);
        int w = cols * patch;
        int h = rows * patch;
        byte[] full = new byte[w * h * 3];
        java.util.Arrays.fill(full, (byte) 255);
        RgbImage white = new RgbImage(w, h, full);
        // One Projections for all images: each pass starts from nothing.
        Projections projections = new Projections(w, h);
        Projections alone = new Projections(w, h);
        for (RgbImage image : new RgbImage[] {randomImage(w, h, 9), white, randomImage(w, h, 4)}) {

            byte[] means = grid.blockMeans(image, projections);

            assertThat(means).isEqualTo(blockMeansByDefinition(image, 4));
            assertThat(grid.blockMeans(image)).isEqualTo(means);
            for (int x = 0; x < w; x++) {
                int sum = 0;
                for (int y = 0; y < h; y++) {
                    for (int c = 0; c < 3; c++) {
                        sum += image.data()[(y * w + x) * 3 + c] & 0xFF;
                    }
                }
                assertThat(projections.column(x)).as("column %d", x).isEqualTo(sum);
            }
            for (int y = 0; y < h; y++) {
                int sum = 0;
                for (int i = 0; i < w * 3; i++) {
                    sum += image.data()[y * w * 3 + i] & 0xFF;
                }
                assertThat(projections.row(y)).as("row %d", y).isEqualTo(sum);
            }
            alone.compute(image);
            for (int x = 0; x < w; x++) {
                assertThat(alone.column(x)).isEqualTo(projections.column(x));
            }
            for (int y = 0; y < h; y++) {
                assertThat(alone.row(y)).isEqualTo(projections.row(y));
            }
        }
    }
}
