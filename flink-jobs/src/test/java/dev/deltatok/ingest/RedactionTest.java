package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void masksThePasswordOfTheUserInfo() {
        assertThat(Redaction.url("rtsp://admin:hunter22@10.0.0.5:554/Streaming/101"))
                .isEqualTo("rtsp://admin:***@10.0.0.5:554/Streaming/101");
    }

    @Test
    void masksSecretQueryValuesAndKeepsTheRest() {
        assertThat(Redaction.url("http://cam/video.mjpg?user=bob&password=p%40ss&res=hd&token=abc"))
                .isEqualTo("http://cam/video.mjpg?user=bob&password=***&res=hd&token=***");
    }

    @Test
    void leavesUrlsWithoutCredentialsAlone() {
        assertThat(Redaction.url("rtsp://10.0.0.5:554/stream"))
                .isEqualTo("rtsp://10.0.0.5:554/stream");
        assertThat(Redaction.url("/var/video/street.mp4")).isEqualTo("/var/video/street.mp4");
    }

    @Test
    void masksUrlsAndTheLiteralPasswordInsideFfmpegMessages() {
        String url = "rtsp://admin:p%40ss@10.0.0.5/cam";
        String message =
                "rtsp://admin:p%40ss@10.0.0.5/cam: Connection refused; auth for admin with p@ss failed";

        String safe = Redaction.text(message, url);

        assertThat(safe)
                .startsWith("rtsp://admin:***@10.0.0.5/cam: Connection refused")
                .doesNotContain("p%40ss")
                .doesNotContain("p@ss");
    }
}
