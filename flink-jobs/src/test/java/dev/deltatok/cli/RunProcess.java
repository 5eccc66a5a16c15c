package dev.deltatok.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code deltatok run} as its own JVM, started from this JVM's classpath the way the launcher
 * starts it, so that a test can {@code kill -9} it or send it SIGTERM. Every start appends its
 * output to one log file.
 */
final class RunProcess implements AutoCloseable {

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

    private final Process process;
    private final Path log;

    private RunProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code deltatok run ARGS}, its output appended to {@code log}. */
    static RunProcess start(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-XX:+UseG1GC");
        command.addAll(JVM_OPENS);
        // the command's own logging, not a log4j2-test configuration of a test dependency
        command.add(
                "-Dlog4j2.configurationFile="
                        + DeltatokCli.class.getResource("/log4j2.properties"));
        command.add(DeltatokCli.class.getName());
        command.add("run");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        // Flink's job status changes (RESTARTING after a failure) show in the log.
        builder.environment().put("DELTATOK_LOG_LEVEL", "INFO");
        builder.redirectErrorStream(true);
        Files.writeString(
                log,
                "=== deltatok run " + String.join(" ", args) + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new RunProcess(builder.start(), log);
    }

    /** {@code kill -9}: no shutdown hook, no savepoint, transactions left open. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, as {@code kill PID} or a container stop sends it. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; its exit status, or -1 if it still runs at the deadline. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? process.exitValue()
                : -1;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the log, for failure messages. */
    String logTail() {
        String log = log();
        return log.substring(Math.max(0, log.length() - 8000));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
