package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureClockTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void framesArrivingInABurstKeepTheSpacingOfTheirTimestamps() {
        CaptureClock clock = new CaptureClock();
        // ten frames 100 ms apart in the stream, all received together (ffmpeg probing): the
        // anchor settles on the least delayed of them, the last
        for (int i = 0; i < 10; i++) {
            CaptureClock.Stamp s = clock.stamp(i * 100_000L, T0.plusSeconds(2));
            assertThat(s.time()).isEqualTo(T0.plusSeconds(2));
            assertThat(s.source()).isEqualTo(CaptureClock.Source.STREAM_PTS);
        }

        // the next ten also arrive together, a second later: they keep the camera's spacing
        List<Instant> captured = new ArrayList<>();
        for (int i = 10; i < 20; i++) {
            captured.add(clock.stamp(i * 100_000L, T0.plusSeconds(3)).time());
        }

        assertThat(captured.get(0)).isEqualTo(T0.plusMillis(2100));
        assertThat(captured.get(9)).isEqualTo(T0.plusMillis(3000));
        for (int i = 1; i < 10; i++) {
            assertThat(Duration.between(captured.get(i - 1), captured.get(i)))
                    .isEqualTo(Duration.ofMillis(100));
        }
    }

    @Test
    void captureTimesNeverGoBackAndNeverPassTheirReceipt() {
        CaptureClock clock = new CaptureClock();
        long[] delaysMillis = {300, 20, 500, 40, 10, 900, 30};
        Instant previous = Instant.MIN;
        for (int i = 0; i < delaysMillis.length; i++) {
            Instant received = T0.plusMillis(i * 40L + delaysMillis[i]);
            if (received.isBefore(previous)) {
                continue; // the receive clock only moves forward
            }
            Instant capture = clock.stamp(i * 40_000L, received).time();
            assertThat(capture).isAfterOrEqualTo(previous).isBeforeOrEqualTo(received);
            previous = capture;
        }
    }

    @Test
    void aTimestampThatGoesBackOrDriftsStartsANewAnchor() {
        CaptureClock clock = new CaptureClock();
        clock.stamp(10_000_000L, T0);
        clock.stamp(10_040_000L, T0.plusMillis(40));

        CaptureClock.Stamp back = clock.stamp(0L, T0.plusMillis(80));
        CaptureClock.Stamp jump = clock.stamp(3_600_000_000L, T0.plusMillis(120));

        assertThat(back.time()).isEqualTo(T0.plusMillis(80));
        assertThat(jump.time()).isEqualTo(T0.plusMillis(120));
    }

    @Test
    void framesWithoutATimestampAreStampedWhenReceived() {
        CaptureClock clock = new CaptureClock();

        CaptureClock.Stamp stamp = clock.stamp(null, T0.plusMillis(7));

        assertThat(stamp.time()).isEqualTo(T0.plusMillis(7));
        assertThat(stamp.source()).isEqualTo(CaptureClock.Source.RECEIVE);
        assertThat(stamp.source().attribute()).isEqualTo("receive");
        assertThat(CaptureClock.Source.STREAM_PTS.attribute()).isEqualTo("stream-pts");
    }
}
