package dev.deltatok.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pieces of global motion: estimate, representation, alignment and moved comparisons. */
class GlobalMotionTest {

    private final ReferenceGrid grid = new ReferenceGrid(16, 4, 16, 16);

    private static RgbImage frame(String scene, long seq) {
        SyntheticScene s = SyntheticScenes.create(scene, 11, 256, 256);
        return new RgbImage(256, 256, s.render(seq));
    }

    @ParameterizedTest(name = "total {0} -> {1} patches, offset {2}")
    @CsvSource({"0,0,0", "8,0,8", "9,1,-7", "-7,0,-7", "-8,-1,8", "24,1,8", "-30,-2,2"})
    void aTotalOffsetSplitsIntoWholePatchesAndAtMostHalfAPatch(int total, int patches, int rest) {
        PictureMotion m = PictureMotion.toOffset(total, -total, 16);

        assertThat(m.shiftCols()).isEqualTo(patches);
        assertThat(m.offsetX()).isEqualTo(rest);
        assertThat(m.shiftCols() * 16 + m.offsetX()).isEqualTo(total);
        assertThat(m.shiftRows() * 16 + m.offsetY()).isEqualTo(-total);
        assertThat(m.offsetX()).isGreaterThan(-8).isLessThanOrEqualTo(8);
    }

    @Test
    void theSourceOfAMovedPositionIsClampedToTheGrid() {
        PictureMotion left = new PictureMotion(0, -1, 0, 0);

        assertThat(left.source(0, 16, 16)).isEqualTo(1);
        assertThat(left.source(15, 16, 16)).isEqualTo(15);
        assertThat(new PictureMotion(2, 0, 0, 0).source(16, 16, 16)).isEqualTo(0);
        assertThat(PictureMotion.NONE.moved()).isFalse();
        assertThat(new PictureMotion(0, 0, 3, 0).moved()).isTrue();
        assertThat(new PictureMotion(0, 0, 3, 0).shifted()).isFalse();
    }

    @Test
    void alignAndShowAreInverseWhereThePictureIsInView() {
        RgbImage f = frame("corridor", 0);
        RgbImage aligned = Registration.align(f, 5, -3);
        RgbImage back = Registration.show(aligned, 5, -3);

        assertThat(Registration.align(f, 0, 0)).isSameAs(f);
        // Shown at the offset, the aligned picture is the frame wherever it has the frame's pixels.
        for (int y = 0; y < 253; y += 11) {
            for (int x = 5; x < 256; x += 7) {
                int o = (y * 256 + x) * 3;
                assertThat(back.data()[o]).isEqualTo(f.data()[o]);
            }
        }
        // Outside the frame the aligned picture repeats the frame's edge.
        assertThat(aligned.data()[(10 * 256 + 255) * 3]).isEqualTo(f.data()[(7 * 256 + 255) * 3]);
    }

    @Test
    void findsThePanOfACameraAgainstTheHeldPicture() {
        GlobalMotionEstimator estimator = new GlobalMotionEstimator(256, 256, 4, 32);
        byte[] held = grid.blockMeans(frame("pan", 0));

        // Two pixels a frame to the right: content moves left, the picture is shown further left.
        for (int seq = 1; seq <= 6; seq++) {
            GlobalMotionEstimator.Estimate e = estimator.estimate(frame("pan", seq), held, 0, 0);
            assertThat(e.offsetX()).as("frame %d", seq).isEqualTo(-2 * seq);
            assertThat(e.offsetY()).isZero();
        }
        // From an offset already applied, the search is around it.
        assertThat(estimator.estimate(frame("pan", 10), held, -18, 0).offsetX()).isEqualTo(-20);
    }

    @Test
    void findsNoMoveInAStillOrNoisyScene() {
        // (Under changing light it may propose a pixel; the core refuses a candidate that does not
        // explain the frame better, and the lighting scene's golden deltas are unchanged.)
        GlobalMotionEstimator estimator = new GlobalMotionEstimator(256, 256, 4, 32);
        for (String scene : new String[] {"static", "noise", "corridor"}) {
            byte[] held = grid.blockMeans(frame(scene, 0));
            GlobalMotionEstimator.Estimate e = estimator.estimate(frame(scene, 7), held, 0, 0);
            assertThat(e).as(scene).isEqualTo(new GlobalMotionEstimator.Estimate(0, 0));
        }
    }

    @Test
    void refusesShapesItCannotSearch() {
        assertThatThrownBy(() -> new GlobalMotionEstimator(250, 256, 4, 32))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GlobalMotionEstimator(256, 256, 4, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMovedReferenceComparesPositionWithItsSource() {
        byte[] before = grid.blockMeans(frame("pan", 0));
        // Sixteen pixels later the content sits one position to the left.
        byte[] after = grid.blockMeans(frame("pan", 8));
        float[] mad = new float[256];
        float[] msd = new float[256];

        grid.compare(after, before, 0, -1, mad, msd);
        float movedSum = 0;
        for (int p = 0; p < 256; p++) {
            if (p % 16 != 15) {
                movedSum += mad[p];
            }
        }
        grid.compare(after, before, mad, msd);
        float stillSum = 0;
        for (int p = 0; p < 256; p++) {
            if (p % 16 != 15) {
                stillSum += mad[p];
            }
        }

        assertThat(movedSum).isLessThan(stillSum / 4);
        byte[] shifted = grid.shifted(before, 0, -1);
        grid.compare(shifted, before, 0, -1, mad, msd);
        assertThat(mad).containsOnly(0f);
    }
}
