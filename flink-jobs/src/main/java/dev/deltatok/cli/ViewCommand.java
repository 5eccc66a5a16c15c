package dev.deltatok.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltatok view}: a local web page showing each camera as its mirror holds it. */
@Command(
        name = "view",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a local web page (JDK HTTP server, no assets from the internet) listing the"
                    + " cameras of a deltas topic, each with its reconstruction from tokens"
                    + " (through the model's decoder), a heat map of changed patches and a"
                    + " token-rate sparkline, updated live; with --source also the camera's"
                    + " latest source frame from the frames topic. Ctrl-C stops it."
        })
final class ViewCommand implements Callable<Integer> {

    private static final int HISTORY = 120;
    static final String DEFAULT_FRAMES_TOPIC = "deltatok.frames";
    private static final double HEAT_DECAY = 0.9;

    @Spec CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, host:port.")
    String bootstrapServers;

    @Mixin KafkaSecurityOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "deltatok.deltas",
            description = "Deltas topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--source",
            description =
                    "Also read the frames topic and show each camera's latest source frame beside"
                            + " its reconstruction.")
    boolean source;

    @Option(
            names = "--frames-topic",
            paramLabel = "TOPIC",
            description =
                    "Frames topic to show source frames from; implies --source (default with"
                            + " --source: deltatok.frames).")
    String framesTopic;

    @Option(
            names = "--source-max-bytes",
            paramLabel = "BYTES",
            defaultValue = "67108864",
            description =
                    "Most bytes of source frames held at once over all cameras (one frame per"
                            + " camera; the cameras updated longest ago are let go first)"
                            + " (default: ${DEFAULT-VALUE}).")
    long sourceMaxBytes;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Local port to serve on; 0 = any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--bind-address",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description =
                    "Address to serve on; 0.0.0.0 shows the cameras to anyone who can reach this"
                            + " machine, without authentication (default: ${DEFAULT-VALUE}, this"
                            + " machine only).")
    String bindAddress;

    @Option(
            names = "--from-beginning",
            description = "Read the topic from its earliest offsets instead of its end.")
    boolean fromBeginning;

    @Option(
            names = "--model",
            paramLabel = "MANIFEST",
            description =
                    "Manifest of the model the job runs, to decode tokens; default: the model"
                            + " shipped in the jar.")
    String model;

    @Option(
            names = "--exit-after",
            paramLabel = "DURATION",
            hidden = true,
            converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s (for scripts and tests).")
    Duration exitAfter;

    /** What the page shows of one camera; guarded by the view's lock. */
    private static final class CameraView {
        final ArrayDeque<Integer> tokens = new ArrayDeque<>();
        double[] heat = new double[0];
        byte[] png;
        long pngFrameSeq = -1;
    }

    private final Clock clock;
    private volatile boolean stopRequested;
    private volatile DeltaReader activeReader;
    private KafkaConnection connection;

    ViewCommand() {
        this(Clock.systemUTC());
    }

    /**
     * @param clock reads the time deltas arrive, for latency
     */
    ViewCommand(Clock clock) {
        this.clock = clock;
    }

    /** Stops a running view from another thread (deltatok demo --view). */
    void stop() {
        stopRequested = true;
        DeltaReader reader = activeReader;
        if (reader != null) {
            reader.stop();
        }
    }

    private final Object lock = new Object();
    private final Map<String, CameraView> views = new LinkedHashMap<>();
    private DeltaFollower follower;
    private OnnxTokenizerModel decoder;
    private SourcePictures sources;
    private volatile KafkaConsumer<String, Frame> sourceConsumer;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (framesTopic == null && source) {
            framesTopic = DEFAULT_FRAMES_TOPIC;
        }
        if (sourceMaxBytes < 1) {
            err.println("deltatok view: --source-max-bytes must be >= 1, got " + sourceMaxBytes);
            return 2;
        }
        KafkaConnection connection;
        try {
            connection = kafka.connection(bootstrapServers);
        } catch (IllegalArgumentException e) {
            err.println("deltatok view: " + e.getMessage());
            return 2;
        }
        this.connection = connection;
        try {
            Topics.ensure(
                    connection,
                    framesTopic == null ? List.of(topic) : List.of(topic, framesTopic),
                    Topics.DEFAULT_PARTITIONS,
                    false);
        } catch (IllegalStateException e) {
            err.println("deltatok view: " + e.getMessage());
            return 3;
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (BindException e) {
            err.println(
                    "deltatok view: port "
                            + port
                            + " is not available ("
                            + e.getMessage()
                            + "): stop what uses it or pass --port with a free one (0 = any)");
            return 3;
        }
        follower = new DeltaFollower(w -> err.println("deltatok view: " + w));
        decoder = OnnxTokenizerModel.loadDefault(model, OnnxTokenizerModel.Options.DEFAULT);
        server.createContext("/", this::page);
        server.createContext("/api/cameras", this::cameras);
        server.createContext("/camera/", this::image);
        server.createContext("/source/", this::sourceImage);
        server.setExecutor(Executors.newFixedThreadPool(2));
        Thread sourceReader = null;
        if (framesTopic != null) {
            sources = new SourcePictures(sourceMaxBytes);
            sourceReader = startSourceReader(err);
        }
        server.start();
        err.printf(
                "deltatok view: http://%s:%d/ shows %s%s (model %s); Ctrl-C stops%n",
                bindAddress,
                server.getAddress().getPort(),
                topic,
                framesTopic == null ? "" : " and source frames from " + framesTopic,
                decoder.spec().modelId());
        err.flush();
        try (DeltaReader reader = new DeltaReader(connection, topic, fromBeginning, "view")) {
            activeReader = reader;
            if (stopRequested) {
                reader.stop();
            }
            long deadline =
                    exitAfter == null ? Long.MAX_VALUE : System.nanoTime() + exitAfter.toNanos();
            try {
                reader.read(
                        records -> {
                            for (ConsumerRecord<String, TokenDelta> r : records) {
                                accept(r.value());
                            }
                            return System.nanoTime() < deadline;
                        });
            } finally {
                activeReader = null;
                stopSourceReader(sourceReader);
                server.stop(0);
                ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
                decoder.close();
            }
        }
        return 0;
    }

    /** Follows the frames topic on its own thread, keeping each camera's latest frame. */
    private Thread startSourceReader(PrintWriter err) {
        KafkaConsumer<String, Frame> consumer = Clients.frameConsumer(connection);
        sourceConsumer = consumer;
        Thread reader =
                new Thread(
                        () -> {
                            try (consumer) {
                                consumer.subscribe(
                                        List.of(framesTopic),
                                        new ConsumerRebalanceListener() {
                                            @Override
                                            public void onPartitionsRevoked(
                                                    Collection<TopicPartition> partitions) {}

                                            @Override
                                            public void onPartitionsAssigned(
                                                    Collection<TopicPartition> partitions) {
                                                if (!fromBeginning) {
                                                    consumer.seekToEnd(partitions);
                                                }
                                            }
                                        });
                                while (!stopRequested && sourceConsumer != null) {
                                    try {
                                        for (ConsumerRecord<String, Frame> r :
                                                consumer.poll(Duration.ofMillis(200))) {
                                            sources.accept(r.value());
                                        }
                                    } catch (RecordDeserializationException e) {
                                        // Not a Frame: the job rejects it; the viewer skips it.
                                        consumer.seek(e.topicPartition(), e.offset() + 1);
                                    }
                                }
                            } catch (WakeupException stopping) {
                                // stopSourceReader
                            } catch (RuntimeException e) {
                                err.println(
                                        "deltatok view: stopped reading source frames from "
                                                + framesTopic
                                                + ": "
                                                + e);
                                err.flush();
                            }
                        },
                        "view-source");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private void stopSourceReader(Thread reader) throws InterruptedException {
        KafkaConsumer<String, Frame> consumer = sourceConsumer;
        sourceConsumer = null;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (reader != null) {
            reader.join(10_000);
        }
    }

    private void accept(TokenDelta delta) {
        synchronized (lock) {
            TokenMirror.Camera held = follower.accept(delta, clock.instant());
            CameraView view = views.computeIfAbsent(delta.getCameraId(), c -> new CameraView());
            view.tokens.addLast(delta.getStats().getTokens());
            while (view.tokens.size() > HISTORY) {
                view.tokens.removeFirst();
            }
            int positions = delta.getGridRows() * delta.getGridCols();
            if (view.heat.length != positions) {
                view.heat = new double[positions];
            }
            for (int p = 0; p < positions; p++) {
                view.heat[p] *= HEAT_DECAY;
            }
            if (held != null) {
                KeyMapCodec.Updates updates = KeyMapCodec.decode(delta.getKeyMap(), positions);
                for (int i = 0; i < updates.count(); i++) {
                    view.heat[updates.positions()[i]] += 1 - HEAT_DECAY;
                }
            }
        }
    }

    private void cameras(HttpExchange exchange) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (lock) {
            Set<String> ids = new LinkedHashSet<>(views.keySet());
            if (sources != null) {
                // Cameras whose frames came but no delta yet (or never: all rejected) show too.
                ids.addAll(sources.cameras());
            }
            for (String id : ids) {
                DeltaFollower.CameraStats s =
                        follower.cameras().getOrDefault(id, new DeltaFollower.CameraStats(id));
                CameraView v = views.getOrDefault(id, new CameraView());
                TokenMirror.Camera held = follower.mirror().camera(id).orElse(null);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", id);
                m.put("deltas", s.deltas);
                m.put("keyframes", s.keyframes);
                m.put("gaps", s.gaps);
                m.put("skipped", s.skipped);
                m.put("budgetScale", s.budgetScale);
                m.put("lastFrameSeq", s.lastFrameSeq);
                m.put("tokensPerFrame", s.tokensPerFrame());
                m.put("gridTokens", s.gridTokens);
                m.put("synced", held != null && held.synced());
                m.put("rows", held == null ? 0 : held.gridRows());
                m.put("cols", held == null ? 0 : held.gridCols());
                m.put("tokens", new ArrayList<>(v.tokens));
                m.put("heat", v.heat.clone());
                if (sources != null) {
                    m.put("source", sources.describe(id));
                }
                out.add(m);
            }
        }
        send(exchange, 200, "application/json", new ObjectMapper().writeValueAsBytes(out));
    }

    private void image(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring("/camera/".length());
        if (!name.endsWith(".png")) {
            send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String id = URLDecoder.decode(name.substring(0, name.length() - 4), StandardCharsets.UTF_8);
        byte[] png;
        synchronized (lock) {
            CameraView view = views.get(id);
            TokenMirror.Camera held = follower.mirror().camera(id).orElse(null);
            if (view == null || held == null || !held.synced()) {
                send(
                        exchange,
                        404,
                        "text/plain",
                        ("camera '" + id + "' holds no picture yet (waiting for a keyframe)")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (view.png == null || view.pngFrameSeq != held.lastFrameSeq()) {
                RgbImage picture;
                try {
                    picture = follower.mirror().reconstruct(id, decoder);
                } catch (IllegalStateException e) {
                    send(
                            exchange,
                            409,
                            "text/plain",
                            (e.getMessage() + "; pass --model with the job's model")
                                    .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                view.png = png(picture);
                view.pngFrameSeq = held.lastFrameSeq();
            }
            png = view.png;
        }
        send(exchange, 200, "image/png", png);
    }

    /** {@code /source/ID}: the camera's latest source frame, JPEG or PNG. */
    private void sourceImage(HttpExchange exchange) throws IOException {
        String id =
                URLDecoder.decode(
                        exchange.getRequestURI().getPath().substring("/source/".length()),
                        StandardCharsets.UTF_8);
        if (sources == null) {
            send(
                    exchange,
                    404,
                    "text/plain",
                    "source frames are not followed: start view with --source or --frames-topic"
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        SourcePictures.Picture picture;
        try {
            picture = sources.picture(id);
        } catch (FrameRejectedException e) {
            send(
                    exchange,
                    422,
                    "text/plain",
                    ("camera '" + id + "': its latest frame cannot be shown: " + e.getMessage())
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (picture == null) {
            send(
                    exchange,
                    404,
                    "text/plain",
                    ("camera '" + id + "' has no source frame held")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().set("X-Frame-Seq", Long.toString(picture.seq()));
        send(exchange, 200, picture.contentType(), picture.bytes());
    }

    private static byte[] png(RgbImage image) throws IOException {
        BufferedImage out =
                new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] d = image.data();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = (y * image.width() + x) * 3;
                out.setRGB(x, y, (d[i] & 0xFF) << 16 | (d[i + 1] & 0xFF) << 8 | (d[i + 2] & 0xFF));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }

    private void page(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = ViewCommand.class.getResourceAsStream("view.html")) {
            send(exchange, 200, "text/html; charset=utf-8", in.readAllBytes());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
