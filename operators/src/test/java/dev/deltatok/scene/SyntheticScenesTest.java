package dev.deltatok.scene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import org.junit.jupiter.api.Test;

class SyntheticScenesTest {

    @Test
    void everySceneIsAPureFunctionOfNameSeedAndSeq() {
        for (String name : SyntheticScenes.names()) {
            SyntheticScene a = SyntheticScenes.create(name, 42, 64, 48);
            SyntheticScene b = SyntheticScenes.create(name, 42, 64, 48);

            assertThat(b.render(17)).as(name).isEqualTo(a.render(17));
            assertThat(a.render(17)).as(name).hasSize(64 * 48 * 3);
        }
    }

    @Test
    void seedsGiveDifferentScenes() {
        assertThat(SyntheticScenes.create("corridor", 1, 64, 64).render(0))
                .isNotEqualTo(SyntheticScenes.create("corridor", 2, 64, 64).render(0));
    }

    @Test
    void staticStaysStillAndCorridorMoves() {
        SyntheticScene still = SyntheticScenes.create("static", 3, 64, 64);
        SyntheticScene corridor = SyntheticScenes.create("corridor", 3, 64, 64);

        assertThat(difference(still.render(0), still.render(10))).isLessThan(3.0);
        assertThat(difference(corridor.render(0), corridor.render(10))).isGreaterThan(0.5);
    }

    @Test
    void cutChangesTheBackgroundEvery50Frames() {
        SyntheticScene cut = SyntheticScenes.create("cut", 3, 64, 64);

        assertThat(difference(cut.render(49), cut.render(50))).isGreaterThan(10);
    }

    @Test
    void framesAreRgb24WithIncreasingCaptureTimes() {
        SyntheticScene scene = SyntheticScenes.create("pan", 3, 32, 16);
        Frame f0 = scene.frame("cam", 0);
        Frame f1 = scene.frame("cam", 1);

        assertThat(f0.getFormat()).isEqualTo(PixelFormat.RGB24);
        assertThat(f0.getData().remaining()).isEqualTo(32 * 16 * 3);
        assertThat(f1.getCaptureTime()).isAfter(f0.getCaptureTime());
    }

    @Test
    void namesTheKnownScenesForAnUnknownOne() {
        assertThatThrownBy(() -> SyntheticScenes.create("beach", 1, 64, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beach")
                .hasMessageContaining("corridor");
    }

    private static double difference(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        return (double) sum / a.length;
    }
}
