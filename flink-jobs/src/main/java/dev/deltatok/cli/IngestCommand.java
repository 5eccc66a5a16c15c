package dev.deltatok.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deltatok.camera.CameraPublisher;
import dev.deltatok.camera.LiveCamera;
import dev.deltatok.ingest.CamerasFile;
import dev.deltatok.ingest.IngestCamera;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import dev.deltatok.schema.Frame;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltatok ingest}: live cameras (RTSP, HTTP, devices, files) to the frames topic. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reads live cameras and publishes their frames as JPEG Frames (Avro, keyed by camera"
                    + " id) to a Kafka topic, for the tokenizer job (deltatok run) to tokenize."
                    + " Each camera is read by its own ffmpeg child process (ffmpeg must be"
                    + " installed: apt-get install ffmpeg).",
            "",
            "Sources (URL): rtsp://[user:password@]host[:port]/path (read over TCP),"
                    + " http(s)://... MJPEG or HLS (.m3u8) streams, v4l2 devices (/dev/video0),"
                    + " and video files (played at their own rate and looped, as a stand-in"
                    + " camera); any other URL ffmpeg opens is passed to it as is.",
            "",
            "Cameras: --camera ID=URL (repeat it) and/or --cameras-file FILE with one ID=URL a"
                    + " line (# comments). The file is re-read when it changes: a camera added"
                    + " starts publishing, a removed one stops, a changed URL reconnects; the"
                    + " others are not touched. A file that does not parse is reported and the"
                    + " running cameras are kept.",
            "",
            "Reconnects: when ffmpeg exits, when no frame came for --stall-timeout or when the"
                    + " same image repeated for --frozen-timeout, the source is restarted after"
                    + " an exponential backoff with jitter (--backoff-initial doubling up to"
                    + " --backoff-max, reset once frames flow again). Nothing else restarts.",
            "",
            "Frames: seq is the capture time in microseconds since the epoch (bumped by one"
                    + " where two frames share one), so it keeps increasing across reconnects and"
                    + " restarts of ingest; captureTime is when ingest received the frame. Each"
                    + " camera keeps at most --queue frames waiting for Kafka: when it is full the"
                    + " oldest is dropped and counted, so memory stays bounded when Kafka is"
                    + " slower than the cameras.",
            "",
            "Status: one line per camera on stderr every --status-interval (state, fps,"
                    + " published, dropped, reconnects, stalls, frozen, last error), or one JSON"
                    + " object per interval on stdout with --status-format json. Passwords and"
                    + " secret query values in URLs are shown as ***, everywhere.",
            ""
        })
final class IngestCommand implements Callable<Integer> {

    /** Most cameras one ingest reads. */
    static final int MAX_CAMERAS = 1000;

    @Spec CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, host:port.")
    String bootstrapServers;

