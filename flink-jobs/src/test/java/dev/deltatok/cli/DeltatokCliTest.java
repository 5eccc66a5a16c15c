package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DeltatokCliTest {

    @Test
    void printsVersionFromBuild() {
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString())
                .startsWith("deltatok ")
                .doesNotContain("${")
                .doesNotContain("unknown");
    }

    @Test
    void helpListsSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: deltatok").contains("Commands:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "eval", "produce", "tail", "demo"})
    void everyCommandHasHelpSayingWhatItDoes(String command) {
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute(command, "--help")).isZero();
        assertThat(out.toString()).contains("Usage: deltatok " + command);
        assertThat(cli.getSubcommands().get(command).getCommandSpec().usageMessage().description())
                .isNotEmpty();
    }

    @Test
    void produceRefusesAMalformedSize() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        int exit =
                cli.execute(
                        "produce",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--input",
                        "synthetic:corridor",
                        "--size",
                        "big");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--size must be WxH");
    }

    @Test
    void produceRefusesAnFpsThatIsNeitherANumberNorMax() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        int exit =
                cli.execute(
                        "produce",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--input",
                        "synthetic:corridor",
                        "--fps",
                        "fast");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("'max'");
    }

    @Test
    void runTakesJobOptionsAmongItsOwnWithoutADoubleDash() {
        CommandLine cli = DeltatokCli.commandLine();

        cli.parseArgs(
                "run",
                "--tokenizer.mode",
                "FULL",
                "--bootstrap-servers",
                "kafka:9092",
                "--create-topics",
                "--checkpoint.interval",
                "2s");

        RunCommand run = cli.getSubcommands().get("run").getCommand();
        assertThat(run.bootstrapServers).isEqualTo("kafka:9092");
        assertThat(run.createTopics).isTrue();
        assertThat(run.options)
                .containsExactly("--tokenizer.mode", "FULL", "--checkpoint.interval", "2s");
        assertThat(run.config().bootstrapServers()).isEqualTo("kafka:9092");
    }

    @Test
    void runRefusesAnUnknownJobOptionNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit = cli.execute("run", "--bootstrap-servers", "127.0.0.1:1", "--no-such.key", "1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --no-such.key");
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "10s, 10000", "2m, 120000", "1h, 3600000", "250, 250"})
    void tailTakesAnIdleTimeoutWithAnyUnit(String value, long millis) {
        CommandLine cli = DeltatokCli.commandLine();

        cli.parseArgs("tail", "--bootstrap-servers", "127.0.0.1:1", "--idle-timeout", value);

        TailCommand tail = cli.getSubcommands().get("tail").getCommand();
        assertThat(tail.idleTimeout).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tail --idle-timeout", "view --exit-after"})
    void durationsAreCheckedBeforeConnecting(String commandAndOption) {
        String[] words = commandAndOption.split(" ");
        for (String bad : new String[] {"soon", "0s", "-1s"}) {
            StringWriter err = new StringWriter();
            CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

            int exit = cli.execute(words[0], "--bootstrap-servers", "127.0.0.1:1", words[1], bad);

            assertThat(exit).as(bad).isEqualTo(2);
            assertThat(err.toString())
                    .as(bad)
                    .contains(words[1])
                    .contains("'" + bad + "'")
                    .contains("500ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"produce", "demo", "bench"})
    void everyPublishingCommandAllowsTheSameNumberOfCameras(String command) {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of(command, "--cameras", "10001"));
        if (command.equals("produce")) {
            args.addAll(List.of("--bootstrap-servers", "127.0.0.1:1", "--input", "synthetic:busy"));
        }

        int exit = cli.execute(args.toArray(String[]::new));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--cameras must be in [1, 10000], got 10001");
    }

    @Test
    void rejectsUnknownSubcommand() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        assertThat(cli.execute("no-such-command")).isNotZero();
        assertThat(err.toString()).contains("no-such-command");
    }
}
