package dev.deltatok.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), run as a child
 * JVM from this JVM's classpath, with its data in a temporary folder removed on {@link #close()}.
 * Used by {@code deltatok demo}, {@code deltatok bench} and the integration tests. Every listener
 * is on loopback. {@link #startSaslSsl} starts one whose only client listener is SASL_SSL
 * (SCRAM-SHA-512 over TLS with a self-signed certificate made by {@code keytool}).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** The SASL mechanism of a secured broker. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final int port;
    private Process process;
    private final Thread shutdownHook;
    private final Tls tls;

    /**
     * A secured broker's TLS material and the credentials of its inter-broker user; null for a
     * PLAINTEXT broker.
     */
    private record Tls(
            Path keystore,
            String keystorePassword,
            Path truststore,
            String truststorePassword,
            String brokerUser,
            String brokerPassword) {}

    private KafkaBroker(Path dir, int port, Process process, Tls tls) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.tls = tls;
        this.shutdownHook = new Thread(this::destroy, "kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats storage and starts a broker on free loopback ports; returns once it serves. */
    public static KafkaBroker start() {
        return start(null, null, List.of());
    }

    /**
     * {@link #start()} with the broker's folder (its log, i.e. every record it stores) made under
     * {@code parent} instead of the temp folder.
     */
    public static KafkaBroker startIn(Path parent) {
        return start(parent, null, List.of());
    }

    /**
     * Starts a broker whose only client listener is SASL_SSL: SCRAM-SHA-512 over TLS, with a
     * self-signed certificate for 127.0.0.1 and localhost that {@code keytool} makes in the data
     * folder, and a SCRAM user {@code user} with {@code password} (alphanumeric, it travels on the
     * storage tool's command line; for tests) created when storage is formatted. The controller
     * listener stays PLAINTEXT on loopback. Clients connect with {@link #clientSecurityProperties}.
     */
    public static KafkaBroker startSaslSsl(String user, String password) {
        return start(null, user, List.of(scram(user, password)));
    }

    private static KafkaBroker start(Path parent, String clientUser, List<String> scramUsers) {
        Path dir;
        try {
            dir =
                    parent == null
                            ? Files.createTempDirectory("deltatok-kafka-")
                            : Files.createTempDirectory(parent, "deltatok-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the Kafka broker", e);
        }
        int port = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        try {
            Tls tls = clientUser == null ? null : makeTls(dir);
            Files.writeString(config, serverProperties(dir, port, controllerPort, tls));
            List<String> format =
                    new ArrayList<>(
                            List.of(
                                    "kafka.tools.StorageTool",
                                    "format",
                                    "-t",
                                    Uuid.randomUuid().toString(),
                                    "-c",
                                    config.toString(),
                                    "--standalone"));
            if (tls != null) {
                List<String> users = new ArrayList<>(scramUsers);
                users.add(scram(tls.brokerUser(), tls.brokerPassword()));
                for (String scram : users) {
                    format.add("--add-scram");
                    format.add(scram);
                }
            }
            runToCompletion(format, dir.resolve("format.log"));
            Process process =
                    javaProcess(
                                    List.of("kafka.Kafka", config.toString()),
                                    dir.resolve("broker.log"))
                            .start();
            KafkaBroker broker = new KafkaBroker(dir, port, process, tls);
            broker.awaitReady();
            LOG.info(
                    "Kafka broker started at {} ({}; data in {})",
                    broker.bootstrapServers(),
                    tls == null ? "PLAINTEXT" : "SASL_SSL",
                    dir);
            return broker;
        } catch (IOException e) {
            deleteRecursively(dir);
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        }
    }

    /**
     * The client settings of a secured broker's listener for {@code user}: SASL_SSL, SCRAM, the
     * broker's truststore. Empty for a PLAINTEXT broker.
     */
    public Properties clientSecurityProperties(String user, String password) {
        Properties p = new Properties();
        if (tls == null) {
            return p;
        }
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", SCRAM_MECHANISM);
        p.setProperty(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user
                        + "\" password=\""
                        + password
                        + "\";");
        p.setProperty("ssl.truststore.location", tls.truststore().toString());
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.password", tls.truststorePassword());
        return p;
    }

    /** A secured broker's truststore password (a secret clients hold); null for PLAINTEXT. */
    public String truststorePassword() {
        return tls == null ? null : tls.truststorePassword();
    }

    private static String scram(String user, String password) {
        if (!user.matches("[A-Za-z0-9_-]+") || !password.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "SCRAM user and password of a test broker must be alphanumeric");
        }
        return SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    /**
     * A self-signed key pair for 127.0.0.1 / localhost, and a truststore holding its certificate.
     */
    private static Tls makeTls(Path dir) throws IOException {
        Path keystore = dir.resolve("broker.p12");
        Path certificate = dir.resolve("broker.crt");
        Path truststore = dir.resolve("truststore.p12");
        String keystorePassword = randomSecret();
        String truststorePassword = randomSecret();
        keytool(
                dir,
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "7",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                keystorePassword,
                "-keypass",
                keystorePassword);
        keytool(
                dir,
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storepass",
                keystorePassword,
                "-file",
                certificate.toString());
        keytool(
                dir,
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                truststore.toString(),
                "-storepass",
                truststorePassword);
        return new Tls(
                keystore,
                keystorePassword,
                truststore,
                truststorePassword,
                "broker",
                randomSecret());
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).replace('-', 'x');
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /**
     * Stops the broker process the way an operator would (SIGTERM, a controlled shutdown; SIGKILL
     * after 20 s) and keeps its data: an outage that {@link #restart()} ends.
     */
    public synchronized void stop() {
        stopProcess();
        LOG.info("Kafka broker at {} stopped (data kept in {})", bootstrapServers(), dir);
    }

    /**
     * Starts a stopped broker again on the same data folder and ports (same node id, same topics,
     * same transaction state); returns once it serves.
     *
     * @throws IllegalStateException when it still runs or does not come back
     */
    public synchronized void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the broker at " + bootstrapServers() + " runs");
        }
        try {
            ProcessBuilder builder =
                    javaProcess(
                            List.of("kafka.Kafka", dir.resolve("server.properties").toString()),
                            logFile());
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart the Kafka broker", e);
        }
        awaitReady();
        LOG.info("Kafka broker restarted at {}", bootstrapServers());
    }

    /** Stops the broker process (SIGKILL after 20 s) and removes its data. */
    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already running the hook
        }
    }

    private synchronized void destroy() {
        stopProcess();
        deleteRecursively(dir);
    }

    private synchronized void stopProcess() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Properties props =
                tls == null
                        ? new Properties()
                        : clientSecurityProperties(tls.brokerUser(), tls.brokerPassword());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Kafka broker exited with code "
                                    + process.exitValue()
                                    + "; its log ends with:\n"
                                    + tail(logFile()));
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // retry until the deadline
                }
                sleep(200);
            }
        }
        destroy();
        throw new IllegalStateException(
                "Kafka broker did not start within "
                        + START_TIMEOUT
                        + "; log:\n"
                        + tail(logFile()));
    }

    private static String serverProperties(Path dir, int port, int controllerPort, Tls tls) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        if (tls == null) {
            p.put(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        } else {
            p.put(
                    "listeners",
                    "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port);
            p.put("inter.broker.listener.name", "SASL_SSL");
            p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
            p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
            p.put(
                    "listener.name.sasl_ssl."
                            + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT)
                            + ".sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                            + tls.brokerUser()
                            + "\" password=\""
                            + tls.brokerPassword()
                            + "\";");
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", tls.keystore().toString());
            p.put("ssl.keystore.password", tls.keystorePassword());
            p.put("ssl.key.password", tls.keystorePassword());
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.location", tls.truststore().toString());
            p.put("ssl.truststore.password", tls.truststorePassword());
            p.put("ssl.client.auth", "none");
        }
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("num.partitions", "4");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("transaction.max.timeout.ms", "3600000");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", "33554432");
        p.put("replica.fetch.max.bytes", "33554432");
        p.put("log.segment.bytes", "134217728");
        // a deleted topic's files go within a second (Kafka's default waits a minute)
        p.put("log.segment.delete.delay.ms", "1000");
        p.put("log.retention.hours", "1");
        StringBuilder out = new StringBuilder();
        p.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    private static ProcessBuilder javaProcess(List<String> mainAndArgs, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx768m");
        command.add("-XX:+UseG1GC");
        command.add("-Dlog4j2.formatMsgNoLookups=true");
        command.addAll(mainAndArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        // The classpath travels in the environment: command lines stay short.
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        return builder;
    }

    private static void runToCompletion(List<String> mainAndArgs, Path log) throws IOException {
        Process process = javaProcess(mainAndArgs, log).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Kafka storage format timed out:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "Kafka storage format failed (exit "
                            + process.exitValue()
                            + "):\n"
                            + tail(log));
        }
    }

    private static int freePort() {
        try (ServerSocket socket =
                new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }
}
