package dev.deltatok.ingest;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter between reconnect attempts: the n-th consecutive failure waits
 * {@code min(max, initial * 2^(n-1))}, scaled by a random factor in [1 - jitter, 1 + jitter] so
 * that cameras behind one failed network do not all reconnect at the same instant. Not thread-safe.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final double jitter;
    private final Random random;
    private int failures;

    /**
     * @param jitter fraction in [0, 1)
     * @param random source of the jitter (seed it in tests)
     */
    public Backoff(Duration initial, Duration max, double jitter, Random random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
        this.random = random;
    }

    /** The wait before the next attempt, counting one more consecutive failure. */
    public Duration nextDelay() {
        failures++;
        double base = initial.toNanos() * Math.pow(2, Math.min(failures - 1, 40));
        double capped = Math.min(base, max.toNanos());
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofNanos((long) (capped * factor));
    }

    /** Consecutive failures since the last {@link #reset()}. */
    public int failures() {
        return failures;
    }

    /** A connection delivered frames: the next failure waits {@code initial} again. */
    public void reset() {
        failures = 0;
    }
}
