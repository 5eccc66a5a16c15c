package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Global-motion estimation per 256x256 frame on one core (4x4 reference blocks, the default search
 * of 32 pixels): {@code estimate} is {@link GlobalMotionEstimator} as the core runs it on every
 * DELTA-mode frame, {@code estimateBefore} the estimator before its profiles came from one pass
 * ({@link GlobalMotionEstimatorBefore}). {@code scene=corridor} with the picture held at no offset
 * is what a fixed camera costs; {@code scene=pan} with the held picture 6 pixels off on both axes
 * exercises the partial profiles and the third search. {@code meansAndEstimate} is what the core
 * does per frame at no held offset: block means and projections from one pass, then the search
 * ({@code blockMeans} of {@link ReferenceGridBenchmark} is the block means alone).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1)
@Threads(1)
public class GlobalMotionBenchmark {

    @Param({"corridor", "pan"})
    public String scene;

    private final GlobalMotionEstimator estimator = new GlobalMotionEstimator(256, 256, 4, 32);
    private final GlobalMotionEstimatorBefore before =
            new GlobalMotionEstimatorBefore(256, 256, 4, 32);
    private final ReferenceGrid grid = new ReferenceGrid(16, 4, 16, 16);
    private final Projections projections = new Projections(256, 256);
    private RgbImage image;
    private byte[] held;
    private int heldX;
    private int heldY;

    @Setup(Level.Trial)
    public void setUp() {
        SyntheticScene s = SyntheticScenes.create(scene, 11, 256, 256);
        held = grid.blockMeans(new RgbImage(256, 256, s.render(0)));
        image = new RgbImage(256, 256, s.render(5));
        boolean moving = scene.equals("pan");
        heldX = moving ? -6 : 0;
        heldY = moving ? 6 : 0;
        GlobalMotionEstimator.Estimate now = estimator.estimate(image, held, heldX, heldY);
        GlobalMotionEstimatorBefore.Estimate then = before.estimate(image, held, heldX, heldY);
        if (now.offsetX() != then.offsetX() || now.offsetY() != then.offsetY()) {
            throw new IllegalStateException("estimates differ: " + now + " and " + then);
        }
    }

    @Benchmark
    public GlobalMotionEstimator.Estimate estimate() {
        return estimator.estimate(image, held, heldX, heldY);
    }

    @Benchmark
    public GlobalMotionEstimatorBefore.Estimate estimateBefore() {
        return before.estimate(image, held, heldX, heldY);
    }

    @Benchmark
    public void meansAndEstimate(Blackhole bh) {
        bh.consume(grid.blockMeans(image, projections));
        bh.consume(estimator.estimate(image, projections, held, heldX, heldY));
    }
}
