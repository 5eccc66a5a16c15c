package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped default model, run through ONNX Runtime Java, gives what the Python export wrote into
 * {@code models/default/golden.json}: the same token ids, and latents, per-level errors and decoded
 * pixels within 1e-4; a whole frame through decoder and refiner within one 8-bit step per value.
 */
class DefaultModelGoldenTest {

    private static final double TOLERANCE = 1e-4;

    private static OnnxTokenizerModel model;
    private static JsonNode golden;
    private static int count;

    @BeforeAll
    static void load() throws IOException {
        ModelLocator.Located located = ModelLocator.locate(null);
        model =
                OnnxTokenizerModel.load(
                        located.files(),
                        located.manifestName(),
                        OnnxTokenizerModel.Options.DEFAULT);
        golden = new ObjectMapper().readTree(located.files().read("golden.json"));
        count = golden.get("count").asInt();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void defaultModelIsThePatchLocalOneTheCardDescribes() {
        ModelSpec spec = model.spec();

        assertThat(spec.id()).isEqualTo("deltatok-patchvq");
        assertThat(spec.patchSize()).isEqualTo(16);
        assertThat(spec.frameWidth()).isEqualTo(256);
        assertThat(spec.patchesPerFrame()).isEqualTo(256);
        assertThat(spec.levels()).isEqualTo(4);
        assertThat(spec.codebookSize()).isGreaterThanOrEqualTo(1024);
        assertThat(spec.patchLocal()).isTrue();
        assertThat(count).isGreaterThanOrEqualTo(8);
    }

    @Test
    void encoderGivesTheExportedTokensLatentsAndLevelErrors() {
        EncodedPatches encoded = model.encode(flat(golden.get("patches")), count);

        assertThat(encoded.tokens()).containsExactly(ints(golden.get("tokens")));
        assertClose(encoded.latents(), flat(golden.get("latents")));
        assertClose(encoded.levelError(), flat(golden.get("levelError")));
    }

    @Test
    void decoderGivesTheExportedPixelsForAllLevelsAndForPrefixes() {
        int[] tokens = ints(golden.get("tokens"));
        int[] all = new int[count];
        java.util.Arrays.fill(all, model.spec().levels());

        assertClose(model.decode(tokens, all, count), flat(golden.get("decodedAllLevels")));
        assertClose(
                model.decode(tokens, ints(golden.get("levelsUsed")), count),
                flat(golden.get("decodedPrefix")));
    }

    @Test
    void decodeFrameGivesTheExportedRefinedFrame() {
        int[] expected = ints(golden.get("refinedFrameRgb"));

        byte[] actual =
                model.decodeFrame(
                                ints(golden.get("frameTokens")),
                                ints(golden.get("frameLevelsUsed")))
                        .data();

        assertThat(model.hasRefiner()).isTrue();
        assertThat(actual).hasSameSizeAs(expected);
        int maxDifference = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDifference = Math.max(maxDifference, Math.abs((actual[i] & 0xff) - expected[i]));
        }
        // Rounding to 8 bits may land on either side of .5 after a different float summation.
        assertThat(maxDifference).isLessThanOrEqualTo(1);
    }

    @Test
    void loadsTheSameModelFromTheClasspathCopyInTheJar() throws IOException {
        var packaged = ModelLocator.classpathDefault();
        assertThat(packaged)
                .as("default model packaged under dev/deltatok/model/default")
                .isPresent();
        Path onDisk = Path.of("..", "models", "default", "manifest.json");
        assertThat(Files.readAllBytes(onDisk))
                .isEqualTo(packaged.get().files().read(ModelLocator.MANIFEST));
        try (OnnxTokenizerModel fromJar =
                OnnxTokenizerModel.load(
                        packaged.get().files(),
                        ModelLocator.MANIFEST,
                        OnnxTokenizerModel.Options.DEFAULT)) {
            EncodedPatches encoded = fromJar.encode(flat(golden.get("patches")), count);
            assertThat(encoded.tokens()).containsExactly(ints(golden.get("tokens")));
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i])
                    .as("index %d", i)
                    .isCloseTo(expected[i], within(TOLERANCE));
        }
    }

    private static float[] flat(JsonNode rows) {
        int size = 0;
        for (JsonNode row : rows) {
            size += row.isArray() ? row.size() : 1;
        }
        float[] out = new float[size];
        int i = 0;
        for (JsonNode row : rows) {
            if (row.isArray()) {
                for (JsonNode v : row) {
                    out[i++] = (float) v.asDouble();
                }
            } else {
                out[i++] = (float) row.asDouble();
            }
        }
        return out;
    }

    private static int[] ints(JsonNode rows) {
        float[] values = flat(rows);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.round(values[i]);
        }
        return out;
    }
}
