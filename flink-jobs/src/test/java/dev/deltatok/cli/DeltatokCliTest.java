package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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

    @Test
    void rejectsUnknownSubcommand() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));
        assertThat(cli.execute("no-such-command")).isNotZero();
        assertThat(err.toString()).contains("no-such-command");
    }
}
