package dev.deltatok.cli;

import dev.deltatok.mirror.MirrorSyncException;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.TokenDelta;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The consumer side the tools share: applies every delta to a {@link TokenMirror} and counts, per
 * camera, deltas, keyframes, tokens, gaps, frames skipped under overload, the budget scale of the
 * last delta and latency (from the frame's capture time, which {@code produce} and {@code demo}
 * stamp when they send it, to the delta being read). Not thread-safe.
 */
final class DeltaFollower {

    /** Per-camera counters. */
    static final class CameraStats {
        final String cameraId;
        long deltas;
        long keyframes;
        long tokens;
        long gaps;
        long waiting;
        int gridTokens;
        long lastFrameSeq = -1;
        int tableSize;
        long skipped;
        long degraded;
        float budgetScale = 1.0f;

        CameraStats(String cameraId) {
            this.cameraId = cameraId;
        }

        double tokensPerFrame() {
            return deltas == 0 ? 0 : (double) tokens / deltas;
        }

        double gridFraction() {
            return gridTokens == 0 ? 0 : tokensPerFrame() / gridTokens;
        }
    }

    private final TokenMirror mirror = new TokenMirror();
    private final Map<String, CameraStats> cameras = new TreeMap<>();
    private final Latencies latencies = new Latencies();
    private final Consumer<String> warnings;
    private long deltas;
    private long tokens;

    /**
     * @param warnings where sync problems are reported (gaps, duplicates, corrupt deltas)
     */
    DeltaFollower(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /**
     * Applies one delta read at {@code now}.
     *
     * @return the camera's mirror state after it, or null when it could not be applied (waiting for
     *     a keyframe, or a gap / duplicate, which is also reported)
     */
    TokenMirror.Camera accept(TokenDelta delta, Instant now) {
        CameraStats stats = cameras.computeIfAbsent(delta.getCameraId(), CameraStats::new);
        stats.deltas++;
        deltas++;
        int t = delta.getStats().getTokens();
        stats.tokens += t;
        tokens += t;
        stats.gridTokens = delta.getGridRows() * delta.getGridCols() * delta.getLevels();
        stats.lastFrameSeq = delta.getFrameSeq();
        stats.tableSize = delta.getStats().getTableSize();
        stats.skipped += delta.getStats().getSkippedFrames();
        stats.budgetScale = delta.getStats().getBudgetScale();
        if (stats.budgetScale < 1.0f) {
            stats.degraded++;
        }
        if (delta.getKind() == DeltaKind.KEYFRAME) {
            stats.keyframes++;
        }
        latencies.add(Duration.between(delta.getCaptureTime(), now).toNanos() / 1000);
        try {
            return mirror.apply(delta);
        } catch (MirrorSyncException e) {
            if (e.problem() == MirrorSyncException.Problem.NOT_SYNCED) {
                stats.waiting++;
            } else {
                stats.gaps++;
                warnings.accept(e.getMessage());
            }
            return null;
        }
    }

    TokenMirror mirror() {
        return mirror;
    }

    Map<String, CameraStats> cameras() {
        return cameras;
    }

    long deltas() {
        return deltas;
    }

    long tokens() {
        return tokens;
    }

    long gaps() {
        return cameras.values().stream().mapToLong(c -> c.gaps).sum();
    }

    Latencies latencies() {
        return latencies;
    }

    /** Latencies in microseconds: all of them, and those since the last {@link #interval()}. */
    static final class Latencies {
        private long[] all = new long[1024];
        private int size;
        private int intervalStart;

        void add(long micros) {
            if (size == all.length) {
                if (size >= 1 << 24) {
                    // keep memory bounded on long runs: forget the older half
                    System.arraycopy(all, size / 2, all, 0, size - size / 2);
                    size -= size / 2;
                    intervalStart = Math.max(0, intervalStart - size);
                } else {
                    all = Arrays.copyOf(all, size * 2);
                }
            }
            all[size++] = micros;
        }

        /** p-th percentile (0..100) in ms of all latencies, NaN when none. */
        double percentileMs(double p) {
            return percentile(all, 0, size, p);
        }

        /** p50 and p99 in ms since the last call, then starts a new interval. */
        double[] interval() {
            double[] out = {
                percentile(all, intervalStart, size, 50), percentile(all, intervalStart, size, 99)
            };
            intervalStart = size;
            return out;
        }

        private static double percentile(long[] values, int from, int to, double p) {
            if (to <= from) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOfRange(values, from, to);
            Arrays.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
        }
    }
}
