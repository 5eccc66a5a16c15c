package dev.deltatok.frame;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * {@link JpegDecodeBenchmark}'s three paths timed by the decoding thread's CPU time rather than the
 * wall clock, interleaved 40 frames at a time, for machines whose load makes JMH's wall-clock
 * scores swing: {@code java -cp operators/target/benchmarks.jar
 * dev.deltatok.frame.JpegDecodeCpuTime 1280x720 [ROUNDS]}.
 */
public final class JpegDecodeCpuTime {

    private JpegDecodeCpuTime() {}

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        JpegDecodeBenchmark bench = new JpegDecodeBenchmark();
        bench.size = args.length > 0 ? args[0] : "1280x720";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        bench.setUp();
        for (int round = 0; round < rounds; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < 40; i++) {
                bench.scaled();
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < 40; i++) {
                bench.full();
            }
            long c2 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < 40; i++) {
                bench.scaledBefore();
            }
            long c3 = mx.getCurrentThreadCpuTime();
            System.out.printf(
                    Locale.ROOT,
                    "cpu: scaled %.1f frames/s, full %.1f frames/s, scaledBefore %.1f frames/s,"
                            + " full/scaled %.2f, full/scaledBefore %.2f%n",
                    40e9 / (c1 - c0),
                    40e9 / (c2 - c1),
                    40e9 / (c3 - c2),
                    (double) (c2 - c1) / (c1 - c0),
                    (double) (c2 - c1) / (c3 - c2));
        }
    }
}
