package dev.deltatok.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.overload.Coalescer.Waiting;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescerTest {

    @Test
    void keepsTheNewestFrameOfEachCamera() {
        boolean[] skip =
                Coalescer.skipped(
                        List.of(
                                new Waiting("a", 1),
                                new Waiting("b", 7),
                                new Waiting("a", 2),
                                new Waiting("a", 3),
                                new Waiting("c", 0)));

        assertThat(skip).containsExactly(true, false, true, false, false);
    }

    @Test
    void aFrameArrivingAfterANewerOneOfItsCameraIsSkipped() {
        boolean[] skip =
                Coalescer.skipped(
                        List.of(new Waiting("a", 5), new Waiting("a", 4), new Waiting("a", 5)));

        // Seq 4 must not follow seq 5; of two equal seqs the later one is kept.
        assertThat(skip).containsExactly(true, true, false);
    }

    @Test
    void skipsNothingWhenEveryCameraHasOneFrame() {
        assertThat(Coalescer.skipped(List.of(new Waiting("a", 1), new Waiting("b", 1))))
                .containsExactly(false, false);
    }
}
