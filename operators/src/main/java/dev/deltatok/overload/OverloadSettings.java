package dev.deltatok.overload;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the tokenizer degrades when frames wait longer than the latency target, validated eagerly.
 *
 * @param enabled whether to degrade at all; off, every frame is tokenized at full budget however
 *     old it is (the backlog then waits in Kafka)
 * @param latencyTarget the frame age (processing time minus capture time) the job keeps to
 * @param minBudgetScale the lowest fraction of the full budget shrinking may reach, (0, 1]; the
 *     declared error bound grows by its inverse at most
 */
public record OverloadSettings(boolean enabled, Duration latencyTarget, double minBudgetScale)
        implements Serializable {

    public static final Duration DEFAULT_LATENCY_TARGET = Duration.ofMillis(500);
    public static final double DEFAULT_MIN_BUDGET_SCALE = 0.25;

    public OverloadSettings {
        Objects.requireNonNull(latencyTarget, "latencyTarget");
        if (latencyTarget.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "latencyTarget must be a duration >= 1 ms, got " + latencyTarget);
        }
        if (!(minBudgetScale > 0 && minBudgetScale <= 1)) {
            throw new IllegalArgumentException(
                    "minBudgetScale must be in (0, 1], got " + minBudgetScale);
        }
    }

    public static OverloadSettings defaults() {
        return new OverloadSettings(true, DEFAULT_LATENCY_TARGET, DEFAULT_MIN_BUDGET_SCALE);
    }

    /** Never degrades: every frame at full budget. */
    public static OverloadSettings off() {
        return new OverloadSettings(false, DEFAULT_LATENCY_TARGET, DEFAULT_MIN_BUDGET_SCALE);
    }
}
