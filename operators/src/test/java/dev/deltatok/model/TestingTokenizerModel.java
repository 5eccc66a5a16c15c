package dev.deltatok.model;

/**
 * A deterministic, patch-local fake tokenizer for tests: tokens are residual quantisations of a
 * patch's mean colour (levels 0 and 1) and of its 2x2 intensity layout (levels 2 and up), decode
 * rebuilds flat quadrants from them, and {@code levelError} is the exact pixel MSE of each prefix's
 * reconstruction. It is a working (if crude) tokenizer, not a mock: stateless, so safe to share
 * between threads.
 *
 * <p>Latents ({@code D = 15}) are the patch mean colour followed by the 2x2 quadrant means per
 * channel, unquantised.
 */
public final class TestingTokenizerModel implements TokenizerModel {

    /** Floats per latent. */
    public static final int LATENT_DIM = 15;

    private final ModelSpec spec;
    private final int colourBins;
    private final int layoutBins;
    private volatile boolean closed;

    public TestingTokenizerModel(ModelSpec spec) {
        if (spec.channels() != 3) {
            throw new IllegalArgumentException("the testing model is RGB only: " + spec);
        }
        if (spec.patchSize() % 2 != 0) {
            throw new IllegalArgumentException("patch size must be even: " + spec.patchSize());
        }
        if (spec.latentDim() != LATENT_DIM) {
            throw new IllegalArgumentException("latentDim must be " + LATENT_DIM + ": " + spec);
        }
        int bits = 31 - Integer.numberOfLeadingZeros(spec.codebookSize());
        if (bits < 4) {
            throw new IllegalArgumentException(
                    "codebookSize must be at least 16: " + spec.codebookSize());
        }
        this.spec = spec;
        this.colourBins = 1 << (bits / 3);
        this.layoutBins = 1 << (bits / 4);
    }

    /** The shape of the real default model: 16x16 patches, 256x256 frames, 4 levels, K=1024. */
    public static TestingTokenizerModel standard() {
        return create(16, 256, 256, 4, 1024);
    }

    public static TestingTokenizerModel create(
            int patchSize, int frameWidth, int frameHeight, int levels, int codebookSize) {
        return new TestingTokenizerModel(
                spec(patchSize, frameWidth, frameHeight, levels, codebookSize));
    }

