package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FfmpegInputTest {

    @Test
    void readsRtspOverTcp() {
        List<String> args = FfmpegInput.args("rtsp://h:554/s", 0, 0, 5);

        assertThat(String.join(" ", args))
                .contains("-rtsp_transport tcp -i rtsp://h:554/s")
                .doesNotContain("scale=");
        assertThat(args)
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

    @Test
    void logsFrameTimestampsWhereTheSourceHasThem() {
        assertThat(FfmpegInput.streamTimestamps("rtsp://h/s")).isTrue();
        assertThat(FfmpegInput.streamTimestamps("/v/street.mp4")).isTrue();
        assertThat(FfmpegInput.streamTimestamps("https://h/live.m3u8?token=x")).isTrue();
        assertThat(FfmpegInput.streamTimestamps("http://h/video.mjpg")).isFalse();

        assertThat(String.join(" ", FfmpegInput.args("rtsp://h/s", 640, 360, 5)))
                .contains("-loglevel level+info")
                .contains("-vf scale=640:360,showinfo=checksum=0");
        assertThat(String.join(" ", FfmpegInput.args("http://h/video.mjpg", 0, 0, 5)))
                .contains("-loglevel error")
                .doesNotContain("showinfo");
    }

    @Test
    void readsFrameTimestampsAndErrorsFromFfmpegsLog() {
        FfmpegInput.FrameTimestamp t =
                FfmpegInput.frameTimestamp(
                        "[Parsed_showinfo_1 @ 0x5617e5e15100] [info] n:  12 pts:   1024"
                                + " pts_time:0.1     pos:     8495 fmt:yuvj420p sar:1/1"
                                + " s:160x120 i:P iskey:0 type:B");
        assertThat(t).isEqualTo(new FfmpegInput.FrameTimestamp(12, 100_000L));
        assertThat(
                        FfmpegInput.frameTimestamp(
                                "[Parsed_showinfo_1 @ 0x1] [info] n:   3 pts:NOPTS pts_time:NOPTS"
                                        + " pos: -1"))
                .isEqualTo(new FfmpegInput.FrameTimestamp(3, null));
        assertThat(FfmpegInput.frameTimestamp("[info] Input #0, rtsp, from 'rtsp://h/s':"))
                .isNull();
        assertThat(
                        FfmpegInput.timestampsFollow(
                                "[Parsed_showinfo_1 @ 0x1] [info] config in time_base: 1/90000,"
                                        + " frame_rate: 10/1"))
                .isTrue();

        assertThat(FfmpegInput.error("[tcp @ 0x1] [error] Connection refused", true))
                .isEqualTo("[tcp @ 0x1] Connection refused");
        assertThat(FfmpegInput.error("[swscaler @ 0x1] [warning] deprecated pixel format", true))
                .isNull();
        assertThat(FfmpegInput.error("Connection refused", false)).isEqualTo("Connection refused");
    }
}
