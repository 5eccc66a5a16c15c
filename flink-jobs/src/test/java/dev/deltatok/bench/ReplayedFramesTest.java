package dev.deltatok.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReplayedFramesTest {

    @Test
    void aLoopStartsAgainAtTheFirstFrame() {
        assertThat(indices(4, false, 10)).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0, 1);
    }

    @Test
    void forwardsThenBackwardsNeverJumps() {
        int[] order = indices(4, true, 14);
        assertThat(order).containsExactly(0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1);
        for (int i = 1; i < order.length; i++) {
            assertThat(Math.abs(order[i] - order[i - 1])).isEqualTo(1);
        }
    }

    @Test
    void oneFrameRepeats() {
        assertThat(indices(1, true, 3)).containsExactly(0, 0, 0);
    }

    private static int[] indices(int count, boolean pingPong, int n) {
        return LongStream.range(0, n)
                .mapToInt(seq -> BenchRunner.ReplayedFrames.index(seq, count, pingPong))
                .toArray();
    }
}
