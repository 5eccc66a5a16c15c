package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    void rejectsUnknownSubcommand() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        assertThat(cli.execute("no-such-command")).isNotZero();
        assertThat(err.toString()).contains("no-such-command");
    }
}
