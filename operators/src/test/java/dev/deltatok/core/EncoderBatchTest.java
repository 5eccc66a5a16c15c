package dev.deltatok.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderBatchTest {

    private static TokenizerModel model;

    @BeforeAll
    static void load() {
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /**
     * The reuse check measures the same errors, to the bit, whether a patch comes from the cache of
     * decoded patches or from a decoder call: over rounds that ask again for appearances asked
     * before (as frames do), in batches of other sizes and mixes, against a batch with no cache.
     */
    @Test
    void cachedPatchesMeasureTheSameErrorsAsDecodingAgain() {
        ModelSpec spec = model.spec();
        EncoderBatch cached = new EncoderBatch(spec, 8);
        EncoderBatch uncached = new EncoderBatch(spec, 8, 0);
        SplittableRandom random = new SplittableRandom(7);
        int[][] appearances = new int[24][];
        for (int a = 0; a < appearances.length; a++) {
            int used = 1 + random.nextInt(spec.levels());
            appearances[a] = new int[used];
            for (int l = 0; l < used; l++) {
                appearances[a][l] = random.nextInt(spec.codebookSize());
            }
        }
        int[] positions = new int[6];
        for (int round = 0; round < 12; round++) {
            RgbImage image = randomImage(spec, random);
            for (int i = 0; i < positions.length; i++) {
                positions[i] = random.nextInt(spec.patchesPerFrame());
            }
            for (EncoderBatch b : new EncoderBatch[] {cached, uncached}) {
                b.clear();
                b.add(image, positions);
            }
            int pairs = 1 + random.nextInt(10);
            int[] rows = new int[pairs];
            int[][] tokens = new int[pairs][];
            for (int i = 0; i < pairs; i++) {
                rows[i] = random.nextInt(positions.length);
                tokens[i] = appearances[random.nextInt(appearances.length)];
            }

            float[] fromCache = cached.errors(model, rows, tokens, pairs);
            float[] decoded = uncached.errors(model, rows, tokens, pairs);

            assertThat(fromCache).containsExactly(decoded);
        }
        assertThat(cached.decodedPatches().hits()).isPositive();
        assertThat(uncached.decodedPatches().hits()).isZero();
    }

    @Test
    void idsThatDoNotFitTheKeyAlwaysMiss() {
        ModelSpec spec = model.spec();
        DecodedPatchCache cache = new DecodedPatchCache(spec, 16);
        long key = cache.key(new int[] {1, 2}, 2);
        cache.put(key, new float[spec.patchValues()], 0);

        assertThat(cache.find(key)).isNotNegative();
        assertThat(cache.find(cache.key(new int[] {1, 2}, 1))).isNegative();
        assertThat(cache.key(new int[] {spec.codebookSize()}, 1)).isEqualTo(-1);
        assertThat(cache.key(new int[] {-1}, 1)).isEqualTo(-1);
        assertThat(cache.find(-1)).isNegative();
    }

    private static RgbImage randomImage(ModelSpec spec, SplittableRandom random) {
        byte[] rgb = new byte[spec.frameWidth() * spec.frameHeight() * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        return new RgbImage(spec.frameWidth(), spec.frameHeight(), rgb);
    }
}
