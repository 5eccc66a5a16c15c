package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link FrameSource} contract, held by a video decoded through ffmpeg. ffmpeg is a build
 * requirement (README, 'Requirements'): without it this test fails rather than skips.
 */
class FfmpegFrameSourceContractTest extends FrameSourceContractTest {

    @TempDir static Path folder;

    private static Path video;

    @BeforeAll
    static void writeVideo() throws Exception {
        video = folder.resolve("clip.mkv");
        Process make;
        try {
            make =
                    new ProcessBuilder(
                                    "ffmpeg",
                                    "-v",
                                    "error",
                                    "-nostdin",
                                    "-f",
                                    "lavfi",
                                    "-i",
                                    "testsrc=size=96x64:rate=10:duration=0.7",
                                    "-c:v",
                                    "ffv1",
                                    video.toString())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "ffmpeg is needed to test video input; install it (apt-get install ffmpeg)", e);
        }
        String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(make.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(output).isZero();
    }

    @Override
    protected FrameSource open(String cameraId) throws IOException {
        return new FfmpegFrameSource(video, cameraId, 48, 32);
    }

    @Override
    protected int expectedFrames() {
        return 7;
    }
}
