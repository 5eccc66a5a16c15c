package dev.deltatok.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * Used by {@code deltatok demo}, {@code deltatok bench} and the integration tests.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private Process process;
    private final Thread shutdownHook;

    private KafkaBroker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(this::destroy, "kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats storage and starts a broker on free loopback ports; returns once it serves. */
    public static KafkaBroker start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("deltatok-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the Kafka broker", e);
        }
        int port = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        try {
            Files.writeString(config, serverProperties(dir, port, controllerPort));
            runToCompletion(
                    List.of(
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            config.toString(),
                            "--standalone"),
                    dir.resolve("format.log"));
            Process process =
                    javaProcess(
                                    List.of("kafka.Kafka", config.toString()),
                                    dir.resolve("broker.log"))
                            .start();
            KafkaBroker broker = new KafkaBroker(dir, port, process);
            broker.awaitReady();
            LOG.info("Kafka broker started at {} (data in {})", broker.bootstrapServers(), dir);
            return broker;
        } catch (IOException e) {
            deleteRecursively(dir);
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        }
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
        Properties props = new Properties();
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

    private static String serverProperties(Path dir, int port, int controllerPort) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
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
