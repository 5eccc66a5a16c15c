package dev.deltatok.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class EmitWindowTest {

    @Test
    void countsTheFramesEmittedAfterTheSkipOverTheTimeToTheLast() {
        // 100 frames a second for 5 s, delivered out of order
        long[] emits = new long[501];
        for (int i = 0; i <= 500; i++) {
            emits[(i * 7) % 501] = 1_000_000_000L + i * 10_000L;
        }
        EmitWindow w = EmitWindow.of(emits, 1_000_000);

        assertThat(w.seconds()).isEqualTo(4.0, offset(1e-9));
        assertThat(w.frames()).isEqualTo(400);
        assertThat(w.framesPerSecond()).isEqualTo(100.0, offset(1e-9));
    }

    @Test
    void leavesTheStartUpSecondOut() {
        // a fast first second, then 1 000 frames a second: the rate after the skip is 1 000
        long[] emits = new long[3_001];
        for (int i = 0; i < 1_000; i++) {
            emits[i] = i * 1_000L; // start-up: first second
        }
        for (int i = 0; i <= 2_000; i++) {
            emits[1_000 + i] = 1_000_000L + i * 1_000L;
        }
        EmitWindow w = EmitWindow.of(emits, 1_000_000);

        assertThat(w.framesPerSecond()).isEqualTo(1_000.0, offset(1e-6));
    }

    @Test
    void aBacklogEmittedWithinTheSkipIsMeasuredFromTheFirstFrame() {
        long[] emits = {0, 100_000, 200_000, 300_000, 400_000};
        EmitWindow w = EmitWindow.of(emits, 1_000_000);

        assertThat(w.frames()).isEqualTo(4);
        assertThat(w.seconds()).isEqualTo(0.4, offset(1e-9));
    }

    @Test
    void fewerThanTwoDistinctTimesGiveNoWindow() {
        assertThat(EmitWindow.of(new long[] {5}, 0).frames()).isZero();
        assertThat(EmitWindow.of(new long[] {5, 5, 5}, 0).frames()).isZero();
        assertThat(EmitWindow.of(new long[0], 0).framesPerSecond()).isZero();
    }
}
