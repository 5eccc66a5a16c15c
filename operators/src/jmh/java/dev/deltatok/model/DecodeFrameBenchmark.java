package dev.deltatok.model;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole-frame decoding of the default model on one core: {@code decodeFrame} (every patch of the
 * grid, then the frame refiner) next to {@code patchesOnly} (the same patches assembled without the
 * refiner). Score is frames per second. Neither runs while tokenizing; this is the cost of showing
 * or scoring a picture ({@code deltatok view}, {@code eval}, the mirror's reconstruct).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@Threads(1)
public class DecodeFrameBenchmark {

    private OnnxTokenizerModel model;
    private int[] tokens;
    private int[] levelsUsed;

    @Setup(Level.Trial)
    public void setUp() {
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
        ModelSpec spec = model.spec();
        SplittableRandom random = new SplittableRandom(42);
        int count = spec.patchesPerFrame();
        tokens = new int[count * spec.levels()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(spec.codebookSize());
        }
        levelsUsed = new int[count];
        java.util.Arrays.fill(levelsUsed, spec.levels());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public RgbImage decodeFrame() {
        return model.decodeFrame(tokens, levelsUsed);
    }

    @Benchmark
    public RgbImage patchesOnly() {
        ModelSpec spec = model.spec();
        return RgbImage.fromPatches(
                model.decode(tokens, levelsUsed, spec.patchesPerFrame()),
                spec.patchSize(),
                spec.gridRows(),
                spec.gridCols());
    }
}
