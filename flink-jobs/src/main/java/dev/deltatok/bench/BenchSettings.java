package dev.deltatok.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code deltatok bench} invocation measures.
 *
 * @param cameras synthetic cameras
 * @param fps frames per second per camera for a paced run; {@code <= 0} ("max") measures throughput
 *     on a pre-produced backlog, then latency paced at half the throughput measured
 * @param seconds length of each measurement window
 * @param width frame width as published
 * @param height frame height as published
 * @param scene built-in synthetic scene every camera shows (each camera its own seed)
 * @param modes modes to run, interleaved run by run ({@code delta}, {@code full}, {@code identity})
 * @param runs runs per mode; medians and ranges are over these
 * @param exactlyOnce exactly-once (transactional) sinks; false: at-least-once
 * @param rocksDb RocksDB keyed state instead of the heap
 * @param checkpointInterval Flink checkpoint interval
 * @param parallelism Flink job parallelism
 * @param backlogFramesPerSecond backlog size per second of window for throughput runs
 * @param backlogMaxBytes cap on the bytes of the backlog's frame data (large frames get fewer)
 * @param extraJobArgs more {@code --key value} job options (e.g. tokenizer settings)
 * @param jfrPrefix when not null, each throughput window is recorded with JFR to {@code
 *     PREFIX-MODE-N.jfr}
 * @param rate total frames per second of the latency phase of a throughput run; {@code <= 0}: half
 *     the median throughput of the mode over all runs
 * @param overload when above 0, one more window per mode (identity excepted) publishing at this
 *     many times the mode's median throughput, reporting frame ages, skips and budget
 * @param warmUpRuns windows per mode run first and not reported (the JIT compiles the mode's code
 *     and the broker settles in them)
 * @param brokerDir folder the bench's broker makes its own folder (and log) in; null: the temp
 *     folder (see {@link #brokerDirFor})
 */
public record BenchSettings(
        int cameras,
        double fps,
        double seconds,
        int width,
        int height,
        String scene,
        List<String> modes,
        int runs,
        boolean exactlyOnce,
        boolean rocksDb,
        Duration checkpointInterval,
        int parallelism,
        int backlogFramesPerSecond,
        long backlogMaxBytes,
        List<String> extraJobArgs,
        String jfrPrefix,
        dev.deltatok.schema.PixelFormat format,
        String input,
        double rate,
        double overload,
        int warmUpRuns,
        Path brokerDir) {

    public static final List<String> MODES = List.of("delta", "full", "identity");

    public BenchSettings {
        format = format == null ? dev.deltatok.schema.PixelFormat.RGB24 : format;
        modes = List.copyOf(modes);
        extraJobArgs = List.copyOf(extraJobArgs);
    }

    /** Free space {@link #brokerDirFor} asks of {@code /dev/shm}: the backlogs live there. */
    public static final long MEMORY_BROKER_MIN_BYTES = 4L << 30;

    /**
     * Where the bench's broker keeps its log: {@code requested} if given; else {@code shm} (a
     * memory file system) when it has at least {@link #MEMORY_BROKER_MIN_BYTES} free, so that the
     * job is not measured through this machine's disk (here the page cache writes a broker's log
     * back to the virtual disk in bursts of ~256 MB, and latency phases with the log on disk had
     * stall episodes that none with it in memory had); else null, the temp folder.
     *
     * @param shmFree free bytes on {@code shm}, or -1 when there is none
     */
    public static Path brokerDirFor(Path requested, Path shm, long shmFree) {
        if (requested != null) {
            return requested;
        }
        return shmFree >= MEMORY_BROKER_MIN_BYTES ? shm : null;
    }

    /** Where the broker's log is, in words: {@link #brokerDir}, or "the temp folder". */
    public String brokerDirName() {
        return brokerDir == null ? "the temp folder" : brokerDir.toString();
    }

    /** Whether this is a throughput run (backlog, then latency at half the measured rate). */
    public boolean throughputRun() {
        return !(fps > 0);
    }

    public String delivery() {
        return exactlyOnce ? "exactly-once" : "at-least-once";
    }

    /**
     * Frames the backlog of a throughput run holds, a multiple of the camera count, for frames of
     * raw pixels.
     */
    public long backlogFrames() {
        return backlogFrames((long) width * height * 3);
    }

    /**
     * Frames the backlog of a throughput run holds when a frame's data takes {@code frameBytes} (a
     * JPEG frame takes a fraction of its pixels), a multiple of the camera count.
     */
    public long backlogFrames(long frameBytes) {
        frameBytes = Math.max(1, frameBytes);
        long byRate = Math.round(seconds * backlogFramesPerSecond);
        long byBytes = Math.max(1, backlogMaxBytes / frameBytes);
        long frames = Math.max(cameras, Math.min(byRate, byBytes));
        return (frames + cameras - 1) / cameras * cameras;
    }
}
