package dev.deltatok.overload;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The last step of the overload policy, taken where frames enter the job, before their pixels are
 * sent on to the tokenizer: a frame already older than half the latency target ({@link FrameAge};
 * the other half is for the trip to the tokenizer and the wait there) is shed when another frame of
 * the same camera went on less than one target ago. A late camera thus still gets a frame tokenized
 * every latency target, and a backlog drains at the cost of reading records, not of shuffling and
 * tokenizing them. Coalescing in the tokenizer cannot do that: the frames it skips have already
 * paid for the trip.
 *
 * <p>Per source subtask, not checkpointed (after a restart every camera's first late frame goes
 * on). Holds one entry per camera seen within the last few targets.
 */
public final class IngressShedder {

    private final long targetMs;
    private final Map<String, Long> lastPassedMs = new HashMap<>();
    private long nextSweepMs = Long.MIN_VALUE;

    public IngressShedder(Duration latencyTarget) {
        this.targetMs = latencyTarget.toMillis();
        if (targetMs < 1) {
            throw new IllegalArgumentException(
                    "latencyTarget must be >= 1 ms, got " + latencyTarget);
        }
    }

    /**
     * Decides for one record and remembers a frame that goes on.
     *
     * @param camera the frame's camera id
     * @param ageMs the frame's age ({@link FrameAge#millis})
     * @param nowMs processing time
     * @return whether to shed the frame
     */
    public boolean shed(String camera, long ageMs, long nowMs) {
        sweep(nowMs);
        boolean late = 2 * ageMs > targetMs;
        Long passed = lastPassedMs.get(camera);
        if (late && passed != null && nowMs - passed < targetMs) {
            return true;
        }
        lastPassedMs.put(camera, nowMs);
        return false;
    }

    /** Cameras remembered now (for tests). */
    int cameras() {
        return lastPassedMs.size();
    }

    /** Forgets cameras whose last frame went on more than a target ago: they decide nothing. */
    private void sweep(long nowMs) {
        if (nowMs < nextSweepMs) {
            return;
        }
        nextSweepMs = nowMs + 4 * targetMs;
        for (Iterator<Long> it = lastPassedMs.values().iterator(); it.hasNext(); ) {
            if (nowMs - it.next() >= targetMs) {
                it.remove();
            }
        }
    }
}
