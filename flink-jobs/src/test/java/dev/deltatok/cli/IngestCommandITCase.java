package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.ingest.TestCameraServers;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.kafka.Topics;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.FrameSerde;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deltatok ingest} against real live cameras (Debian's GStreamer RTSP server, ffmpeg's HTTP
 * MJPEG server, a video file) and a real broker: outages are the server process killed and started
 * again; the tokenizer job then turns the frames into deltas.
 */
@Timeout(300)
class IngestCommandITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void rtspCameraReconnectsAfterTheServerRestartsAndItsDeltasContinue() throws Exception {
        // Long enough to outlast every wait below: the server's looping of the clip is not to be
        // relied on (after one pass its stream may end, ffmpeg then exits 0 and ingest reconnects).
        Path clip = TestCameraServers.clip(dir, 320, 240, 10, 30);
        int port = TestCameraServers.freePort();
        String frames = topic("frames");
        TestCameraServers.Server server = TestCameraServers.rtsp(dir, clip, port);
        String url = "rtsp://viewer:s3cret@127.0.0.1:" + port + "/cam";
        Ingest ingest =
                Ingest.start(
                        "--topic", frames, "--camera", "street=" + url, "--stall-timeout", "8s");
        try (FrameTap tap = new FrameTap(frames)) {
            tap.await(f -> f.getCameraId().equals("street"), 15);
            server.close();
            ingest.awaitStatus("street", s -> s.path("reconnects").asLong() >= 1);
            Instant restarted = Instant.now();
            server = TestCameraServers.rtsp(dir, clip, port);
            tap.await(f -> f.getCaptureTime().isAfter(restarted), 15);
            ingest.awaitStatus("street", s -> s.path("state").asText().equals("STREAMING"));
            assertThat(ingest.stop()).as(ingest.err()).isZero();
            server.close();

            List<Frame> street = tap.drain();
            assertThat(street).allSatisfy(f -> assertThat(f.getCameraId()).isEqualTo("street"));
            assertStrictlyIncreasingSeq(street);
            assertThat(street.get(0).getFormat()).isEqualTo(PixelFormat.JPEG);
            assertThat(street.get(0).getWidth()).isEqualTo(320);
            assertThat(street.get(0).getAttributes().get("source"))
                    .isEqualTo("rtsp://viewer:***@127.0.0.1:" + port + "/cam");
            assertThat(ingest.out() + ingest.err()).doesNotContain("s3cret").contains("***");
            // Capture times come from the stream's RTP timestamps, never after the frame arrived
            // (seq is the receive time). Their spacing is not checked here: this test keeps each
            // connection for a few frames, the burst ffmpeg buffers while probing, whose frames
            // keep their receive times (CaptureClockTest covers the spacing).
            assertThat(street)
                    .allSatisfy(
                            f -> {
                                assertThat(f.getAttributes().get("captureTimeSource"))
                                        .isEqualTo("stream-pts");
                                assertThat(micros(f.getCaptureTime()))
                                        .isLessThanOrEqualTo(f.getSeq());
                            });

            List<TokenDelta> deltas = tokenize(frames);
            assertThat(deltas).isNotEmpty();
            for (int i = 0; i < deltas.size(); i++) {
                assertThat(deltas.get(i).getCameraId()).isEqualTo("street");
                assertThat(deltas.get(i).getDeltaSeq()).isEqualTo(i);
            }
            Frame last = street.get(street.size() - 1);
            assertThat(deltas.get(deltas.size() - 1).getFrameSeq()).isEqualTo(last.getSeq());
            assertThat(deltas)
                    .filteredOn(d -> d.getCaptureTime().isAfter(restarted))
                    .hasSizeGreaterThanOrEqualTo(15);
        } finally {
            ingest.stop();
            server.close();
        }
    }

    @Test
    void mjpegCameraOverHttpReconnectsAfterTheServerRestarts() throws Exception {
        Path clip = TestCameraServers.clip(dir, 320, 240, 10, 3);
        int port = TestCameraServers.freePort();
        String frames = topic("frames");
        TestCameraServers.Server server = TestCameraServers.mjpeg(clip, port);
        Ingest ingest =
                Ingest.start(
                        "--topic", frames, "--camera", "door=" + server.url(), "--size", "160x120");
        try (FrameTap tap = new FrameTap(frames)) {
            tap.await(f -> true, 10);
            server.close();
            ingest.awaitStatus("door", s -> s.path("reconnects").asLong() >= 1);
            Instant restarted = Instant.now();
            server = TestCameraServers.mjpeg(clip, port);
            tap.await(f -> f.getCaptureTime().isAfter(restarted), 10);
            assertThat(ingest.stop()).as(ingest.err()).isZero();

            List<Frame> door = tap.drain();
            assertStrictlyIncreasingSeq(door);
            assertThat(door).allSatisfy(f -> assertThat(f.getWidth()).isEqualTo(160));
            assertThat(door).allSatisfy(f -> assertThat(f.getHeight()).isEqualTo(120));
            // MJPEG over HTTP has no timestamps of its own: frames are stamped when received
            assertThat(door)
                    .allSatisfy(
                            f ->
                                    assertThat(f.getAttributes().get("captureTimeSource"))
                                            .isEqualTo("receive"));
        } finally {
            ingest.stop();
            server.close();
        }
    }

    @Test
    void frozenStreamIsDetectedAndTheSourceRestarted() throws Exception {
        int port = TestCameraServers.freePort();
        String frames = topic("frames");
        TestCameraServers.Server server =
                TestCameraServers.mjpeg(TestCameraServers.still(dir, 160, 120), port);
        Ingest ingest =
                Ingest.start(
                        "--topic",
                        frames,
                        "--camera",
                        "lobby=" + server.url(),
                        "--frozen-timeout",
                        "1500ms");
        try {
            // Only the frozen-image check counts "frozen". The restart's reason in lastRestart is
            // no evidence: the next connection's exit overwrites it, often before a status line
            // (every 300 ms) shows it, so waiting for a line with both was a race.
            JsonNode status = ingest.awaitStatus("lobby", s -> s.path("frozen").asLong() >= 1);
            assertThat(status.path("stalls").asLong())
                    .as("restarted as frozen, not stalled")
                    .isZero();
            ingest.awaitStatus("lobby", s -> s.path("reconnects").asLong() >= 1);
            assertThat(ingest.stop()).isZero();
        } finally {
            ingest.stop();
            server.close();
        }
    }

    @Test
    void camerasAddedToAndRemovedFromTheFileStartAndStopWithoutARestart() throws Exception {
        Path clip = TestCameraServers.clip(dir, 160, 120, 10, 2);
        Path cameras = dir.resolve("cameras.txt");
        Files.writeString(cameras, "# test cameras\nyard=" + clip + "\n");
        String frames = topic("frames");
        Ingest ingest = Ingest.start("--topic", frames, "--cameras-file", cameras.toString());
        try (FrameTap tap = new FrameTap(frames)) {
            tap.await(f -> f.getCameraId().equals("yard"), 5);
            Files.writeString(cameras, "yard=" + clip + "\ngate " + clip + "\n");
            tap.await(f -> f.getCameraId().equals("gate"), 5);
            Files.writeString(cameras, "gate=" + clip + "\n");
            ingest.awaitErr("stopped yard=");
            Instant yardStopped = Instant.now();
            tap.await(
                    f -> f.getCameraId().equals("gate") && f.getCaptureTime().isAfter(yardStopped),
                    5);
            JsonNode status = ingest.awaitStatus("gate", s -> true);
            assertThat(ingest.stop()).as(ingest.err()).isZero();

            assertThat(ingest.err())
                    .doesNotContain("stopped gate=" + clip + "\ndeltatok ingest: started");
            assertThat(status.path("reconnects").asLong()).isZero();
            List<Frame> all = tap.drain();
            assertThat(all)
                    .filteredOn(f -> f.getCameraId().equals("yard"))
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(f.getCaptureTime()).isBefore(yardStopped));
            assertStrictlyIncreasingSeq(
                    all.stream().filter(f -> f.getCameraId().equals("gate")).toList());
        } finally {
            ingest.stop();
        }
    }

    @Test
    void passwordsInCameraUrlsAreNeverPrinted() throws Exception {
        int deadPort = TestCameraServers.freePort();
        String frames = topic("frames");
        Ingest ingest =
                Ingest.start(
                        "--topic",
                        frames,
                        "--camera",
                        "a=rtsp://admin:hunter22@127.0.0.1:" + deadPort + "/cam",
                        "--camera",
                        "b=http://127.0.0.1:" + deadPort + "/cam.mjpg?token=tok3nvalue",
                        "--status-format",
                        "text");
        try {
            ingest.awaitErr("last error: ffmpeg");
            ingest.awaitErr("  b  ");
            assertThat(ingest.stop()).isZero();
            String printed = ingest.out() + ingest.err();
            assertThat(printed)
                    .contains("rtsp://admin:***@127.0.0.1:" + deadPort)
                    .contains("token=***")
                    .doesNotContain("hunter22")
                    .doesNotContain("tok3nvalue");
        } finally {
            ingest.stop();
        }
    }

    private static String topic(String what) {
        String name = what + "-" + UUID.randomUUID();
        Topics.ensure(KAFKA.bootstrapServers(), List.of(name), 2, true);
        return name;
    }

    private static void assertStrictlyIncreasingSeq(List<Frame> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).getSeq()).isGreaterThan(frames.get(i - 1).getSeq());
        }
    }

    /** Runs the tokenizer job (default model) over the frames topic, bounded; its deltas. */
    private static List<TokenDelta> tokenize(String frames) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String deltas = "deltas-" + id;
        String rejected = "rejected-" + id;
        Topics.ensure(KAFKA.bootstrapServers(), List.of(deltas, rejected), 2, true);
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(
                                "--kafka.bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--kafka.frames-topic",
                                frames,
                                "--kafka.deltas-topic",
                                deltas,
                                "--kafka.rejected-topic",
                                rejected,
                                "--kafka.group-id",
                                "g-" + id,
                                "--kafka.transactional-id-prefix",
                                "tx-" + id,
                                "--kafka.bounded",
                                "true",
                                // a backlog read after ingest stopped is old by frame age: every
                                // frame is tokenized, as the assertions on counts expect
                                "--tokenizer.overload-policy",
                                "OFF",
                                "--checkpoint.interval",
                                "500ms",
                                "--parallelism",
                                "1",
                                // a backlog read after the fact is, by frame age, overload
                                "--tokenizer.overload-policy",
                                "OFF"));
        Configuration conf = config.flinkConfiguration();
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TokenizerJob.wire(env, config, TokenizerJob.modelFactory(config));
        env.execute("ingest-tokenize");
        List<TokenDelta> out = new ArrayList<>();
        try (KafkaConsumer<String, TokenDelta> consumer =
                Clients.deltaConsumer(KAFKA.bootstrapServers())) {
            consumer.subscribe(List.of(deltas));
            long quiet = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // the job has ended and committed: read until several empty polls in a row
            while (quiet < 5 && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(500));
                quiet = records.isEmpty() && !out.isEmpty() ? quiet + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** {@code deltatok ingest} on a thread, JSON status every 300 ms, stopped by the test. */
    private static final class Ingest {
        private final IngestCommand command = new IngestCommand();
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final Thread thread;
        private volatile int exit = -1;

        private Ingest(String... args) {
            List<String> all =
                    new ArrayList<>(
                            List.of(
                                    "--bootstrap-servers",
                                    KAFKA.bootstrapServers(),
                                    "--status-interval",
                                    "300ms",
                                    "--backoff-initial",
                                    "200ms",
                                    "--backoff-max",
                                    "1s"));
            all.addAll(List.of(args));
            if (!all.contains("--status-format")) {
                all.addAll(List.of("--status-format", "json"));
            }
            CommandLine cli =
                    new CommandLine(command)
                            .setOut(new PrintWriter(out, true))
                            .setErr(new PrintWriter(err, true));
            thread = new Thread(() -> exit = cli.execute(all.toArray(String[]::new)), "ingest-it");
        }

        static Ingest start(String... args) {
            Ingest ingest = new Ingest(args);
            ingest.thread.start();
            return ingest;
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        /** Stops ingest as Ctrl-C does; its exit code. */
        int stop() throws InterruptedException {
            command.stop();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("ingest still running").isFalse();
            return exit;
        }

        /** Waits for a JSON status of {@code camera} that {@code test} accepts; returns it. */
        JsonNode awaitStatus(String camera, Predicate<JsonNode> test)
                throws InterruptedException, IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                List<String> lines = out().lines().toList();
                if (!lines.isEmpty()) {
                    for (JsonNode c : JSON.readTree(lines.get(lines.size() - 1)).path("cameras")) {
                        if (c.path("camera").asText().equals(camera) && test.test(c)) {
                            return c;
                        }
                    }
                }
                assertThat(thread.isAlive()).as("ingest ended early: " + err()).isTrue();
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new AssertionError(
                    "no status of " + camera + " as expected; last: " + out() + "\n" + err());
        }

        void awaitErr(String text) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!err().contains(text)) {
                assertThat(System.nanoTime())
                        .as("waiting for '" + text + "' in\n" + err())
                        .isLessThan(deadline);
                assertThat(thread.isAlive()).as("ingest ended early: " + err()).isTrue();
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    /** Reads the frames topic from the start as the test goes. */
    private static final class FrameTap implements AutoCloseable {
        private final KafkaConsumer<String, Frame> consumer;
        private final List<Frame> frames = new ArrayList<>();

        FrameTap(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "tap-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new FrameSerde());
            consumer.subscribe(List.of(topic));
        }

        /** Polls until {@code count} frames read so far match {@code test}. */
        void await(Predicate<Frame> test, int count) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (frames.stream().filter(test).count() < count) {
                assertThat(System.nanoTime())
                        .as("waiting for " + count + " frames; have " + frames.size())
                        .isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200))
                        .forEach(
                                r -> {
                                    assertThat(r.key()).isEqualTo(r.value().getCameraId());
                                    frames.add(r.value());
                                });
            }
        }

        /** Every frame published so far (ingest has stopped and flushed), in order per camera. */
        List<Frame> drain() {
            int quiet = 0;
            while (quiet < 3) {
                var records = consumer.poll(Duration.ofMillis(300));
                quiet = records.isEmpty() ? quiet + 1 : 0;
                records.forEach(r -> frames.add(r.value()));
            }
            return List.copyOf(frames);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
