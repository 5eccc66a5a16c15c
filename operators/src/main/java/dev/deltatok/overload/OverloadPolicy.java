package dev.deltatok.overload;

import java.util.ArrayList;
import java.util.List;

/**
 * Degrades in order when frames grow old, and recovers with hysteresis. Fed once per batch with the
 * age of the batch's oldest frame, it walks a ladder of levels: level 0 is the full budget; each
 * level above halves the budget scale down to {@code minBudgetScale}; the top level also coalesces
 * (of a camera's waiting frames only the newest is tokenized, see {@link Coalescer}).
 *
 * <ul>
 *   <li><b>Shrink</b>: past half the latency target, level 0 steps up at once. Acting at half the
 *       target leaves the other half for the change to take effect.
 *   <li><b>Coalesce</b>: a level above 0 steps up again when the age is still past half the target,
 *       has grown since the last step, and the last step is at least a quarter target old.
 *   <li><b>Recover</b>: after the age has stayed below a quarter of the target for twice the
 *       target, one level down; then again after the same quiet time.
 * </ul>
 *
 * Not thread-safe; one instance per operator instance. Pure: the caller supplies the clock.
 */
public final class OverloadPolicy {

    private final OverloadSettings settings;
    private final long targetMs;
    private final double[] scales;
    private final int coalesceLevel;

    private int level;
    private long lastChangeMs = Long.MIN_VALUE;
    private long ageAtLastChangeMs;
    private long quietSinceMs = Long.MIN_VALUE;

    public OverloadPolicy(OverloadSettings settings) {
        this.settings = settings;
        this.targetMs = settings.latencyTarget().toMillis();
        List<Double> ladder = new ArrayList<>();
        ladder.add(1.0);
        double scale = 1.0;
        while (scale > settings.minBudgetScale()) {
            scale = Math.max(settings.minBudgetScale(), scale / 2);
            ladder.add(scale);
        }
        this.scales = ladder.stream().mapToDouble(Double::doubleValue).toArray();
        this.coalesceLevel = scales.length;
    }

    /** What to do with one batch. */
    public record Decision(int level, double budgetScale, boolean coalesce) {
        public static final Decision FULL = new Decision(0, 1.0, false);

        public boolean degraded() {
            return level > 0;
        }
    }

    /**
     * Takes the age of the oldest frame of the batch about to be tokenized and decides for it.
     *
     * @param nowMs the caller's clock, milliseconds
     * @param oldestAgeMs processing time minus the oldest frame's capture time, milliseconds
     */
    public Decision observe(long nowMs, long oldestAgeMs) {
        if (!settings.enabled()) {
            return Decision.FULL;
        }
        long escalateAt = targetMs / 2;
        if (oldestAgeMs > escalateAt) {
            quietSinceMs = Long.MIN_VALUE;
            boolean settled = nowMs - lastChangeMs >= Math.max(1, targetMs / 4);
            if (level == 0
                    || (level < coalesceLevel && settled && oldestAgeMs > ageAtLastChangeMs)) {
                step(level + 1, nowMs, oldestAgeMs);
            }
        } else if (oldestAgeMs < targetMs / 4 && level > 0) {
            if (quietSinceMs == Long.MIN_VALUE) {
                quietSinceMs = nowMs;
            } else if (nowMs - quietSinceMs >= 2 * targetMs) {
                step(level - 1, nowMs, oldestAgeMs);
                quietSinceMs = nowMs;
            }
        } else {
            quietSinceMs = Long.MIN_VALUE;
        }
        return current();
    }

    private void step(int to, long nowMs, long ageMs) {
        level = to;
        lastChangeMs = nowMs;
        ageAtLastChangeMs = ageMs;
    }

    /** The decision in force (the last one {@link #observe} returned). */
    public Decision current() {
        if (level == 0) {
            return Decision.FULL;
        }
        return new Decision(
                level, scales[Math.min(level, scales.length - 1)], level >= coalesceLevel);
    }

    /** Whether the current level coalesces waiting frames. */
    public boolean coalescing() {
        return level >= coalesceLevel;
    }

    /** The level that coalesces (the top of the ladder). */
    public int coalesceLevel() {
        return coalesceLevel;
    }

    public OverloadSettings settings() {
        return settings;
    }
}