    @Mixin KafkaSecurityOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "deltatok.frames",
            description = "Topic to publish to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--create-topics",
            description =
                    "Create the topic ("
                            + Topics.DEFAULT_PARTITIONS
                            + " partitions) if it is missing.")
    boolean createTopics;

    @Option(
            names = "--camera",
            paramLabel = "ID=URL",
            description = "A camera to read; repeat for more.")
    List<String> cameraOptions = new ArrayList<>();

    @Option(
            names = "--cameras-file",
            paramLabel = "FILE",
            description = "File of ID=URL lines, re-read when it changes.")
    Path camerasFile;

    @Option(
            names = "--max-fps",
            defaultValue = "0",
            paramLabel = "F",
            description =
                    "Most frames per second published per camera; frames arriving sooner are"
                            + " skipped. 0 (default) keeps the source's rate.")
    double maxFps;

    @Option(
            names = "--size",
            paramLabel = "WxH",
            description =
                    "Resize at the source (in ffmpeg) before publishing; default: the source's size.")
    String size;

    @Option(
            names = "--quality",
            defaultValue = "5",
            paramLabel = "Q",
            description =
                    "JPEG quality as ffmpeg's -q:v, 2 (best) to 31 (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(
            names = "--stall-timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "Restart a source that delivered no frame for this long, connecting included"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration stallTimeout;

    @Option(
            names = "--frozen-timeout",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "Restart a source whose every frame was the same image for this long"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration frozenTimeout;

    @Option(
            names = "--backoff-initial",
            defaultValue = "500ms",
            converter = DurationConverter.class,
            description = "First wait before reconnecting (default: ${DEFAULT-VALUE}).")
    Duration backoffInitial;

    @Option(
            names = "--backoff-max",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Longest wait before reconnecting (default: ${DEFAULT-VALUE}).")
    Duration backoffMax;

    @Option(
            names = "--queue",
            defaultValue = "4",
            paramLabel = "N",
            description =
                    "Frames per camera waiting for Kafka before the oldest is dropped"
                            + " (default: ${DEFAULT-VALUE}).")
    int queueFrames;

    @Option(
            names = "--max-frame-bytes",
            defaultValue = "16777216",
            paramLabel = "BYTES",
            description = "Longest JPEG accepted from ffmpeg (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(
            names = "--status-interval",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How often the status is printed (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Option(
            names = "--status-format",
            defaultValue = "text",
            paramLabel = "text|json",
            description =
                    "text: a line per camera on stderr; json: one object per interval on stdout"
                            + " (default: ${DEFAULT-VALUE}).")
    String statusFormat;

    @Option(
            names = "--exit-after",
            converter = DurationConverter.class,
            description = "Stop after this long; default: until Ctrl-C.")
    Duration exitAfter;

    @Option(
            names = "--ffmpeg",
            defaultValue = "ffmpeg",
            paramLabel = "PATH",
            description = "The ffmpeg executable (default: ${DEFAULT-VALUE}).")
    String ffmpeg;

    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, Long> lastPublished = new HashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean shutdown;

    /** One camera being read and published. */
    private record Running(IngestCamera camera, CameraPublisher publisher) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        IngestCamera.Settings settings;
        Map<String, String> wanted;
        try {
            settings = settings();
            wanted = wantedCameras();
        } catch (IllegalArgumentException | IOException e) {
            err.println("deltatok ingest: " + e.getMessage());
            return 2;
        }
        String missing = checkFfmpeg(ffmpeg);
        if (missing != null) {
            err.println("deltatok ingest: " + missing);
            return 2;
        }
        KafkaConnection connection;
        try {
            connection = kafka.connection(bootstrapServers);
        } catch (IllegalArgumentException e) {
            err.println("deltatok ingest: " + e.getMessage());
            return 2;
        }
        try {
            Topics.ensure(connection, List.of(topic), Topics.DEFAULT_PARTITIONS, createTopics);
        } catch (IllegalStateException e) {
            err.println("deltatok ingest: " + e.getMessage());
            return 3;
        }
        Thread hook = new Thread(() -> shutdown = true, "ingest-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        try (KafkaProducer<String, Frame> producer = Clients.frameProducer(connection)) {
            apply(wanted, settings, producer, err);
            FileWatch watch = camerasFile == null ? null : new FileWatch(camerasFile);
            long nextStatus = start + statusInterval.toNanos();
            long lastStatus = start;
            while (!shutdown) {
                long now = System.nanoTime();
                if (exitAfter != null && now - start >= exitAfter.toNanos()) {
                    break;
                }
                if (watch != null && watch.changed()) {
                    try {
                        Map<String, String> next = wantedCameras();
                        err.printf(
                                "deltatok ingest: %s changed: %d camera(s)%n",
                                camerasFile, next.size());
                        apply(next, settings, producer, err);
                    } catch (IllegalArgumentException | IOException e) {
                        err.println(
                                "deltatok ingest: keeping the running cameras: " + e.getMessage());
                    }
                    err.flush();
                }
                if (now >= nextStatus) {
                    printStatus(out, err, (now - start) / 1e9, (now - lastStatus) / 1e9);
                    lastStatus = now;
                    nextStatus = now + statusInterval.toNanos();
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            apply(Map.of(), settings, producer, err);
            producer.flush();
            long now = System.nanoTime();
            printStatus(out, err, (now - start) / 1e9, (now - lastStatus) / 1e9);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return 0;
    }

    /** Asks a running {@link #call()} to stop its cameras and return, as Ctrl-C does. */
    void stop() {
        shutdown = true;
    }

    private IngestCamera.Settings settings() {
        int[] wh = size == null ? new int[] {0, 0} : Limits.parseSize(size);
        if (quality < 2 || quality > 31) {
            throw new IllegalArgumentException("--quality must be in [2, 31], got " + quality);
        }
        if (maxFps != 0) {
            Limits.checkFps(maxFps);
        }
        if (queueFrames < 1 || queueFrames > 1000) {
            throw new IllegalArgumentException("--queue must be in [1, 1000], got " + queueFrames);
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException(
                    "--max-frame-bytes must be at least 1024, got " + maxFrameBytes);
        }
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException(
                    "--backoff-max ("
                            + backoffMax
                            + ") is below --backoff-initial ("
                            + backoffInitial
                            + ")");
        }
        if (!statusFormat.equals("text") && !statusFormat.equals("json")) {
            throw new IllegalArgumentException(
                    "--status-format must be text or json, got '" + statusFormat + "'");
        }
        return new IngestCamera.Settings(
                ffmpeg,
                wh[0],
                wh[1],
                quality,
                maxFps,
                stallTimeout,
                frozenTimeout,
                backoffInitial,
                backoffMax,
                queueFrames,
                maxFrameBytes);
    }

    /** The cameras of the options and the file, options first. */
    private Map<String, String> wantedCameras() throws IOException {
        Map<String, String> cameras = new LinkedHashMap<>();
        for (String option : cameraOptions) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--camera expects ID=URL, e.g. street=rtsp://host:554/stream");
            }
            CamerasFile.put(
                    cameras,
                    option.substring(0, eq).strip(),
                    option.substring(eq + 1).strip(),
                    "--camera");
        }
        if (camerasFile != null) {
            if (!Files.isRegularFile(camerasFile)) {
                throw new IOException("no cameras file " + camerasFile);
            }
            for (Map.Entry<String, String> e : CamerasFile.read(camerasFile).entrySet()) {
                CamerasFile.put(cameras, e.getKey(), e.getValue(), camerasFile.toString());
            }
        }
        if (cameras.isEmpty() && camerasFile == null) {
            throw new IllegalArgumentException(
                    "no cameras: give --camera ID=URL or --cameras-file");
        }
        if (cameras.size() > MAX_CAMERAS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_CAMERAS + " cameras, got " + cameras.size());
        }
        return cameras;
    }

    /** Starts the cameras that are new or whose URL changed, stops the ones no longer wanted. */
    private void apply(
            Map<String, String> wanted,
            IngestCamera.Settings settings,
            KafkaProducer<String, Frame> producer,
            PrintWriter err) {
        for (String id : List.copyOf(running.keySet())) {
            String url = wanted.get(id);
            if (url == null || !running.get(id).camera().reads(url)) {
                Running r = running.remove(id);
                r.publisher().stop();
                r.camera().close();
                try {
                    r.publisher().join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lastPublished.remove(id);
                err.printf("deltatok ingest: stopped %s%n", r.camera().describe());
            }
        }
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (running.containsKey(e.getKey())) {
                continue;
            }
            IngestCamera camera =
                    new IngestCamera(
                            e.getKey(),
                            e.getValue(),
                            settings,
                            Clock.systemUTC(),
                            new Random(e.getKey().hashCode() ^ System.nanoTime()));
            CameraPublisher publisher =
                    CameraPublisher.builder(
                                    List.of(LiveCamera.of(camera, e.getKey())), producer, topic)
                            .threadName("ingest-publish")
                            .daemon()
                            .build();
            camera.start();
            publisher.start();
            running.put(e.getKey(), new Running(camera, publisher));
            err.printf("deltatok ingest: started %s -> %s%n", camera.describe(), topic);
        }
        err.flush();
    }

    private void printStatus(PrintWriter out, PrintWriter err, double elapsed, double interval) {
        List<IngestCamera.Status> statuses = new ArrayList<>();
        Map<String, Double> fps = new HashMap<>();
        for (Running r : running.values()) {
            IngestCamera.Status s = r.camera().status();
            statuses.add(s);
            long before = lastPublished.getOrDefault(s.cameraId(), 0L);
            fps.put(s.cameraId(), (s.published() - before) / Math.max(1e-9, interval));
            lastPublished.put(s.cameraId(), s.published());
            Throwable kafka = r.publisher().stats().kafkaError();
            if (kafka != null) {
                err.printf(
                        "deltatok ingest: %s: Kafka refused frames: %s%n",
                        s.cameraId(), kafka.getMessage());
            }
        }
        if (statusFormat.equals("json")) {
            ObjectNode root = json.createObjectNode();
            root.put("elapsedSeconds", Math.round(elapsed * 10) / 10.0);
            ArrayNode cameras = root.putArray("cameras");
            for (IngestCamera.Status s : statuses) {
                ObjectNode c = cameras.addObject();
                c.put("camera", s.cameraId());
                c.put("url", s.url());
                c.put("state", s.state().name());
                c.put("fps", Math.round(fps.get(s.cameraId()) * 10) / 10.0);
                c.put("captured", s.captured());
                c.put("published", s.published());
                c.put("dropped", s.dropped());
                c.put("skippedByFpsCap", s.skippedByFpsCap());
                c.put("reconnects", s.reconnects());
                c.put("stalls", s.stalls());
                c.put("frozen", s.frozen());
                if (s.lastError() == null) {
                    c.putNull("lastError");
                } else {
                    c.put("lastError", s.lastError());
                }
                if (s.lastRestart() == null) {
                    c.putNull("lastRestart");
                } else {
                    c.put("lastRestart", s.lastRestart());
                }
            }
            out.println(root);
            out.flush();
            return;
        }
        if (statuses.isEmpty()) {
            err.printf(Locale.ROOT, "ingest %7.1fs  no cameras%n", elapsed);
        }
        for (IngestCamera.Status s : statuses) {
            err.printf(
                    Locale.ROOT,
                    "ingest %7.1fs  %-16s %-10s %6.1f fps  published %d  dropped %d  reconnects %d"
                            + "  stalls %d  frozen %d%s%n",
                    elapsed,
                    s.cameraId(),
                    s.state(),
                    fps.get(s.cameraId()),
                    s.published(),
                    s.dropped(),
                    s.reconnects(),
                    s.stalls(),
                    s.frozen(),
                    s.lastError() == null ? "" : "  last error: " + s.lastError());
        }
        err.flush();
    }

    /**
     * @return null when {@code ffmpeg -version} runs, else what to tell the user
     */
    static String checkFfmpeg(String ffmpeg) {
        try {
            Process p =
                    new ProcessBuilder(ffmpeg, "-hide_banner", "-version")
                            .redirectErrorStream(true)
                            .start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return null;
            }
            return "'" + ffmpeg + " -version' failed; ingest reads cameras through ffmpeg";
        } catch (IOException e) {
            return "cannot run '"
                    + ffmpeg
                    + "': ingest reads cameras through ffmpeg, which is not installed or not on"
                    + " the PATH. Install it (Debian/Ubuntu: apt-get install ffmpeg) or name it"
                    + " with --ffmpeg PATH.";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking ffmpeg";
        }
    }

    /** Notices a changed file by its modification time, size and content. */
    private static final class FileWatch {
        private final Path file;
        private String last;
        private long lastCheck = System.nanoTime();

        FileWatch(Path file) throws IOException {
            this.file = file;
            this.last = read();
        }

        boolean changed() {
            long now = System.nanoTime();
            if (now - lastCheck < 500_000_000L) {
                return false;
            }
            lastCheck = now;
            try {
                String now2 = read();
                if (now2.equals(last)) {
                    return false;
                }
                last = now2;
                return true;
            } catch (IOException e) {
                return false; // being replaced; try again on the next check
            }
        }

        private String read() throws IOException {
            return Files.exists(file)
                    ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    : "";
        }
    }
}
