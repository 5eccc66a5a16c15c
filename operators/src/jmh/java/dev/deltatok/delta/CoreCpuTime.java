package dev.deltatok.delta;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.state.CameraState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Thread CPU time per frame of {@link TokenizerCore#process} on one thread, default ONNX model, a
 * synthetic scene at 256x256 (default corridor), with global motion on (the default search of 32
 * pixels) and off: 200 frames per pass from a new camera state, the two settings alternated, the
 * first pass a warm-up. Uses only public API, so it also runs as a source file against an older
 * benchmarks jar: {@code java -cp OLD.jar
 * operators/src/jmh/java/dev/deltatok/delta/CoreCpuTime.java corridor 6} (from the repository root,
 * where {@code models/default} is).
 */
public final class CoreCpuTime {
    private CoreCpuTime() {}

    public static void main(String[] a) {
        String scene = a.length > 0 ? a[0] : "corridor";
        int passes = a.length > 1 ? Integer.parseInt(a[1]) : 6;
        int n = 200;
        TokenizerModel model =
                OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
        SyntheticScene s = SyntheticScenes.create(scene, 11, 256, 256);
        Frame[] frames = new Frame[n];
        for (int i = 0; i < n; i++) frames[i] = s.frame("cam", i);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int[] searches = {32, 0};
        long[][] perFrame = new long[2][passes];
        for (int p = 0; p < passes; p++) {
            for (int k = 0; k < 2; k++) {
                TokenizerCore core =
                        new TokenizerCore(
                                model,
                                TokenizerSettings.defaults().toBuilder()
                                        .motionSearch(searches[k])
                                        .build());
                CameraState state = core.newState("cam");
                long t0 = mx.getCurrentThreadCpuTime();
                for (Frame f : frames) core.process(state, f, f.getCaptureTime());
                perFrame[k][p] = (mx.getCurrentThreadCpuTime() - t0) / n;
            }
        }
        for (int k = 0; k < 2; k++) {
            long[] v = Arrays.copyOfRange(perFrame[k], 1, passes); // first pass is warm-up
            Arrays.sort(v);
            System.out.printf(
                    "%s motion-search %2d: thread CPU per frame best %d us, median %d us (passes %s)%n",
                    scene,
                    searches[k],
                    v[0] / 1000,
                    v[v.length / 2] / 1000,
                    Arrays.toString(Arrays.stream(perFrame[k]).map(x -> x / 1000).toArray()));
        }
        model.close();
    }
}
