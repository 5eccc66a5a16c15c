package dev.deltatok.model;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Encoder throughput of the default model on one core (one intra-op and one inter-op thread, one
 * caller thread): patches per second for batches of 1, 16 and 256 patches. Each encode call
 * includes the in-graph residual quantisation and the per-level {@code levelError}. The {@code
 * decodeAllLevels} benchmark times the decoder alone per patch, which is what {@code levelError}
 * costs per level inside the encoder.
 *
 * <p>Run with the model in {@code models/default} (working directory = repository root or {@code
 * operators/}), or set {@code -Ddeltatok.model=path/to/manifest.json}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@Threads(1)
public class EncoderBenchmark {

    @Param({"1", "16", "256"})
    public int batch;

    private OnnxTokenizerModel model;
    private float[] patches;
    private int[] tokens;
    private int[] levelsUsed;

    @Setup(Level.Trial)
    public void setUp() {
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
        ModelSpec spec = model.spec();
        SplittableRandom random = new SplittableRandom(42);
        patches = new float[batch * spec.patchValues()];
        // Smooth patches with texture, like camera frames rather than white noise.
        for (int i = 0; i < patches.length; i++) {
            double smooth = 0.5 + 0.3 * Math.sin(i * 0.013) * Math.cos(i * 0.0007);
            patches[i] = (float) Math.max(0, Math.min(1, smooth + random.nextDouble() * 0.1));
        }
        tokens = model.encode(patches, batch).tokens();
        levelsUsed = new int[batch];
        java.util.Arrays.fill(levelsUsed, spec.levels());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /** Score is encode calls per second; multiply by batch for patches per second. */
    @Benchmark
    public EncodedPatches encode() {
        return model.encode(patches, batch);
    }

    /** Score is decode calls per second (all levels); multiply by batch for patches/s. */
    @Benchmark
    public float[] decodeAllLevels() {
        return model.decode(tokens, levelsUsed, batch);
    }

    /** Runs the benchmarks without a jmh Maven source set: {@code java ... EncoderBenchmark}. */
    public static void main(String[] args) throws RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        options.include(EncoderBenchmark.class.getName());
        String model = System.getProperty(ModelLocator.PROPERTY);
        if (model != null) {
            options.jvmArgsAppend("-D" + ModelLocator.PROPERTY + "=" + model);
        }
        new Runner(options.build()).run();
    }
}
