package dev.deltatok.cli;

import dev.deltatok.camera.CameraPublisher;
import dev.deltatok.camera.LiveCamera;
import dev.deltatok.eval.ImageQuality;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.job.EmbeddedCluster;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltatok demo}: everything on one machine: a Kafka broker (child JVM), the tokenizer job
 * on a Flink MiniCluster, paced synthetic cameras, and a consumer holding mirrors; a live progress
 * line, then a summary per camera.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs deltatok end to end on this machine: starts a Kafka broker (KRaft, child JVM,"
                    + " data in a temporary folder removed on exit), the tokenizer job on a Flink"
                    + " MiniCluster with the default model, N cameras publishing frames, and a"
                    + " read_committed consumer applying the token deltas to mirrors.",
            "Shows a live progress line (frames in, deltas out, tokens per frame against the full"
                    + " grid, rejected, latency from send to delta read), then a summary per"
                    + " camera. Ctrl-C stops everything cleanly."
        })
final class DemoCommand implements Callable<Integer> {

    /** The built-in scenes the cameras cycle through. */
    static final List<String> SCENES =
            List.of("corridor", "busy", "lighting", "noise", "cut", "pan", "static");

    @Spec CommandSpec spec;

    @Option(
            names = "--cameras",
            defaultValue = "8",
            paramLabel = "N",
            description = "Cameras (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(
            names = "--fps",
            defaultValue = "10",
            paramLabel = "F",
            description = "Frames per second per camera (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(
            names = "--seconds",
            defaultValue = "30",
            paramLabel = "S",
            description = "How long the cameras publish (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--input",
            paramLabel = "SOURCE",
            arity = "1..*",
            description =
                    "Sources the cameras cycle through: synthetic:NAME, image folders, video"
                            + " files (default: the built-in scenes "
                            + "corridor, busy, lighting, noise, cut, pan, static).")
    List<String> inputs = new ArrayList<>();

    @Option(
            names = "--size",
            defaultValue = "256x256",
            paramLabel = "WxH",
            description = "Frame size of scenes and videos (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "1s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Flink checkpoint interval; deltas become visible to read_committed readers"
                            + " when a checkpoint completes (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--model",
            paramLabel = "MANIFEST",
            description = "A model manifest; default: the model shipped in the jar.")
    String model;

    @Option(
            names = "--view",
            description =
                    "Also serve the live viewer (deltatok view) while the demo runs; its URL is"
                            + " printed at start.")
    boolean view;

    @Option(
            names = "--view-port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description =
                    "Port of the viewer with --view; 0 = any free one (default: ${DEFAULT-VALUE}).")
    int viewPort;

    @Option(
            names = "--bind-address",
            defaultValue = EmbeddedCluster.LOOPBACK,
            paramLabel = "ADDRESS",
            description =
                    "Address of the Flink web UI / REST endpoint (which can submit and cancel jobs"
                            + " without authentication) and of the viewer: 0.0.0.0 exposes them on"
                            + " every interface. The broker and Flink's other ports stay on"
                            + " loopback (default: ${DEFAULT-VALUE}, this machine only).")
    String bindAddress;

    /** What the last run measured; read by tests. */
    volatile Summary summary;

    /** One camera's row of the summary. */
    record CameraRow(
            String cameraId,
            String source,
            long framesSent,
            long deltas,
            long skipped,
            long degraded,
            long keyframes,
            double tokensPerFrame,
            double gridFraction,
            long gaps,
            double psnrDb) {}

    /** The summary: rows per camera and overall figures. */
    record Summary(
            List<CameraRow> rows,
            long framesSent,
            long deltas,
            long rejected,
            long gaps,
            double tokensPerFrame,
            double gridFraction,
            double latencyP50Ms,
            double latencyP99Ms,
            double wallSeconds) {}

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Clock clock;
    private volatile boolean interrupted;

    DemoCommand() {
        this(Clock.systemUTC());
    }

