package dev.deltatok.cli;

import dev.deltatok.camera.CameraPublisher;
import dev.deltatok.camera.LiveCamera;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltatok produce}: publishes camera frames to a Kafka topic. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Publishes Frames (Avro, keyed by camera id) to a Kafka topic from a synthetic scene,"
                    + " an image folder or a video file (decoded by ffmpeg), paced in real time or"
                    + " as fast as possible. Progress goes to stderr once a second.",
            "SOURCE is synthetic:NAME (static, corridor, busy, noise, lighting, cut, pan; endless),"
                    + " a folder of JPEG/PNG images, or a video file."
        })
final class ProduceCommand implements Callable<Integer> {

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
            names = "--camera-id",
            defaultValue = "cam",
            paramLabel = "ID",
            description =
                    "Camera id; with --cameras N > 1 the cameras are ID-0 .. ID-(N-1)"
                            + " (default: ${DEFAULT-VALUE}).")
    String cameraId;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "SOURCE",
            description = "synthetic:NAME, an image folder, or a video file.")
    String input;

    @Option(
            names = "--cameras",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Cameras publishing the same source, each on its own thread (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(
            names = "--fps",
            defaultValue = "25",
            paramLabel = "F|max",
            converter = FpsConverter.class,
            description =
                    "Frames per second per camera, or 'max' for as fast as possible (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(
            names = "--loop",
            description =
                    "Restart image folders and videos at their end (synthetic scenes never end).")
    boolean loop;

    @Option(
            names = "--frames",
            defaultValue = "0",
            paramLabel = "N",
            description = "Frames per camera, then stop; 0 = until the source ends or Ctrl-C.")
    long frames;

    @Option(
            names = "--size",
            defaultValue = "256x256",
            paramLabel = "WxH",
            description =
                    "Frame size of synthetic scenes and videos (default: ${DEFAULT-VALUE}); image folders keep their size.")
    String size;

    @Option(
            names = "--format",
            paramLabel = "RGB24|JPEG|PNG",
            description =
                    "Pixel format to publish; default: the source's own (RGB24 for scenes and video).")
    PixelFormat format;

    /** Camera ids: {@code id} alone for one camera, {@code id-0 .. id-(n-1)} for several. */
    static List<String> cameraIds(String id, int n) {
        if (n == 1) {
            return List.of(id);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(id + "-" + i);
        }
        return ids;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        int[] wh;
        try {
            Limits.checkCameras(cameras);
            wh = Limits.parseSize(size);
        } catch (IllegalArgumentException e) {
            err.println("deltatok produce: " + e.getMessage());
            return 2;
        }
        KafkaConnection connection;
        try {
            connection = kafka.connection(bootstrapServers);
        } catch (IllegalArgumentException e) {
            err.println("deltatok produce: " + e.getMessage());
            return 2;
        }
        try {
            Topics.ensure(connection, List.of(topic), Topics.DEFAULT_PARTITIONS, createTopics);
        } catch (IllegalStateException e) {
            err.println("deltatok produce: " + e.getMessage());
            return 3;
        }
        List<LiveCamera> live = new ArrayList<>();
        try {
            for (String id : cameraIds(cameraId, cameras)) {
                live.add(LiveCamera.open(input, id, wh[0], wh[1], loop, format, Clock.systemUTC()));
            }
        } catch (IllegalArgumentException | IOException e) {
            closeAll(live);
            err.println("deltatok produce: " + e.getMessage());
            return 2;
        }
        err.printf(
                "deltatok produce: %d camera(s) of %s -> %s at %s; Ctrl-C stops%n",
                cameras, live.get(0).describe(), topic, fps > 0 ? fps + " fps each" : "max rate");
        err.flush();
        CameraPublisher.Stats stats;
        try (KafkaProducer<String, Frame> producer = Clients.frameProducer(connection)) {
            CameraPublisher publisher =
                    CameraPublisher.builder(live, producer, topic)
                            .fps(fps)
                            .maxFrames(frames)
                            .threadName("produce")
                            .build();
            stats = publisher.stats();
            Thread hook =
                    new Thread(
                            () -> {
                                publisher.stop();
                                try {
                                    publisher.join(5000);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "produce-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            publisher.start();
            Progress progress = new Progress(err, stats);
            while (!publisher.join(1000)) {
                progress.print(false);
                if (stats.kafkaError() != null) {
                    publisher.stop();
                }
            }
            producer.flush();
            progress.print(true);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        } finally {
            closeAll(live);
        }
        if (stats.sourceError() != null) {
            err.println(
                    "deltatok produce: reading "
                            + input
                            + " failed: "
                            + stats.sourceError().getMessage());
            return 1;
        }
        if (stats.kafkaError() != null) {
            err.println(
                    "deltatok produce: "
                            + stats.failed()
                            + " frame(s) were not accepted by Kafka: "
                            + stats.kafkaError().getMessage());
            return 1;
        }
        return 0;
    }

    private static void closeAll(List<LiveCamera> cameras) {
        for (LiveCamera c : cameras) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** The once-a-second progress line. */
    private static final class Progress {
        private final PrintWriter err;
        private final CameraPublisher.Stats stats;
        private final long start = System.nanoTime();
        private long lastNanos = start;
        private long lastSent;

        Progress(PrintWriter err, CameraPublisher.Stats stats) {
            this.err = err;
            this.stats = stats;
        }

        void print(boolean last) {
            long now = System.nanoTime();
            if (!last && now - lastNanos < 900_000_000L) {
                return;
            }
            long sent = stats.sent();
            double seconds = (now - start) / 1e9;
            double rate = (sent - lastSent) / Math.max(1e-9, (now - lastNanos) / 1e9);
            err.printf(
                    Locale.ROOT,
                    "%s %6.1fs  sent %d (%.1f/s)  acked %d  failed %d  %.1f MB%n",
                    last ? "done   " : "produce",
                    seconds,
                    sent,
                    last ? sent / Math.max(1e-9, seconds) : rate,
                    stats.acked(),
                    stats.failed(),
                    stats.bytes() / 1e6);
            err.flush();
            lastNanos = now;
            lastSent = sent;
        }
    }
}
