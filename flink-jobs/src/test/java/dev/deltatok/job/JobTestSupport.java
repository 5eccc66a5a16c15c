package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.flink.ModelFactory;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.Topics;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Topics, cameras, producers and readers shared by the job's integration tests. */
final class JobTestSupport {
    private JobTestSupport() {}

    static final List<String> SCENES =
            List.of("corridor", "busy", "lighting", "noise", "cut", "pan", "static", "corridor");

    /** Fresh topic names for one test. */
    record TestTopics(String frames, String deltas, String rejected) {
        static TestTopics create(String bootstrap) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            TestTopics topics = new TestTopics("frames-" + id, "deltas-" + id, "rejected-" + id);
            Topics.ensure(
                    bootstrap, List.of(topics.frames, topics.deltas, topics.rejected), 4, true);
            return topics;
        }

        List<String> args(String bootstrap) {
            return List.of(
                    "--kafka.bootstrap-servers", bootstrap,
                    "--kafka.frames-topic", frames,
                    "--kafka.deltas-topic", deltas,
                    "--kafka.rejected-topic", rejected,
                    "--kafka.group-id", "g-" + frames,
                    "--kafka.transactional-id-prefix", "tx-" + frames);
        }
    }

    /** Frames of {@code cameras} synthetic cameras (scenes cycle through {@link #SCENES}). */
    static Map<String, List<Frame>> cameras(int cameras, int frames, int width, int height) {
        Map<String, List<Frame>> out = new LinkedHashMap<>();
        for (int c = 0; c < cameras; c++) {
            String id = "cam-" + c;
            var scene =
                    SyntheticScenes.create(
                            SCENES.get(c % SCENES.size()),
                            SyntheticScenes.seedFor(id),
                            width,
                            height);
            List<Frame> list = new ArrayList<>(frames);
            for (long seq = 0; seq < frames; seq++) {
                list.add(scene.frame(id, seq));
            }
            out.put(id, list);
        }
        return out;
    }

    /**
     * Publishes frames interleaved across cameras, as live cameras would, and waits for every
     * acknowledgement: a frame that could not be written fails here, not as a missing delta.
     */
    static void produce(String bootstrap, String topic, Map<String, List<Frame>> cameras) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<String, Frame> producer = Clients.frameProducer(bootstrap)) {
            int frames = cameras.values().iterator().next().size();
            for (int i = 0; i < frames; i++) {
                for (var entry : cameras.entrySet()) {
                    sent.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topic, entry.getKey(), entry.getValue().get(i))));
                }
            }
            producer.flush();
            for (var ack : sent) {
                ack.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish every frame", e);
        }
    }

    /** Reads deltas (read_committed) until {@code done} holds or the timeout passes. */
    static List<TokenDelta> readDeltas(
            String bootstrap, String topic, Predicate<List<TokenDelta>> done, Duration timeout) {
        List<TokenDelta> out = new ArrayList<>();
        try (KafkaConsumer<String, TokenDelta> consumer = Clients.deltaConsumer(bootstrap)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TokenDelta> r : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(r.key()).isEqualTo(r.value().getCameraId());
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    static List<RejectedFrame> readRejected(
            String bootstrap, String topic, int expected, Duration timeout) {
        List<RejectedFrame> out = new ArrayList<>();
        try (KafkaConsumer<String, RejectedFrame> consumer = Clients.rejectedConsumer(bootstrap)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** Runs the core over each camera's frames without Flink or Kafka: the expected states. */
    static Map<String, CameraState> offlineRun(
            ModelFactory factory, TokenizerConfig config, Map<String, List<Frame>> cameras)
            throws Exception {
        Map<String, CameraState> states = new LinkedHashMap<>();
        try (TokenizerModel model = factory.open()) {
            TokenizerCore tokenizer = new TokenizerCore(model, config.settings());
            for (var entry : cameras.entrySet()) {
                CameraState state = tokenizer.newState(entry.getKey());
                for (Frame frame : entry.getValue()) {
                    tokenizer.process(state, frame, Instant.EPOCH).delta();
                }
                states.put(entry.getKey(), state);
            }
        }
        return states;
    }

    /** Applies every delta; asserts each camera's deltaSeqs are 0..n-1 exactly once. */
    static TokenMirror mirror(List<TokenDelta> deltas, Map<String, List<Frame>> cameras) {
        TokenMirror mirror = new TokenMirror();
        Map<String, List<Long>> seqs = new LinkedHashMap<>();
        for (TokenDelta delta : deltas) {
            mirror.apply(delta);
            seqs.computeIfAbsent(delta.getCameraId(), c -> new ArrayList<>())
                    .add(delta.getDeltaSeq());
        }
        for (var entry : cameras.entrySet()) {
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < entry.getValue().size(); i++) {
                expected.add(i);
            }
            assertThat(seqs.get(entry.getKey())).as(entry.getKey()).isEqualTo(expected);
        }
        return mirror;
    }

    static Configuration flinkConf(TokenizerConfig config, int parallelism) {
        Configuration conf = config.flinkConfiguration();
        conf.setString("restart-strategy.type", "none");
        conf.setString("parallelism.default", Integer.toString(parallelism));
        return conf;
    }

    static int countDeltasPerCamera(List<TokenDelta> deltas, int cameras, int frames) {
        return deltas.size();
    }
}
