package dev.deltatok.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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
        return cli;
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
