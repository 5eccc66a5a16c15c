package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every {@code deltatok} command line in the code blocks of README.md, BENCHMARKS.md and docs/ is
 * one the command line accepts: picocli parses it, and the checks a command makes before it
 * connects to anything (the job's options for {@code run}, the settings of {@code bench}) pass.
 * Nothing is executed.
 */
class DocumentedCommandLinesTest {

    private static final Path ROOT = Path.of("..");

    static List<String> commandLines() {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        files.add(ROOT.resolve("BENCHMARKS.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            lines.addAll(commandLines(file));
        }
        return lines;
    }

    /** The {@code deltatok} lines of one file's fenced code blocks, continuations joined. */
    static List<String> commandLines(Path markdown) {
        List<String> text;
        try {
            text = Files.readAllLines(markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = null;
        for (String line : text) {
            if (line.strip().startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            String code = withoutComment(line).strip();
            if (pending == null
                    && (code.startsWith("./deltatok ") || code.startsWith("deltatok "))) {
                pending = new StringBuilder();
            }
            if (pending == null) {
                continue;
            }
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
            } else {
                out.add(pending.append(code).toString().strip());
                pending = null;
            }
        }
        return out;
    }

    private static String withoutComment(String line) {
        int hash = line.indexOf(" #");
        return hash < 0 ? line : line.substring(0, hash);
    }

    @Test
    void findsTheDocumentedCommandLines() {
        assertThat(commandLines())
                .contains(
                        "./deltatok run --bootstrap-servers kafka:9092 --create-topics"
                                + " --checkpoint.interval 2s",
                        "./deltatok demo")
                .anySatisfy(line -> assertThat(line).startsWith("./deltatok bench "))
                .anySatisfy(line -> assertThat(line).startsWith("./deltatok eval "))
                .anySatisfy(line -> assertThat(line).startsWith("deltatok tail "));
    }

    @ParameterizedTest
    @MethodSource("commandLines")
    void parses(String line) {
        String[] words = line.split("\\s+");
        String[] args = java.util.Arrays.copyOfRange(words, 1, words.length);
        CommandLine cli = DeltatokCli.commandLine();

        assertThatCode(
                        () -> {
                            ParseResult parsed = cli.parseArgs(args);
                            check(parsed.subcommand().commandSpec().userObject());
                        })
                .as(line)
                .doesNotThrowAnyException();
    }

    /** The checks a command makes on its options before it connects to anything. */
    private static void check(Object command) {
        if (command instanceof RunCommand run) {
            run.config();
        } else if (command instanceof BenchCommand bench) {
            bench.settings();
        }
    }
}
