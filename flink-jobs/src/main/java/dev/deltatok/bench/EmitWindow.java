package dev.deltatok.bench;

import java.util.Arrays;

/**
 * A throughput window read from the job's own clock: every delta carries the time the job emitted
 * it, so the frames a job tokenized per second do not depend on when a read_committed consumer saw
 * them. With exactly-once delivery deltas become visible a checkpoint at a time, so counting them
 * as they arrive measures the commit cadence as much as the job: a backlog drained in four seconds
 * is read in four or five commits, and where the last one falls moves the figure by a quarter.
 *
 * <p>The window runs from {@code skipMicros} after the first emit time (the job's start-up) to the
 * last; when everything was emitted within that skip, it runs from the first emit time.
 *
 * @param frames deltas emitted after the window's start, up to and including its end
 * @param seconds the window's length
 */
public record EmitWindow(long frames, double seconds) {

    /** The window of these emit times (epoch microseconds, any order); none for fewer than two. */
    public static EmitWindow of(long[] emitMicros, long skipMicros) {
        if (emitMicros.length < 2) {
            return new EmitWindow(0, 0);
        }
        long first = Arrays.stream(emitMicros).min().getAsLong();
        long last = Arrays.stream(emitMicros).max().getAsLong();
        long start = first + Math.max(0, skipMicros);
        if (start >= last) {
            start = first;
        }
        if (last == start) {
            return new EmitWindow(0, 0);
        }
        long frames = 0;
        for (long t : emitMicros) {
            if (t > start) {
                frames++;
            }
        }
        return new EmitWindow(frames, (last - start) / 1e6);
    }

    public double framesPerSecond() {
        return seconds > 0 ? frames / seconds : 0;
    }
}
