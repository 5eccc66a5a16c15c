package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.job.EmbeddedCluster;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deltatok against a Kafka broker whose only client listener is SASL_SSL (SCRAM-SHA-512 over TLS, a
 * self-signed certificate made by keytool): {@code deltatok produce} publishes cameras, the
 * tokenizer job on a MiniCluster turns them into deltas and {@code deltatok tail} reads them, all
 * configured by one {@code --kafka.properties-file}. A wrong password fails with a message that
 * says so. No credential appears in the logs (at INFO), stdout, stderr, the commands' output or
 * what Flink's REST endpoint shows of the job.
 */
@Timeout(420)
class SecuredKafkaITCase {

    private static final String USER = "deltatok-app";
    private static final String PASSWORD = "Tr0ub4dor-deltatok-7f3a";
    private static final String WRONG_PASSWORD = "Wr0ng-guess-deltatok-51c9";

    private static KafkaBroker broker;

    @TempDir Path dir;

    private final StringWriter logs = new StringWriter();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final List<String> shown = new ArrayList<>();
    private static final List<String> LOGGERS =
            List.of("", "org.apache.kafka", "org.apache.flink", "dev.deltatok");

    private final Map<String, Level> levels = new HashMap<>();
    private WriterAppender appender;
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startSaslSsl(USER, PASSWORD);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Every log event at INFO and above, and everything written to System.out and System.err. */
    @BeforeEach
    void capture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender =
                WriterAppender.newBuilder()
                        .setName("secrets-capture")
                        .setTarget((Writer) logs)
                        .setLayout(
                                PatternLayout.newBuilder()
                                        .withPattern("%p %c - %m%n%throwable")
                                        .build())
                        .build();
        appender.start();
        context.getConfiguration().addAppender(appender);
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
        for (String logger : LOGGERS) {
            levels.put(logger, LogManager.getLogger(logger).getLevel());
            Configurator.setLevel(logger, Level.INFO);
        }
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(new Tee(stdout, console), true));
        System.setErr(new PrintStream(new Tee(stderr, console), true));
    }

    @AfterEach
    void release() {
        System.setOut(stdout);
        System.setErr(stderr);
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
        levels.forEach(Configurator::setLevel);
    }

    @Test
    void jobAndCommandsRunOverSaslSslAndNoSecretIsShown() throws Exception {
        Path properties = propertiesFile("client.properties", PASSWORD);
        String id = UUID.randomUUID().toString().substring(0, 8);
        String frames = "frames-" + id;
        String deltas = "deltas-" + id;
        String rejected = "rejected-" + id;
        int cameras = 2;
        int perCamera = 12;

        cli(
                0,
                "produce",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka.properties-file",
                properties.toString(),
                "--create-topics",
                "--topic",
                frames,
                "--camera-id",
                "gate",
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
                                broker.bootstrapServers(),
                                "--kafka.properties-file",
                                properties.toString(),
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
                                "--checkpoint.interval",
                                "500ms",
                                "--tokenizer.overload-policy",
                                "OFF",
                                "--parallelism",
                                "1"));
        // the deltas and rejected topics, through the admin client the job's tools use
        Topics.check(config, true);
        int restPort = freePort();
        Configuration conf = EmbeddedCluster.configuration(config);
        conf.setString("rest.bind-port", Integer.toString(restPort));
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JobClient job = TokenizerJob.start(env, config);
        try {
            String out =
                    cli(
                            0,
                            "tail",
                            "--bootstrap-servers",
                            broker.bootstrapServers(),
                            "--kafka.properties-file",
                            properties.toString(),
                            "--topic",
                            deltas,
                            "--from-beginning",
                            "--format",
                            "jsonl",
                            "--max-records",
                            Integer.toString(cameras * perCamera),
                            "--idle-timeout",
                            "180s");
            ObjectMapper json = new ObjectMapper();
            Map<String, Long> next = new HashMap<>();
            for (String line : out.lines().toList()) {
                JsonNode delta = json.readTree(line);
                String camera = delta.path("camera").asText();
                long seq = delta.path("deltaSeq").asLong();
                assertThat(seq).as(camera).isEqualTo(next.getOrDefault(camera, 0L));
                next.put(camera, seq + 1);
            }
            assertThat(next)
                    .containsOnlyKeys("gate-0", "gate-1")
                    .allSatisfy((camera, count) -> assertThat(count).isEqualTo(perCamera));

            String jobId = job.getJobID().toHexString();
            String jobConfig = rest(restPort, "/jobs/" + jobId + "/config");
            assertThat(jobConfig).contains(jobId);
            shown.add(jobConfig);
            shown.add(rest(restPort, "/jobmanager/config"));
            String plan = rest(restPort, "/jobs/" + jobId);
            shown.add(plan);
            shown.add(rest(restPort, "/jobs/" + jobId + "/plan"));
            for (JsonNode vertex : new ObjectMapper().readTree(plan).path("vertices")) {
                shown.add(
                        rest(
                                restPort,
                                "/jobs/"
                                        + jobId
                                        + "/vertices/"
                                        + vertex.path("id").asText()
                                        + "/metrics"));
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }

        for (String command : List.of("run", "produce", "tail", "view", "ingest")) {
            shown.add(cli(0, command, "--help"));
        }
        // Kafka logged the clients' settings at INFO, with the credentials hidden
        assertThat(logs.toString()).contains("sasl.jaas.config = [hidden]");
        assertNoSecretShown();
    }

    @Test
    void aWrongPasswordOrAnUntrustedCertificateFailsSayingSo() throws Exception {
        Path wrong = propertiesFile("wrong.properties", WRONG_PASSWORD);

        String produce =
                cliErr(
                        3,
                        "produce",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--kafka.properties-file",
                        wrong.toString(),
                        "--create-topics",
                        "--topic",
                        "frames-wrong",
                        "--input",
                        "synthetic:static",
                        "--frames",
                        "1");
        System.out.println(produce);
        assertThat(produce)
                .contains("refused the connection")
                .contains("Authentication failed")
                .contains(KafkaBroker.SCRAM_MECHANISM)
                .contains("check the credentials")
                .contains(wrong.toString());

        String tail =
                cliErr(
                        3,
                        "tail",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--kafka.properties-file",
                        wrong.toString(),
                        "--topic",
                        "deltas-wrong");
        assertThat(tail).contains("refused the connection").contains("Authentication failed");

        String run =
                cliErr(
                        1,
                        "run",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--kafka.properties-file",
                        wrong.toString());
        assertThat(run).contains("deltatok run: ").contains("refused the connection");

        // the right password, but no truststore: the JDK's default one does not trust the
        // broker's self-signed certificate
        Properties untrusting = broker.clientSecurityProperties(USER, PASSWORD);
        untrusting.keySet().removeIf(k -> k.toString().startsWith("ssl.truststore."));
        Path noTruststore = dir.resolve("no-truststore.properties");
        try (Writer out = Files.newBufferedWriter(noTruststore)) {
            untrusting.store(out, null);
        }
        String tls =
                cliErr(
                        3,
                        "tail",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--kafka.properties-file",
                        noTruststore.toString(),
                        "--topic",
                        "deltas-tls");
        System.out.println(tls);
        assertThat(tls)
                .contains("refused the connection")
                .contains("SSL handshake failed")
                .contains("certification path")
                .contains("ssl.truststore");

        // without the file a PLAINTEXT client cannot talk to the SASL_SSL listener
        String plaintext =
                cliErr(3, "tail", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "t");
        assertThat(plaintext).contains("cannot reach Kafka").contains("--kafka.properties-file");
        assertNoSecretShown();
    }

    private void assertNoSecretShown() {
        List<String> texts = new ArrayList<>(shown);
        texts.add(logs.toString());
        texts.add(console.toString());
        for (String text : texts) {
            assertThat(text)
                    .doesNotContain(PASSWORD)
                    .doesNotContain(WRONG_PASSWORD)
                    .doesNotContain(broker.truststorePassword());
        }
    }

    private Path propertiesFile(String name, String password) throws IOException {
        Properties props = broker.clientSecurityProperties(USER, password);
        Path file = dir.resolve(name);
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "deltatok test client");
        }
        return file;
    }

    /** Runs a command, expects its exit code, and returns its stdout; keeps both for the check. */
    private String cli(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        shown.add(out.toString());
        shown.add(err.toString());
        assertThat(exit).as(String.join(" ", args) + "\n" + err).isEqualTo(expectedExit);
        return out.toString();
    }

    /** Runs a command, expects its exit code, and returns its stderr. */
    private String cliErr(int expectedExit, String... args) {
        int before = shown.size();
        cli(expectedExit, args);
        return shown.get(before + 1);
    }

    private static String rest(int port, String path) throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + path))
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
