package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code deltatok ingest}'s checks that come before any camera or broker is touched. */
class IngestCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return DeltatokCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void namesFfmpegWhenItIsMissing() {
        int exit =
                run(
                        "ingest",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--camera",
                        "a=rtsp://h/s",
                        "--ffmpeg",
                        "/nonexistent/ffmpeg");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("ffmpeg").contains("apt-get install ffmpeg");
    }

    @Test
    void needsACamera() {
        assertThat(run("ingest", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--camera ID=URL or --cameras-file");
    }

    @Test
    void rejectsACameraWithoutIdAndNeverQuotesItsUrl() {
        assertThat(
                        run(
                                "ingest",
                                "--bootstrap-servers",
                                "127.0.0.1:1",
                                "--camera",
                                "rtsp://admin:secret@h/s"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--camera expects ID=URL").doesNotContain("secret");
    }

    @Test
    void rejectsAQualityOutsideFfmpegsScale() {
        assertThat(
                        run(
                                "ingest",
                                "--bootstrap-servers",
                                "127.0.0.1:1",
                                "--camera",
                                "a=rtsp://h/s",
                                "--quality",
                                "1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--quality must be in [2, 31]");
    }

    @Test
    void helpExplainsSourcesTheCamerasFileReconnectsAndLimits() {
        assertThat(run("ingest", "--help")).isZero();

        assertThat(out.toString())
                .contains("rtsp://")
                .contains("MJPEG")
                .contains("--cameras-file")
                .contains("re-read when it changes")
                .contains("exponential backoff")
                .contains("--stall-timeout")
                .contains("--frozen-timeout")
                .contains("oldest is dropped")
                .contains("***");
    }
}
