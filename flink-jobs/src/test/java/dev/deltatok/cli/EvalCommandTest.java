package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {

    @TempDir Path dir;

    @Test
    void writesBothModesAndDeltaSendsFewerTokensThanFullGrid() throws Exception {
        Path json = dir.resolve("out/eval.json");
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));

        int exit =
                cli.execute(
                        "eval",
                        "--input",
                        "synthetic:corridor",
                        "--max-frames",
                        "30",
                        "--mode",
                        "both",
                        "--json",
                        json.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("tok/frame").contains("delta").contains("full");
        JsonNode modes = new ObjectMapper().readTree(json.toFile()).path("modes");
        for (String mode : new String[] {"delta", "full"}) {
            JsonNode m = modes.path(mode);
            assertThat(m.path("frames").asInt()).as(mode).isEqualTo(30);
            assertThat(m.path("gridTokensPerFrame").asInt()).as(mode).isPositive();
            assertThat(m.path("tokensPerFrame").has("mean")).as(mode).isTrue();
            assertThat(m.path("tokensPerFrame").has("p95")).as(mode).isTrue();
            assertThat(m.path("bytesPerFrame").path("mean").asDouble()).as(mode).isPositive();
            assertThat(m.path("keyframes").asInt()).as(mode).isPositive();
            assertThat(m.path("psnrDb").path("mean").asDouble()).as(mode).isGreaterThan(10);
            assertThat(m.path("psnrDb").has("min")).as(mode).isTrue();
            assertThat(m.path("ssim").path("mean").asDouble()).as(mode).isBetween(0.0, 1.0);
            assertThat(m.path("framesPerSecond").asDouble()).as(mode).isPositive();
        }
        assertThat(modes.path("delta").path("tokensPerFrame").path("mean").asDouble())
                .isLessThan(modes.path("full").path("tokensPerFrame").path("mean").asDouble());
    }

    @Test
    void aModelThatIsNotPatchLocalSendsFewerPositionsThanFullAndReportsEmbeddingFidelity()
            throws Exception {
        Path json = dir.resolve("vit.json");
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));

        int exit =
                cli.execute(
                        "eval",
                        "--model",
                        Path.of("..", "operators", "src", "test", "resources", "model", "vit8")
                                .toString(),
                        "--input",
                        "synthetic:corridor",
                        "--max-frames",
                        "40",
                        "--mode",
                        "both",
                        "--json",
                        json.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("test-vit8@0.0.1").contains("emb cos");
        JsonNode modes = new ObjectMapper().readTree(json.toFile()).path("modes");
        double deltaPositions =
                modes.path("delta").path("positionsPerFrame").path("mean").asDouble();
        double fullPositions = modes.path("full").path("positionsPerFrame").path("mean").asDouble();
        assertThat(fullPositions).isEqualTo(64);
        assertThat(deltaPositions).isLessThan(fullPositions / 4);
        assertThat(modes.path("delta").path("embedding").path("cosineMean").asDouble())
                .isGreaterThan(0.99);
        assertThat(modes.path("delta").path("embedding").path("relativeL2Mean").asDouble())
                .isLessThan(0.1);
    }

    @Test
    void aSweepWritesTheCurvesAsTableJsonAndChart() throws Exception {
        Path json = dir.resolve("rd.json");
        Path table = dir.resolve("rd.md");
        Path chart = dir.resolve("rd.png");
        StringWriter out = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setOut(new PrintWriter(out));

        int exit =
                cli.execute(
                        "eval",
                        "--input",
                        "synthetic:corridor",
                        "--max-frames",
                        "6",
                        "--sweep",
                        "--sweep-point",
                        "default",
                        "--sweep-point",
                        "tokenizer.change-threshold=16,tokenizer.max-levels=1",
                        "--json",
                        json.toString(),
                        "--table",
                        table.toString(),
                        "--chart",
                        chart.toString());

        assertThat(exit).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode points = root.path("points");
        // Full mode at 1 to 4 levels, then the two delta points.
        assertThat(points).hasSize(6);
        assertThat(points.get(0).path("series").asText()).isEqualTo("full");
        assertThat(points.get(0).path("settings").asText()).isEqualTo("1 level");
        assertThat(points.get(3).path("settings").asText()).isEqualTo("4 levels");
        for (int i = 1; i < 4; i++) {
            assertThat(points.get(i).path("tokensPerFrame").path("mean").asDouble())
                    .isGreaterThan(
                            points.get(i - 1).path("tokensPerFrame").path("mean").asDouble());
        }
        assertThat(points.get(4).path("series").asText()).isEqualTo("delta");
        assertThat(points.get(5).path("series").asText()).isEqualTo("delta");
        assertThat(root.has("deltaDominatesFull")).isTrue();
        assertThat(java.nio.file.Files.readString(table))
                .contains("| full | 4 levels |")
                .contains("| delta | default |")
                .isEqualTo(out.toString());
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(chart.toFile());
        assertThat(png.getWidth()).isGreaterThan(600);
    }

    @Test
    void aBadOptionIsRefusedNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "eval",
                        "--input",
                        "synthetic:static",
                        "--option",
                        "tokenizer.change-treshold=8");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("tokenizer.change-treshold").contains("known options");
    }

    @Test
    void unknownSceneNamesTheKnownOnes() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit = cli.execute("eval", "--input", "synthetic:nope", "--max-frames", "1");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("unknown scene 'nope'").contains("corridor");
    }

    @Test
    void missingInputSaysWhatItAccepts() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeltatokCli.commandLine().setErr(new PrintWriter(err));

        int exit = cli.execute("eval", "--input", dir.resolve("absent.mp4").toString());

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("synthetic:NAME");
    }
}