    public static ModelSpec spec(
            int patchSize, int frameWidth, int frameHeight, int levels, int codebookSize) {
        return new ModelSpec(
                "testing",
                "1",
                patchSize,
                3,
                frameWidth,
                frameHeight,
                LATENT_DIM,
                levels,
                codebookSize,
                true);
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public EncodedPatches encode(float[] patches, int count) {
        checkOpen();
        int values = spec.patchValues();
        if (count < 0 || patches.length < count * values) {
            throw new IllegalArgumentException(
                    "need " + count + " patches of " + values + " values, got " + patches.length);
        }
        int levels = spec.levels();
        int[] tokens = new int[count * levels];
        float[] latents = new float[count * LATENT_DIM];
        float[] errors = new float[count * levels];
        float[] quad = new float[12];
        float[] recon = new float[values];
        for (int n = 0; n < count; n++) {
            int base = n * values;
            quadrantMeans(patches, base, quad);
            int lat = n * LATENT_DIM;
            for (int c = 0; c < 3; c++) {
                latents[lat + c] =
                        (quad[c * 4] + quad[c * 4 + 1] + quad[c * 4 + 2] + quad[c * 4 + 3]) / 4f;
            }
            System.arraycopy(quad, 0, latents, lat + 3, 12);
            quantise(latents, lat, quad, tokens, n * levels);
            for (int l = 0; l < levels; l++) {
                reconstruct(tokens, n * levels, l + 1, recon, 0);
                double sum = 0;
                for (int i = 0; i < values; i++) {
                    double d = recon[i] - patches[base + i];
                    sum += d * d;
                }
                errors[n * levels + l] = (float) (sum / values);
            }
        }
        return new EncodedPatches(count, levels, LATENT_DIM, tokens, latents, errors);
    }

    @Override
    public float[] decode(int[] tokens, int[] levelsUsed, int count) {
        checkOpen();
        int levels = spec.levels();
        if (tokens.length < count * levels || levelsUsed.length < count) {
            throw new IllegalArgumentException(
                    "need " + count + " patches of " + levels + " tokens");
        }
        float[] out = new float[count * spec.patchValues()];
        for (int n = 0; n < count; n++) {
            int used = levelsUsed[n];
            if (used < 1 || used > levels) {
                throw new IllegalArgumentException(
                        "levelsUsed[" + n + "] = " + used + ", expected 1.." + levels);
            }
            for (int l = 0; l < used; l++) {
                int t = tokens[n * levels + l];
                if (t < 0 || t >= spec.codebookSize()) {
                    throw new IllegalArgumentException(
                            "token " + t + " outside [0, " + spec.codebookSize() + ")");
                }
            }
            reconstruct(tokens, n * levels, used, out, n * spec.patchValues());
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    /** Quadrant means per channel: quad[c * 4 + q], q = 2 * (y >= P/2) + (x >= P/2). */
    private void quadrantMeans(float[] patches, int base, float[] quad) {
        int p = spec.patchSize();
        int h = p / 2;
        java.util.Arrays.fill(quad, 0f);
        for (int c = 0; c < 3; c++) {
            int plane = base + c * p * p;
            for (int y = 0; y < p; y++) {
                int row = plane + y * p;
                int qy = y < h ? 0 : 2;
                float left = 0;
                float right = 0;
                for (int x = 0; x < h; x++) {
                    left += patches[row + x];
                    right += patches[row + h + x];
                }
                quad[c * 4 + qy] += left;
                quad[c * 4 + qy + 1] += right;
            }
        }
        float area = h * h;
        for (int i = 0; i < 12; i++) {
            quad[i] /= area;
        }
    }

    private void quantise(float[] latents, int lat, float[] quad, int[] tokens, int at) {
        int levels = spec.levels();
        float[] mean = {latents[lat], latents[lat + 1], latents[lat + 2]};
        // Level 0: mean colour on a coarse grid; level 1: its residual on a finer grid.
        float[] meanRecon = new float[3];
        int id = 0;
        for (int c = 0; c < 3; c++) {
            int q = clamp((int) Math.floor(mean[c] * colourBins), colourBins);
            meanRecon[c] = (q + 0.5f) / colourBins;
            id = id * colourBins + q;
        }
        tokens[at] = id;
        if (levels == 1) {
            return;
        }
        float step = 1f / colourBins;
        id = 0;
        for (int c = 0; c < 3; c++) {
            float fine = step / colourBins;
            int q = midTread(mean[c] - meanRecon[c], fine, colourBins);
            meanRecon[c] += (q - colourBins / 2) * fine;
            id = id * colourBins + q;
        }
        tokens[at + 1] = id;
        // Levels 2..: the 2x2 intensity layout relative to the reconstructed mean, refined per
        // level.
        float meanIntensity = intensity(meanRecon[0], meanRecon[1], meanRecon[2]);
        float[] offset = new float[4];
        float[] offsetRecon = new float[4];
        for (int q = 0; q < 4; q++) {
            offset[q] = intensity(quad[q], quad[4 + q], quad[8 + q]) - meanIntensity;
        }
        float range = 0.25f;
        for (int l = 2; l < levels; l++) {
            float binWidth = 2 * range / layoutBins;
            id = 0;
            for (int q = 3; q >= 0; q--) {
                int b = midTread(offset[q] - offsetRecon[q], binWidth, layoutBins);
                offsetRecon[q] += (b - layoutBins / 2) * binWidth;
                id = id * layoutBins + b;
            }
            tokens[at + l] = id;
            range = binWidth / 2;
        }
    }

    private void reconstruct(int[] tokens, int at, int used, float[] out, int base) {
        float[] mean = new float[3];
        int id = tokens[at];
        for (int c = 2; c >= 0; c--) {
            mean[c] = (id % colourBins + 0.5f) / colourBins;
            id /= colourBins;
        }
        if (used > 1) {
            float step = 1f / colourBins;
            float fine = step / colourBins;
            id = tokens[at + 1];
            for (int c = 2; c >= 0; c--) {
                mean[c] += (id % colourBins - colourBins / 2) * fine;
                id /= colourBins;
            }
        }
        float[] offsetRecon = new float[4];
        float range = 0.25f;
        for (int l = 2; l < used; l++) {
            float binWidth = 2 * range / layoutBins;
            id = tokens[at + l];
            for (int q = 0; q < 4; q++) {
                offsetRecon[q] += (id % layoutBins - layoutBins / 2) * binWidth;
                id /= layoutBins;
            }
            range = binWidth / 2;
        }
        int p = spec.patchSize();
        int h = p / 2;
        for (int c = 0; c < 3; c++) {
            int plane = base + c * p * p;
            for (int y = 0; y < p; y++) {
                for (int x = 0; x < p; x++) {
                    int q = (y < h ? 0 : 2) + (x < h ? 0 : 1);
                    float v = mean[c] + offsetRecon[q];
                    out[plane + y * p + x] = v < 0 ? 0 : v > 1 ? 1 : v;
                }
            }
        }
    }

    private static float intensity(float r, float g, float b) {
        return (r + g + b) / 3f;
    }

    /** Nearest of the values {@code (b - bins/2) * step}, b in [0, bins); zero is one of them. */
    private static int midTread(float residual, float step, int bins) {
        return clamp(Math.round(residual / step) + bins / 2, bins);
    }

    private static int clamp(int v, int bins) {
        return v < 0 ? 0 : v >= bins ? bins - 1 : v;
    }
}
