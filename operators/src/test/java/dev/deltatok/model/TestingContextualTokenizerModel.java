package dev.deltatok.model;

/**
 * A deterministic fake of a tokenizer that is not patch-local (declares {@code patchLocal=false}),
 * the way an encoder with attention across the frame is: each patch is encoded by {@link
 * TestingTokenizerModel} after being pulled slightly towards the mean of its frame (a batch is
 * frames one after another, {@code patchesPerFrame} patches each, the last one possibly partial),
 * so a patch's tokens and latents depend on its neighbours, never on another frame's. Decoding is
 * the testing model's, and {@code levelError} is the exact pixel MSE of each prefix's
 * reconstruction against the patch as given.
 */
public final class TestingContextualTokenizerModel implements TokenizerModel {

    /** How far each patch is pulled towards the batch mean before it is encoded. */
    static final float CONTEXT_WEIGHT = 0.02f;

    private final TestingTokenizerModel inner;
    private final ModelSpec spec;

    private TestingContextualTokenizerModel(ModelSpec spec) {
        this.spec = spec;
        this.inner = new TestingTokenizerModel(spec);
    }

    /** The default model's shape (16x16 patches, 256x256 frames, 4 levels, K=1024). */
    public static TestingContextualTokenizerModel standard() {
        ModelSpec local = TestingTokenizerModel.spec(16, 256, 256, 4, 1024);
        return new TestingContextualTokenizerModel(
                new ModelSpec(
                        "testing-contextual",
                        local.version(),
                        local.patchSize(),
                        local.channels(),
                        local.frameWidth(),
                        local.frameHeight(),
                        local.latentDim(),
                        local.levels(),
                        local.codebookSize(),
                        false));
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public EncodedPatches encode(float[] patches, int count) {
        int values = spec.patchValues();
        if (count < 0 || patches.length < count * values) {
            throw new IllegalArgumentException(
                    "need " + count + " patches of " + values + " values, got " + patches.length);
        }
        if (count == 0) {
            return inner.encode(patches, 0);
        }
        // Frames are consecutive runs of patchesPerFrame patches; context never crosses them.
        int perFrame = spec.patchesPerFrame();
        float[] pulled = new float[count * values];
        for (int start = 0; start < count; start += perFrame) {
            int end = Math.min(count, start + perFrame);
            double sum = 0;
            for (int i = start * values; i < end * values; i++) {
                sum += patches[i];
            }
            float mean = (float) (sum / ((end - start) * values));
            for (int i = start * values; i < end * values; i++) {
                pulled[i] = patches[i] + CONTEXT_WEIGHT * (mean - patches[i]);
            }
        }
        EncodedPatches encoded = inner.encode(pulled, count);
        int levels = spec.levels();
        float[] errors = new float[count * levels];
        int[] levelsUsed = new int[count];
        for (int used = 1; used <= levels; used++) {
            java.util.Arrays.fill(levelsUsed, used);
            float[] decoded = inner.decode(encoded.tokens(), levelsUsed, count);
            for (int n = 0; n < count; n++) {
                double error = 0;
                for (int i = n * values; i < (n + 1) * values; i++) {
                    double d = decoded[i] - patches[i];
                    error += d * d;
                }
                errors[n * levels + used - 1] = (float) (error / values);
            }
        }
        return new EncodedPatches(
                count, levels, encoded.latentDim(), encoded.tokens(), encoded.latents(), errors);
    }

    @Override
    public float[] decode(int[] tokens, int[] levelsUsed, int count) {
        return inner.decode(tokens, levelsUsed, count);
    }

    @Override
    public void close() {
        inner.close();
    }
}
