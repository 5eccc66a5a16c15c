package dev.deltatok.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * Summarises runs per mode (medians, ranges, pooled latency percentiles) as the {@code --json}
 * document {@code {"modes": {...}, "ratios": {...}}} and as a table.
 */
public final class BenchReport {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final BenchSettings settings;
    private final Map<String, List<RunResult>> runs;

    public BenchReport(BenchSettings settings, Map<String, List<RunResult>> runs) {
        this.settings = settings;
        this.runs = runs;
    }

    /** The JSON document. */
    public String json() throws Exception {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode modes = root.putObject("modes");
        runs.forEach((mode, results) -> mode(modes.putObject(mode), results));
        ObjectNode ratios = root.putObject("ratios");
        if (runs.containsKey("delta") && runs.containsKey("identity")) {
            ratios.put(
                    "deltaOverIdentityThroughput",
                    round(
                            median("delta", RunResult::framesPerSecond)
                                    / median("identity", RunResult::framesPerSecond)));
        }
        if (runs.containsKey("delta") && runs.containsKey("full")) {
            ratios.put(
                    "deltaOverFullTokens",
                    round(
                            median("delta", RunResult::tokensPerFrame)
                                    / median("full", RunResult::tokensPerFrame)));
            ratios.put(
                    "deltaOverFullThroughput",
                    round(
                            median("delta", RunResult::framesPerSecond)
                                    / median("full", RunResult::framesPerSecond)));
        }
        return JSON.writeValueAsString(root);
    }

    private void mode(ObjectNode node, List<RunResult> results) {
        double[] fps = results.stream().mapToDouble(RunResult::framesPerSecond).toArray();
        ObjectNode f = node.putObject("framesPerSecond");
        f.put("median", round(Percentiles.median(fps)));
        f.put("min", round(java.util.Arrays.stream(fps).min().orElse(Double.NaN)));
        f.put("max", round(java.util.Arrays.stream(fps).max().orElse(Double.NaN)));
        long[] lat = pooledLatencies(results);
        ObjectNode l = node.putObject("latencyMs");
        l.put("p50", round(Percentiles.of(lat, 50) / 1000.0));
        l.put("p95", round(Percentiles.of(lat, 95) / 1000.0));
        l.put("p99", round(Percentiles.of(lat, 99) / 1000.0));
        l.put("samples", lat.length);
        l.put("delivery", settings.delivery());
        l.put("checkpointIntervalMs", settings.checkpointInterval().toMillis());
        l.put("loadFramesPerSecond", round(median(results, RunResult::latencyLoadFps)));
        node.put("tokensPerFrame", round(median(results, RunResult::tokensPerFrame)));
        node.put("bytesPerFrame", round(median(results, RunResult::bytesPerFrame)));
        node.put("cpuSeconds", round(median(results, RunResult::cpuSeconds)));
        node.put("jvmCpuSeconds", round(median(results, RunResult::jvmCpuSeconds)));
        node.put("brokerCpuSeconds", round(median(results, RunResult::brokerCpuSeconds)));
        node.put(
                "cpuMsPerFrame",
                round(
                        median(
                                results,
                                r ->
                                        r.frames() == 0
                                                ? Double.NaN
                                                : 1000 * r.cpuSeconds() / r.frames())));
        node.put("peakRssMb", round(max(results, RunResult::peakRssMb)));
        node.put("brokerPeakRssMb", round(max(results, RunResult::brokerPeakRssMb)));
        node.put("peakHeapMb", round(max(results, RunResult::peakHeapMb)));
        node.put("runs", results.size());
        node.put("windowSeconds", round(median(results, RunResult::windowSeconds)));
        node.put("cameras", settings.cameras());
        node.put("scene", settings.scene());
        node.put("format", settings.format().name());
        if (settings.input() != null) {
            node.put("input", settings.input());
        }
        node.put("size", settings.width() + "x" + settings.height());
        node.put("stateBackend", settings.rocksDb() ? "rocksdb" : "hashmap");
        node.put("parallelism", settings.parallelism());
        node.put("fps", settings.throughputRun() ? "max" : Double.toString(settings.fps()));
        var perRun = node.putArray("framesPerSecondPerRun");
        results.forEach(r -> perRun.add(round(r.framesPerSecond())));
    }

    /** A table: one row per mode, then the ratios. */
    public void print(PrintWriter out) throws Exception {
        out.printf(
                Locale.ROOT,
                "%d camera(s), %s, %s %dx%d frames%n",
                settings.cameras(),
                settings.input() != null ? settings.input() : "scene " + settings.scene(),
                settings.format(),
                settings.width(),
                settings.height());
        out.printf(
                Locale.ROOT,
                "%-9s %22s %9s %9s %9s %11s %10s %8s %9s%n",
                "mode",
                "frames/s median (min-max)",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "tokens/frm",
                "bytes/frm",
                "cpu s",
                "rss MB");
        for (var e : runs.entrySet()) {
            List<RunResult> results = e.getValue();
            double[] fps = results.stream().mapToDouble(RunResult::framesPerSecond).toArray();
            long[] lat = pooledLatencies(results);
            out.printf(
                    Locale.ROOT,
                    "%-9s %9.1f (%5.0f-%5.0f) %9.1f %9.1f %9.1f %11.1f %10.0f %8.1f %9.0f%n",
                    e.getKey(),
                    Percentiles.median(fps),
                    java.util.Arrays.stream(fps).min().orElse(Double.NaN),
                    java.util.Arrays.stream(fps).max().orElse(Double.NaN),
                    Percentiles.of(lat, 50) / 1000.0,
                    Percentiles.of(lat, 95) / 1000.0,
                    Percentiles.of(lat, 99) / 1000.0,
                    median(results, RunResult::tokensPerFrame),
                    median(results, RunResult::bytesPerFrame),
                    median(results, RunResult::cpuSeconds),
                    max(results, RunResult::peakRssMb));
        }
        out.println(
                "latency: send to visible to a read_committed consumer, "
                        + settings.delivery()
                        + ", checkpoint interval "
                        + settings.checkpointInterval().toMillis()
                        + " ms"
                        + (settings.throughputRun()
                                ? ", paced at half the measured throughput"
                                : ""));
        out.println("ratios: " + JSON.readTree(json()).get("ratios"));
        out.flush();
    }

    private double median(String mode, ToDoubleFunction<RunResult> f) {
        return median(runs.get(mode), f);
    }

    private static double median(List<RunResult> results, ToDoubleFunction<RunResult> f) {
        return Percentiles.median(results.stream().mapToDouble(f).toArray());
    }

    private static double max(List<RunResult> results, ToDoubleFunction<RunResult> f) {
        return results.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).max().orElse(0);
    }

    private static long[] pooledLatencies(List<RunResult> results) {
        return results.stream().flatMapToLong(r -> LongStream.of(r.latencyMicros())).toArray();
    }

    private static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return 0;
        }
        return Math.round(v * 1000) / 1000.0;
    }
}
