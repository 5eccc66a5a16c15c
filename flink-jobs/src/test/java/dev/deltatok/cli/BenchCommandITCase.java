package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code deltatok bench --mode all} in-process: real broker, MiniCluster jobs, two cameras. */
@Timeout(240)
class BenchCommandITCase {

    @TempDir Path dir;

    @Test
    void allModesWriteEveryFieldWithPlausibleValues() throws Exception {
        Path json = dir.resolve("bench.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "bench",
                        "--cameras",
                        "2",
                        "--seconds",
                        "3",
                        "--runs",
                        "1",
                        "--mode",
                        "all",
                        "--fps",
                        "10",
                        "--json",
                        json.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.fieldNames()).toIterable().containsExactly("modes", "ratios");
        for (String mode : new String[] {"delta", "full", "identity"}) {
            JsonNode m = root.path("modes").path(mode);
            assertThat(m.isObject()).as(mode).isTrue();
            for (String stat : new String[] {"median", "min", "max"}) {
                assertThat(m.path("framesPerSecond").path(stat).asDouble())
                        .as(mode + " framesPerSecond." + stat)
                        .isPositive();
            }
            for (String p : new String[] {"p50", "p95", "p99"}) {
                assertThat(m.path("latencyMs").path(p).asDouble())
                        .as(mode + " latencyMs." + p)
                        .isPositive()
                        .isLessThan(60_000);
            }
            assertThat(m.path("latencyMs").path("p50").asDouble())
                    .isLessThanOrEqualTo(m.path("latencyMs").path("p99").asDouble());
            assertThat(m.has("tokensPerFrame")).as(mode).isTrue();
            assertThat(m.path("bytesPerFrame").asDouble()).as(mode).isPositive();
            assertThat(m.path("cpuSeconds").asDouble()).as(mode).isPositive();
            assertThat(m.path("peakRssMb").asDouble()).as(mode).isPositive();
        }
        JsonNode modes = root.path("modes");
        assertThat(modes.path("identity").path("tokensPerFrame").asDouble()).isZero();
        assertThat(modes.path("delta").path("tokensPerFrame").asDouble())
                .isPositive()
                .isLessThan(modes.path("full").path("tokensPerFrame").asDouble());
        assertThat(root.path("ratios").path("deltaOverIdentityThroughput").asDouble()).isPositive();
        assertThat(root.path("ratios").path("deltaOverFullTokens").asDouble()).isBetween(0.0, 1.0);
        assertThat(out.toString()).contains("delta").contains("identity").contains("ratios");
    }

    @Test
    void jpegFramesOfARealClipReachTheJobFromEveryCamera() throws Exception {
        Path clip = dev.deltatok.ingest.TestCameraServers.clip(dir, 640, 360, 25, 4);
        Path json = dir.resolve("bench-jpeg.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "bench",
                        "--cameras",
                        "2",
                        "--seconds",
                        "3",
                        "--runs",
                        "1",
                        "--mode",
                        "delta",
                        "--fps",
                        "10",
                        "--format",
                        "JPEG",
                        "--size",
                        "640x360",
                        "--input",
                        clip.toString(),
                        "--json",
                        json.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonNode delta = new ObjectMapper().readTree(json.toFile()).path("modes").path("delta");
        assertThat(delta.path("format").asText()).isEqualTo("JPEG");
        assertThat(delta.path("size").asText()).isEqualTo("640x360");
        assertThat(delta.path("input").asText()).isEqualTo(clip.toString());
        assertThat(delta.path("framesPerSecond").path("median").asDouble()).isPositive();
        assertThat(delta.path("tokensPerFrame").asDouble()).isPositive();
        assertThat(out.toString()).contains("JPEG 640x360 frames");
    }

    @Test
    void pacesLatencyAtTheGivenRateAndReportsAnOverloadWindow() throws Exception {
        Path json = dir.resolve("overload.json");
        Path brokerParent = Files.createDirectories(dir.resolve("broker"));
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine()
                        .setOut(new PrintWriter(new StringWriter()))
                        .setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "bench",
                        "--cameras",
                        "2",
                        "--seconds",
                        "3",
                        "--runs",
                        "1",
                        "--mode",
                        "delta",
                        "--backlog-rate",
                        "40",
                        "--rate",
                        "16",
                        "--overload",
                        "2",
                        "--broker-dir",
                        brokerParent.toString(),
                        "--json",
                        json.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains("log in " + brokerParent);
        JsonNode delta = new ObjectMapper().readTree(json.toFile()).path("modes").path("delta");
        assertThat(delta.path("latencyMs").path("brokerDir").asText())
                .isEqualTo(brokerParent.toString());
        assertThat(delta.path("latencyMs").path("loadFramesPerSecond").asDouble()).isEqualTo(16.0);
        assertThat(delta.path("latencyMs").path("pacedAt").asText()).contains("--rate");
        JsonNode o = delta.path("overload");
        assertThat(o.path("factor").asDouble()).isEqualTo(2.0);
        assertThat(o.path("offeredFramesPerSecond").asDouble())
                .isCloseTo(
                        2 * delta.path("framesPerSecond").path("median").asDouble(), within(0.01));
        assertThat(o.path("framesIn").asLong()).isPositive();
        assertThat(o.path("framesTokenized").asLong()).isPositive();
        assertThat(o.path("framesSkipped").asLong()).isNotNegative();
        assertThat(o.path("framesUnaccounted").asLong()).isZero();
        assertThat(o.path("gaps").asLong()).isZero();
        JsonNode age = o.path("frameAgeMs");
        assertThat(age.path("p50").asDouble()).isLessThanOrEqualTo(age.path("p99").asDouble());
        assertThat(age.path("p99").asDouble()).isLessThanOrEqualTo(age.path("max").asDouble());
        assertThat(o.path("tokensPerFrame").asDouble()).isPositive();
        assertThat(o.path("psnrDb").asDouble()).isGreaterThan(15);
        assertThat(o.path("perSecond").size()).isEqualTo(3);
        assertThat(err.toString()).contains("overload delta");
    }
}
