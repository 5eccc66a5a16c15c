package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestingTokenizerModelContractTest extends TokenizerModelContractTest {

    @Override
    protected TokenizerModel createModel() {
        return TestingTokenizerModel.standard();
    }

    @Test
    void aFlatPatchIsReconstructedAlmostExactlyFromAllLevels() {
        float[] flat = new float[spec.patchValues()];
        java.util.Arrays.fill(flat, 0.4f);

        EncodedPatches encoded = model.encode(flat, 1);

        assertThat(encoded.levelError(0, spec.levels() - 1)).isLessThan(1e-4f);
    }

    @Test
    void smallerShapesWork() {
        try (TokenizerModel small = TestingTokenizerModel.create(8, 32, 16, 2, 64)) {
            assertThat(small.spec().patchesPerFrame()).isEqualTo(8);
            EncodedPatches encoded = small.encode(new float[small.spec().patchValues()], 1);
            assertThat(encoded.levels()).isEqualTo(2);
        }
    }
}
