package dev.deltatok.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngressShedderTest {

    private final IngressShedder shedder = new IngressShedder(Duration.ofMillis(500));

    @Test
    void framesYoungerThanHalfTheTargetAlwaysGoOn() {
        for (long now = 10_000; now < 11_000; now += 10) {
            assertThat(shedder.shed("cam", 250, now)).isFalse();
        }
    }

    @Test
    void ofALateCameraOneFrameATargetGoesOnAndTheRestIsShed() {
        int passed = 0;
        int shed = 0;
        // 2 s of a backlog read at 100 frames a second, every frame 3 s old
        for (long now = 10_000; now < 12_000; now += 10) {
            if (shedder.shed("cam", 3_000, now)) {
                shed++;
            } else {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(4); // at 10.0, 10.5, 11.0 and 11.5 s
        assertThat(shed).isEqualTo(196);
    }

    @Test
    void theFirstLateFrameOfACameraGoesOnAndCamerasAreShedApart() {
        assertThat(shedder.shed("a", 10_000, 10_000)).isFalse();
        assertThat(shedder.shed("b", 10_000, 10_001)).isFalse();
        assertThat(shedder.shed("a", 10_000, 10_002)).isTrue();
        assertThat(shedder.shed("b", 10_000, 10_003)).isTrue();
        // an on-time frame of a goes on even right after a late one did
        assertThat(shedder.shed("a", 1, 10_004)).isFalse();
        // half the target is not late yet, a millisecond more is
        assertThat(shedder.shed("a", 250, 10_005)).isFalse();
        assertThat(shedder.shed("a", 251, 10_006)).isTrue();
    }

    @Test
    void camerasThatWentQuietAreForgotten() {
        for (int c = 0; c < 100; c++) {
            shedder.shed("cam-" + c, 1_000, 10_000);
        }
        assertThat(shedder.cameras()).isEqualTo(100);
        shedder.shed("other", 0, 20_000);
        assertThat(shedder.cameras()).isEqualTo(1);
    }

    @Test
    void refusesATargetBelowOneMillisecond() {
        assertThatThrownBy(() -> new IngressShedder(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
