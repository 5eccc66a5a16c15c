package dev.deltatok.bench;

import dev.deltatok.camera.CameraPublisher;
import dev.deltatok.camera.LiveCamera;
import dev.deltatok.eval.ImageQuality;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameLimits;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.job.EmbeddedCluster;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import dev.deltatok.mirror.MirrorSyncException;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.FrameSerde;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs {@code deltatok bench}: one real Kafka broker (child JVM) for the whole invocation, and per
 * run and mode a fresh set of topics and a fresh MiniCluster job. A throughput run pre-produces a
 * backlog, starts the job and reads deltas with a read_committed consumer for {@code seconds},
 * taking frames per second from the emit times they carry ({@link EmitWindow}); each mode first
 * runs {@code warmUpRuns} windows that are not reported. Then a second job on fresh topics gets
 * frames paced at half the median rate, and the latency from send (the frame's capture time,
 * stamped just before {@code send}) to the delta being read is recorded. A paced run ({@code fps >
 * 0}) does both on one job at the given rate.
 */
public final class BenchRunner {

    /** Attribute holding the send time of a frame in epoch microseconds. */
    public static final String SEND_TIME_ATTRIBUTE = "deltatok.sendTimeMicros";

    private static final Duration WARM_UP = Duration.ofSeconds(1);

    private final BenchSettings settings;
    private final Consumer<String> log;
    private int recordings;

    public BenchRunner(BenchSettings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * Runs every mode {@code runs} times, interleaved; results per mode in run order. A throughput
     * run first measures every run's throughput, then paces every latency phase of a mode at one
     * sustainable rate: {@code --rate}, or half the mode's median throughput over the runs (so one
     * fast window does not turn its own latency phase into an overload).
     */
    public Map<String, List<RunResult>> run() throws Exception {
        Map<String, List<RunResult>> results = new LinkedHashMap<>();
        settings.modes().forEach(m -> results.put(m, new ArrayList<>()));
        log.accept(
                "starting a Kafka broker (child JVM, log in " + settings.brokerDirName() + ")...");
        try (KafkaBroker broker = KafkaBroker.startIn(settings.brokerDir())) {
            Optional<ProcessHandle> brokerProcess = ProcessStats.broker();
            String bootstrap = broker.bootstrapServers();
            Map<String, List<Window>> windows = new LinkedHashMap<>();
            settings.modes().forEach(m -> windows.put(m, new ArrayList<>()));
            for (int r = 0; r < settings.warmUpRuns(); r++) {
                for (String mode : settings.modes()) {
                    Window w =
                            guarded(
                                    broker,
                                    "warm-up run " + (r + 1) + " " + mode,
                                    () ->
                                            settings.throughputRun()
                                                    ? throughput(bootstrap, brokerProcess, mode)
                                                    : paced(
                                                            bootstrap,
                                                            brokerProcess,
                                                            mode,
                                                            settings.fps() * settings.cameras()));
                    log.accept(
                            String.format(
                                    Locale.ROOT,
                                    "warm-up %d %-8s %8.1f frames/s (not reported)",
                                    r + 1,
                                    mode,
                                    w.framesPerSecond()));
                }
            }
            if (settings.throughputRun()) {
                for (int r = 0; r < settings.runs(); r++) {
                    for (String mode : settings.modes()) {
                        ProcessStats.resetPeaks();
                        Window w =
                                guarded(
                                        broker,
                                        "run " + (r + 1) + " " + mode,
                                        () -> throughput(bootstrap, brokerProcess, mode));
                        w.recordPeaks(brokerProcess);
                        log.accept(
                                String.format(
                                        Locale.ROOT,
                                        "run %d %-8s %8.1f frames/s (throughput window)",
                                        r + 1,
                                        mode,
                                        w.framesPerSecond()));
                        windows.get(mode).add(w);
                    }
                }
            }
            for (String mode : settings.modes()) {
                double pace = pace(windows.get(mode));
                paces.put(mode, pace);
                log.accept(
                        String.format(
                                Locale.ROOT,
                                "%s: latency phases paced at %.1f frames/s (%s)",
                                mode,
                                pace,
                                paceSource()));
            }
            for (int r = 0; r < settings.runs(); r++) {
                for (String mode : settings.modes()) {
                    if (!settings.throughputRun()) {
                        ProcessStats.resetPeaks();
                    }
                    double pace = paces.get(mode);
                    Window paced =
                            guarded(
                                    broker,
                                    "run " + (r + 1) + " " + mode,
                                    () -> paced(bootstrap, brokerProcess, mode, pace));
                    Window window;
                    if (settings.throughputRun()) {
                        window = windows.get(mode).get(r);
                    } else {
                        paced.recordPeaks(brokerProcess);
                        window = paced;
                    }
                    RunResult result = result(mode, r, window, paced, pace);
                    log.accept(
                            String.format(
                                    Locale.ROOT,
                                    "run %d %-8s %8.1f frames/s  %7.1f tokens/frame  %7.0f B/frame"
                                            + "  cpu %5.1f s  latency p50 %s p99 %s at %.0f fps"
                                            + " (in job p50 %s p99 %s)",
                                    r + 1,
                                    mode,
                                    result.framesPerSecond(),
                                    result.tokensPerFrame(),
                                    result.bytesPerFrame(),
                                    result.cpuSeconds(),
                                    ms(Percentiles.of(result.latencyMicros(), 50)),
                                    ms(Percentiles.of(result.latencyMicros(), 99)),
                                    result.latencyLoadFps(),
                                    ms(Percentiles.of(result.inJobMicros(), 50)),
                                    ms(Percentiles.of(result.inJobMicros(), 99))));
                    results.get(mode).add(result);
                }
            }
            if (settings.overload() > 0) {
                for (String mode : settings.modes()) {
                    if (mode.equals("identity")) {
                        continue;
                    }
                    double base =
                            settings.throughputRun()
                                    ? Percentiles.median(
                                            windows.get(mode).stream()
                                                    .mapToDouble(Window::framesPerSecond)
                                                    .toArray())
                                    : settings.fps() * settings.cameras();
                    double offered = Math.max(1, base * settings.overload());
                    OverloadResult o =
                            guarded(
                                    broker,
                                    "overload " + mode,
                                    () -> overload(bootstrap, mode, offered));
                    overloads.put(mode, o);
                    log.accept(
                            String.format(
                                    Locale.ROOT,
                                    "overload %-8s %.1fx = %.0f frames/s: in %d, tokenized %d,"
                                            + " skipped %d, unaccounted %d, gaps %d, frame age"
                                            + " p50/p99/max %.0f/%.0f/%d ms, %.1f tokens/frame,"
                                            + " PSNR %.2f dB",
                                    mode,
                                    settings.overload(),
                                    offered,
                                    o.framesIn(),
                                    o.framesTokenized(),
                                    o.framesSkipped(),
                                    o.framesUnaccounted(),
                                    o.gaps(),
                                    Percentiles.of(o.frameAgeMs(), 50),
                                    Percentiles.of(o.frameAgeMs(), 99),
                                    java.util.Arrays.stream(o.frameAgeMs()).max().orElse(0),
                                    o.tokensPerFrame(),
                                    o.psnrDb()));
                }
            }
        }
        return results;
    }

