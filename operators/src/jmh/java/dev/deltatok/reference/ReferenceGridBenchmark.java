package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Change detection per 256x256 frame on one core, the default geometry (16x16 patches, 4x4
 * reference blocks): {@code blockMeans} of a frame, and {@code compare} of its block means with a
 * reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1)
@Threads(1)
public class ReferenceGridBenchmark {

    private final ReferenceGrid grid = new ReferenceGrid(16, 4, 16, 16);
    private final float[] mad = new float[256];
    private final float[] msd = new float[256];
    private RgbImage image;
    private byte[] means;
    private byte[] reference;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] rgb = new byte[256 * 256 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        image = new RgbImage(256, 256, rgb);
        means = grid.blockMeans(image);
        reference = means.clone();
        for (int i = 0; i < reference.length; i += 7) {
            reference[i] = (byte) random.nextInt(256);
        }
    }

    @Benchmark
    public byte[] blockMeans() {
        return grid.blockMeans(image);
    }

    @Benchmark
    public float[] compare() {
        grid.compare(means, reference, mad, msd);
        return mad;
    }
}
