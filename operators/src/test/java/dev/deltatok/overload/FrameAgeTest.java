package dev.deltatok.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameAgeTest {

    @Test
    void isProcessingTimeMinusCaptureTime() {
        assertThat(FrameAge.millis(10_000, 9_400, 9_450)).isEqualTo(600);
        assertThat(FrameAge.millis(10_000, 9_400, FrameAge.NO_TIMESTAMP)).isEqualTo(600);
    }

    @Test
    void usesTheKafkaTimestampWhenTheCaptureTimeLiesAfterIt() {
        // The producer's clock runs 5 s ahead: its capture time is later than the send time.
        assertThat(FrameAge.millis(10_000, 14_000, 9_000)).isEqualTo(1_000);
    }

    @Test
    void usesTheKafkaTimestampWhenTheCaptureTimeLiesInTheFuture() {
        assertThat(FrameAge.millis(10_000, 12_000, FrameAge.NO_TIMESTAMP)).isZero();
        assertThat(FrameAge.millis(10_000, 12_000, 9_700)).isEqualTo(300);
    }
}
