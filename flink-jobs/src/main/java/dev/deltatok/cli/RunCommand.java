package dev.deltatok.cli;

import dev.deltatok.job.EmbeddedCluster;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.job.TokenizerOptions;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code deltatok run}: the tokenizer job on an embedded Flink MiniCluster against any Kafka. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the tokenizer job on an embedded Flink MiniCluster against a Kafka cluster.",
            "Any job option can be given as --key value (see README, 'Configuration'), e.g."
                    + " --tokenizer.mode FULL --checkpoint.interval 5s, before or after the"
                    + " options above."
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

    @Override
    public Integer call() throws Exception {
        TokenizerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("deltatok run: " + e.getMessage());
            return 2;
        }
        Topics.check(config, createTopics);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        EmbeddedCluster.configuration(config, bindAddress));
        JobClient job = TokenizerJob.start(env, config);
        System.err.printf(
                "deltatok: job %s running: %s -> %s (rejections to %s); Ctrl-C stops it%n",
                job.getJobID(), config.framesTopic(), config.deltasTopic(), config.rejectedTopic());
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        job.cancel().get();
                                    } catch (Exception ignored) {
                                        // shutting down anyway
                                    }
                                }));
        job.getJobExecutionResult().get();
        return 0;
    }
}
