package dev.deltatok.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.schema.PixelFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    private static BenchSettings settings(int width, int height, PixelFormat format) {
        return new BenchSettings(
                8,
                0,
                20,
                width,
                height,
                "corridor",
                BenchSettings.MODES,
                3,
                true,
                false,
                Duration.ofSeconds(1),
                2,
                600,
                1L << 30,
                List.of(),
                null,
                format,
                null,
                0,
                0,
                1,
                null);
    }

    @Test
    void theBrokerLogGoesToMemoryWhenThereIsRoomAndWhereItIsToldOtherwise() {
        Path shm = Path.of("/dev/shm");
        Path asked = Path.of("/var/tmp/broker");

        assertThat(BenchSettings.brokerDirFor(null, shm, 8L << 30)).isEqualTo(shm);
        assertThat(BenchSettings.brokerDirFor(null, shm, BenchSettings.MEMORY_BROKER_MIN_BYTES))
                .isEqualTo(shm);
        assertThat(BenchSettings.brokerDirFor(null, shm, (4L << 30) - 1)).isNull();
        assertThat(BenchSettings.brokerDirFor(null, shm, -1)).isNull();
        assertThat(BenchSettings.brokerDirFor(asked, shm, 8L << 30)).isEqualTo(asked);
    }

    @Test
    void aBacklogOfRawFramesIsCappedByTheirPixels() {
        BenchSettings small = settings(64, 64, PixelFormat.RGB24);
        assertThat(small.backlogFrames()).isEqualTo(12_000); // 600 a second for 20 s
        BenchSettings medium = settings(256, 256, PixelFormat.RGB24);
        assertThat(medium.backlogFrames()).isEqualTo(5_464); // 1 GiB of 196 kB frames
        BenchSettings large = settings(1280, 720, PixelFormat.RGB24);
        // 1 GiB of 2.76 MB frames: 388, rounded up to a multiple of the 8 cameras
        assertThat(large.backlogFrames()).isEqualTo(392);
    }

    @Test
    void aBacklogOfCompressedFramesIsCappedByTheBytesTheyTake() {
        BenchSettings jpeg = settings(1280, 720, PixelFormat.JPEG);
        assertThat(jpeg.backlogFrames(100_000)).isEqualTo(10_744); // 1 GiB / 100 kB, rounded up
        assertThat(jpeg.backlogFrames(20_000)).isEqualTo(12_000); // the rate binds first
        assertThat(jpeg.backlogFrames(0)).isEqualTo(12_000);
        assertThat(jpeg.backlogFrames(Long.MAX_VALUE)).isEqualTo(8); // one frame a camera
    }
}
