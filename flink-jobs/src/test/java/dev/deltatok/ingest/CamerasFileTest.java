package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CamerasFileTest {

    @Test
    void readsIdEqualsUrlAndIdSpaceUrlSkippingCommentsAndBlankLines() {
        var cameras =
                CamerasFile.parse(
                        List.of(
                                "# site A",
                                "street=rtsp://u:p@10.0.0.5:554/s?x=1",
                                "",
                                "  door   http://10.0.0.6/video.mjpg  ",
                                "bay = /dev/video0"),
                        "cams.txt");

        assertThat(cameras)
                .containsExactly(
                        java.util.Map.entry("street", "rtsp://u:p@10.0.0.5:554/s?x=1"),
                        java.util.Map.entry("door", "http://10.0.0.6/video.mjpg"),
                        java.util.Map.entry("bay", "/dev/video0"));
    }

    @Test
    void namesTheLineOfADuplicateIdWithoutQuotingTheUrl() {
        assertThatThrownBy(
                        () ->
                                CamerasFile.parse(
                                        List.of("a=rtsp://x:secret@h/1", "a=rtsp://x:secret@h/2"),
                                        "cams.txt"))
                .hasMessageContaining("cams.txt:2")
                .hasMessageContaining("given twice")
                .hasMessageNotContaining("secret");
    }

    @Test
    void rejectsABadIdAndALineWithoutUrl() {
        assertThatThrownBy(() -> CamerasFile.parse(List.of("bad/id=rtsp://h/1"), "f"))
                .hasMessageContaining("f:1")
                .hasMessageContaining("camera id");
        assertThatThrownBy(() -> CamerasFile.parse(List.of("lonely"), "f"))
                .hasMessageContaining("expected ID=URL");
    }
}
