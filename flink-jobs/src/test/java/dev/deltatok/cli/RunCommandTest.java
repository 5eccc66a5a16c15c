package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code deltatok run} resumes from, decided before any job starts. */
class RunCommandTest {

    @TempDir Path dir;

    @Test
    void resumesFromTheNewestCheckpointInTheCheckpointFolder() throws Exception {
        Path checkpoint = completedCheckpoint("3f2a/chk-8", 8);
        StringWriter err = new StringWriter();

        var restore =
                parse("--checkpoint.dir", dir.toUri().toString())
                        .restorePath(config(), new PrintWriter(err, true));

        assertThat(restore).hasValueSatisfying(p -> assertThat(p).endsWith("3f2a/chk-8"));
        assertThat(Path.of(java.net.URI.create(restore.orElseThrow()))).isEqualTo(checkpoint);
        assertThat(err.toString()).contains("resuming from checkpoint 8 at ");
    }

    @Test
    void startsEmptyWhenTheFolderHoldsNoCompleteCheckpoint() throws Exception {
        Files.createDirectories(dir.resolve("3f2a/chk-1"));
        StringWriter err = new StringWriter();

        var restore =
                parse("--checkpoint.dir", dir.toUri().toString())
                        .restorePath(config(), new PrintWriter(err, true));

        assertThat(restore).isEmpty();
        assertThat(err.toString()).contains("no checkpoint in ").contains("empty state");
    }

    @Test
    void freshStartsEmptyAndSaysWhatItLeavesAside() throws Exception {
        completedCheckpoint("3f2a/chk-8", 8);
        StringWriter err = new StringWriter();

        var restore =
                parse("--fresh", "--checkpoint.dir", dir.toUri().toString())
                        .restorePath(config(), new PrintWriter(err, true));

        assertThat(restore).isEmpty();
        assertThat(err.toString()).contains("--fresh").contains("not resuming from checkpoint 8");
    }

    @Test
    void fromSavepointWinsOverTheFolder() throws Exception {
        completedCheckpoint("3f2a/chk-8", 8);
        StringWriter err = new StringWriter();

        var restore =
                parse(
                                "--from-savepoint",
                                "file:///backups/savepoint-1",
                                "--checkpoint.dir",
                                dir.toUri().toString())
                        .restorePath(config(), new PrintWriter(err, true));

        assertThat(restore).contains("file:///backups/savepoint-1");
    }

    @Test
    void refusesFreshTogetherWithFromSavepoint() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "run",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--fresh",
                        "--from-savepoint",
                        "/tmp/sp");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--fresh and --from-savepoint");
    }

    @Test
    void shutdownTimeoutDefaultsToOneMinute() {
        assertThat(parse().shutdownTimeout).isEqualTo(Duration.ofSeconds(60));
        assertThat(parse("--shutdown-timeout", "2m").shutdownTimeout)
                .isEqualTo(Duration.ofMinutes(2));
    }

    private RunCommand command;

    private RunCommand parse(String... args) {
        CommandLine cli = DeltatokCli.commandLine();
        String[] all = new String[args.length + 3];
        all[0] = "run";
        all[1] = "--bootstrap-servers";
        all[2] = "127.0.0.1:1";
        System.arraycopy(args, 0, all, 3, args.length);
        cli.parseArgs(all);
        command = cli.getSubcommands().get("run").getCommand();
        return command;
    }

    private dev.deltatok.job.TokenizerConfig config() {
        return command.config();
    }

    private Path completedCheckpoint(String folder, long id) throws Exception {
        Path checkpoint = Files.createDirectories(dir.resolve(folder));
        try (OutputStream out = Files.newOutputStream(checkpoint.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(
                    new CheckpointMetadata(id, List.of(), List.of()), out);
        }
        return checkpoint;
    }
}
