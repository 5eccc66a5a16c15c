package dev.deltatok.cli;

import dev.deltatok.bench.BenchReport;
import dev.deltatok.bench.BenchRunner;
import dev.deltatok.bench.BenchSettings;
import dev.deltatok.bench.RunResult;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.PixelFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltatok bench}: the tokenizer job against its baselines (full-grid tokenisation and an
 * identity job of the same shape) on a real broker and a MiniCluster, side by side in one run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the tokenizer job end to end on this machine: a Kafka broker (child JVM), a"
                    + " MiniCluster job per run, N synthetic cameras. Reports frames per second"
                    + " the job tokenized (from the emit time of every delta a read_committed"
                    + " consumer reads), latency from send to visible"
                    + " (p50/p95/p99), tokens and bytes per frame, CPU seconds (this JVM plus the"
                    + " broker's) and peak memory.",
            "--fps max (default) pre-produces a backlog and measures throughput in every run,"
                    + " then latency with frames paced at half the median throughput over the runs"
                    + " (or at --rate frames per second); --fps F paces every camera at F frames"
                    + " per second for both.",
            "--overload F adds one window per mode publishing at F times its median throughput"
                    + " and reports frame age, frames tokenized and skipped, budget and PSNR.",
            "--format JPEG --size 1280x720 publishes what cameras send (see deltatok ingest);"
                    + " --input VIDEO takes frames from a real clip instead of a scene.",
            "Modes: delta (the tokenizer), full (every patch every frame), identity (the same"
                    + " job shape with a pass-through instead of the tokenizer), all (the three,"
                    + " interleaved run by run, with ratios)."
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--cameras",
            defaultValue = "8",
            paramLabel = "N",
            description = "Synthetic cameras (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(
            names = "--fps",
            defaultValue = "max",
            paramLabel = "F|max",
            converter = FpsConverter.class,
            description =
                    "Frames per second per camera, or max for a throughput run"
                            + " (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            paramLabel = "S",
            description = "Measurement window per run (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--size",
            defaultValue = "256",
            paramLabel = "N|WxH",
            description =
                    "Frame size as published; the job resizes to the model's input"
                            + " (default: ${DEFAULT-VALUE}, i.e. 256x256).")
    String size;

    @Option(
            names = "--scene",
            defaultValue = "corridor",
            paramLabel = "NAME",
            description =
                    "Built-in scene every camera shows, with its own seed: static,"
                            + " corridor, busy, noise, lighting, cut, pan (default: ${DEFAULT-VALUE}).")
    String scene;

    @Option(
            names = "--format",
            defaultValue = "RGB24",
            paramLabel = "RGB24|JPEG|PNG",
            description =
                    "Pixel format published; JPEG and PNG frames are encoded ahead, "
                            + BenchRunner.RECORDED_FRAMES_TEXT
                            + " per camera, and replayed (default: ${DEFAULT-VALUE}).")
    PixelFormat format;

    @Option(
            names = "--input",
            paramLabel = "VIDEO",
            description =
                    "Frames from a video file (decoded by ffmpeg at --size) instead of --scene;"
                            + " each camera starts at a different offset in it.")
    Path input;

    @Option(
            names = "--mode",
            defaultValue = "all",
            paramLabel = "MODE",
            description = "delta, full, identity or all (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(
            names = "--runs",
            defaultValue = "3",
            paramLabel = "R",
            description =
                    "Runs per mode; medians and min-max over them (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--warm-up-runs",
            defaultValue = "1",
            paramLabel = "W",
            description =
                    "Windows per mode run before the measured runs and not reported: the JIT"
                            + " compiles each mode's code in them, so the first measured run is"
                            + " not the slowest by construction (default: ${DEFAULT-VALUE}).")
    int warmUpRuns;

    @Option(
            names = "--broker-dir",
            paramLabel = "DIR",
            description =
                    "Folder the bench's broker keeps its log in (default: /dev/shm, in memory, when"
                            + " it has 4 GiB free, so the job is not measured through this"
                            + " machine's disk writeback; else the temp folder).")
    Path brokerDir;

    @Option(
            names = "--delivery",
            defaultValue = "exactly-once",
            paramLabel = "GUARANTEE",
            description =
                    "exactly-once (transactions, visible at each checkpoint) or"
                            + " at-least-once (default: ${DEFAULT-VALUE}).")
    String delivery;

    @Option(
            names = "--state-backend",
            defaultValue = "hashmap",
            paramLabel = "BACKEND",
            description = "hashmap or rocksdb (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "1s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Flink checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            paramLabel = "P",
            description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--backlog-rate",
            defaultValue = "600",
            paramLabel = "FRAMES",
            description =
                    "Throughput runs pre-produce this many frames per second of window,"
                            + " at most 1 GiB of frame data (default: ${DEFAULT-VALUE}).")
    int backlogRate;

    @Option(
            names = "--job-option",
            paramLabel = "KEY=VALUE",
            description = "More job options, e.g. --job-option tokenizer.change-threshold=8.")
    List<String> jobOptions = new ArrayList<>();

    @Option(
            names = "--jfr",
            paramLabel = "PREFIX",
            description =
                    "Record each throughput window with Java Flight Recorder (profile settings)"
                            + " to PREFIX-MODE-N.jfr; summarise with bench/jfr_summary.py.")
    String jfr;

    @Option(
            names = "--rate",
            defaultValue = "0",
            paramLabel = "FRAMES_PER_S",
            description =
                    "Total frames per second of the latency phase of a throughput run; 0 (default)"
                            + " paces at half the median throughput over the runs.")
    double rate;

    @Option(
            names = "--overload",
            defaultValue = "0",
            paramLabel = "F",
            description =
                    "After the runs, publish at F times each mode's median throughput for"
                            + " --seconds and report what the tokenizer did (0: no overload window).")
    double overload;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results as JSON to FILE.")
    Path json;

    /** What the last invocation measured; read by tests. */
    volatile Map<String, List<RunResult>> results;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            err.println("deltatok bench: " + e.getMessage());
            return 2;
        }
        quietLogs();
        BenchRunner runner =
                new BenchRunner(
                        settings,
                        line -> {
                            err.println("deltatok bench: " + line);
                            err.flush();
                        });
        results = runner.run();
        BenchReport report =
                new BenchReport(settings, results, pacedAt(runner), runner.overloads());
        report.print(out);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, report.json());
            err.println("deltatok bench: wrote " + json);
        }
        return 0;
    }

    BenchSettings settings() {
        Limits.checkCameras(cameras);
        if (warmUpRuns < 0) {
            throw new IllegalArgumentException("--warm-up-runs must be 0 or more");
        }
        if (!(seconds > 0) || runs < 1 || parallelism < 1 || backlogRate < 1) {
            throw new IllegalArgumentException(
                    "--seconds, --runs, --parallelism and --backlog-rate must be above 0");
        }
        if (!(rate >= 0) || !(overload >= 0) || (overload > 0 && overload < 1)) {
            throw new IllegalArgumentException(
                    "--rate must be >= 0 and --overload 0 or >= 1, got --rate "
                            + rate
                            + " --overload "
                            + overload);
        }
        int[] wh = Limits.parseSize(size.contains("x") ? size : size + "x" + size);
        if (input != null && !Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no such video file: " + input);
        }
        if (format != PixelFormat.RGB24
                && format != PixelFormat.JPEG
                && format != PixelFormat.PNG) {
            throw new IllegalArgumentException(
                    "--format must be RGB24, JPEG or PNG, got " + format);
        }
        if (!SyntheticScenes.names().contains(scene)) {
            throw new IllegalArgumentException(
                    "unknown --scene '" + scene + "'; known: " + SyntheticScenes.names());
        }
        List<String> modes =
                switch (mode.toLowerCase(Locale.ROOT)) {
                    case "all" -> BenchSettings.MODES;
                    case "delta", "full", "identity" -> List.of(mode.toLowerCase(Locale.ROOT));
                    default ->
                            throw new IllegalArgumentException(
                                    "--mode must be delta, full, identity or all, got '"
                                            + mode
                                            + "'");
                };
        boolean exactlyOnce =
                switch (delivery.toLowerCase(Locale.ROOT)) {
                    case "exactly-once", "exactly_once" -> true;
                    case "at-least-once", "at_least_once" -> false;
                    default ->
                            throw new IllegalArgumentException(
                                    "--delivery must be exactly-once or at-least-once, got '"
                                            + delivery
                                            + "'");
                };
        boolean rocksDb =
                switch (stateBackend.toLowerCase(Locale.ROOT)) {
                    case "hashmap" -> false;
                    case "rocksdb" -> true;
                    default ->
                            throw new IllegalArgumentException(
                                    "--state-backend must be hashmap or rocksdb, got '"
                                            + stateBackend
                                            + "'");
                };
        List<String> extra = new ArrayList<>();
        for (String o : jobOptions) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--job-option must be KEY=VALUE, got '" + o + "'");
            }
            extra.add("--" + o.substring(0, eq));
            extra.add(o.substring(eq + 1));
        }
        return new BenchSettings(
                cameras,
                fps,
                seconds,
                wh[0],
                wh[1],
                scene,
                modes,
                runs,
                exactlyOnce,
                rocksDb,
                checkpointInterval,
                parallelism,
                backlogRate,
                1L << 30,
                extra,
                jfr,
                format,
                input == null ? null : input.toString(),
                rate,
                overload,
                warmUpRuns,
                BenchSettings.brokerDirFor(brokerDir, SHM, freeBytes(SHM)));
    }

    private static final Path SHM = Path.of("/dev/shm");

    /** Usable bytes of the file system at {@code dir}, or -1 when it is not a writable folder. */
    private static long freeBytes(Path dir) {
        try {
            return Files.isDirectory(dir) && Files.isWritable(dir)
                    ? Files.getFileStore(dir).getUsableSpace()
                    : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static String pacedAt(BenchRunner runner) {
        StringBuilder out = new StringBuilder();
        runner.paces()
                .forEach(
                        (mode, fps) ->
                                out.append(out.length() == 0 ? "" : ", ")
                                        .append(
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.1f frames/s (%s)",
                                                        fps,
                                                        mode)));
        return out + " = " + runner.paceSource();
    }

    /** Keeps Flink's and Kafka's start-up noise off the output unless DELTATOK_LOG_LEVEL is set. */
    private static void quietLogs() {
        if (System.getenv("DELTATOK_LOG_LEVEL") != null) {
            return;
        }
        Configurator.setLevel("org.apache.flink", Level.ERROR);
        Configurator.setLevel("org.apache.kafka", Level.ERROR);
        Configurator.setLevel("dev.deltatok", Level.WARN);
    }
}
