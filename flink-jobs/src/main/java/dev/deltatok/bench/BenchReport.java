package dev.deltatok.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
    private final String paceSource;
    private final Map<String, OverloadResult> overloads;

    public BenchReport(BenchSettings settings, Map<String, List<RunResult>> runs) {
        this(settings, runs, null, Map.of());
    }

    /**
     * @param paceSource how the latency phases were paced, in words (null: not said)
     * @param overloads the overload window of each mode that had one
     */
    public BenchReport(
            BenchSettings settings,
            Map<String, List<RunResult>> runs,
            String paceSource,
            Map<String, OverloadResult> overloads) {
        this.settings = settings;
        this.runs = runs;
        this.paceSource = paceSource;
        this.overloads = overloads;
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
        // The latency target is judged per run: the median over runs of each run's p99.
        double[] p99s =
                results.stream().mapToDouble(r -> Percentiles.of(r.latencyMicros(), 99)).toArray();
        ArrayNode p99PerRun = l.putArray("p99PerRun");
        for (double p : p99s) {
            p99PerRun.add(round(p / 1000.0));
        }
        l.put("p99MedianOfRuns", round(Percentiles.median(p99s) / 1000.0));
        long[] inJob =
                results.stream().flatMapToLong(r -> LongStream.of(r.inJobMicros())).toArray();
        ObjectNode job = l.putObject("inJob");
        job.put("p50", round(Percentiles.of(inJob, 50) / 1000.0));
        job.put("p99", round(Percentiles.of(inJob, 99) / 1000.0));
        l.put("delivery", settings.delivery());
        l.put("checkpointIntervalMs", settings.checkpointInterval().toMillis());
        l.put("brokerDir", settings.brokerDirName());
        l.put("loadFramesPerSecond", round(median(results, RunResult::latencyLoadFps)));
        if (paceSource != null) {
            l.put("pacedAt", paceSource);
        }
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
                                        r.cpuFrames() == 0
                                                ? Double.NaN
                                                : 1000 * r.cpuSeconds() / r.cpuFrames())));
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
        OverloadResult o = results.isEmpty() ? null : overloads.get(results.get(0).mode());
        if (o != null) {
            overload(node.putObject("overload"), o);
        }
    }

    private static void overload(ObjectNode node, OverloadResult o) {
        node.put("factor", round(o.factor()));
        node.put("offeredFramesPerSecond", round(o.offeredFps()));
        node.put("framesIn", o.framesIn());
        node.put("framesTokenized", o.framesTokenized());
        node.put("framesSkipped", o.framesSkipped());
        node.put(
                "framesPending",
                Math.max(0, o.framesIn() - o.framesTokenized() - o.framesSkipped()));
        node.put("framesUnaccounted", o.framesUnaccounted());
        node.put("gaps", o.gaps());
        ObjectNode age = node.putObject("frameAgeMs");
        age.put("p50", round(Percentiles.of(o.frameAgeMs(), 50)));
        age.put("p99", round(Percentiles.of(o.frameAgeMs(), 99)));
        age.put("max", java.util.Arrays.stream(o.frameAgeMs()).max().orElse(0));
        node.put("tokensPerFrame", round(o.tokensPerFrame()));
        node.put("psnrDb", round(o.psnrDb()));
        node.put("psnrSamples", o.psnrSamples());
        var seconds = node.putArray("perSecond");
        for (OverloadResult.Second s : o.seconds()) {
            ObjectNode sn = seconds.addObject();
            sn.put("second", s.second());
            sn.put("deltas", s.deltas());
            sn.put("frameAgeMsP99", round(s.frameAgeMsP99()));
            sn.put("frameAgeMsMax", s.frameAgeMsMax());
            sn.put("budgetScale", round(s.budgetScale()));
            sn.put("skipped", s.skipped());
        }
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
                        + " ms, broker log in "
                        + settings.brokerDirName()
                        + (paceSource != null
                                ? ", paced at " + paceSource
                                : settings.throughputRun()
                                        ? ", paced at half the measured throughput"
                                        : ""));
        for (var e : runs.entrySet()) {
            List<RunResult> results = e.getValue();
            double[] p99s =
                    results.stream()
                            .mapToDouble(r -> Percentiles.of(r.latencyMicros(), 99) / 1000.0)
                            .toArray();
            long[] inJob =
                    results.stream().flatMapToLong(r -> LongStream.of(r.inJobMicros())).toArray();
            out.printf(
                    Locale.ROOT,
                    "latency %s: p99 per run %s ms (median %.1f); in the job (capture to emit)"
                            + " p50 %.1f p99 %.1f ms%n",
                    e.getKey(),
                    java.util.Arrays.toString(
                            java.util.Arrays.stream(p99s).map(v -> Math.round(v)).toArray()),
                    Percentiles.median(p99s),
                    Percentiles.of(inJob, 50) / 1000.0,
                    Percentiles.of(inJob, 99) / 1000.0);
        }
        for (var e : overloads.entrySet()) {
            OverloadResult o = e.getValue();
            out.printf(
                    Locale.ROOT,
                    "overload %s %.1fx (%.0f frames/s): in %d, tokenized %d, skipped %d,"
                            + " unaccounted %d, gaps %d; frame age p50/p99/max %.0f/%.0f/%d ms;"
                            + " %.1f tokens/frame; PSNR %.2f dB%n",
                    e.getKey(),
                    o.factor(),
                    o.offeredFps(),
                    o.framesIn(),
                    o.framesTokenized(),
                    o.framesSkipped(),
                    o.framesUnaccounted(),
                    o.gaps(),
                    Percentiles.of(o.frameAgeMs(), 50),
                    Percentiles.of(o.frameAgeMs(), 99),
                    java.util.Arrays.stream(o.frameAgeMs()).max().orElse(0),
                    o.tokensPerFrame(),
                    o.psnrDb());
        }
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
