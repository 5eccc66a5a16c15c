package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.kafka.Topics;
import dev.deltatok.mirror.MirrorSyncException;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.AvroWireCodec;
import dev.deltatok.wire.FrameSerde;
import dev.deltatok.wire.RejectedFrameSerde;
import dev.deltatok.wire.TokenDeltaSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The Python client ({@code clients/python}) against the Java one, on deltas the tokenizer job
 * wrote to a real broker: {@code python3 -m deltatok tail} prints byte for byte what {@code
 * deltatok tail} prints (jsonl and llm), Python's mirrors hold what {@link TokenMirror} holds (with
 * the embeddings the deltas' latents make), and Python's schema fingerprints are Java's.
 *
 * <p>Needs Debian's {@code python3-avro}, {@code python3-numpy} and {@code python3-confluent-kafka}
 * (.ci/run installs them); {@code DELTATOK_PYTHON} overrides {@code /usr/bin/python3}.
 */
@Timeout(420)
class PythonClientITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int CORRIDOR_FRAMES = 30;
    private static final int CUT_FRAMES = 60;
    private static final int TOTAL = 2 * CORRIDOR_FRAMES + CUT_FRAMES;
    private static final String PYTHON =
            System.getenv().getOrDefault("DELTATOK_PYTHON", "/usr/bin/python3");

    private static Path repo;
    private static String deltas;

    @BeforeAll
    static void runTheJob() throws Exception {
        repo = repositoryRoot();
        requirePythonModules();
        String id = UUID.randomUUID().toString().substring(0, 8);
        String frames = "frames-" + id;
        deltas = "deltas-" + id;
        String rejected = "rejected-" + id;
        Topics.ensure(KAFKA.bootstrapServers(), List.of(frames, deltas, rejected), 2, true);
        produce(frames, "lobby-é", "synthetic:corridor", 2, CORRIDOR_FRAMES);
        produce(frames, "gate", "synthetic:cut", 1, CUT_FRAMES);

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
                                "--tokenizer.include-latents",
                                "true",
                                "--checkpoint.interval",
                                "500ms",
                                // one delta per produced frame: the backlog must not be coalesced
                                "--tokenizer.overload-policy",
                                "OFF",
                                "--parallelism",
                                "1"));
        Configuration conf = config.flinkConfiguration();
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TokenizerJob.wire(env, config, TokenizerJob.modelFactory(config));
        env.execute("python-client");
    }

    @Test
    void jsonlLinesAreJavasByteForByte() throws Exception {
        String java = javaTail("--format", "jsonl", "--max-records", Integer.toString(TOTAL));
        String python = pythonTail("--format", "jsonl", "--max-records", Integer.toString(TOTAL));

        assertThat(java.lines()).hasSize(TOTAL);
        // partitions interleave differently per client; each camera's lines are in order
        assertThat(byCamera(python)).isEqualTo(byCamera(java));
        assertThat(java).contains("\"lobby-é-0\"").contains("\"keyframeReason\":\"SCENE_CUT\"");

        String oneCamera = javaTail("--format", "jsonl", "--camera", "gate", "--max-records", "55");
        assertThat(pythonTail("--format", "jsonl", "--camera", "gate", "--max-records", "55"))
                .isEqualTo(oneCamera);
        assertThat(oneCamera.lines()).hasSize(55);
    }

    @Test
    void llmRecordsAreJavasByteForByte() throws Exception {
        String[] args = {"--format", "llm", "--window", "7", "--codebook-size", "4096"};
        int records = 2 * (CORRIDOR_FRAMES / 7) + CUT_FRAMES / 7;
        String java = javaTail(concat(args, "--max-records", Integer.toString(records)));
        String python = pythonTail(concat(args, "--max-records", Integer.toString(records)));

        assertThat(java.lines()).hasSize(records);
        assertThat(byCamera(python)).isEqualTo(byCamera(java));

        String gate = javaTail(concat(args, "--camera", "gate", "--max-records", "8"));
        assertThat(pythonTail(concat(args, "--camera", "gate", "--max-records", "8")))
                .isEqualTo(gate);
        // the scene cut at frame 50 is in window 7 (frames 49..55): <|keyframe|> <|scene_cut|>
        JsonNode cut = new ObjectMapper().readTree(gate.lines().toList().get(7));
        assertThat(cut.path("summary").path("rebased").asBoolean()).isTrue();
    }

    @Test
    void pythonMirrorsHoldWhatJavasHold() throws Exception {
        String python = python("mirror", "--max-records", Integer.toString(TOTAL));

        List<String> expected = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Map<String, Object> camera : javaMirrors()) {
            expected.add(json.writeValueAsString(camera));
        }
        assertThat(python.lines().toList()).isEqualTo(expected);
        assertThat(expected)
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("\"synced\":true"));
        // the job ran with include-latents: every camera has an embedding array
        assertThat(expected).noneMatch(line -> line.contains("\"embeddings\":null"));
    }

    @Test
    void pythonFingerprintsAreJavas() throws Exception {
        List<String> expected = new ArrayList<>();
        for (Class<?> type : List.of(Frame.class, TokenDelta.class, RejectedFrame.class)) {
            Schema current = SpecificData.get().getSchema(type);
            expected.add(line(current.getName(), "current", current));
            for (int v = 1; ; v++) {
                String path = AvroWireCodec.RELEASED + "v" + v + "/" + current.getName() + ".avsc";
                try (InputStream in = AvroWireCodec.class.getResourceAsStream(path)) {
                    if (in == null) {
                        break;
                    }
                    expected.add(line(current.getName(), "v" + v, new Schema.Parser().parse(in)));
                }
            }
        }
        assertThat(python("fingerprints").lines().toList()).isEqualTo(expected);
        assertThat(python("fingerprints"))
                .contains(" " + new FrameSerde().codec().fingerprint() + " ")
                .contains(" " + new TokenDeltaSerde().codec().fingerprint() + " ")
                .contains(" " + new RejectedFrameSerde().codec().fingerprint() + " ");
    }

    private static String line(String name, String version, Schema schema) {
        return name
                + " "
                + version
                + " "
                + SchemaNormalization.parsingFingerprint64(schema)
                + " "
                + SchemaNormalization.toParsingForm(schema);
    }

    /** Each camera's state after every delta, in the shape of Python's {@code mirror} command. */
    private static List<Map<String, Object>> javaMirrors() throws Exception {
        TokenMirror mirror = new TokenMirror();
        Map<String, Map<Integer, ByteBuffer>> latents = new TreeMap<>();
        int read = 0;
        try (KafkaConsumer<String, TokenDelta> consumer =
                Clients.deltaConsumer(KAFKA.bootstrapServers())) {
            consumer.subscribe(List.of(deltas));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < TOTAL && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TokenDelta> r : consumer.poll(Duration.ofMillis(200))) {
                    TokenDelta d = r.value();
                    read++;
                    try {
                        mirror.apply(d);
                    } catch (MirrorSyncException e) {
                        continue;
                    }
                    Map<Integer, ByteBuffer> held =
                            latents.computeIfAbsent(d.getCameraId(), c -> new TreeMap<>());
                    if (d.getKind() == DeltaKind.KEYFRAME) {
                        held.clear();
                    }
                    d.getEvictions().forEach(held::remove);
                    for (SlotUpsert u : d.getUpserts()) {
                        held.put(u.getSlot(), u.getLatent());
                    }
                }
            }
        }
        assertThat(read).isEqualTo(TOTAL);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String id : new TreeMap<>(latents).keySet()) {
            TokenMirror.Camera cam = mirror.camera(id).orElseThrow();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("camera", id);
            m.put("synced", cam.synced());
            m.put("lastAppliedSeq", cam.lastAppliedSeq());
            m.put("lastFrameSeq", cam.lastFrameSeq());
            m.put("skippedDeltas", cam.skippedDeltas());
            m.put("grid", List.of(cam.gridRows(), cam.gridCols()));
            m.put("levels", cam.levels());
            m.put("model", cam.modelId());
            Map<String, int[]> table = new LinkedHashMap<>();
            new TreeMap<>(cam.table()).forEach((slot, ids) -> table.put(slot.toString(), ids));
            m.put("table", table);
            m.put("keyMap", cam.keyMap());
            m.put("embeddings", embeddingsDigest(cam, latents.get(id)));
            out.add(m);
        }
        return out;
    }

    /** SHA-256 of the float32 little-endian [rows, cols, D] array, null if a slot has no latent. */
    private static String embeddingsDigest(TokenMirror.Camera cam, Map<Integer, ByteBuffer> held)
            throws Exception {
        if (!cam.synced() || cam.table().isEmpty()) {
            return null;
        }
        for (int slot : cam.table().keySet()) {
            if (held.get(slot) == null) {
                return null;
            }
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int slot : cam.keyMap()) {
            sha.update(held.get(slot).duplicate());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Lines grouped by their "camera" field, each camera's lines in printed order. */
    private static Map<String, List<String>> byCamera(String output) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : output.lines().toList()) {
            String camera = json.readTree(line).path("camera").asText();
            out.computeIfAbsent(camera, c -> new ArrayList<>()).add(line);
        }
        return out;
    }

    private static String javaTail(String... args) {
        String[] all =
                concat(
                        new String[] {
                            "tail",
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--topic",
                            deltas,
                            "--from-beginning"
                        },
                        args);
        return run(all);
    }

    private static String pythonTail(String... args) throws Exception {
        return python(concat(new String[] {"tail"}, args));
    }

    /** {@code python3 -m deltatok COMMAND [--bootstrap-servers .. --topic .. --from-beginning]}. */
    private static String python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-m", "deltatok"));
        command.addAll(List.of(args));
        if (!args[0].equals("fingerprints")) {
            command.addAll(
                    List.of(
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--topic",
                            deltas,
                            "--from-beginning",
                            "--idle-timeout",
                            "30s"));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PYTHONPATH", repo.resolve("clients/python/src").toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Path err = Files.createTempFile("deltatok-python", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (!done) {
            p.destroyForcibly();
            fail("python3 -m deltatok %s did not finish: %s", String.join(" ", args), stderr);
        }
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + stderr).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void requirePythonModules() throws Exception {
        Process p =
                new ProcessBuilder(PYTHON, "-c", "import confluent_kafka, avro, numpy")
                        .redirectErrorStream(true)
                        .start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(
                    "the Python client's cross-language test needs "
                            + PYTHON
                            + " with Debian's python3-confluent-kafka, python3-avro and"
                            + " python3-numpy (apt-get install python3-confluent-kafka"
                            + " python3-avro python3-numpy; .ci/run does it): "
                            + said);
        }
    }

    private static void produce(String topic, String camera, String input, int cameras, int n) {
        run(
                "produce",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                topic,
                "--camera-id",
                camera,
                "--input",
                input,
                "--cameras",
                Integer.toString(cameras),
                "--frames",
                Integer.toString(n),
                "--fps",
                "max");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("clients/python/pyproject.toml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("no clients/python above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