    /**
     * @param clock stamps the cameras' frames and reads the time deltas arrive, for latency
     */
    DemoCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int[] wh;
        try {
            Limits.checkCameras(cameras);
            Limits.checkFps(fps);
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("--seconds must be above 0, got " + seconds);
            }
            wh = Limits.parseSize(size);
        } catch (IllegalArgumentException e) {
            err.println("deltatok demo: " + e.getMessage());
            return 2;
        }
        List<String> sources = new ArrayList<>();
        if (inputs.isEmpty()) {
            SCENES.forEach(s -> sources.add("synthetic:" + s));
        } else {
            sources.addAll(inputs);
        }
        quietLogs();
        long startNanos = System.nanoTime();
        Thread hook = new Thread(this::interrupt, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        List<LiveCamera> live = new ArrayList<>();
        KafkaBroker broker = null;
        JobClient job = null;
        Thread viewer = null;
        ViewCommand viewCommand = new ViewCommand(clock);
        try {
            for (int c = 0; c < cameras; c++) {
                String source = sources.get(c % sources.size());
                try {
                    live.add(LiveCamera.open(source, "cam-" + c, wh[0], wh[1], true, null, clock));
                } catch (IllegalArgumentException | IOException e) {
                    err.println("deltatok demo: " + e.getMessage());
                    return 2;
                }
            }
            status(err, "starting a Kafka broker (child JVM)...");
            broker = KafkaBroker.start();
            String bootstrap = broker.bootstrapServers();
            TokenizerConfig config = config(bootstrap);
            Topics.check(config, true);
            status(
                    err,
                    "Kafka at " + bootstrap + "; starting the tokenizer job on a MiniCluster...");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            EmbeddedCluster.configuration(config, bindAddress));
            job = TokenizerJob.start(env, config);
            if (view) {
                viewer = startViewer(err, config, viewCommand);
            }
            if (interrupted) {
                return 130;
            }
            summary = run(err, config, live, sources, startNanos);
        } finally {
            if (viewer != null) {
                viewCommand.stop();
                viewer.join(15_000);
            }
            status(err, "stopping: job, Kafka broker...");
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the MiniCluster goes down with the JVM or the next step anyway
                }
            }
            if (broker != null) {
                broker.close();
            }
            for (LiveCamera c : live) {
                c.close();
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        print(out, summary);
        return interrupted ? 130 : 0;
    }

    /**
     * Keeps Flink's and Kafka's start-up and metric warnings off the progress line, unless the user
     * asked for logs with {@code DELTATOK_LOG_LEVEL}.
     */
    private static void quietLogs() {
        if (System.getenv("DELTATOK_LOG_LEVEL") != null) {
            return;
        }
        Configurator.setLevel("org.apache.flink", Level.ERROR);
        Configurator.setLevel("org.apache.kafka", Level.ERROR);
        Configurator.setLevel("dev.deltatok", Level.WARN);
    }

    private void interrupt() {
        interrupted = true;
        try {
            stopped.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code deltatok view} on the demo's deltas and frames topics until interrupted. */
    private Thread startViewer(PrintWriter err, TokenizerConfig config, ViewCommand command) {
        Thread viewer =
                new Thread(
                        () ->
                                new CommandLine(command)
                                        .setErr(err)
                                        .setOut(spec.commandLine().getOut())
                                        .execute(
                                                "--bootstrap-servers",
                                                config.bootstrapServers(),
                                                "--topic",
                                                config.deltasTopic(),
                                                "--frames-topic",
                                                config.framesTopic(),
                                                "--from-beginning",
                                                "--port",
                                                Integer.toString(viewPort),
                                                "--bind-address",
                                                bindAddress,
                                                // the demo's own broker is PLAINTEXT, whatever
                                                // $DELTATOK_KAFKA_PROPERTIES says
                                                KafkaConnection.PROPERTIES_FILE_OPTION,
                                                ""),
                        "demo-viewer");
        viewer.setDaemon(true);
        viewer.start();
        return viewer;
    }

    private TokenizerConfig config(String bootstrap) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--kafka.bootstrap-servers", bootstrap));
        args.addAll(List.of("--checkpoint.interval", checkpointInterval.toMillis() + "ms"));
        args.addAll(List.of("--kafka.starting-offsets", "EARLIEST"));
        if (model != null) {
            args.addAll(List.of("--model.manifest", model));
        }
        return TokenizerConfig.fromConfiguration(
                TokenizerConfig.parseArgs(args.toArray(String[]::new)));
    }

    private Summary run(
            PrintWriter err,
            TokenizerConfig config,
            List<LiveCamera> live,
            List<String> sources,
            long startNanos)
            throws Exception {
        String bootstrap = config.bootstrapServers();
        DeltaFollower follower =
                new DeltaFollower(
                        w -> {
                            err.println();
                            err.println("deltatok demo: " + w);
                        });
        AtomicLong rejected = new AtomicLong();
        CameraPublisher publisher;
        CameraPublisher.Stats sent;
        try (KafkaProducer<String, Frame> producer =
                        Clients.frameProducer(config.kafkaConnection());
                KafkaConsumer<String, TokenDelta> deltas =
                        Clients.deltaConsumer(config.kafkaConnection());
                KafkaConsumer<String, RejectedFrame> rejects =
                        Clients.rejectedConsumer(config.kafkaConnection())) {
            deltas.subscribe(List.of(config.deltasTopic()));
            rejects.subscribe(List.of(config.rejectedTopic()));
            long frames = Math.max(1, Math.round(fps * seconds));
            publisher =
                    CameraPublisher.builder(live, producer, config.framesTopic())
                            .fps(fps)
                            .maxFrames(frames)
                            .threadName("demo")
                            .build();
            sent = publisher.stats();
            status(
                    err,
                    "publishing "
                            + live.size()
                            + " camera(s) at "
                            + fps
                            + " fps for "
                            + seconds
                            + " s; Ctrl-C stops");
            publisher.start();
            long lastPrint = 0;
            long drainDeadline = Long.MAX_VALUE;
            while (true) {
                for (ConsumerRecord<String, TokenDelta> r : deltas.poll(Duration.ofMillis(100))) {
                    follower.accept(r.value(), clock.instant());
                }
                rejected.addAndGet(rects(rejects));
                long now = System.nanoTime();
                if (now - lastPrint >= 1_000_000_000L) {
                    progress(err, follower, sent, rejected.get(), (now - startNanos) / 1e9);
                    lastPrint = now;
                }
                boolean producing = publisher.isPublishing();
                if (interrupted) {
                    publisher.stop();
                    break;
                }
                if (!producing && drainDeadline == Long.MAX_VALUE) {
                    producer.flush();
                    // deltas appear when the checkpoint after the last frame commits
                    drainDeadline = now + Duration.ofSeconds(30).toNanos();
                }
                if (!producing
                        && (follower.deltas() + rejected.get() >= sent.acked()
                                || now > drainDeadline)) {
                    break;
                }
            }
            publisher.join(5000);
            progress(err, follower, sent, rejected.get(), (System.nanoTime() - startNanos) / 1e9);
            err.println();
            if (sent.sourceError() != null) {
                err.println("deltatok demo: a camera source failed: " + sent.sourceError());
            }
            if (sent.kafkaError() != null) {
                err.println("deltatok demo: Kafka refused frames: " + sent.kafkaError());
            }
        }
        List<CameraRow> rows = new ArrayList<>();
        try (OnnxTokenizerModel tokenizer =
                OnnxTokenizerModel.loadDefault(
                        config.modelManifest(), OnnxTokenizerModel.Options.DEFAULT)) {
            FrameDecoder decoder =
                    new FrameDecoder(
                            config.settings().frameLimits(),
                            tokenizer.spec().frameWidth(),
                            tokenizer.spec().frameHeight());
            int i = 0;
            for (LiveCamera camera : live) {
                String id = camera.cameraId();
                DeltaFollower.CameraStats s = follower.cameras().get(id);
                double psnr = Double.NaN;
                Frame last = publisher.lastFrame(id);
                var held = follower.mirror().camera(id);
                if (last != null
                        && held.isPresent()
                        && held.get().synced()
                        && held.get().lastFrameSeq() == last.getSeq()) {
                    RgbImage truth = decoder.decode(last);
                    psnr = ImageQuality.psnrDb(follower.mirror().reconstruct(id, tokenizer), truth);
                }
                rows.add(
                        new CameraRow(
                                id,
                                sources.get(i++ % sources.size()),
                                publisher.published(id),
                                s == null ? 0 : s.deltas,
                                s == null ? 0 : s.skipped,
                                s == null ? 0 : s.degraded,
                                s == null ? 0 : s.keyframes,
                                s == null ? 0 : s.tokensPerFrame(),
                                s == null ? 0 : s.gridFraction(),
                                s == null ? 0 : s.gaps,
                                psnr));
            }
        }
        long deltaCount = follower.deltas();
        int grid = follower.cameras().values().stream().mapToInt(c -> c.gridTokens).max().orElse(0);
        double tpf = deltaCount == 0 ? 0 : (double) follower.tokens() / deltaCount;
        return new Summary(
                rows,
                sent.sent(),
                deltaCount,
                rejected.get(),
                follower.gaps(),
                tpf,
                grid == 0 ? 0 : tpf / grid,
                follower.latencies().percentileMs(50),
                follower.latencies().percentileMs(99),
                (System.nanoTime() - startNanos) / 1e9);
    }

    private static long rects(KafkaConsumer<String, RejectedFrame> rejects) {
        return rejects.poll(Duration.ZERO).count();
    }

    private static void status(PrintWriter err, String line) {
        err.println("deltatok demo: " + line);
        err.flush();
    }

    private static void progress(
            PrintWriter err,
            DeltaFollower follower,
            CameraPublisher.Stats sent,
            long rejected,
            double elapsed) {
        long deltas = follower.deltas();
        int grid = follower.cameras().values().stream().mapToInt(c -> c.gridTokens).max().orElse(0);
        double tpf = deltas == 0 ? 0 : (double) follower.tokens() / deltas;
        double[] lat = follower.latencies().interval();
        err.printf(
                Locale.ROOT,
                "\r%5.1fs  frames in %6d  deltas out %6d  tokens/frame %6.1f of %d (%5.2f%%)"
                        + "  rejected %d  gaps %d  latency p50 %s p99 %s   ",
                elapsed,
                sent.acked(),
                deltas,
                tpf,
                grid,
                grid == 0 ? 0 : 100 * tpf / grid,
                rejected,
                follower.gaps(),
                ms(lat[0]),
                ms(lat[1]));
        err.flush();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0fms", v);
    }

    static void print(PrintWriter out, Summary s) {
        if (s == null) {
            return;
        }
        out.printf(
                Locale.ROOT,
                "%-8s %-20s %7s %7s %7s %5s %10s %8s %5s %9s%n",
                "camera",
                "source",
                "frames",
                "deltas",
                "skipped",
                "key",
                "tok/frame",
                "of grid",
                "gaps",
                "psnr dB");
        for (CameraRow r : s.rows()) {
            out.printf(
                    Locale.ROOT,
                    "%-8s %-20s %7d %7d %7d %5d %10.1f %7.2f%% %5d %9s%n",
                    r.cameraId(),
                    r.source().length() > 20
                            ? "..." + r.source().substring(r.source().length() - 17)
                            : r.source(),
                    r.framesSent(),
                    r.deltas(),
                    r.skipped(),
                    r.keyframes(),
                    r.tokensPerFrame(),
                    100 * r.gridFraction(),
                    r.gaps(),
                    Double.isNaN(r.psnrDb())
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", r.psnrDb()));
        }
        out.printf(
                Locale.ROOT,
                "%-8s %-20s %7d %7d %7d %5s %10.1f %7.2f%% %5d%n",
                "all",
                "",
                s.framesSent(),
                s.deltas(),
                s.rows().stream().mapToLong(CameraRow::skipped).sum(),
                "",
                s.tokensPerFrame(),
                100 * s.gridFraction(),
                s.gaps());
        out.printf(
                Locale.ROOT,
                "rejected %d; latency send -> delta read: p50 %s, p99 %s; wall %.1f s%n",
                s.rejected(),
                ms(s.latencyP50Ms()),
                ms(s.latencyP99Ms()),
                s.wallSeconds());
        out.flush();
    }
}
