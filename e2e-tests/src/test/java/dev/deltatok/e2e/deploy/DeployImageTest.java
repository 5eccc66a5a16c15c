package dev.deltatok.e2e.deploy;

import static dev.deltatok.e2e.deploy.Manifests.DEPLOY;
import static dev.deltatok.e2e.deploy.Manifests.REPO;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.model.OnnxTokenizerModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image without a Docker engine: what build-image.sh stages as the build context,
 * that the staged model loads, and what the Dockerfile sets (users, environment).
 */
class DeployImageTest {

    /**
     * Variables the Dockerfile sets for programs other than deltatok, with the reader. Anything
     * else it sets must be read by deltatok's own code.
     */
    private static final Map<String, String> READ_ELSEWHERE =
            Map.of(
                    "NVIDIA_VISIBLE_DEVICES", "the NVIDIA container runtime",
                    "NVIDIA_DRIVER_CAPABILITIES", "the NVIDIA container runtime",
                    "LD_LIBRARY_PATH", "the dynamic linker (CUDA libraries for ONNX Runtime)");

    @Test
    void stagedContextHoldsExactlyTheFilesTheModelManifestPinsAndTheModelLoads(@TempDir Path tmp)
            throws Exception {
        Path jar = Files.writeString(tmp.resolve("job.jar"), "stand-in for the shaded job jar");
        Path ortJar =
                Path.of(
                        OrtEnvironment.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path ctx = tmp.resolve("ctx");

        String out =
                run(
                        "bash",
                        DEPLOY.resolve("build-image.sh").toString(),
                        "--stage-only",
                        "--context",
                        ctx.toString(),
                        "--jar",
                        jar.toString(),
                        "--ort-jar",
                        ortJar.toString());
        assertThat(out).contains("staged " + ctx);

        JsonNode manifest =
                new ObjectMapper().readTree(REPO.resolve("models/default/manifest.json").toFile());
        TreeSet<String> pinned = new TreeSet<>();
        manifest.get("files").fieldNames().forEachRemaining(pinned::add);
        assertThat(pinned).as("files the manifest pins").contains("encoder.onnx", "refiner.onnx");
        TreeSet<String> expected = new TreeSet<>();
        pinned.forEach(f -> expected.add("models/default/" + f));
        expected.add("models/default/manifest.json");
        expected.add("deltatok-job.jar");
        expected.add(
                "lib/onnxruntime-"
                        + DeployManifestsTest.pomProperty("onnxruntime.version")
                        + ".jar");
        expected.add(
                "lib-gpu/onnxruntime_gpu-"
                        + DeployManifestsTest.pomProperty("onnxruntime.version")
                        + ".jar");

        assertThat(filesUnder(ctx)).containsExactlyElementsOf(expected);
        for (String f : pinned) {
            assertThat(
                            Files.mismatch(
                                    ctx.resolve("models/default/" + f),
                                    REPO.resolve("models/default/" + f)))
                    .as(f + " staged byte for byte")
                    .isEqualTo(-1L);
        }
        // What the image's DELTATOK_MODEL names: the loader verifies every pinned file's sha256.
        try (OnnxTokenizerModel model =
                OnnxTokenizerModel.load(ctx.resolve("models/default/manifest.json"))) {
            assertThat(model.spec()).isNotNull();
        }
    }

    @Test
    void theImagesModelIsTheOneTheJobLoads() throws IOException {
        Dockerfile dockerfile = Dockerfile.read();
        String model = dockerfile.env("cpu").get("DELTATOK_MODEL");
        assertThat(model).as("DELTATOK_MODEL in the cpu image").isNotNull();
        assertThat(dockerfile.env("gpu")).containsEntry("DELTATOK_MODEL", model);
        assertThat(dockerfile.copies())
                .anyMatch(
                        c ->
                                c[0].equals("models/default/")
                                        && model.equals(c[1] + "manifest.json"));
    }

    @Test
    void everyEnvironmentVariableTheDockerfileSetsIsRead() throws IOException {
        Dockerfile dockerfile = Dockerfile.read();
        String sources = mainSources();
        List<String> unread = new ArrayList<>();
        for (String stage : dockerfile.stageNames()) {
            for (String var : dockerfile.env(stage).keySet()) {
                boolean readByDeltatok =
                        Pattern.compile(
                                        "getenv\\(\\s*\""
                                                + var
                                                + "\"|\\bENV\\s*=\\s*\""
                                                + var
                                                + "\"")
                                .matcher(sources)
                                .find();
                if (!readByDeltatok && !READ_ELSEWHERE.containsKey(var)) {
                    unread.add(stage + ": " + var);
                }
            }
        }
        assertThat(unread).as("variables the Dockerfile sets that nothing reads").isEmpty();
        assertThat(sources).contains("System.getenv(ENV)");
    }

    @Test
    void stagesThatInstallPackagesSwitchToRootAndBackToFlink() throws IOException {
        Dockerfile dockerfile = Dockerfile.read();
        for (String stage : dockerfile.stageNames()) {
            // The official Flink image ends with USER flink: that is the user a stage starts as.
            String user = "flink";
            for (Dockerfile.Stage s : dockerfile.lineage(stage)) {
                for (String[] i : s.instructions()) {
                    if (i[0].equals("USER")) {
                        user = i[1].trim();
                    } else if (i[0].equals("RUN") && i[1].matches("(?s).*\\b(apt-get|dpkg)\\b.*")) {
                        assertThat(user)
                                .as("user running apt-get/dpkg in stage %s", s.name())
                                .isIn("root", "0");
                    }
                }
            }
            assertThat(user).as("user the %s image runs as", stage).isIn("flink", "9999");
        }
        assertThat(dockerfile.stage("gpu").instructions())
                .anyMatch(i -> i[0].equals("USER") && i[1].equals("root"));
    }

    private static String mainSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : List.of("schemas", "operators", "flink-jobs")) {
            Path src = REPO.resolve(module).resolve("src/main/java");
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path p : walk.filter(f -> f.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(p)).append('\n');
                }
            }
        }
        return all.toString();
    }

    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }
}
