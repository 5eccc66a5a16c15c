package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.kafka.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The operator's path through the tools, against a real broker: {@code deltatok produce} publishes
 * cameras, the tokenizer job (default ONNX model, MiniCluster) turns them into deltas, and {@code
 * deltatok tail} reads every delta back, read_committed, in order per camera.
 */
@Timeout(240)
class ProduceRunTailITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void producedCamerasComeBackAsGapFreeDeltasInTail() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String frames = "frames-" + id;
        String deltas = "deltas-" + id;
        String rejected = "rejected-" + id;
        Topics.ensure(KAFKA.bootstrapServers(), List.of(frames, deltas, rejected), 2, true);
        int cameras = 3;
        int perCamera = 30;

        run(
                "produce",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                frames,
                "--camera-id",
                "lobby",
                "--input",
                "synthetic:corridor",
                "--cameras",
                Integer.toString(cameras),
                "--frames",
                Integer.toString(perCamera),
                "--fps",
                "max");

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
                                "--checkpoint.interval",
                                "500ms",
                                // every produced frame must become a delta: a backlog must not
                                // be coalesced
                                "--tokenizer.overload-policy",
                                "OFF",
                                "--parallelism",
                                "1"));
        Configuration conf = config.flinkConfiguration();
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TokenizerJob.wire(env, config, TokenizerJob.modelFactory(config));
        env.execute("produce-run-tail");

        String out =
                run(
                        "tail",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        deltas,
                        "--from-beginning",
                        "--format",
                        "jsonl",
                        "--max-records",
                        Integer.toString(cameras * perCamera));
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(cameras * perCamera);
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> next = new HashMap<>();
        for (String line : lines) {
            JsonNode delta = json.readTree(line);
            String camera = delta.path("camera").asText();
            long seq = delta.path("deltaSeq").asLong();
            assertThat(seq).as(camera).isEqualTo(next.getOrDefault(camera, 0L));
            next.put(camera, seq + 1);
        }
        assertThat(next)
                .containsOnlyKeys("lobby-0", "lobby-1", "lobby-2")
                .allSatisfy((camera, count) -> assertThat(count).isEqualTo(perCamera));
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).as(String.join(" ", args) + "\n" + err).isZero();
        return out.toString();
    }
}
