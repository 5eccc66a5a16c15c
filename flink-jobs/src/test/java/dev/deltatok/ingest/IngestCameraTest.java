package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IngestCamera} fed by a stand-in for ffmpeg (a script writing JPEG images to stdout), so
 * that the queue's bound and the stamping can be checked without a camera.
 */
@Timeout(60)
class IngestCameraTest {

    @TempDir Path dir;

    /** A script that writes {@code images} back to back, then waits to be killed. */
    private Path fakeFfmpeg(int images) throws Exception {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            BufferedImage image = new BufferedImage(32, 24, BufferedImage.TYPE_3BYTE_BGR);
            image.setRGB(i, i % 24, 0xFFFFFF);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "jpg", out);
            Path file = dir.resolve("img-" + i + ".jpg");
            Files.write(file, out.toByteArray());
            files.add(file.toString());
        }
        Path script = dir.resolve("ffmpeg");
        Files.writeString(
                script, "#!/bin/sh\ncat " + String.join(" ", files) + "\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static IngestCamera.Settings settings(Path ffmpeg, int queue) {
        return new IngestCamera.Settings(
                ffmpeg.toString(),
                0,
                0,
                5,
                0,
                Duration.ofMinutes(1),
                Duration.ofMinutes(1),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                queue,
                1 << 20);
    }

    @Test
    void aFullQueueDropsTheOldestFramesAndCountsThem() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        try (IngestCamera camera =
                new IngestCamera(
                                "yard",
                                "rtsp://u:pw@127.0.0.1:1/s",
                                settings(fakeFfmpeg(20), 3),
                                clock,
                                new Random(1))
                        .start()) {
            while (camera.status().captured() < 20) {
                TimeUnit.MILLISECONDS.sleep(20);
            }

            List<Frame> kept = List.of(camera.next(), camera.next(), camera.next());
            IngestCamera.Status status = camera.status();

            assertThat(status.dropped()).isEqualTo(17);
            assertThat(status.published()).isEqualTo(3);
            long epochMicros = 1_767_225_600_000_000L;
            // the same instant for every frame: seq bumps by one from the capture time, and the
            // three kept are the newest of the twenty
            assertThat(kept)
                    .extracting(Frame::getSeq)
                    .containsExactly(epochMicros + 17, epochMicros + 18, epochMicros + 19);
            for (Frame f : kept) {
                assertThat(f.getCameraId()).isEqualTo("yard");
                assertThat(f.getFormat()).isEqualTo(PixelFormat.JPEG);
                assertThat(f.getWidth()).isEqualTo(32);
                assertThat(f.getHeight()).isEqualTo(24);
                assertThat(f.getAttributes().get("source")).isEqualTo("rtsp://u:***@127.0.0.1:1/s");
                ByteBuffer data = f.getData();
                assertThat(data.get(0)).isEqualTo((byte) 0xFF);
            }
        }
    }

    @Test
    void closingEndsNextAndTheProcess() throws Exception {
        IngestCamera camera =
                new IngestCamera(
                                "yard",
                                "/v/clip.mp4",
                                settings(fakeFfmpeg(1), 2),
                                Clock.systemUTC(),
                                new Random(1))
                        .start();
        assertThat(camera.next()).isNotNull();

        camera.close();

        assertThat(camera.next()).isNull();
        assertThat(camera.status().state()).isEqualTo(IngestCamera.State.STOPPED);
    }
}
