package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deltatok.frame.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX adapter with small models committed under {@code src/test/resources/model/}: {@code
 * tiny8} (8x8 patches, 2 levels, K=16, D=4) proves the manifest contract is not tied to the default
 * model; {@code nan8} has the same shapes but outputs NaN.
 */
class OnnxTokenizerModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void loadsADifferentlyShapedModelFromTheClasspath() {
        try (OnnxTokenizerModel model = tiny8FromClasspath()) {
            ModelSpec spec = model.spec();
            assertThat(spec.modelId()).isEqualTo("test-tiny8@0.0.1");
            assertThat(spec.patchSize()).isEqualTo(8);
            assertThat(spec.levels()).isEqualTo(2);
            assertThat(spec.codebookSize()).isEqualTo(16);
            assertThat(spec.latentDim()).isEqualTo(4);
            assertThat(spec.patchesPerFrame()).isEqualTo(8 * 4);

            int count = 5;
            float[] patches = new float[count * spec.patchValues()];
            for (int i = 0; i < patches.length; i++) {
                patches[i] = (i * 37 % 101) / 100f;
            }
            EncodedPatches encoded = model.encode(patches, count);
            assertThat(encoded.tokens()).hasSize(count * 2);
            for (int t : encoded.tokens()) {
                assertThat(t).isBetween(0, 15);
            }
            assertThat(encoded.latents()).hasSize(count * 4);
            assertThat(encoded.levelError()).hasSize(count * 2);

            float[] decoded = model.decode(encoded.tokens(), new int[] {1, 2, 1, 2, 2}, count);
            assertThat(decoded).hasSize(count * 3 * 8 * 8);
            for (float v : decoded) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void loadsFromAManifestPathOrItsFolder() throws IOException {
        Path manifest = copyTiny8();
        try (OnnxTokenizerModel byFile = OnnxTokenizerModel.load(manifest);
                OnnxTokenizerModel byFolder = OnnxTokenizerModel.load(dir)) {
            assertThat(byFile.spec()).isEqualTo(byFolder.spec());
        }
        try (OnnxTokenizerModel located =
                OnnxTokenizerModel.loadDefault(
                        manifest.toString(), OnnxTokenizerModel.Options.DEFAULT)) {
            assertThat(located.spec().id()).isEqualTo("test-tiny8");
        }
    }

    @Test
    void refusesAFileWhoseSha256DiffersFromTheManifest() throws IOException {
        copyTiny8();
        byte[] bytes = Files.readAllBytes(dir.resolve("encoder.onnx"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(dir.resolve("encoder.onnx"), bytes);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("test-tiny8@0.0.1")
                .hasMessageContaining("sha256 mismatch for file encoder.onnx");
    }

    @Test
    void refusesACorruptedModelFileEvenWithAMatchingSha256() throws IOException {
        Path manifest = copyTiny8();
        byte[] garbage =
                "this is not an onnx protobuf".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(dir.resolve("decoder.onnx"), garbage);
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        ((ObjectNode) json.get("files").get("decoder.onnx")).put("sha256", sha256(garbage));
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("test-tiny8@0.0.1")
                .hasMessageContaining("file decoder.onnx is not a loadable ONNX model");
    }

    @Test
    void refusesAMissingFile() throws IOException {
        copyTiny8();
        Files.delete(dir.resolve("decoder.onnx"));

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("cannot read file decoder.onnx");
    }

    @Test
    void refusesAGraphWhoseShapeDiffersFromTheManifest() throws IOException {
        Path manifest = copyTiny8();
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        json.put("latentDim", 5);
        ObjectNode latents = (ObjectNode) json.get("encoder").get("outputs").get(1);
        latents.set("shape", JSON.createArrayNode().add(-1).add(5));
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("encoder output 'latents'")
                .hasMessageContaining("[-1, 4]")
                .hasMessageContaining("[-1, 5]");
    }

    @Test
    void refusesAManifestWhoseTensorsDisagreeWithItsDimensions() throws IOException {
        Path manifest = copyTiny8();
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        json.put("patchSize", 16);
        json.put("frameWidth", 64);
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("encoder input 'patches' must have shape [-1, 3, 16, 16]");
    }

    @Test
    void refusesAManifestThatDoesNotCoverTheGraphsWithHashes() throws IOException {
        Path manifest = copyTiny8();
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        ((ObjectNode) json.get("files")).remove("encoder.onnx");
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("file encoder.onnx is not listed under files");
    }

    @Test
    void refusesAManifestThatIsNotJson() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{ not json");

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("manifest is not valid JSON");
    }

    @Test
    void withoutARefinerAWholeFrameIsItsDecodedPatches() {
        try (OnnxTokenizerModel model = tiny8FromClasspath()) {
            ModelSpec spec = model.spec();
            int count = spec.patchesPerFrame();
            int[] tokens = new int[count * spec.levels()];
            int[] levelsUsed = new int[count];
            for (int i = 0; i < count; i++) {
                tokens[2 * i] = i % 16;
                tokens[2 * i + 1] = (i * 7) % 16;
                levelsUsed[i] = 1 + i % 2;
            }

            assertThat(model.hasRefiner()).isFalse();
            assertThat(model.decodeFrame(tokens, levelsUsed))
                    .isEqualTo(
                            RgbImage.fromPatches(
                                    model.decode(tokens, levelsUsed, count),
                                    spec.patchSize(),
                                    spec.gridRows(),
                                    spec.gridCols()));
        }
    }

    @Test
    void refusesARefinerWhoseFrameShapeDisagreesWithTheFrameSize() throws IOException {
        Path manifest = copyTiny8();
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        // The file is listed (and hashed), so only the declared shape is wrong.
        json.set(
                "refiner",
                refiner("decoder.onnx", new int[] {-1, 3, 64, 32}, new int[] {-1, 1, 4, 8}));
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("refiner input 'frame' must have shape [-1, 3, 32, 64]")
                .hasMessageContaining("[-1, 3, 64, 32]");
    }

    @Test
    void refusesARefinerThatIsNotCoveredByAHash() throws IOException {
        Path manifest = copyTiny8();
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        json.set(
                "refiner",
                refiner("refiner.onnx", new int[] {-1, 3, 32, 64}, new int[] {-1, 1, 4, 8}));
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("file refiner.onnx is not listed under files");
    }

    @Test
    void refusesAModelThatClaimsToBePatchLocalButIsNot() {
        assertThatThrownBy(
                        () ->
                                OnnxTokenizerModel.load(
                                        ModelFiles.classpath(
                                                getClass().getClassLoader(), "model/ctx8"),
                                        "manifest.json",
                                        OnnxTokenizerModel.Options.DEFAULT))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("test-ctx8@0.0.1")
                .hasMessageContaining("declares patchLocal: true")
                .hasMessageContaining("changed when only patch 1 of the frame changed")
                .hasMessageContaining("\"patchLocal\": false");
    }

    @Test
    void refusesTheVitModelWhenItsManifestClaimsPatchLocality() throws IOException {
        Path manifest = copyModel("vit8");
        ObjectNode json = (ObjectNode) JSON.readTree(manifest.toFile());
        json.put("patchLocal", true);
        JSON.writeValue(manifest.toFile(), json);

        assertThatThrownBy(() -> OnnxTokenizerModel.load(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("test-vit8@0.0.1")
                .hasMessageContaining("declares patchLocal: true")
                .hasMessageContaining("changed when only patch 1 of the frame changed")
                .hasMessageContaining("\"patchLocal\": false");
    }

    @Test
    void loadsTheVitModelThatSaysItIsNotPatchLocal() {
        try (OnnxTokenizerModel model =
                OnnxTokenizerModel.load(
                        ModelFiles.classpath(getClass().getClassLoader(), "model/vit8"),
                        "manifest.json",
                        OnnxTokenizerModel.Options.DEFAULT)) {
            assertThat(model.spec().patchLocal()).isFalse();
            assertThat(model.spec().patchesPerFrame()).isEqualTo(64);
        }
    }

    @Test
    void reportsNanOutputsClearly() {
        try (OnnxTokenizerModel model =
                OnnxTokenizerModel.load(
                        ModelFiles.classpath(getClass().getClassLoader(), "model/nan8"),
                        "manifest.json",
                        OnnxTokenizerModel.Options.DEFAULT)) {
            float[] patches = new float[2 * model.spec().patchValues()];

            assertThatThrownBy(() -> model.encode(patches, 2))
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining("test-nan8@0.0.1")
                    .hasMessageContaining("non-finite");
            assertThatThrownBy(() -> model.decode(new int[] {0, 0}, new int[] {2}, 1))
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining("decoder output 'patches' contains NaN");
        }
    }

    @Test
    void rejectsCallerMistakesWithoutTouchingTheModel() {
        try (OnnxTokenizerModel model = tiny8FromClasspath()) {
            assertThatThrownBy(() -> model.encode(new float[10], 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.decode(new int[] {16, 0}, new int[] {1}, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside [0, 16)");
        }
    }

    @Test
    void refusesCudaOnACpuOnlyRuntimeWithTheReason() {
        var cuda = new OnnxTokenizerModel.Options(1, 1, OnnxTokenizerModel.ExecutionProvider.CUDA);

        assertThatThrownBy(
                        () ->
                                OnnxTokenizerModel.load(
                                        ModelFiles.classpath(
                                                getClass().getClassLoader(), "model/tiny8"),
                                        "manifest.json",
                                        cuda))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("test-tiny8@0.0.1")
                .hasMessageContaining("execution provider CUDA was requested")
                .hasMessageContaining("use execution provider CPU");
    }

    @Test
    void rejectsNonPositiveThreadCounts() {
        assertThatThrownBy(() -> new OnnxTokenizerModel.Options(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intraOpThreads=0");
    }

    @Test
    void anUnknownModelPathSaysWhatWasTried() {
        assertThatThrownBy(() -> ModelLocator.locate(dir.resolve("nope.json").toString()))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("nope.json not found");
    }

    private static ObjectNode refiner(String file, int[] frameShape, int[] levelsShape) {
        ObjectNode refiner = JSON.createObjectNode().put("file", file);
        refiner.putArray("inputs")
                .add(tensor("frame", frameShape))
                .add(tensor("levelsUsed", levelsShape));
        refiner.putArray("outputs").add(tensor("refined", frameShape));
        return refiner;
    }

    private static ObjectNode tensor(String name, int[] shape) {
        ObjectNode tensor = JSON.createObjectNode().put("name", name).put("dtype", "float32");
        var dims = tensor.putArray("shape");
        for (int d : shape) {
            dims.add(d);
        }
        return tensor;
    }

    private OnnxTokenizerModel tiny8FromClasspath() {
        return OnnxTokenizerModel.load(
                ModelFiles.classpath(getClass().getClassLoader(), "model/tiny8"),
                "manifest.json",
                OnnxTokenizerModel.Options.DEFAULT);
    }

    private Path copyTiny8() throws IOException {
        return copyModel("tiny8");
    }

    private Path copyModel(String model) throws IOException {
        for (String name : new String[] {"manifest.json", "encoder.onnx", "decoder.onnx"}) {
            try (InputStream in =
                    getClass()
                            .getClassLoader()
                            .getResourceAsStream("model/" + model + "/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir.resolve("manifest.json");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
