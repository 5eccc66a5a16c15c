package dev.deltatok.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real standalone Flink session cluster on this machine: one JobManager and any number of
 * TaskManagers, each its own JVM, assembled from Flink's Maven artifacts (flink-dist is not on
 * Maven Central). Jobs are submitted as jars through {@link FlinkRest}.
 */
final class FlinkStandaloneCluster implements AutoCloseable {

    private static final List<String> JVM_OPENS =
            List.of(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED");

    private final Path dir;
    private final int restPort;
    private final String classpath;
    private final Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private int started;

    private FlinkStandaloneCluster(Path dir, int restPort, String classpath, Process jobManager) {
        this.dir = dir;
        this.restPort = restPort;
        this.classpath = classpath;
        this.jobManager = jobManager;
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers with {@code slots} slots each. */
    static FlinkStandaloneCluster start(int taskManagers, int slots) throws IOException {
        Path dir = Files.createTempDirectory("deltatok-flink-");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int restPort = freePort();
        int rpcPort = freePort();
        Files.writeString(
                conf.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: localhost",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: localhost",
                        "taskmanager.bind-host: localhost",
                        "taskmanager.host: localhost",
                        "rest.address: localhost",
                        "rest.bind-address: localhost",
                        "rest.port: " + restPort,
                        "jobmanager.memory.process.size: 768m",
                        "taskmanager.memory.process.size: 1280m",
                        "taskmanager.memory.managed.fraction: 0.2",
                        "taskmanager.numberOfTaskSlots: " + slots,
                        "parallelism.default: 1",
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 6000",
                        "restart-strategy.type: fixed-delay",
                        "restart-strategy.fixed-delay.attempts: 20",
                        "restart-strategy.fixed-delay.delay: 1 s",
                        "execution.checkpointing.dir: " + dir.resolve("checkpoints").toUri(),
                        "execution.checkpointing.savepoint-dir: "
                                + dir.resolve("savepoints").toUri(),
                        "web.upload.dir: " + Files.createDirectories(dir.resolve("uploads")),
                        "io.tmp.dirs: " + Files.createDirectories(dir.resolve("tmp")),
                        "pipeline.generic-types: false",
                        ""));
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.type = File",
                        "appender.file.name = File",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        ""));
        String classpath = flinkClasspath();
        Process jm =
                java(
                        dir,
                        classpath,
                        "jobmanager",
                        List.of("-Xmx512m"),
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        List.of("--configDir", conf.toString()));
        FlinkStandaloneCluster cluster = new FlinkStandaloneCluster(dir, restPort, classpath, jm);
        try {
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.rest().awaitTaskManagers(taskManagers, 120);
        } catch (RuntimeException | IOException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    FlinkRest rest() {
        return new FlinkRest("http://localhost:" + restPort);
    }

    Path dir() {
        return dir;
    }

    /** Starts one more TaskManager JVM; returns its index. */
    int startTaskManager() throws IOException {
        Path conf = dir.resolve("conf");
        // Flink's own scripts ask BashJavaUtils for the TaskManager's memory flags.
        Process utils =
                java(
                        dir,
                        classpath,
                        "bashjavautils-" + started,
                        List.of("-Xmx128m"),
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        List.of("GET_TM_RESOURCE_PARAMS", "--configDir", conf.toString()));
        List<String> lines;
        try {
            if (!utils.waitFor(60, TimeUnit.SECONDS) || utils.exitValue() != 0) {
                throw new IllegalStateException(
                        "BashJavaUtils failed: " + log("bashjavautils-" + started));
            }
            lines =
                    Files.readAllLines(dir.resolve("bashjavautils-" + started + ".out")).stream()
                            .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                            .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()))
                            .collect(Collectors.toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (lines.size() < 2) {
            throw new IllegalStateException("unexpected BashJavaUtils output: " + lines);
        }
        List<String> jvmFlags = List.of(lines.get(lines.size() - 2).trim().split("\\s+"));
        List<String> dynamic = new ArrayList<>(List.of("--configDir", conf.toString()));
        dynamic.addAll(List.of(lines.get(lines.size() - 1).trim().split("\\s+")));
        String name = "taskmanager-" + started;
        taskManagers.add(
                java(
                        dir,
                        classpath,
                        name,
                        jvmFlags,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        dynamic));
        return started++;
    }

    /** SIGKILLs a TaskManager, as a crashed machine would look. */
    void killTaskManager(int index) throws InterruptedException {
        Process tm = taskManagers.get(index);
        tm.destroyForcibly();
        tm.waitFor(30, TimeUnit.SECONDS);
    }

    String log(String name) {
        try {
            Path file = dir.resolve(name + ".log");
            if (!Files.exists(file)) {
                file = dir.resolve(name + ".out");
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (!Boolean.getBoolean("deltatok.keepClusterDir")) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Flink's runtime from this test JVM's classpath, without the project's own classes and the
     * job's libraries: those must come from the submitted job jar, as on a real cluster.
     */
    private static String flinkClasspath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean projectOrJobLibrary =
                    e.contains("/target/")
                            || e.contains("/dev/deltatok/")
                            || e.contains("/com/microsoft/onnxruntime/")
                            || e.contains("/org/apache/kafka/")
                            || e.contains("/org/apache/avro/")
                            || e.contains("/flink-connector-kafka/")
                            || e.contains("/flink-avro/")
                            || e.contains("/info/picocli/")
                            || e.contains("/org/scala-lang/")
                            || e.contains("/org/junit/")
                            || e.contains("/org/assertj/");
            if (!projectOrJobLibrary) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static Process java(
            Path dir,
            String classpath,
            String name,
            List<String> jvmFlags,
            String main,
            List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(JVM_OPENS);
        command.add("-Dlog.file=" + dir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + dir.resolve("conf/log4j.properties").toUri());
        command.add(main);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        // The classpath travels in the environment so command lines stay short.
        builder.environment().put("CLASSPATH", classpath);
        builder.redirectErrorStream(true);
        builder.redirectOutput(dir.resolve(name + ".out").toFile());
        return builder.start();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
