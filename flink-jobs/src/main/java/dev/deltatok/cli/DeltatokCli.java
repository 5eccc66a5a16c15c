package dev.deltatok.cli;

import dev.deltatok.kafka.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deltatok} command line: one entry point, one subcommand per tool. */
@Command(
        name = "deltatok",
        mixinStandardHelpOptions = true,
        versionProvider = DeltatokCli.Version.class,
        description =
                "Streaming video tokenizer on Apache Flink: camera frames in, token deltas out.",
        subcommands = {
            RunCommand.class,
            EvalCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            DemoCommand.class,
            ViewCommand.class,
            BenchCommand.class,
            IngestCommand.class,
            CommandLine.HelpCommand.class
        })
public final class DeltatokCli implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeltatokCli.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command tree, for tests and for {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cli =
                new CommandLine(new DeltatokCli()).setCaseInsensitiveEnumValuesAllowed(true);
        // run passes every option it does not know, with its value, to the job
        // (--checkpoint.interval 2s), wherever it stands among run's own options
        cli.getSubcommands().get("run").setUnmatchedOptionsArePositionalParams(true);
        cli.setExecutionExceptionHandler(DeltatokCli::failed);
        return cli;
    }

    /**
     * A command that ended with an exception: its message chain, with any credential a message may
     * quote masked, instead of a stack trace (logged at DEBUG).
     */
    private static int failed(
            Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        LOG.debug("deltatok {} failed", commandLine.getCommandName(), e);
        StringBuilder message =
                new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        int depth = 0;
        for (Throwable t = e.getCause(); t != null && depth < 8; t = t.getCause(), depth++) {
            message.append("; caused by ").append(t);
        }
        commandLine
                .getErr()
                .println(
                        "deltatok "
                                + commandLine.getCommandName()
                                + ": "
                                + Secrets.redact(message.toString())
                                + " (DELTATOK_LOG_LEVEL=DEBUG logs the stack trace)");
        commandLine.getErr().flush();
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Reads the version Maven wrote into {@code deltatok-version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"deltatok " + version()};
        }

        static String version() throws IOException {
            Properties properties = new Properties();
            try (InputStream in =
                    DeltatokCli.class.getResourceAsStream("/deltatok-version.properties")) {
                if (in == null) {
                    return "unknown";
                }
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        }
    }
}
