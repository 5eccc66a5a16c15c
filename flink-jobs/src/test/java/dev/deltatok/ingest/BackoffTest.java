package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaximumWithoutJitter() {
        Backoff backoff =
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), 0, new Random(1));

        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.failures()).isEqualTo(5);
    }

    @Test
    void jitterStaysWithinItsFractionAndSpreadsCameras() {
        Backoff a = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.2, new Random(1));
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.2, new Random(2));

        Duration da = a.nextDelay();
        Duration db = b.nextDelay();

        assertThat(da).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
        assertThat(db).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
        assertThat(da).isNotEqualTo(db);
    }

    @Test
    void resetStartsAgainFromTheInitialDelay() {
        Backoff backoff =
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0, new Random(1));
        backoff.nextDelay();
        backoff.nextDelay();

        backoff.reset();

        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void rejectsAMaximumBelowTheInitialDelay() {
        assertThatThrownBy(
                        () ->
                                new Backoff(
                                        Duration.ofSeconds(2),
                                        Duration.ofSeconds(1),
                                        0,
                                        new Random()))
                .hasMessageContaining("0 < initial <= max");
    }
}
