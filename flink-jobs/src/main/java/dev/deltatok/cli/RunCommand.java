package dev.deltatok.cli;

import dev.deltatok.job.EmbeddedCluster;
import dev.deltatok.job.RestorePoint;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.job.TokenizerOptions;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code deltatok run}: the tokenizer job on an embedded Flink MiniCluster against any Kafka. With
 * {@code --checkpoint.dir} it resumes from the newest checkpoint or savepoint there and, on SIGTERM
 * or Ctrl-C, stops with a savepoint into it, so that a restart continues every camera's stream.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the tokenizer job on an embedded Flink MiniCluster against a Kafka cluster.",
            "Any job option can be given as --key value (see README, 'Configuration'), e.g."
                    + " --tokenizer.mode FULL --checkpoint.interval 5s, before or after the"
                    + " options above.",
            "With --checkpoint.dir DIR the job resumes from the newest complete checkpoint or"
                    + " savepoint in DIR (any earlier run's), and SIGTERM or Ctrl-C stops it with"
                    + " a savepoint into DIR/savepoints."
        })
final class RunCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, host:port.")
    String bootstrapServers;

    @Option(
            names = "--create-topics",
            description = "Create the frames, deltas and rejected topics if they are missing.")
    boolean createTopics;

    @Option(
            names = "--bind-address",
            defaultValue = EmbeddedCluster.LOOPBACK,
            paramLabel = "ADDRESS",
            description =
                    "Address of the embedded Flink REST endpoint and web UI, which can submit and"
                            + " cancel jobs without authentication: 0.0.0.0 exposes it on every"
                            + " interface (default: ${DEFAULT-VALUE}, this machine only).")
    String bindAddress;

    @Option(
            names = "--fresh",
            description =
                    "Start with empty state although --checkpoint.dir holds checkpoints: every"
                            + " camera starts again at deltaSeq 0 with a KEYFRAME. The old"
                            + " checkpoints are left in place.")
    boolean fresh;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description =
                    "Resume from this savepoint or retained checkpoint (its folder or its"
                            + " _metadata file) instead of the newest one in --checkpoint.dir.")
    String fromSavepoint;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description =
                    "How long SIGTERM or Ctrl-C waits for the stop-savepoint before cancelling"
                            + " the job (its latest checkpoint stays for the next start);"
                            + " default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout;

    @Parameters(
            paramLabel = "--key value",
            arity = "0..*",
            description = "Job options, as in the configuration table.")
    List<String> options = new ArrayList<>();

    @Spec CommandSpec spec;

    /**
     * The job's configuration from the job options and {@code --bootstrap-servers}.
     *
     * @throws IllegalArgumentException naming an unknown job option or a malformed value
     */
    TokenizerConfig config() {
        List<String> args = new ArrayList<>(options);
        args.add("--" + TokenizerOptions.BOOTSTRAP_SERVERS.key());
        args.add(bootstrapServers);
        String kafkaProperties = KafkaSecurityOptions.fromEnvironment();
        if (kafkaProperties != null
                && args.stream()
                        .noneMatch(a -> a.startsWith(KafkaConnection.PROPERTIES_FILE_OPTION))) {
            args.addAll(List.of(KafkaConnection.PROPERTIES_FILE_OPTION, kafkaProperties));
        }
        Configuration raw = TokenizerConfig.parseArgs(args.toArray(String[]::new));
        return TokenizerConfig.fromConfiguration(raw);
    }

    /**
     * Where the job resumes from: {@code --from-savepoint}, else (unless {@code --fresh}) the
     * newest complete restore point in the checkpoint folder; empty for a start with empty state.
     * Says which on {@code out}.
     */
    Optional<String> restorePath(TokenizerConfig config, PrintWriter out) throws IOException {
        if (fromSavepoint != null) {
            out.printf("deltatok: resuming from %s (--from-savepoint)%n", fromSavepoint);
            return Optional.of(fromSavepoint);
        }
        String dir = config.checkpointDir();
        if (dir == null) {
            out.println(
                    "deltatok: no --checkpoint.dir: checkpoints stay in memory; a restart begins"
                            + " every camera again at deltaSeq 0");
            return Optional.empty();
        }
        Optional<RestorePoint> latest = RestorePoint.latest(dir);
        if (fresh) {
            out.printf(
                    "deltatok: --fresh: starting with empty state%s%n",
                    latest.map(p -> " (not resuming from " + p + ")").orElse(""));
            return Optional.empty();
        }
        if (latest.isEmpty()) {
            out.printf("deltatok: no checkpoint in %s yet: starting with empty state%n", dir);
            return Optional.empty();
        }
        out.printf("deltatok: resuming from %s%n", latest.get());
        out.flush();
        return Optional.of(latest.get().path());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        TokenizerConfig config;
        try {
            config = config();
            if (fresh && fromSavepoint != null) {
                throw new IllegalArgumentException(
                        "--fresh and --from-savepoint exclude each other: choose one");
            }
        } catch (IllegalArgumentException e) {
            err.println("deltatok run: " + e.getMessage());
            return 2;
        }
        Topics.check(config, createTopics);
        Configuration flink = EmbeddedCluster.configuration(config, bindAddress);
        Optional<String> restore = restorePath(config, err);
        err.flush();
        restore.ifPresent(path -> flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        JobClient job = TokenizerJob.start(env, config);
        String savepoints =
                config.checkpointDir() == null
                        ? null
                        : RestorePoint.savepointsFolder(config.checkpointDir());
        GracefulStop stop = GracefulStop.install(job, savepoints, shutdownTimeout, err);
        err.printf(
                "deltatok: job %s running: %s -> %s (rejections to %s); Ctrl-C stops it%s%n",
                job.getJobID(),
                config.framesTopic(),
                config.deltasTopic(),
                config.rejectedTopic(),
                savepoints == null ? "" : " with a savepoint");
        err.flush();
        try {
            job.getJobExecutionResult().get();
        } catch (ExecutionException e) {
            if (!stop.requested()) {
                restore.ifPresent(
                        path ->
                                err.printf(
                                        "deltatok: the job, resumed from %s, failed; if that state"
                                                + " does not belong to this job, choose another"
                                                + " with --from-savepoint or start empty with"
                                                + " --fresh%n",
                                        path));
                err.flush();
                throw e;
            }
        }
        return stop.requested() ? stop.awaitExitCode() : 0;
    }
}
