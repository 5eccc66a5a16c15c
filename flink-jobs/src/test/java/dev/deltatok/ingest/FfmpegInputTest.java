package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FfmpegInputTest {

    @Test
    void readsRtspOverTcp() {
        List<String> args = FfmpegInput.args("rtsp://h:554/s", 0, 0, 5);

        assertThat(String.join(" ", args)).contains("-rtsp_transport tcp -i rtsp://h:554/s");
        assertThat(args)
                .doesNotContain("-vf")
                .endsWith(
                        "-f",
                        "image2pipe",
                        "-c:v",
                        "mjpeg",
                        "-pix_fmt",
                        "yuvj420p",
                        "-q:v",
                        "5",
                        "-");
    }

    @Test
    void playsFilesInRealTimeAndLoopsThem() {
        assertThat(String.join(" ", FfmpegInput.args("/v/street.mp4", 0, 0, 5)))
                .contains("-re -stream_loop -1 -i /v/street.mp4");
        assertThat(String.join(" ", FfmpegInput.args("file:/v/street.mp4", 0, 0, 5)))
                .contains("-i /v/street.mp4");
    }

    @Test
    void readsDevicesWithV4l2AndResizesAtTheSource() {
        assertThat(String.join(" ", FfmpegInput.args("/dev/video0", 640, 360, 3)))
                .contains("-f v4l2 -i /dev/video0")
                .contains("-vf scale=640:360")
                .contains("-q:v 3");
    }

    @Test
    void tellsSourceKindsApart() {
        assertThat(FfmpegInput.kind("RTSP://h/s")).isEqualTo(FfmpegInput.Kind.RTSP);
        assertThat(FfmpegInput.kind("https://h/live.m3u8")).isEqualTo(FfmpegInput.Kind.HTTP);
        assertThat(FfmpegInput.kind("v4l2:/dev/video2")).isEqualTo(FfmpegInput.Kind.DEVICE);
        assertThat(FfmpegInput.kind("clips/a.mkv")).isEqualTo(FfmpegInput.Kind.FILE);
        assertThat(FfmpegInput.kind("srt://h:9000")).isEqualTo(FfmpegInput.Kind.OTHER);
    }
}
