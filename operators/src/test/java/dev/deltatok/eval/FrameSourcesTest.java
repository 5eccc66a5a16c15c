package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameSourcesTest {

    @TempDir Path dir;

    @Test
    void syntheticSourcesYieldTheRequestedFrames() throws Exception {
        try (FrameSource source = FrameSources.open("synthetic:corridor", "cam", 64, 32, 3)) {
            assertThat(source.next().getSeq()).isZero();
            assertThat(source.next().getWidth()).isEqualTo(64);
            assertThat(source.next()).isNotNull();
            assertThat(source.next()).isNull();
        }
    }

    @Test
    void readsAFolderOfImagesInNameOrder() throws Exception {
        ImageIO.write(
                new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB),
                "png",
                dir.resolve("b.png").toFile());
        ImageIO.write(
                new BufferedImage(30, 10, BufferedImage.TYPE_INT_RGB),
                "jpeg",
                dir.resolve("a.jpg").toFile());
        Files.writeString(dir.resolve("notes.txt"), "ignored");

        try (FrameSource source = FrameSources.open(dir.toString(), "cam", 64, 64, 0)) {
            Frame first = source.next();
            Frame second = source.next();

            assertThat(first.getFormat()).isEqualTo(PixelFormat.JPEG);
            assertThat(first.getWidth()).isEqualTo(30);
            assertThat(second.getFormat()).isEqualTo(PixelFormat.PNG);
            assertThat(second.getSeq()).isEqualTo(1);
            assertThat(source.next()).isNull();
        }
    }

    @Test
    void explainsAnUnknownInput() {
        assertThatThrownBy(() -> FrameSources.open("nowhere/at/all.mp4", "cam", 64, 64, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("synthetic:NAME");
        assertThatThrownBy(() -> FrameSources.open("synthetic:beach", "cam", 64, 64, 0))
                .hasMessageContaining("beach");
    }

    @Test
    void saysHowToInstallFfmpegWhenItIsMissing() throws Exception {
        Path video = Files.write(dir.resolve("clip.mp4"), new byte[] {1, 2, 3});

        assertThatThrownBy(
                        () ->
                                new FfmpegFrameSource(
                                        video, "cam", 64, 64, "ffmpeg-not-installed-here"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ffmpeg is not installed")
                .hasMessageContaining("apt-get install ffmpeg");
    }

    @Test
    void decodesAVideoThroughFfmpeg() throws Exception {
        assertFfmpegInstalled();
        Path video = dir.resolve("clip.mkv");
        Process make =
                new ProcessBuilder(
                                "ffmpeg",
                                "-v",
                                "error",
                                "-nostdin",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc=size=96x64:rate=10:duration=0.5",
                                "-c:v",
                                "ffv1",
                                video.toString())
                        .redirectErrorStream(true)
                        .start();
        assertThat(make.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).isZero();

        int frames = 0;
        try (FrameSource source = FrameSources.open(video.toString(), "cam", 32, 32, 0)) {
            Frame f;
            while ((f = source.next()) != null) {
                assertThat(f.getData().remaining()).isEqualTo(32 * 32 * 3);
                assertThat(f.getSeq()).isEqualTo(frames);
                frames++;
            }
        }
        assertThat(frames).isEqualTo(5);
    }

    @Test
    void reportsFfmpegFailingOnAFileThatIsNotAVideo() throws Exception {
        assertFfmpegInstalled();
        Path bogus = Files.writeString(dir.resolve("bogus.mp4"), "not a video");

        try (FrameSource source = FrameSources.open(bogus.toString(), "cam", 32, 32, 0)) {
            assertThatThrownBy(source::next)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("ffmpeg failed");
        }
    }

    /** ffmpeg is a test requirement (README; dev/test.sh installs it): fail, do not skip. */
    private static void assertFfmpegInstalled() {
        assertThat(ffmpegAvailable())
                .as("ffmpeg is on the PATH (apt-get install ffmpeg, or run dev/test.sh)")
                .isTrue();
    }

    private static boolean ffmpegAvailable() {
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
