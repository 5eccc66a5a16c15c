package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TokenizerModel} must have; subclass it with {@link #createModel()} for
 * each implementation (the testing fake, the ONNX adapter).
 */
public abstract class TokenizerModelContractTest {

    protected TokenizerModel model;
    protected ModelSpec spec;

    /** A fresh model; closed after each test. */
    protected abstract TokenizerModel createModel();

    /**
     * Slack allowed when the same patch is encoded alone or within a batch: 0 for exact
     * implementations; batched float kernels may differ in the last bits.
     */
    protected float latentTolerance() {
        return 1e-4f;
    }

    @BeforeEach
    void openModel() {
        model = createModel();
        spec = model.spec();
    }

    @AfterEach
    void closeModel() {
        model.close();
    }

    /** Patches with smooth structure plus mild noise, values in [0, 1], layout [N,C,P,P]. */
    protected float[] patches(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int p = spec.patchSize();
        float[] out = new float[count * spec.patchValues()];
        for (int n = 0; n < count; n++) {
            double[] base = new double[spec.channels()];
            for (int c = 0; c < base.length; c++) {
                base[c] = 0.15 + 0.7 * random.nextDouble();
            }
            double gx = random.nextDouble() * 0.3 - 0.15;
            double gy = random.nextDouble() * 0.3 - 0.15;
            for (int c = 0; c < spec.channels(); c++) {
                for (int y = 0; y < p; y++) {
                    for (int x = 0; x < p; x++) {
                        double v =
                                base[c]
                                        + gx * (x - p / 2.0) / p
                                        + gy * (y - p / 2.0) / p
                                        + (random.nextDouble() - 0.5) * 0.04;
                        out[((n * spec.channels() + c) * p + y) * p + x] =
                                (float) Math.max(0, Math.min(1, v));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void specDescribesAConsistentGrid() {
        assertThat(spec.channels()).isEqualTo(3);
        assertThat(spec.patchesPerFrame()).isEqualTo(spec.gridRows() * spec.gridCols());
        assertThat(spec.modelId()).contains("@");
    }

    @Test
    void encodeReturnsTheDeclaredShapes() {
        EncodedPatches encoded = model.encode(patches(5, 1), 5);

        assertThat(encoded.count()).isEqualTo(5);
        assertThat(encoded.levels()).isEqualTo(spec.levels());
        assertThat(encoded.latentDim()).isEqualTo(spec.latentDim());
        assertThat(encoded.tokens()).hasSize(5 * spec.levels());
        assertThat(encoded.latents()).hasSize(5 * spec.latentDim());
        assertThat(encoded.levelError()).hasSize(5 * spec.levels());
        for (int t : encoded.tokens()) {
            assertThat(t).isBetween(0, spec.codebookSize() - 1);
        }
        for (float e : encoded.levelError()) {
            assertThat(e).isBetween(0f, 1f);
        }
    }

    @Test
    void encodeIsDeterministic() {
        float[] input = patches(7, 2);
        EncodedPatches first = model.encode(input, 7);
        EncodedPatches second = model.encode(input.clone(), 7);

        assertThat(second.tokens()).isEqualTo(first.tokens());
        assertThat(second.latents()).isEqualTo(first.latents());
        assertThat(second.levelError()).isEqualTo(first.levelError());
    }

    /**
     * What {@link ModelSpec#patchLocal()} promises decides how the core may call the model: a
     * patch-local model is given only the patches that changed, so a patch's tokens and latents
     * must not depend on the rest of the batch. A model that declares otherwise is always given
     * whole frames; its declaration must be needed, i.e. some patch encodes differently alone, or
     * it would forgo skip-encoding for nothing.
     */
    @Test
    void tokensDependOnNeighboursInTheBatchExactlyWhenTheModelSaysSo() {
        int values = spec.patchValues();
        float[] batch = patches(6, 3);
        EncodedPatches together = model.encode(batch, 6);
        int differing = 0;
        for (int n = 0; n < 6; n++) {
            float[] alone = Arrays.copyOfRange(batch, n * values, (n + 1) * values);
            EncodedPatches single = model.encode(alone, 1);
            boolean same = true;
            for (int l = 0; l < spec.levels(); l++) {
                if (spec.patchLocal()) {
                    assertThat(single.token(0, l))
                            .as("patch %d level %d alone and in the batch", n, l)
                            .isEqualTo(together.token(n, l));
                }
                same &= single.token(0, l) == together.token(n, l);
            }
            for (int d = 0; d < spec.latentDim(); d++) {
                float a = single.latents()[d];
                float b = together.latents()[n * spec.latentDim() + d];
                if (spec.patchLocal()) {
                    assertThat(a)
                            .as("patch %d latent %d alone and in the batch", n, d)
                            .isCloseTo(b, org.assertj.core.data.Offset.offset(latentTolerance()));
                }
                same &= Math.abs(a - b) <= latentTolerance();
            }
            if (!same) {
                differing++;
            }
        }
        if (spec.patchLocal()) {
            assertThat(differing).isZero();
        } else {
            assertThat(differing)
                    .as(
                            "patches encoded differently alone than in a batch by a model that"
                                    + " declares patchLocal=false")
                    .isPositive();
        }
    }

    /**
     * The core batches whole frames of several cameras into one call for a model that is not
     * patch-local, one frame after another ({@code patchesPerFrame} patches each, grid order): a
     * frame must encode the same in such a batch as alone, whatever the model declares.
     */
    @Test
    void framesOfOneBatchEncodeAsTheyDoAlone() {
        int perFrame = spec.patchesPerFrame();
        int values = perFrame * spec.patchValues();
        float[] first = patches(perFrame, 11);
        float[] second = patches(perFrame, 12);
        float[] both = Arrays.copyOf(first, 2 * values);
        System.arraycopy(second, 0, both, values, values);

        EncodedPatches together = model.encode(both, 2 * perFrame);
        EncodedPatches[] alone = {model.encode(first, perFrame), model.encode(second, perFrame)};

        for (int f = 0; f < 2; f++) {
            for (int n = 0; n < perFrame; n++) {
                int row = f * perFrame + n;
                for (int l = 0; l < spec.levels(); l++) {
                    assertThat(together.token(row, l))
                            .as("frame %d patch %d level %d", f, n, l)
                            .isEqualTo(alone[f].token(n, l));
                }
                for (int d = 0; d < spec.latentDim(); d++) {
                    assertThat(together.latents()[row * spec.latentDim() + d])
                            .as("frame %d patch %d latent %d", f, n, d)
                            .isCloseTo(
                                    alone[f].latents()[n * spec.latentDim() + d],
                                    org.assertj.core.data.Offset.offset(latentTolerance()));
                }
            }
        }
    }

    @Test
    void encodingZeroPatchesIsEmpty() {
        EncodedPatches encoded = model.encode(new float[0], 0);

        assertThat(encoded.count()).isZero();
        assertThat(encoded.tokens()).isEmpty();
    }

    @Test
    void decodesEveryPrefixOfLevelsWithTheReportedError() {
        int count = 4;
        float[] input = patches(count, 4);
        EncodedPatches encoded = model.encode(input, count);
        for (int used = 1; used <= spec.levels(); used++) {
            int[] levelsUsed = new int[count];
            Arrays.fill(levelsUsed, used);
            float[] decoded = model.decode(encoded.tokens(), levelsUsed, count);

            assertThat(decoded).hasSize(count * spec.patchValues());
            for (int n = 0; n < count; n++) {
                double mse = mse(input, decoded, n);
                assertThat(mse)
                        .as("patch %d with %d levels", n, used)
                        .isCloseTo(encoded.levelError(n, used - 1), withinErrorTolerance());
            }
        }
    }

    /** How closely levelError must match the MSE of the decoded prefix. */
    protected org.assertj.core.data.Offset<Double> withinErrorTolerance() {
        return org.assertj.core.data.Offset.offset(1e-4);
    }

    @Test
    void decodeValuesStayInTheUnitRange() {
        EncodedPatches encoded = model.encode(patches(3, 5), 3);
        int[] levelsUsed = {1, spec.levels(), Math.max(1, spec.levels() / 2)};
        for (float v : model.decode(encoded.tokens(), levelsUsed, 3)) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void decodeIgnoresTokensBeyondLevelsUsed() {
        EncodedPatches encoded = model.encode(patches(1, 6), 1);
        int[] altered = encoded.tokens().clone();
        for (int l = 1; l < spec.levels(); l++) {
            altered[l] = (altered[l] + 1) % spec.codebookSize();
        }
        int[] one = {1};

        assertThat(model.decode(altered, one, 1)).isEqualTo(model.decode(encoded.tokens(), one, 1));
    }

    @Test
    void moreLevelsDoNotMakeTheReconstructionMuchWorse() {
        int count = 32;
        EncodedPatches encoded = model.encode(patches(count, 7), count);
        double firstTotal = 0;
        double lastTotal = 0;
        for (int n = 0; n < count; n++) {
            firstTotal += encoded.levelError(n, 0);
            lastTotal += encoded.levelError(n, spec.levels() - 1);
            for (int l = 1; l < spec.levels(); l++) {
                assertThat(encoded.levelError(n, l))
                        .as("patch %d level %d", n, l)
                        .isLessThanOrEqualTo(encoded.levelError(n, l - 1) * 1.25f + 1e-4f);
            }
        }
        assertThat(lastTotal).isLessThanOrEqualTo(firstTotal);
    }

    @Test
    void rejectsLevelsUsedOutsideTheModelsLevels() {
        EncodedPatches encoded = model.encode(patches(1, 8), 1);

        assertThatThrownBy(() -> model.decode(encoded.tokens(), new int[] {0}, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.decode(encoded.tokens(), new int[] {spec.levels() + 1}, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentEncodeCallsGiveTheSameAnswersAsSerialOnes() throws Exception {
        int threads = 4;
        List<float[]> inputs = new ArrayList<>();
        List<EncodedPatches> expected = new ArrayList<>();
        for (int i = 0; i < threads * 2; i++) {
            float[] input = patches(8, 100 + i);
            inputs.add(input);
            expected.add(model.encode(input, 8));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<EncodedPatches>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (float[] input : inputs) {
                    futures.add(pool.submit(() -> model.encode(input, 8)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                EncodedPatches actual = futures.get(i).get();
                assertThat(actual.tokens()).isEqualTo(expected.get(i % inputs.size()).tokens());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private double mse(float[] input, float[] decoded, int patch) {
        int values = spec.patchValues();
        double sum = 0;
        for (int i = patch * values; i < (patch + 1) * values; i++) {
            double d = input[i] - decoded[i];
            sum += d * d;
        }
        return sum / values;
    }
}
