package dev.deltatok.job;

import static dev.deltatok.job.JobTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job fails mid-stream, recovers from its last checkpoint, and read_committed consumers still
 * see every (camera, deltaSeq) exactly once, with mirrors equal to an offline run.
 */
@Timeout(300)
class TokenizerJobFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @BeforeEach
    void resetModel() {
        SlowModelFactory.reset();
    }

    @Test
    void recoversFromAnExceptionInTheOperatorExactlyOnce() throws Exception {
        Run run = new Run(6, 120);
        JobClient job = run.start(new SlowModelFactory(10, 60));
        job.getJobExecutionResult().get();
        assertThat(SlowModelFactory.FAILURES.get()).isEqualTo(1);
        run.verify();
    }

    @Test
    void recoversFromTheLossOfATaskManagerExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Run run = new Run(6, 120);
        JobClient job = run.start(new SlowModelFactory(10, -1));
        // Mid-stream: some deltas are committed, many frames are still to come.
        List<TokenDelta> early =
                readDeltas(
                        KAFKA.bootstrapServers(),
                        run.topics.deltas(),
                        list -> !list.isEmpty(),
                        Duration.ofSeconds(60));
        assertThat(early).isNotEmpty();
        assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
        long killedAt = System.nanoTime();
        cluster.terminateTaskManager(0).get();
        cluster.startTaskManager();
        job.getJobExecutionResult().get();
        System.out.printf(
                "job finished %d ms after the TaskManager was lost%n",
                (System.nanoTime() - killedAt) / 1_000_000);
        run.verify();
    }

    /** One job run over fresh topics. */
    private static final class Run {
        final TestTopics topics = TestTopics.create(KAFKA.bootstrapServers());
        final Map<String, List<Frame>> cameras;
        final int frames;
        TokenizerConfig config;

        Run(int cameraCount, int frames) {
            this.frames = frames;
            this.cameras = cameras(cameraCount, frames, 128, 96);
            produce(KAFKA.bootstrapServers(), topics.frames(), cameras);
        }

        JobClient start(SlowModelFactory model) throws Exception {
            List<String> args = new ArrayList<>(topics.args(KAFKA.bootstrapServers()));
            args.addAll(
                    List.of(
                            "--kafka.bounded", "true",
                            "--checkpoint.interval", "300ms",
                            // compared with an offline run: a restart's catch-up must not
                            // degrade
                            "--tokenizer.overload-policy", "OFF",
                            "--batch.max-frames", "4",
                            "--parallelism", "2"));
            config =
                    TokenizerConfig.fromConfiguration(
                            TokenizerConfig.parseArgs(args.toArray(String[]::new)));
            Configuration conf = config.flinkConfiguration();
            conf.setString("restart-strategy.type", "fixed-delay");
            conf.setString("restart-strategy.fixed-delay.attempts", "5");
            conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            TokenizerJob.wire(env, config, model);
            return env.executeAsync("failure-itcase");
        }

        void verify() throws Exception {
            int expected = cameras.size() * frames;
            List<TokenDelta> deltas =
                    readDeltas(
                            KAFKA.bootstrapServers(),
                            topics.deltas(),
                            list -> list.size() >= expected,
                            Duration.ofSeconds(60));
            // Read a little longer: a duplicate would show up as an extra record.
            deltas.addAll(readDeltasAfter(deltas.size()));
            assertThat(deltas).hasSize(expected);
            TokenMirror mirror = mirror(deltas, cameras);
            Map<String, CameraState> offline =
                    offlineRun(TestingModelFactory.standard(), config, cameras);
            for (var entry : offline.entrySet()) {
                assertThat(mirror.difference(entry.getValue())).as(entry.getKey()).isEmpty();
            }
        }

        private List<TokenDelta> readDeltasAfter(int alreadyRead) {
            List<TokenDelta> all =
                    readDeltas(
                            KAFKA.bootstrapServers(),
                            topics.deltas(),
                            list -> list.size() > alreadyRead,
                            Duration.ofSeconds(3));
            return all.size() > alreadyRead ? all.subList(alreadyRead, all.size()) : List.of();
        }
    }
}
