package dev.deltatok.table;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token table upkeep under eviction pressure, one core: each operation is what a delta does for one
 * changed position whose new appearance is not in the table (release the slot the position held,
 * insert the new tokens, which evicts the least-recently-used unreferenced slot of a full table,
 * acquire it). A 16x16 grid of positions references 256 slots; the rest of the table is cached,
 * unreferenced appearances.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1)
@Threads(1)
public class TokenTableBenchmark {

    private static final int POSITIONS = 256;
    private static final int LEVELS = 4;

    @Param({"512", "4096"})
    public int capacity;

    private TokenTable table;
    private final int[] keyMap = new int[POSITIONS];
    private final SplittableRandom random = new SplittableRandom(7);
    private int nextAppearance;
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        table = new TokenTable(capacity, 0);
        for (int i = 0; i < capacity; i++) {
            table.insert(appearance(), null, 0, now++, slot -> {});
        }
        for (int p = 0; p < POSITIONS; p++) {
            keyMap[p] = p;
            table.acquire(p, now++);
        }
    }

    @Benchmark
    public int replace() {
        int p = random.nextInt(POSITIONS);
        long t = now++;
        table.release(keyMap[p], t);
        int slot = table.insert(appearance(), null, 0, t, evicted -> {});
        table.acquire(slot, t);
        keyMap[p] = slot;
        return slot;
    }

    private int[] appearance() {
        int id = nextAppearance++;
        int[] tokens = new int[LEVELS];
        tokens[0] = id;
        tokens[1] = id >>> 12;
        return tokens;
    }
}