    private final Map<String, Double> paces = new LinkedHashMap<>();
    private final Map<String, OverloadResult> overloads = new LinkedHashMap<>();

    /** Total frames per second each mode's latency phases were paced at. */
    public Map<String, Double> paces() {
        return paces;
    }

    /** The overload window of each mode, when {@code --overload} asked for one. */
    public Map<String, OverloadResult> overloads() {
        return overloads;
    }

    /** What the latency phases are paced at, in words. */
    public String paceSource() {
        if (!settings.throughputRun()) {
            return "--fps " + settings.fps() + " per camera";
        }
        return settings.rate() > 0 ? "--rate" : "half the median throughput over the runs";
    }

    private double pace(List<Window> throughputWindows) {
        if (!settings.throughputRun()) {
            return settings.fps() * settings.cameras();
        }
        if (settings.rate() > 0) {
            return settings.rate();
        }
        double median =
                Percentiles.median(
                        throughputWindows.stream().mapToDouble(Window::framesPerSecond).toArray());
        return Math.max(1, median / 2);
    }

    private RunResult result(String mode, int run, Window window, Window paced, double load) {
        return new RunResult(
                mode,
                run,
                window.framesPerSecond(),
                window.frames,
                window.cpuFrames >= 0 ? window.cpuFrames : window.frames,
                window.seconds,
                window.deltas == 0 ? 0 : (double) window.tokens / window.deltas,
                window.deltas == 0 ? 0 : (double) window.bytes / window.deltas,
                window.jvmCpuNanos / 1e9,
                window.brokerCpuNanos / 1e9,
                window.peakHeapMb,
                window.peakRssMb,
                window.brokerPeakRssMb,
                paced.latencies,
                paced.inJob,
                load);
    }

    private interface Phase<T> {
        T run() throws Exception;
    }

