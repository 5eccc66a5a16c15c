package dev.deltatok.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The bring-your-own-model contract: {@code manifest.json} next to the ONNX files. Every field is
 * documented in {@code models/README.md}. Unknown fields are ignored so that newer manifests still
 * load; missing or inconsistent required fields are refused by {@link #validate}.
 *
 * @param refiner optional frame refiner: decoded frame and levels used per patch to a refined frame
 *     (sees across patch borders, so it is never part of encoding); null when the model has none
 * @param files every file of the model with its sha256; every graph's file must be listed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
        String id,
        String version,
        String description,
        Input input,
        int patchSize,
        int channels,
        int frameWidth,
        int frameHeight,
        int latentDim,
        int levels,
        int codebookSize,
        boolean patchLocal,
        boolean tokensInGraph,
        Graph encoder,
        Graph decoder,
        Graph refiner,
        Map<String, FileEntry> files) {

    /** Encoder input: patches {@code [N, C, P, P]}. */
    public static final String PATCHES = "patches";

    /** Encoder output and decoder input: token ids {@code [N, L]} int64. */
    public static final String TOKENS = "tokens";

    /** Encoder output: unquantised latents {@code [N, D]}. */
    public static final String LATENTS = "latents";

    /** Encoder output: per-prefix mean squared pixel error {@code [N, L]}. */
    public static final String LEVEL_ERROR = "levelError";

    /** Decoder input: 1 to use a level, 0 to ignore it, {@code [N, L]} float32. */
    public static final String LEVEL_MASK = "levelMask";

    /** Refiner input: a whole decoded frame {@code [N, C, H, W]} float32 in [0, 1]. */
    public static final String FRAME = "frame";

    /** Refiner output: the refined frame {@code [N, C, H, W]} float32 in [0, 1]. */
    public static final String REFINED = "refined";

    /**
     * Refiner input: how many levels each patch was decoded from, {@code [N, 1, rows, cols]}
     * float32 (1..L).
     */
    public static final String LEVELS_USED = "levelsUsed";

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** How callers must prepare pixels. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(
            String layout,
            String colorOrder,
            String dtype,
            List<Double> range,
            String normalisation) {}

    /** One ONNX graph: its file and its named tensors. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Graph(
            String file, List<TensorSpec> inputs, List<TensorSpec> outputs, String contract) {

        TensorSpec input(String name) {
            return find(inputs, name);
        }

        TensorSpec output(String name) {
            return find(outputs, name);
        }

        private static TensorSpec find(List<TensorSpec> specs, String name) {
            if (specs == null) {
                return null;
            }
            return specs.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
        }
    }

    /**
     * A named tensor. {@code shape} uses -1 for a dynamic dimension (the batch, N).
     *
     * @param dtype {@code float32} or {@code int64}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorSpec(String name, String dtype, List<Long> shape) {}

    /** A file of the model and the sha256 (lowercase hex) it must have. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String sha256, Long bytes) {}

    /**
     * Parses a manifest.
     *
     * @param source where it came from, for error messages
     */
    public static ModelManifest parse(byte[] json, String source) {
        ModelManifest manifest;
        try {
            manifest = JSON.readValue(json, ModelManifest.class);
        } catch (IOException e) {
            throw new ModelException(source, "manifest is not valid JSON: " + e.getMessage(), e);
        }
        if (manifest == null) {
            throw new ModelException(source, "manifest is empty");
        }
        manifest.validate(source);
        return manifest;
    }

    /** The model's identity and shapes. */
    public ModelSpec spec() {
        return new ModelSpec(
                id,
                version,
                patchSize,
                channels,
                frameWidth,
                frameHeight,
                latentDim,
                levels,
                codebookSize,
                patchLocal);
    }

    /** Checks that every required field is there and that the tensors agree with the dims. */
    public void validate(String source) {
        String who = id == null ? source : id + "@" + version;
        require(id != null && !id.isBlank(), who, "manifest has no id");
        require(version != null && !version.isBlank(), who, "manifest has no version");
        try {
            spec();
        } catch (IllegalArgumentException e) {
            throw new ModelException(who, "manifest dimensions are invalid: " + e.getMessage());
        }
        if (input != null && input.layout() != null) {
            require(
                    "NCHW".equals(input.layout()),
                    who,
                    "input layout " + input.layout() + " is not supported (only NCHW)");
        }
        require(
                tokensInGraph,
                who,
                "tokensInGraph=false is not supported: the encoder must output token ids");
        require(encoder != null && encoder.file() != null, who, "manifest has no encoder.file");
        require(decoder != null && decoder.file() != null, who, "manifest has no decoder.file");
        require(refiner == null || refiner.file() != null, who, "manifest has no refiner.file");
        require(files != null && !files.isEmpty(), who, "manifest lists no files with sha256");
        List<String> graphs =
                refiner == null
                        ? List.of(encoder.file(), decoder.file())
                        : List.of(encoder.file(), decoder.file(), refiner.file());
        for (String graph : graphs) {
            require(
                    files.containsKey(graph),
                    who,
                    "file " + graph + " is not listed under files, so it cannot be verified");
        }
        files.forEach(
                (name, entry) ->
                        require(
                                entry != null
                                        && entry.sha256() != null
                                        && entry.sha256().matches("[0-9a-fA-F]{64}"),
                                who,
                                "file " + name + " has no valid sha256 in the manifest"));
        long[] patches = {-1, channels, patchSize, patchSize};
        long[] perLevel = {-1, levels};
        checkSpec(who, "encoder input", encoder.input(PATCHES), PATCHES, "float32", patches);
        checkSpec(who, "encoder output", encoder.output(TOKENS), TOKENS, "int64", perLevel);
        checkSpec(
                who,
                "encoder output",
                encoder.output(LATENTS),
                LATENTS,
                "float32",
                new long[] {-1, latentDim});
        checkSpec(
                who,
                "encoder output",
                encoder.output(LEVEL_ERROR),
                LEVEL_ERROR,
                "float32",
                perLevel);
        checkSpec(who, "decoder input", decoder.input(TOKENS), TOKENS, "int64", perLevel);
        checkSpec(who, "decoder input", decoder.input(LEVEL_MASK), LEVEL_MASK, "float32", perLevel);
        checkSpec(who, "decoder output", decoder.output(PATCHES), PATCHES, "float32", patches);
        if (refiner != null) {
            long[] frame = {-1, channels, frameHeight, frameWidth};
            long[] grid = {-1, 1, frameHeight / patchSize, frameWidth / patchSize};
            checkSpec(who, "refiner input", refiner.input(FRAME), FRAME, "float32", frame);
            checkSpec(
                    who, "refiner input", refiner.input(LEVELS_USED), LEVELS_USED, "float32", grid);
            checkSpec(who, "refiner output", refiner.output(REFINED), REFINED, "float32", frame);
        }
    }

    private static void checkSpec(
            String who, String role, TensorSpec spec, String name, String dtype, long[] shape) {
        require(spec != null, who, "manifest declares no " + role + " named '" + name + "'");
        require(
                dtype.equals(spec.dtype()),
                who,
                role
                        + " '"
                        + name
                        + "' must be "
                        + dtype
                        + " but the manifest says "
                        + spec.dtype());
        List<Long> declared = spec.shape();
        boolean same = declared != null && declared.size() == shape.length;
        for (int i = 0; same && i < shape.length; i++) {
            same = declared.get(i) != null && declared.get(i) == shape[i];
        }
        require(
                same,
                who,
                role
                        + " '"
                        + name
                        + "' must have shape "
                        + java.util.Arrays.toString(shape)
                        + " (from the manifest's dimensions) but the manifest declares "
                        + declared);
    }

    private static void require(boolean ok, String who, String message) {
        if (!ok) {
            throw new ModelException(who, message);
        }
    }
}
