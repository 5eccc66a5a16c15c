package dev.deltatok.job;

import static dev.deltatok.job.JobTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.flink.ModelFactory;
import dev.deltatok.flink.TestingModelFactory;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole job on a MiniCluster between topics of a real Kafka broker. */
@Timeout(300)
class TokenizerJobKafkaITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void tokenizesEightCamerasExactlyOnceAndMirrorsEqualAnOfflineRun() throws Exception {
        run(List.of("--state.backend", "HASHMAP"));
    }

    @Test
    void runsOnRocksDb() throws Exception {
        run(List.of("--state.backend", "ROCKSDB"));
    }

    private void run(List<String> extra) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        TestTopics topics = TestTopics.create(bootstrap);
        int frames = 200;
        Map<String, List<Frame>> cameras = cameras(8, frames, 160, 120);
        produce(bootstrap, topics.frames(), cameras);

        List<String> args = new ArrayList<>(topics.args(bootstrap));
        args.addAll(List.of("--kafka.bounded", "true", "--checkpoint.interval", "500ms"));
        // Compared with an offline run, which has no overload policy: a job reading a
        // pre-produced backlog is, by frame age, overloaded and would shrink and coalesce.
        args.addAll(List.of("--tokenizer.overload-policy", "OFF"));
        args.addAll(extra);
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(args.toArray(String[]::new)));
        ModelFactory model = TestingModelFactory.standard();

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf(config, 2));
        TokenizerJob.wire(env, config, model);
        env.execute("kafka-itcase");

        List<TokenDelta> deltas =
                readDeltas(
                        bootstrap,
                        topics.deltas(),
                        list -> list.size() >= 8 * frames,
                        Duration.ofSeconds(60));
        assertThat(deltas).hasSize(8 * frames);
        TokenMirror mirror = mirror(deltas, cameras);

        Map<String, CameraState> expected = offlineRun(model, config, cameras);
        for (var entry : expected.entrySet()) {
            assertThat(mirror.difference(entry.getValue())).as(entry.getKey()).isEmpty();
            assertThat(mirror.camera(entry.getKey()).orElseThrow().lastFrameSeq())
                    .isEqualTo(frames - 1);
        }
        assertThat(readRejected(bootstrap, topics.rejected(), 1, Duration.ofSeconds(2))).isEmpty();
    }
}
