package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code deltatok tail} over deltas the core produced offline, through a real Kafka broker. */
@Timeout(180)
class TailCommandITCase {

    private static final int FRAMES = 30;
    private static KafkaBroker broker;
    private static String topic;

    @BeforeAll
    static void publishDeltas() throws Exception {
        broker = KafkaBroker.start();
        topic = "deltas-" + UUID.randomUUID();
        Topics.ensure(broker.bootstrapServers(), List.of(topic), 4, true);
        try (TestingTokenizerModel model = TestingTokenizerModel.standard();
                KafkaProducer<String, TokenDelta> producer =
                        Clients.deltaProducer(broker.bootstrapServers())) {
            TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
            for (String camera : List.of("cam-a", "cam-b")) {
                CameraState state = tokenizer.newState(camera);
                SyntheticScene scene =
                        SyntheticScenes.create(
                                "corridor", SyntheticScenes.seedFor(camera), 256, 256);
                for (long seq = 0; seq < FRAMES; seq++) {
                    TokenDelta delta =
                            tokenizer
                                    .process(state, scene.frame(camera, seq), Instant.EPOCH)
                                    .delta();
                    producer.send(new ProducerRecord<>(topic, camera, delta));
                }
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String tail(String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        String[] args = new String[extra.length + 6];
        args[0] = "tail";
        args[1] = "--bootstrap-servers";
        args[2] = broker.bootstrapServers();
        args[3] = "--topic";
        args[4] = topic;
        args[5] = "--from-beginning";
        System.arraycopy(extra, 0, args, 6, extra.length);
        assertThat(cli.execute(args)).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void jsonlPrintsEachDeltaWithItsKeyMapDecoded() throws Exception {
        String out = tail("--format", "jsonl", "--camera", "cam-a", "--max-records", "5");

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(5);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("camera").asText()).isEqualTo("cam-a");
        assertThat(first.path("kind").asText()).isEqualTo("KEYFRAME");
        assertThat(first.path("stats").path("keyframeReason").asText()).isEqualTo("FIRST_FRAME");
        assertThat(new ObjectMapper().readTree(lines.get(1)).path("stats").path("keyframeReason"))
                .hasToString("\"NONE\"");
        assertThat(first.path("keyMap")).hasSize(256);
        assertThat(first.path("upserts").size()).isPositive();
    }

    @Test
    void llmPrintsOneRecordPerCameraWindow() throws Exception {
        String out =
                tail(
                        "--format",
                        "llm",
                        "--window",
                        "10",
                        "--codebook-size",
                        "1024",
                        "--max-records",
                        "6");

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(6);
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode r = json.readTree(line);
            assertThat(r.path("camera").asText()).isIn("cam-a", "cam-b");
            assertThat(r.path("frameCount").asInt()).isEqualTo(10);
            JsonNode tokens = r.path("tokens");
            int size = r.path("vocabularySize").asInt();
            assertThat(tokens.get(0).asInt()).isEqualTo(4 * 1024); // <|window|>
            assertThat(tokens.get(tokens.size() - 1).asInt()).isEqualTo(4 * 1024 + 1);
            assertThat(tokens.get(tokens.size() - 2).asInt())
                    .isEqualTo(r.path("summary").path("token").asInt())
                    .isLessThan(size);
            assertThat(r.path("keyMap")).hasSize(256);
            assertThat(r.path("table").size()).isPositive();
        }
    }

    @Test
    void statsStopsWhenIdle() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "tail",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--topic",
                        topic,
                        "--from-beginning",
                        "--idle-timeout",
                        "3s");

        assertThat(exit).isZero();
        assertThat(err.toString()).contains("cam-a").contains("cam-b").contains("tok/frame");
    }

    @Test
    void missingTopicSaysHowToCreateIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "tail",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--topic",
                        "absent-" + UUID.randomUUID());

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("missing topic").contains("--create-topics");
    }
}
