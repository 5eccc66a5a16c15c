package dev.deltatok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded job jar on a real multi-process Flink cluster (a JobManager and two TaskManagers, each
 * its own JVM) between topics of a Kafka broker process, with the default ONNX model.
 */
@Timeout(600)
class TokenizerClusterE2ECase {

    private static final List<String> SCENES =
            List.of("corridor", "busy", "lighting", "noise", "cut", "pan", "static");

    private static KafkaBroker broker;
    private static FlinkStandaloneCluster cluster;
    private static String jarId;

    @BeforeAll
    static void start() throws Exception {
        Path jar =
                Path.of(
                        System.getProperty(
                                "deltatok.jobJar", "../flink-jobs/target/deltatok-job.jar"));
        assertThat(jar).as("the job jar (mvn package -pl flink-jobs)").exists();
        broker = KafkaBroker.start();
        // One slot per TaskManager: a job of parallelism 2 runs on both, so losing either one
        // matters.
        cluster = FlinkStandaloneCluster.start(2, 1);
        jarId = cluster.rest().upload(jar);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void smokeSixteenCamerasMirrorsEqualAnOfflineRun() throws Exception {
        Topics topics = new Topics();
        Map<String, List<Frame>> cameras = cameras(16, 40);
        produce(topics.frames, cameras, 0, 40, 0);
        String job = cluster.rest().run(jarId, topics.args(true, "ROCKSDB", 2), 2, null);
        cluster.rest().awaitJobState(job, "FINISHED", 240);
        List<TokenDelta> deltas = readDeltas(topics.deltas, l -> l.size() >= 16 * 40, 60);
        verify(deltas, cameras);
    }

    @Test
    void recoversFromAKilledTaskManagerExactlyOnce() throws Exception {
        Topics topics = new Topics();
        int frames = 150;
        Map<String, List<Frame>> cameras = cameras(6, frames);
        String job = cluster.rest().run(jarId, topics.args(false, "HASHMAP", 2), 2, null);
        cluster.rest().awaitJobState(job, "RUNNING", 60);

        // Live cameras at 20 fps each, while a TaskManager dies mid-stream.
        Thread producer =
                new Thread(
                        () -> {
                            try {
                                produce(topics.frames, cameras, 0, frames, 50);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        producer.start();
        List<TokenDelta> before = readDeltas(topics.deltas, l -> l.size() >= 6 * 20, 90);
        assertThat(before).hasSizeGreaterThanOrEqualTo(6 * 20);

        // Both single-slot TaskManagers run a subtask, so losing either one fails the job.
        cluster.rest().awaitAllSlotsBusy(60);
        int victim = 0;
        long killed = System.nanoTime();
        cluster.killTaskManager(victim);
        cluster.startTaskManager();
        long seen = before.size();
        List<TokenDelta> after = readDeltas(topics.deltas, l -> l.size() > seen + 6, 120);
        long recoveryMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf(
                "E2E recovery: new deltas committed %d ms after kill -9 of a TaskManager%n",
                recoveryMs);
        producer.join();

        List<TokenDelta> deltas = readDeltas(topics.deltas, l -> l.size() >= 6 * frames, 180);
        int restored = cluster.rest().restoredCheckpoints(job);
        cluster.rest().cancel(job);
        assertThat(restored)
                .as("checkpoints restored after the TaskManager loss")
                .isGreaterThanOrEqualTo(1);
        verify(deltas, cameras);
        assertThat(after.size()).isGreaterThan((int) seen);
    }

    @Test
    void upgradesThroughASavepointAtAnotherParallelism() throws Exception {
        Topics topics = new Topics();
        int half = 30;
        Map<String, List<Frame>> cameras = cameras(6, 2 * half);
        produce(topics.frames, cameras, 0, half, 0);
        String first = cluster.rest().run(jarId, topics.args(false, "ROCKSDB", 2), 2, null);
        readDeltas(topics.deltas, l -> l.size() >= 6 * half, 120);
        String savepoint =
                cluster.rest()
                        .stopWithSavepoint(
                                first,
                                cluster.dir().resolve("upgrade-savepoints").toUri().toString(),
                                120);
        assertThat(cluster.rest().jobState(first)).isEqualTo("FINISHED");

        produce(topics.frames, cameras, half, 2 * half, 0);
        String second = cluster.rest().run(jarId, topics.args(false, "ROCKSDB", 1), 1, savepoint);
        List<TokenDelta> deltas = readDeltas(topics.deltas, l -> l.size() >= 6 * 2 * half, 180);
        cluster.rest().cancel(second);
        verify(deltas, cameras);
    }

    // --- fixtures

    private static List<Long> missing(List<Long> expected, List<Long> got) {
        List<Long> out = new ArrayList<>(expected);
        out.removeAll(got);
        return out;
    }

    /** Fresh topics for one case. */
    private static final class Topics {
        final String id = UUID.randomUUID().toString().substring(0, 8);
        final String frames = "frames-" + id;
        final String deltas = "deltas-" + id;
        final String rejected = "rejected-" + id;

        Topics() {
            dev.deltatok.kafka.Topics.ensure(
                    broker.bootstrapServers(), List.of(frames, deltas, rejected), 4, true);
        }

        List<String> args(boolean bounded, String backend, int parallelism) {
            return List.of(
                    "--kafka.bootstrap-servers",
                    broker.bootstrapServers(),
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
                    "--kafka.starting-offsets",
                    "EARLIEST",
                    "--kafka.bounded",
                    Boolean.toString(bounded),
                    "--state.backend",
                    backend,
                    "--checkpoint.interval",
                    "1s",
                    // compared with an offline run: a backlog or a restart must not degrade
                    "--tokenizer.overload-policy",
                    "OFF");
        }
    }

    private static Map<String, List<Frame>> cameras(int count, int frames) {
        Map<String, List<Frame>> out = new LinkedHashMap<>();
        for (int c = 0; c < count; c++) {
            String id = "cam-" + c;
            var scene =
                    SyntheticScenes.create(
                            SCENES.get(c % SCENES.size()), SyntheticScenes.seedFor(id), 128, 96);
            List<Frame> list = new ArrayList<>();
            for (long seq = 0; seq < frames; seq++) {
                list.add(scene.frame(id, seq));
            }
            out.put(id, list);
        }
        return out;
    }

    /** Publishes frames and waits for every acknowledgement, so a lost frame fails here. */
    private static void produce(
            String topic, Map<String, List<Frame>> cameras, int from, int to, long pauseMillis)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<String, Frame> producer =
                Clients.frameProducer(broker.bootstrapServers())) {
            for (int i = from; i < to; i++) {
                for (var entry : cameras.entrySet()) {
                    sent.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topic, entry.getKey(), entry.getValue().get(i))));
                }
                if (pauseMillis > 0) {
                    producer.flush();
                    Thread.sleep(pauseMillis);
                }
            }
            producer.flush();
            for (var ack : sent) {
                ack.get();
            }
        }
    }

    /**
     * Reads deltas (read_committed) until {@code done} holds, then two seconds more, so that a
     * duplicate would show up as an extra record.
     */
    private static List<TokenDelta> readDeltas(
            String topic, Predicate<List<TokenDelta>> done, int timeoutSeconds) {
        List<TokenDelta> out = new ArrayList<>();
        try (KafkaConsumer<String, TokenDelta> consumer =
                Clients.deltaConsumer(broker.bootstrapServers())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, TokenDelta> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
                if (quietUntil == Long.MAX_VALUE && done.test(out)) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }

    /** Every (camera, deltaSeq) exactly once, and mirrors equal to the core run offline. */
    private static void verify(List<TokenDelta> deltas, Map<String, List<Frame>> cameras)
            throws Exception {
        TokenMirror mirror = new TokenMirror();
        Map<String, List<Long>> seqs = new LinkedHashMap<>();
        for (TokenDelta delta : deltas) {
            mirror.apply(delta);
            seqs.computeIfAbsent(delta.getCameraId(), c -> new ArrayList<>())
                    .add(delta.getDeltaSeq());
        }
        TokenizerConfig config = TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs());
        try (OnnxTokenizerModel model =
                OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT)) {
            TokenizerCore tokenizer = new TokenizerCore(model, config.settings());
            for (var entry : cameras.entrySet()) {
                List<Long> expected = new ArrayList<>();
                CameraState state = tokenizer.newState(entry.getKey());
                for (Frame frame : entry.getValue()) {
                    expected.add((long) expected.size());
                    tokenizer.process(state, frame, Instant.EPOCH).delta();
                }
                List<Long> got = seqs.getOrDefault(entry.getKey(), List.of());
                assertThat(got)
                        .as(
                                "%s: every deltaSeq once (missing %s)",
                                entry.getKey(), missing(expected, got))
                        .doesNotHaveDuplicates()
                        .isEqualTo(expected);
                assertThat(mirror.difference(state)).as(entry.getKey()).isEmpty();
            }
        }
    }
}
