package dev.deltatok.job;

import static dev.deltatok.job.JobTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.flink.TestingModelFactory;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, start a new job from it with a different parallelism: every camera's
 * deltas continue gap-free and the mirrors equal an offline run over all frames.
 */
@Timeout(300)
class TokenizerJobSavepointITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void resumesFromASavepointAtAnotherParallelismGapFree(@TempDir Path savepoints)
            throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        TestTopics topics = TestTopics.create(bootstrap);
        int half = 40;
        Map<String, List<Frame>> all = cameras(6, 2 * half, 128, 96);
        produce(bootstrap, topics.frames(), slice(all, 0, half));

        JobClient first = start(topics, 2, null);
        List<TokenDelta> firstHalf =
                readDeltas(
                        bootstrap,
                        topics.deltas(),
                        l -> l.size() >= 6 * half,
                        Duration.ofSeconds(90));
        assertThat(firstHalf).hasSize(6 * half);
        String savepoint =
                first.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();

        produce(bootstrap, topics.frames(), slice(all, half, 2 * half));
        JobClient second = start(topics, 1, savepoint);
        List<TokenDelta> deltas =
                readDeltas(
                        bootstrap,
                        topics.deltas(),
                        l -> l.size() >= 6 * 2 * half,
                        Duration.ofSeconds(90));
        second.cancel().get();

        assertThat(deltas).hasSize(6 * 2 * half);
        TokenMirror mirror = mirror(deltas, all);
        TokenizerConfig config = config(topics, 1);
        Map<String, CameraState> offline = offlineRun(TestingModelFactory.standard(), config, all);
        for (var entry : offline.entrySet()) {
            assertThat(mirror.difference(entry.getValue())).as(entry.getKey()).isEmpty();
        }
    }

    private static JobClient start(TestTopics topics, int parallelism, String savepoint)
            throws Exception {
        TokenizerConfig config = config(topics, parallelism);
        Configuration conf = config.flinkConfiguration();
        conf.setString("restart-strategy.type", "none");
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TokenizerJob.wire(env, config, TestingModelFactory.standard());
        return env.executeAsync("savepoint-itcase-p" + parallelism);
    }

    private static TokenizerConfig config(TestTopics topics, int parallelism) {
        List<String> args = new ArrayList<>(topics.args(KAFKA.bootstrapServers()));
        args.addAll(
                List.of(
                        "--checkpoint.interval", "300ms",
                        // compared with an offline run: reading a backlog must not degrade
                        "--tokenizer.overload-policy", "OFF",
                        "--kafka.starting-offsets", "EARLIEST",
                        "--parallelism", Integer.toString(parallelism)));
        return TokenizerConfig.fromConfiguration(
                TokenizerConfig.parseArgs(args.toArray(String[]::new)));
    }

    private static Map<String, List<Frame>> slice(Map<String, List<Frame>> all, int from, int to) {
        Map<String, List<Frame>> out = new LinkedHashMap<>();
        all.forEach((camera, frames) -> out.put(camera, frames.subList(from, to)));
        return out;
    }
}