    private <T> T guarded(KafkaBroker broker, String what, Phase<T> phase) throws Exception {
        try {
            return phase.run();
        } catch (Exception | Error e) {
            log.accept(what + " failed; broker log ends with:");
            log.accept(tail(broker.logFile(), 40));
            throw e;
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (java.io.IOException | RuntimeException e) {
            return "(no broker log: " + e.getMessage() + ")";
        }
    }

    private static String ms(double micros) {
        return Double.isNaN(micros) ? "-" : String.format(Locale.ROOT, "%.0fms", micros / 1000.0);
    }

    /** What one phase saw. */
    private static final class Window {
        long deltas;
        // deltas that became visible between the two CPU readings (CPU per frame divides by it)
        long cpuFrames = -1;
        long tokens;
        long bytes;
        long frames;
        double seconds;
        long jvmCpuNanos;
        long brokerCpuNanos;
        long[] latencies = new long[0];
        long[] inJob = new long[0];
        double peakHeapMb;
        double peakRssMb;
        double brokerPeakRssMb;

        void recordPeaks(Optional<ProcessHandle> broker) {
            peakHeapMb = ProcessStats.peakHeapMb();
            peakRssMb = ProcessStats.peakRssMb(ProcessHandle.current().pid());
            brokerPeakRssMb = broker.map(p -> ProcessStats.peakRssMb(p.pid())).orElse(Double.NaN);
        }

        double framesPerSecond() {
            return seconds > 0 ? frames / seconds : 0;
        }
    }

    /** Pre-produces the backlog, then counts deltas for {@code seconds} (or until it drained). */
    private Window throughput(String bootstrap, Optional<ProcessHandle> broker, String mode)
            throws Exception {
        Topic topics = Topic.create(bootstrap);
        long perCamera;
        long total;
        CameraPublisher.Stats backlog;
        try (KafkaProducer<String, Frame> producer = frameProducer(bootstrap)) {
            CameraPublisher.Builder builder = publisher(producer, topics.frames);
            // The byte cap counts what the broker stores: a JPEG frame's bytes, not its pixels
            // (counting pixels left a 1280x720 JPEG backlog at one commit's worth of frames).
            perCamera =
                    settings.backlogFrames(
                                    recordedFrameBytes > 0
                                            ? recordedFrameBytes
                                            : (long) settings.width() * settings.height() * 3)
                            / settings.cameras();
            total = perCamera * settings.cameras();
            CameraPublisher publisher = builder.maxFrames(perCamera).build().start();
            publisher.join(Long.MAX_VALUE);
            producer.flush();
            backlog = publisher.stats();
        }
        if (backlog.kafkaError() != null || backlog.sourceError() != null) {
            throw new IllegalStateException(
                    "Kafka refused backlog frames",
                    backlog.kafkaError() != null ? backlog.kafkaError() : backlog.sourceError());
        }
        Window w = new Window();
        JobClient job = null;
        Recording recording = null;
        try (KafkaConsumer<String, TokenDelta> consumer = Clients.deltaConsumer(bootstrap)) {
            consumer.subscribe(List.of(topics.deltas));
            long cpu0 = 0;
            long broker0 = 0;
            long startNanos = System.nanoTime();
            job = start(mode, topics, true);
            long deadline = System.nanoTime() + startTimeout().toNanos();
            long firstNanos = 0;
            long firstCount = 0;
            long lastNanos = 0;
            long lastCount = 0;
            long count = 0;
            long[] emitted = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
            while (count < total) {
                var records = consumer.poll(Duration.ofMillis(50));
                long now = System.nanoTime();
                for (ConsumerRecord<String, TokenDelta> r : records) {
                    if (count < emitted.length) {
                        emitted[(int) count] = micros(r.value().getEmitTime());
                    }
                    count++;
                    w.deltas++;
                    w.tokens += r.value().getStats().getTokens();
                    w.bytes += r.serializedValueSize();
                }
                if (!records.isEmpty()) {
                    if (firstNanos == 0) {
                        // the window starts after the first batch: job start-up is not counted
                        firstNanos = now;
                        firstCount = count;
                        cpu0 = ProcessStats.jvmCpuNanos();
                        broker0 = ProcessStats.cpuNanos(broker);
                        recording = startRecording();
                        deadline = now + (long) (settings.seconds() * 1e9);
                    } else {
                        lastNanos = now;
                        lastCount = count;
                    }
                }
                if (now > deadline) {
                    if (firstNanos == 0) {
                        throw new IllegalStateException(
                                "no delta within " + startTimeout() + " of starting the job");
                    }
                    break;
                }
            }
            w.jvmCpuNanos = ProcessStats.jvmCpuNanos() - cpu0;
            w.brokerCpuNanos = ProcessStats.cpuNanos(broker) - broker0;
            stopRecording(recording, mode);
            w.cpuFrames = lastNanos > firstNanos ? lastCount - firstCount : count;
            EmitWindow emits =
                    EmitWindow.of(
                            Arrays.copyOf(emitted, (int) Math.min(count, emitted.length)),
                            WARM_UP.toNanos() / 1000);
            if (emits.frames() > 0) {
                w.frames = emits.frames();
                w.seconds = emits.seconds();
            } else if (lastNanos > firstNanos) {
                w.frames = lastCount - firstCount;
                w.seconds = (lastNanos - firstNanos) / 1e9;
            } else if (firstNanos > startNanos) {
                // the whole backlog came in one batch (one exactly-once commit): the window can
                // only run from the job's start, start-up included, so it errs low, never zero
                w.frames = count;
                w.seconds = (firstNanos - startNanos) / 1e9;
            }
        } finally {
            stop(job);
            topics.delete();
        }
        return w;
    }

    /**
     * Starts a job on fresh topics, publishes frames paced at {@code totalFps} (round robin over
     * the cameras), and after the first delta plus a warm-up second measures for {@code seconds}
     * (at least 2): throughput, and the latency of every frame sent in the window.
     */
    private Window paced(
            String bootstrap, Optional<ProcessHandle> broker, String mode, double totalFps)
            throws Exception {
        Topic topics = Topic.create(bootstrap);
        double seconds =
                settings.throughputRun()
                        ? Math.max(2, settings.seconds() / 2)
                        : Math.max(2, settings.seconds());
        Window w = new Window();
        JobClient job = null;
        CameraPublisher publisher = null;
        boolean stopped = false;
        try (KafkaProducer<String, Frame> producer = frameProducer(bootstrap);
                KafkaConsumer<String, TokenDelta> consumer = Clients.deltaConsumer(bootstrap)) {
            consumer.subscribe(List.of(topics.deltas));
            job = start(mode, topics, false);
            publisher =
                    publisher(producer, topics.frames, true)
                            .fps(totalFps / settings.cameras())
                            .daemon()
                            .build()
                            .start();
            long deadline = System.nanoTime() + startTimeout().toNanos();
            long measureFromMicros = Long.MAX_VALUE;
            long windowStart = 0;
            long windowEnd = Long.MAX_VALUE;
            long windowCount = 0;
            long cpu0 = 0;
            long broker0 = 0;
            long[] lat = new long[4096];
            long[] inJob = new long[4096];
            int n = 0;
            long seen = 0;
            while (true) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.nanoTime();
                Instant read = Instant.now();
                for (ConsumerRecord<String, TokenDelta> r : records) {
                    seen++;
                    TokenDelta d = r.value();
                    long captured = micros(d.getCaptureTime());
                    if (captured >= measureFromMicros) {
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                            inJob = Arrays.copyOf(inJob, n * 2);
                        }
                        inJob[n] = micros(d.getEmitTime()) - captured;
                        lat[n++] = micros(read) - captured;
                        if (!settings.throughputRun()) {
                            w.deltas++;
                            w.tokens += d.getStats().getTokens();
                            w.bytes += r.serializedValueSize();
                        }
                    }
                }
                if (windowStart == 0 && seen > 0) {
                    windowStart = now + WARM_UP.toNanos();
                    windowEnd = windowStart + (long) (seconds * 1e9);
                    measureFromMicros = micros(read) + WARM_UP.toNanos() / 1000;
                }
                if (windowStart != 0 && cpu0 == 0 && now >= windowStart) {
                    cpu0 = ProcessStats.jvmCpuNanos();
                    broker0 = ProcessStats.cpuNanos(broker);
                    windowCount = seen;
                }
                if (windowStart == 0 && now > deadline) {
                    throw new IllegalStateException(
                            "no delta within " + startTimeout() + " of starting the job");
                }
                if (now >= windowEnd && !stopped) {
                    stopped = true;
                    publisher.stop();
                    publisher.join(5000);
                    producer.flush();
                    w.jvmCpuNanos = ProcessStats.jvmCpuNanos() - cpu0;
                    w.brokerCpuNanos = ProcessStats.cpuNanos(broker) - broker0;
                    w.frames = seen - windowCount;
                    w.seconds = (now - windowStart) / 1e9;
                    // drain what was sent: it becomes visible within a checkpoint or so
                    deadline =
                            now
                                    + settings.checkpointInterval().toNanos() * 3
                                    + Duration.ofSeconds(10).toNanos();
                }
                if (stopped && (seen >= publisher.stats().sent() || now > deadline)) {
                    break;
                }
            }
            if (publisher.stats().kafkaError() != null) {
                throw new IllegalStateException(
                        "Kafka refused frames", publisher.stats().kafkaError());
            }
            w.latencies = Arrays.copyOf(lat, n);
            w.inJob = Arrays.copyOf(inJob, n);
        } finally {
            if (publisher != null) {
                publisher.stop();
            }
            stop(job);
            topics.delete();
        }
        return w;
    }

    /**
     * Publishes at {@code totalFps} for {@code seconds} after a warm-up and follows every delta:
     * frame age (emit minus capture time), skips and budget scale, gaps, and whether every frame
     * was tokenized or reported as skipped. Reading stops a grace period after the window, so
     * frames still waiting in Kafka then (the policy off) count as pending, not as tokenized. The
     * mirrors' PSNR is computed afterwards, from the deltas kept, so it does not load the job.
     */
    private OverloadResult overload(String bootstrap, String mode, double totalFps)
            throws Exception {
        Topic topics = Topic.create(bootstrap);
        double seconds = Math.max(2, settings.seconds());
        List<TokenDelta> all = new ArrayList<>();
        JobClient job = null;
        CameraPublisher publisher = null;
        long measureFrom = Long.MAX_VALUE;
        long measureTo = Long.MAX_VALUE;
        long sentAtStart = 0;
        long sentAtEnd = 0;
        try (KafkaProducer<String, Frame> producer = frameProducer(bootstrap);
                KafkaConsumer<String, TokenDelta> consumer = Clients.deltaConsumer(bootstrap)) {
            consumer.subscribe(List.of(topics.deltas));
            job = start(mode, topics, false);
            publisher =
                    publisher(producer, topics.frames)
                            .fps(totalFps / settings.cameras())
                            .daemon()
                            .build()
                            .start();
            long deadline = System.nanoTime() + startTimeout().toNanos();
            long windowStart = 0;
            long windowEnd = Long.MAX_VALUE;
            long stopReading = Long.MAX_VALUE;
            boolean stopped = false;
            while (true) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.nanoTime();
                for (ConsumerRecord<String, TokenDelta> r : records) {
                    all.add(r.value());
                }
                if (windowStart == 0 && !all.isEmpty()) {
                    windowStart = now + WARM_UP.toNanos();
                    windowEnd = windowStart + (long) (seconds * 1e9);
                    measureFrom = micros(Instant.now()) + WARM_UP.toNanos() / 1000;
                    measureTo = measureFrom + (long) (seconds * 1e6);
                }
                if (windowStart == 0 && now > deadline) {
                    throw new IllegalStateException(
                            "no delta within " + startTimeout() + " of starting the job");
                }
                if (windowStart != 0 && sentAtStart == 0 && now >= windowStart) {
                    sentAtStart = publisher.stats().sent();
                }
                if (now >= windowEnd && !stopped) {
                    stopped = true;
                    sentAtEnd = publisher.stats().sent();
                    publisher.stop();
                    publisher.join(5000);
                    producer.flush();
                    stopReading =
                            now
                                    + settings.checkpointInterval().toNanos() * 2
                                    + Duration.ofSeconds(5).toNanos();
                }
                if (now >= stopReading) {
                    break;
                }
            }
            if (publisher.stats().kafkaError() != null) {
                throw new IllegalStateException(
                        "Kafka refused frames", publisher.stats().kafkaError());
            }
        } finally {
            if (publisher != null) {
                publisher.stop();
            }
            stop(job);
            topics.delete();
        }
        return summarise(all, measureFrom, measureTo, sentAtEnd - sentAtStart, totalFps);
    }

    private OverloadResult summarise(
            List<TokenDelta> all, long fromMicros, long toMicros, long framesIn, double offered) {
        Map<String, long[]> last = new HashMap<>(); // camera -> {deltaSeq, frameSeq}
        long tokenized = 0;
        long skipped = 0;
        long unaccounted = 0;
        long gaps = 0;
        long tokens = 0;
        long[] ages = new long[all.size()];
        int n = 0;
        int bins = (int) Math.ceil((toMicros - fromMicros) / 1e6);
        List<List<Long>> binAges = new ArrayList<>();
        double[] binScale = new double[bins];
        long[] binSkipped = new long[bins];
        for (int b = 0; b < bins; b++) {
            binAges.add(new ArrayList<>());
        }
        for (TokenDelta d : all) {
            long[] prev = last.get(d.getCameraId());
            boolean inWindow =
                    micros(d.getCaptureTime()) >= fromMicros
                            && micros(d.getCaptureTime()) < toMicros;
            if (prev != null) {
                if (d.getDeltaSeq() != prev[0] + 1) {
                    gaps++;
                }
                if (inWindow) {
                    unaccounted +=
                            Math.abs(
                                    d.getFrameSeq()
                                            - prev[1]
                                            - 1
                                            - d.getStats().getSkippedFrames());
                }
            }
            last.put(d.getCameraId(), new long[] {d.getDeltaSeq(), d.getFrameSeq()});
            if (!inWindow) {
                continue;
            }
            tokenized++;
            skipped += d.getStats().getSkippedFrames();
            tokens += d.getStats().getTokens();
            long age = (micros(d.getEmitTime()) - micros(d.getCaptureTime())) / 1000;
            ages[n++] = age;
            int bin = (int) ((micros(d.getEmitTime()) - fromMicros) / 1_000_000);
            if (bin >= 0 && bin < bins) {
                binAges.get(bin).add(age);
                binScale[bin] += d.getStats().getBudgetScale();
                binSkipped[bin] += d.getStats().getSkippedFrames();
            }
        }
        List<OverloadResult.Second> perSecond = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            long[] a = binAges.get(b).stream().mapToLong(Long::longValue).toArray();
            perSecond.add(
                    new OverloadResult.Second(
                            b,
                            a.length,
                            Percentiles.of(a, 99),
                            Arrays.stream(a).max().orElse(0),
                            a.length == 0 ? Double.NaN : binScale[b] / a.length,
                            binSkipped[b]));
        }
        double[] psnr = psnr(all, fromMicros, toMicros);
        return new OverloadResult(
                settings.overload(),
                offered,
                framesIn,
                tokenized,
                skipped,
                unaccounted,
                gaps,
                Arrays.copyOf(ages, n),
                tokenized == 0 ? 0 : (double) tokens / tokenized,
                psnr[0],
                (int) psnr[1],
                perSecond);
    }

    /**
     * Mean PSNR of the mirror after up to 200 evenly spread deltas of the window, against the
     * source frame decoded to model resolution; {NaN, 0} when the job runs another model or the
     * frames are not the raw synthetic scene.
     */
    private double[] psnr(List<TokenDelta> all, long fromMicros, long toMicros) {
        if (settings.extraJobArgs().contains("--model.manifest")
                || settings.input() != null
                || settings.format() != PixelFormat.RGB24) {
            return new double[] {Double.NaN, 0};
        }
        long inWindow =
                all.stream()
                        .filter(
                                d ->
                                        micros(d.getCaptureTime()) >= fromMicros
                                                && micros(d.getCaptureTime()) < toMicros)
                        .count();
        long every = Math.max(1, inWindow / 200);
        TokenMirror mirror = new TokenMirror();
        Map<String, dev.deltatok.scene.SyntheticScene> scenes = new HashMap<>();
        double sum = 0;
        int samples = 0;
        long index = 0;
        try (OnnxTokenizerModel model =
                OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT)) {
            FrameDecoder decoder =
                    new FrameDecoder(
                            FrameLimits.defaults(),
                            model.spec().frameWidth(),
                            model.spec().frameHeight());
            for (TokenDelta d : all) {
                try {
                    mirror.apply(d);
                } catch (MirrorSyncException e) {
                    continue;
                }
                long captured = micros(d.getCaptureTime());
                if (captured < fromMicros || captured >= toMicros || index++ % every != 0) {
                    continue;
                }
                var scene =
                        scenes.computeIfAbsent(
                                d.getCameraId(),
                                c ->
                                        SyntheticScenes.create(
                                                settings.scene(),
                                                SyntheticScenes.seedFor(c),
                                                settings.width(),
                                                settings.height()));
                RgbImage truth = decoder.decode(scene.frame(d.getCameraId(), d.getFrameSeq()));
                sum += ImageQuality.psnrDb(mirror.reconstruct(d.getCameraId(), model), truth);
                samples++;
            }
        } catch (Exception e) {
            log.accept("PSNR not measured: " + e);
            return new double[] {Double.NaN, 0};
        }
        return new double[] {samples == 0 ? Double.NaN : sum / samples, samples};
    }

    /** Starts a JFR recording (profile settings) of this JVM when {@code --jfr} asked for one. */
    private Recording startRecording() throws Exception {
        if (settings.jfrPrefix() == null) {
            return null;
        }
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        // denser than the profile settings' 10-20 ms, so a 10 s window gives thousands of samples
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(2));
        recording.start();
        return recording;
    }

    /** Stops the recording and writes it to {@code PREFIX-MODE-N.jfr}. */
    private void stopRecording(Recording recording, String mode) throws Exception {
        if (recording == null) {
            return;
        }
        recording.stop();
        Path file = Path.of(settings.jfrPrefix() + "-" + mode + "-" + (++recordings) + ".jfr");
        recording.dump(file);
        recording.close();
        log.accept("profile of the throughput window written to " + file);
    }

    /**
     * A frame producer for the benchmark: not idempotent, one request in flight per connection (so
     * each camera's frames stay in order), long timeouts and an 8 MB buffer. Under load the
     * idempotent producer of {@link Clients#frameProducer} saw a request time out, then
     * OutOfOrderSequenceException on every retry until the batch expired (120 s); the bench only
     * needs ordered, complete delivery.
     */
    private static KafkaProducer<String, Frame> frameProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        // Small on purpose: when the broker cannot take frames as fast as asked, send() blocks
        // and the offered rate falls, instead of seconds of stamped frames queueing in this
        // producer where the job cannot see them (which would count as frame age).
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
        return new KafkaProducer<>(p, new StringSerializer(), new FrameSerde());
    }

    private Duration startTimeout() {
        return Duration.ofSeconds(120).plus(settings.checkpointInterval().multipliedBy(3));
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    /**
     * Mean data bytes of the frames the last {@link #publisher} recorded ahead; 0 when it renders
     * raw frames as it sends them.
     */
    private long recordedFrameBytes;

    /** Frames each camera renders ahead and replays when publishing JPEG or PNG. */
    static final int RECORDED_FRAMES = 48;

    /** {@link #RECORDED_FRAMES} for help texts. */
    public static final String RECORDED_FRAMES_TEXT = "48";

    /** Frames between the start offsets of consecutive cameras reading a video. */
    static final int VIDEO_OFFSET_FRAMES = 29;

    /**
     * The bench's cameras, {@code cam-0 .. cam-(N-1)}, sent round robin from one thread; each frame
     * carries its send time, the capture time stamped just before {@code send}, also as attribute
     * {@link #SEND_TIME_ATTRIBUTE}. Raw frames of a scene are rendered as they are sent, each
     * camera with its own seed. JPEG and PNG frames (and raw frames of a video) would cost the
     * publisher more than the job, so each camera encodes {@link #RECORDED_FRAMES} frames ahead,
     * camera {@code c} starting {@code c * VIDEO_OFFSET_FRAMES} frames into a video, and replays
     * them with fresh seqs and capture times.
     */
    private CameraPublisher.Builder publisher(KafkaProducer<String, Frame> producer, String topic)
            throws IOException {
        return publisher(producer, topic, false);
    }

    /**
     * {@link #publisher(KafkaProducer, String)}; with {@code recordRaw}, raw frames of a scene are
     * rendered ahead too ({@link #rawFramesAhead} per camera) and played forwards, then backwards,
     * so the picture never jumps: the latency phases measure the job, not the publisher rendering
     * scenes on the job's cores.
     */
    private CameraPublisher.Builder publisher(
            KafkaProducer<String, Frame> producer, String topic, boolean recordRaw)
            throws IOException {
        List<LiveCamera> cameras = new ArrayList<>();
        long recordedBytes = 0;
        long recordedCount = 0;
        boolean raw = settings.input() == null && settings.format() == PixelFormat.RGB24;
        boolean live = raw && !recordRaw;
        int ahead = raw ? rawFramesAhead() : RECORDED_FRAMES;
        String spec = settings.input() != null ? settings.input() : "synthetic:" + settings.scene();
        for (int c = 0; c < settings.cameras(); c++) {
            LiveCamera camera =
                    LiveCamera.open(
                            spec,
                            "cam-" + c,
                            settings.width(),
                            settings.height(),
                            true,
                            settings.format(),
                            Clock.systemUTC());
            if (live) {
                cameras.add(camera);
                continue;
            }
            try (camera) {
                if (settings.input() != null) {
                    for (int skip = 0; skip < c * VIDEO_OFFSET_FRAMES; skip++) {
                        camera.next();
                    }
                }
                List<Frame> recorded = new ArrayList<>();
                for (int i = 0; i < ahead; i++) {
                    recorded.add(camera.next());
                }
                recordedBytes += recorded.stream().mapToLong(f -> f.getData().remaining()).sum();
                recordedCount += recorded.size();
                cameras.add(
                        LiveCamera.of(
                                new ReplayedFrames("cam-" + c, recorded, raw, Clock.systemUTC()),
                                "cam-" + c));
            }
        }
        if (!raw) {
            recordedFrameBytes = recordedCount == 0 ? 0 : recordedBytes / recordedCount;
        }
        return CameraPublisher.builder(cameras, producer, topic)
                .oneThread()
                .threadName("bench-publisher")
                .beforeSend(BenchRunner::withSendTime);
    }

    /**
     * Raw frames rendered ahead per camera for a latency phase: 64, fewer where the cameras' frames
     * would pass 256 MiB of heap, at least 8.
     */
    int rawFramesAhead() {
        long frameBytes = (long) settings.width() * settings.height() * 3;
        long fit = (256L << 20) / Math.max(1, frameBytes * settings.cameras());
        return (int) Math.max(8, Math.min(64, fit));
    }

    /**
     * Recorded frames of one camera, endlessly (or forwards, then backwards), with a gap-free seq
     * and fresh capture times.
     */
    static final class ReplayedFrames implements dev.deltatok.eval.FrameSource {
        private final String cameraId;
        private final List<Frame> frames;
        private final boolean pingPong;
        private final Clock clock;
        private long seq;

        ReplayedFrames(String cameraId, List<Frame> frames, boolean pingPong, Clock clock) {
            this.cameraId = cameraId;
            this.frames = List.copyOf(frames);
            this.pingPong = pingPong && frames.size() > 1;
            this.clock = clock;
        }

        @Override
        public Frame next() {
            Frame f = frames.get(index(seq, frames.size(), pingPong));
            return Frame.newBuilder(f)
                    .setSeq(seq++)
                    .setCaptureTime(clock.instant())
                    .setData(f.getData().duplicate())
                    .build();
        }

        /** The recorded frame sent as the {@code seq}-th: in a loop, or forwards and back. */
        static int index(long seq, int count, boolean pingPong) {
            if (!pingPong || count < 2) {
                return (int) (seq % count);
            }
            int i = (int) (seq % (2L * count - 2));
            return i < count ? i : 2 * count - 2 - i;
        }

        @Override
        public String describe() {
            return cameraId + ": " + frames.size() + " recorded frames";
        }

        @Override
        public void close() {}
    }

    private static Frame withSendTime(Frame frame) {
        Map<String, String> attributes = new HashMap<>();
        frame.getAttributes().forEach((k, v) -> attributes.put(k.toString(), v.toString()));
        attributes.put(SEND_TIME_ATTRIBUTE, Long.toString(micros(frame.getCaptureTime())));
        return Frame.newBuilder(frame).setAttributes(attributes).build();
    }

    /**
     * Starts the job of a mode. {@code backlog}: the job reads a pre-produced backlog, whose frames
     * are old by design; the overload policy is then off (unless a {@code --job-option} says
     * otherwise), so that the window measures what the tokenizer can carry at full budget rather
     * than how far it degrades on stale frames.
     */
    private JobClient start(String mode, Topic topics, boolean backlog) throws Exception {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--kafka.bootstrap-servers", topics.bootstrap));
        args.addAll(List.of("--kafka.frames-topic", topics.frames));
        args.addAll(List.of("--kafka.deltas-topic", topics.deltas));
        args.addAll(List.of("--kafka.rejected-topic", topics.rejected));
        args.addAll(List.of("--kafka.group-id", topics.prefix));
        args.addAll(List.of("--kafka.transactional-id-prefix", topics.prefix));
        args.addAll(List.of("--kafka.starting-offsets", "EARLIEST"));
        args.addAll(
                List.of(
                        "--kafka.delivery",
                        settings.exactlyOnce() ? "EXACTLY_ONCE" : "AT_LEAST_ONCE"));
        args.addAll(List.of("--state.backend", settings.rocksDb() ? "ROCKSDB" : "HASHMAP"));
        args.addAll(
                List.of("--checkpoint.interval", settings.checkpointInterval().toMillis() + " ms"));
        args.addAll(List.of("--parallelism", Integer.toString(settings.parallelism())));
        args.addAll(List.of("--tokenizer.mode", mode.equals("full") ? "FULL" : "DELTA"));
        if (backlog) {
            args.addAll(List.of("--tokenizer.overload-policy", "OFF"));
        }
        args.addAll(settings.extraJobArgs());
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(args.toArray(String[]::new)));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        EmbeddedCluster.configuration(config));
        if (mode.equals("identity")) {
            IdentityPipeline.wire(env, config);
            return env.executeAsync("deltatok bench identity");
        }
        return TokenizerJob.start(env, config);
    }

    private static void stop(JobClient job) {
        if (job == null) {
            return;
        }
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // cancelled jobs end with an exception; the per-job MiniCluster goes down with it
        }
    }

    /**
     * One run's topics, created fresh and kept until the broker stops, which removes its data
     * folder.
     */
    private static final class Topic {
        final String bootstrap;
        final String prefix;
        final String frames;
        final String deltas;
        final String rejected;

        private Topic(String bootstrap, String prefix) {
            this.bootstrap = bootstrap;
            this.prefix = prefix;
            this.frames = prefix + ".frames";
            this.deltas = prefix + ".deltas";
            this.rejected = prefix + ".rejected";
        }

        static Topic create(String bootstrap) {
            Topic t = new Topic(bootstrap, "bench-" + UUID.randomUUID().toString().substring(0, 8));
            Topics.ensure(
                    bootstrap,
                    List.of(t.frames, t.deltas, t.rejected),
                    Topics.DEFAULT_PARTITIONS,
                    true);
            t.awaitLeaders();
            return t;
        }

        /**
         * Deletes the window's topics, so that the next windows do not share the broker's disk and
         * page cache with gigabytes of finished backlogs. Best effort: a failure is ignored, as
         * every window creates topics of its own.
         */
        void delete() {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(props)) {
                admin.deleteTopics(List.of(frames, deltas, rejected))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Waits (up to 30 s) until every partition has a leader: a fresh topic may not yet. */
        private void awaitLeaders() {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            try (Admin admin = Admin.create(props)) {
                while (System.nanoTime() < deadline) {
                    try {
                        boolean ready =
                                admin
                                        .describeTopics(List.of(frames, deltas, rejected))
                                        .allTopicNames()
                                        .get(10, TimeUnit.SECONDS)
                                        .values()
                                        .stream()
                                        .allMatch(
                                                d ->
                                                        d.partitions().stream()
                                                                .allMatch(
                                                                        p ->
                                                                                p.leader() != null
                                                                                        && !p.leader()
                                                                                                .isEmpty()));
                        if (ready) {
                            return;
                        }
                    } catch (Exception notYet) {
                        // retry until the deadline
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
