package dev.deltatok.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.deltatok.frame.RgbImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime adapter of {@link TokenizerModel}: an encoder graph that outputs token ids,
 * latents and per-level errors, a decoder graph from token ids and a level mask back to pixels, and
 * optionally a frame refiner that {@link #decodeFrame} runs over a whole decoded frame, all
 * described by a {@link ModelManifest}.
 *
 * <p>Loading verifies the sha256 of every file the manifest lists and refuses to start on any
 * mismatch, then checks the graphs' tensor names, types and shapes against the manifest. One {@link
 * OrtEnvironment} is shared per JVM; each instance owns a session per graph, closed by {@link
 * #close()}. {@code OrtSession.run} is thread safe, so one instance may serve several threads.
 * Every {@link OnnxTensor} and {@link OrtSession.Result} is closed before a call returns.
 */
public final class OnnxTokenizerModel implements TokenizerModel {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxTokenizerModel.class);

    /** Where ONNX Runtime runs the graphs. */
    public enum ExecutionProvider {
        /** The default, and the only one the {@code onnxruntime} artifact on Maven Central has. */
        CPU,
        /**
         * NVIDIA GPU 0 through CUDA; needs the GPU build of ONNX Runtime ({@code onnxruntime_gpu})
         * and CUDA libraries on the library path (the {@code gpu} target of deploy/Dockerfile).
         */
        CUDA
    }

    /**
     * Session settings. Thread counts are per session and per call.
     *
     * @param provider where the graphs run; a provider this ONNX Runtime build lacks is refused
     *     when the model loads, never silently replaced by the CPU
     */
    public record Options(int intraOpThreads, int interOpThreads, ExecutionProvider provider) {

        /** One intra-op and one inter-op thread: the best throughput per core for small batches. */
        public static final Options DEFAULT = new Options(1, 1);

        public Options {
            if (intraOpThreads < 1 || interOpThreads < 1) {
                throw new IllegalArgumentException(
                        "thread counts must be >= 1, got intraOpThreads="
                                + intraOpThreads
                                + " interOpThreads="
                                + interOpThreads);
            }
            java.util.Objects.requireNonNull(provider, "provider");
        }

        /** CPU execution with the given thread counts. */
        public Options(int intraOpThreads, int interOpThreads) {
            this(intraOpThreads, interOpThreads, ExecutionProvider.CPU);
        }
    }

    private final ModelManifest manifest;
    private final ModelSpec spec;
    private final String modelId;
    private final OrtEnvironment env;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final OrtSession refiner;

    private OnnxTokenizerModel(ModelManifest manifest, ModelFiles files, Options options) {
        this.manifest = manifest;
        this.spec = manifest.spec();
        this.modelId = spec.modelId();
        Map<String, byte[]> verified = verifyFiles(files);
        this.env = OrtEnvironment.getEnvironment();
        OrtSession enc = null;
        OrtSession dec = null;
        OrtSession ref = null;
        try {
            enc = openSession(manifest.encoder().file(), verified, options);
            dec = openSession(manifest.decoder().file(), verified, options);
            checkGraph("encoder", enc, manifest.encoder());
            checkGraph("decoder", dec, manifest.decoder());
            if (manifest.refiner() != null) {
                ref = openSession(manifest.refiner().file(), verified, options);
                checkGraph("refiner", ref, manifest.refiner());
            }
        } catch (RuntimeException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            closeQuietly(ref);
            throw e;
        }
        this.encoder = enc;
        this.decoder = dec;
        this.refiner = ref;
        try {
            PatchLocality.checkClaim(this);
        } catch (ModelException e) {
            close();
            throw e;
        }
        LOG.info(
                "Loaded tokenizer model {} from {} ({}x{} patches, {} levels x {} codes, {}"
                        + " frame refiner, {} intra-op / {} inter-op threads, {})",
                modelId,
                files.describe(),
                spec.patchSize(),
                spec.patchSize(),
                spec.levels(),
                spec.codebookSize(),
                ref == null ? "no" : "with a",
                options.intraOpThreads(),
                options.interOpThreads(),
                options.provider());
    }

    /** Loads the model whose manifest is at {@code manifestPath}, with default options. */
    public static OnnxTokenizerModel load(Path manifestPath) {
        return load(manifestPath, Options.DEFAULT);
    }

    /** Loads the model whose manifest is at {@code manifestPath}. */
    public static OnnxTokenizerModel load(Path manifestPath, Options options) {
        Path manifestFile = manifestPath.toAbsolutePath().normalize();
        if (Files.isDirectory(manifestFile)) {
            manifestFile = manifestFile.resolve(ModelLocator.MANIFEST);
        }
        Path dir = manifestFile.getParent();
        return load(ModelFiles.directory(dir), manifestFile.getFileName().toString(), options);
    }

    /**
     * Loads a model from any file source.
     *
     * @param manifestName the manifest's name within {@code files}
     */
    public static OnnxTokenizerModel load(ModelFiles files, String manifestName, Options options) {
        String where = files.describe() + "/" + manifestName;
        byte[] json;
        try {
            json = files.read(manifestName);
        } catch (IOException e) {
            throw new ModelException(where, "cannot read manifest: " + e.getMessage(), e);
        }
        return new OnnxTokenizerModel(ModelManifest.parse(json, where), files, options);
    }

    /** Loads the model {@link ModelLocator#locate} finds for {@code userPath} (may be null). */
    public static OnnxTokenizerModel loadDefault(String userPath, Options options) {
        ModelLocator.Located located = ModelLocator.locate(userPath);
        return load(located.files(), located.manifestName(), options);
    }

    public ModelManifest manifest() {
        return manifest;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public EncodedPatches encode(float[] patches, int count) {
        int values = spec.patchValues();
        if (count < 0 || patches.length < (long) count * values) {
            throw new IllegalArgumentException(
                    "encode needs "
                            + count
                            + " patches of "
                            + values
                            + " values, got an array of "
                            + patches.length);
        }
        return encode(FloatBuffer.wrap(patches, 0, count * values), count);
    }

    /** A direct buffer in native order reaches ONNX Runtime without a copy; others are copied. */
    @Override
    public EncodedPatches encode(FloatBuffer patches, int count) {
        int values = spec.patchValues();
        if (count < 0 || patches.capacity() < (long) count * values) {
            throw new IllegalArgumentException(
                    "encode needs "
                            + count
                            + " patches of "
                            + values
                            + " values, got a buffer of "
                            + patches.capacity());
        }
        int levels = spec.levels();
        int dim = spec.latentDim();
        if (count == 0) {
            return new EncodedPatches(0, levels, dim, new int[0], new float[0], new float[0]);
        }
        long[] shape = {count, spec.channels(), spec.patchSize(), spec.patchSize()};
        try (OnnxTensor input =
                        OnnxTensor.createTensor(
                                env, patches.duplicate().position(0).limit(count * values), shape);
                OrtSession.Result result = encoder.run(Map.of(ModelManifest.PATCHES, input))) {
            long[] ids = longs(result, ModelManifest.TOKENS, "encoder", (long) count * levels);
            float[] latents = floats(result, ModelManifest.LATENTS, "encoder", (long) count * dim);
            float[] errors =
                    floats(result, ModelManifest.LEVEL_ERROR, "encoder", (long) count * levels);
            int[] tokens = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                long id = ids[i];
                if (id < 0 || id >= spec.codebookSize()) {
                    throw new ModelException(
                            modelId,
                            "encoder produced token id "
                                    + id
                                    + " outside [0, "
                                    + spec.codebookSize()
                                    + ")");
                }
                tokens[i] = (int) id;
            }
            return new EncodedPatches(count, levels, dim, tokens, latents, errors);
        } catch (OrtException e) {
            throw new ModelException(
                    modelId, "encoder run failed for " + count + " patches: " + e.getMessage(), e);
        }
    }

    @Override
    public float[] decode(int[] tokens, int[] levelsUsed, int count) {
        int levels = spec.levels();
        if (count < 0 || tokens.length < (long) count * levels || levelsUsed.length < count) {
            throw new IllegalArgumentException(
                    "decode needs "
                            + count
                            + " x "
                            + levels
                            + " tokens and "
                            + count
                            + " level counts, got "
                            + tokens.length
                            + " and "
                            + levelsUsed.length);
        }
        if (count == 0) {
            return new float[0];
        }
        long[] ids = new long[count * levels];
        float[] mask = new float[count * levels];
        for (int n = 0; n < count; n++) {
            int used = levelsUsed[n];
            if (used < 1 || used > levels) {
                throw new IllegalArgumentException(
                        "levelsUsed[" + n + "] = " + used + " is outside 1.." + levels);
            }
            for (int l = 0; l < levels; l++) {
                int id = tokens[n * levels + l];
                if (id < 0 || id >= spec.codebookSize()) {
                    throw new IllegalArgumentException(
                            "token id "
                                    + id
                                    + " of patch "
                                    + n
                                    + " is outside [0, "
                                    + spec.codebookSize()
                                    + ")");
                }
                ids[n * levels + l] = id;
                mask[n * levels + l] = l < used ? 1f : 0f;
            }
        }
        long[] shape = {count, levels};
        try (OnnxTensor tokenTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor maskTensor =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(mask), shape);
                OrtSession.Result result =
                        decoder.run(
                                Map.of(
                                        ModelManifest.TOKENS,
                                        tokenTensor,
                                        ModelManifest.LEVEL_MASK,
                                        maskTensor))) {
            return floats(
                    result, ModelManifest.PATCHES, "decoder", (long) count * spec.patchValues());
        } catch (OrtException e) {
            throw new ModelException(
                    modelId, "decoder run failed for " + count + " patches: " + e.getMessage(), e);
        }
    }

    /** Whether {@link #decodeFrame} runs a frame refiner after the patch decoder. */
    public boolean hasRefiner() {
        return refiner != null;
    }

    @Override
    public RgbImage decodeFrame(int[] tokens, int[] levelsUsed) {
        if (refiner == null) {
            return TokenizerModel.super.decodeFrame(tokens, levelsUsed);
        }
        int rows = spec.gridRows();
        int cols = spec.gridCols();
        int width = spec.frameWidth();
        int height = spec.frameHeight();
        float[] planes = planes(decode(tokens, levelsUsed, rows * cols));
        float[] used = new float[rows * cols];
        for (int i = 0; i < used.length; i++) {
            used[i] = levelsUsed[i];
        }
        try (OnnxTensor frame =
                        OnnxTensor.createTensor(
                                env,
                                FloatBuffer.wrap(planes),
                                new long[] {1, spec.channels(), height, width});
                OnnxTensor levels =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(used), new long[] {1, 1, rows, cols});
                OrtSession.Result result =
                        refiner.run(
                                Map.of(
                                        ModelManifest.FRAME,
                                        frame,
                                        ModelManifest.LEVELS_USED,
                                        levels))) {
            float[] refined = floats(result, ModelManifest.REFINED, "refiner", planes.length);
            return RgbImage.fromPlanes(refined, width, height);
        } catch (OrtException e) {
            throw new ModelException(modelId, "refiner run failed: " + e.getMessage(), e);
        }
    }

    /** Patches {@code [N, C, P, P]} of the whole grid to frame planes {@code [C, H, W]}. */
    private float[] planes(float[] patches) {
        int p = spec.patchSize();
        int channels = spec.channels();
        int rows = spec.gridRows();
        int cols = spec.gridCols();
        int width = spec.frameWidth();
        int plane = width * spec.frameHeight();
        float[] out = new float[channels * plane];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int base = (r * cols + c) * channels * p * p;
                for (int ch = 0; ch < channels; ch++) {
                    for (int y = 0; y < p; y++) {
                        System.arraycopy(
                                patches,
                                base + (ch * p + y) * p,
                                out,
                                ch * plane + (r * p + y) * width + c * p,
                                p);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(encoder);
        closeQuietly(decoder);
        closeQuietly(refiner);
    }

    private float[] floats(OrtSession.Result result, String name, String graph, long expected)
            throws OrtException {
        OnnxTensor tensor = output(result, name, graph, OnnxJavaType.FLOAT, expected);
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelException(
                        modelId,
                        graph
                                + " output '"
                                + name
                                + "' contains "
                                + values[i]
                                + " at index "
                                + i
                                + ": the model produced non-finite values");
            }
        }
        return values;
    }

    private long[] longs(OrtSession.Result result, String name, String graph, long expected)
            throws OrtException {
        LongBuffer buffer =
                output(result, name, graph, OnnxJavaType.INT64, expected).getLongBuffer();
        long[] values = new long[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private OnnxTensor output(
            OrtSession.Result result, String name, String graph, OnnxJavaType type, long expected) {
        Optional<ai.onnxruntime.OnnxValue> value = result.get(name);
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor tensor)) {
            throw new ModelException(modelId, graph + " did not return tensor '" + name + "'");
        }
        TensorInfo info = tensor.getInfo();
        if (info.type != type || info.getNumElements() != expected) {
            throw new ModelException(
                    modelId,
                    graph
                            + " output '"
                            + name
                            + "' is "
                            + info.type
                            + Arrays.toString(info.getShape())
                            + ", expected "
                            + type
                            + " with "
                            + expected
                            + " elements");
        }
        return tensor;
    }

    private Map<String, byte[]> verifyFiles(ModelFiles files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        Map<String, byte[]> verified = new java.util.HashMap<>();
        for (Map.Entry<String, ModelManifest.FileEntry> entry : manifest.files().entrySet()) {
            String name = entry.getKey();
            byte[] bytes;
            try {
                bytes = files.read(name);
            } catch (IOException e) {
                throw new ModelException(
                        modelId,
                        "cannot read file "
                                + name
                                + " in "
                                + files.describe()
                                + ": "
                                + e.getMessage(),
                        e);
            }
            String actual = HexFormat.of().formatHex(sha.digest(bytes));
            String expected = entry.getValue().sha256().toLowerCase(java.util.Locale.ROOT);
            if (!actual.equals(expected)) {
                throw new ModelException(
                        modelId,
                        "sha256 mismatch for file "
                                + name
                                + " in "
                                + files.describe()
                                + ": manifest says "
                                + expected
                                + ", file has "
                                + actual
                                + "; refusing to load a model that is not the one the manifest"
                                + " describes");
            }
            verified.put(name, bytes);
        }
        return verified;
    }

    private OrtSession openSession(String file, Map<String, byte[]> verified, Options options) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(options.interOpThreads());
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.provider() == ExecutionProvider.CUDA) {
                enableCuda(so);
            }
            return env.createSession(verified.get(file), so);
        } catch (OrtException e) {
            throw new ModelException(
                    modelId,
                    "file " + file + " is not a loadable ONNX model: " + e.getMessage(),
                    e);
        }
    }

    private void enableCuda(OrtSession.SessionOptions so) {
        try {
            so.addCUDA(0);
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            throw new ModelException(
                    modelId,
                    "execution provider CUDA was requested but this ONNX Runtime cannot enable it ("
                            + e.getMessage()
                            + "); the onnxruntime artifact is CPU-only: run the GPU image"
                            + " (deploy/Dockerfile, target gpu) or use execution provider CPU",
                    e);
        }
    }

    private void checkGraph(String role, OrtSession session, ModelManifest.Graph declared) {
        try {
            checkTensors(role + " input", session.getInputInfo(), declared.inputs());
            checkTensors(role + " output", session.getOutputInfo(), declared.outputs());
        } catch (OrtException e) {
            throw new ModelException(
                    modelId, "cannot inspect " + role + " " + declared.file() + ": " + e, e);
        }
    }

    private void checkTensors(
            String role, Map<String, NodeInfo> actual, List<ModelManifest.TensorSpec> declared) {
        for (ModelManifest.TensorSpec spec : declared) {
            NodeInfo node = actual.get(spec.name());
            if (node == null) {
                throw new ModelException(
                        modelId,
                        role
                                + " '"
                                + spec.name()
                                + "' declared in the manifest is not in the"
                                + " graph, which has "
                                + actual.keySet());
            }
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new ModelException(
                        modelId, role + " '" + spec.name() + "' is not a tensor in the graph");
            }
            OnnxJavaType want =
                    "int64".equals(spec.dtype()) ? OnnxJavaType.INT64 : OnnxJavaType.FLOAT;
            long[] shape = info.getShape();
            boolean ok = info.type == want && shape.length == spec.shape().size() && shape[0] < 0;
            for (int i = 1; ok && i < shape.length; i++) {
                // A symbolic dimension (-1) in the graph accepts the manifest's fixed size.
                ok = shape[i] < 0 || shape[i] == spec.shape().get(i);
            }
            if (!ok) {
                throw new ModelException(
                        modelId,
                        role
                                + " '"
                                + spec.name()
                                + "' has type "
                                + info.type
                                + " and shape "
                                + Arrays.toString(shape)
                                + " in the graph, but the manifest declares "
                                + spec.dtype()
                                + " "
                                + spec.shape()
                                + " (the first, batch dimension must be dynamic)");
            }
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("Closing an ONNX session failed", e);
        }
    }
}
