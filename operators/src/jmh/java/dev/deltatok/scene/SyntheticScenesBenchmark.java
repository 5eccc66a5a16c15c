package dev.deltatok.scene;

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
 * Rendering one 256x256 frame of each built-in scene on one core. The tools publish scenes in real
 * time ({@code produce}, {@code demo}, {@code bench}), so a frame should take well under a
 * millisecond: 1 000 frames per second per core is the budget the scenes were written for.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1)
@Threads(1)
public class SyntheticScenesBenchmark {

    @Param({"static", "corridor", "busy", "noise", "lighting", "cut", "pan"})
    public String scene;

    private SyntheticScene rendered;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() {
        rendered = SyntheticScenes.create(scene, 9, 256, 256);
    }

    @Benchmark
    public byte[] render() {
        return rendered.render(seq++);
    }
}
