package dev.deltatok.delta;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.nio.ByteBuffer;
import java.time.Instant;
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

/**
 * Core throughput on one core, frames per second of {@link TokenizerCore#process} (decode of an
 * RGB24 256x256 frame, change detection, encode of the changed patches with the default ONNX model
 * on one thread, table and delta) in FULL and DELTA mode, with 1, 10, 50 or 100 % of the patches
 * moving every frame: frames alternate between two pictures that differ in exactly that share of
 * patches (chosen at random, seeded). DELTA uses the default settings, so at 50 % and above the
 * scene-cut rule turns every frame into a keyframe, as it would in production.
 *
 * <p>Run with the model in {@code models/default} (working directory = repository root or {@code
 * operators/}), or {@code -Ddeltatok.model=path/to/manifest.json}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1)
@Threads(1)
public class CoreBenchmark {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");

    @Param({"DELTA", "FULL"})
    public TokenizerMode mode;

    @Param({"1", "10", "50", "100"})
    public int movingPercent;

    /**
     * true copies each frame record per operation (an Avro builder copy with its 196 KB of pixels),
     * as the round-1 harness did: only for comparing allocation with figures measured then.
     */
    @Param({"false"})
    public boolean copyFrame;

    private TokenizerModel model;
    private TokenizerCore tokenizer;
    private CameraState state;
    private Frame[] pictures;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() {
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
        tokenizer = new TokenizerCore(model, TokenizerSettings.defaults().withMode(mode));
        SyntheticScene scene = SyntheticScenes.create("static", 1, 256, 256);
        byte[] base = scene.render(0);
        byte[] moved = base.clone();
        int patch = model.spec().patchSize();
        int cols = model.spec().gridCols();
        int positions = model.spec().patchesPerFrame();
        int moving = Math.max(1, positions * movingPercent / 100);
        int[] order = shuffled(positions, new SplittableRandom(7));
        for (int i = 0; i < moving; i++) {
            int p = order[i];
            int x0 = (p % cols) * patch;
            int y0 = (p / cols) * patch;
            for (int y = y0; y < y0 + patch; y++) {
                for (int x = x0; x < x0 + patch; x++) {
                    for (int c = 0; c < 3; c++) {
                        int o = (y * 256 + x) * 3 + c;
                        moved[o] = (byte) (255 - (base[o] & 0xFF));
                    }
                }
            }
        }
        pictures =
                new Frame[] {
                    Frame.newBuilder(scene.frame("bench", 0))
                            .setData(ByteBuffer.wrap(base))
                            .build(),
                    Frame.newBuilder(scene.frame("bench", 0))
                            .setData(ByteBuffer.wrap(moved))
                            .build()
                };
        state = tokenizer.newState("bench");
        tokenizer.process(state, pictures[0], EMIT).delta();
        seq = 1;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public TokenDelta frame() {
        long s = seq++;
        // The records are reused (only seq changes) so that the measured allocation is the core's.
        Frame frame = pictures[(int) (s & 1)];
        if (copyFrame) {
            frame = Frame.newBuilder(frame).setData(frame.getData().duplicate()).build();
        }
        frame.setSeq(s);
        return tokenizer.process(state, frame, EMIT).delta();
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
