package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** The patch-locality probe tells a patch-local encoder from one that looks across the frame. */
class PatchLocalityTest {

    @Test
    void aPatchLocalModelPassesTheProbe() {
        assertThat(PatchLocality.violation(TestingTokenizerModel.standard())).isNull();
    }

    @Test
    void anEncoderThatSeesTheWholeFrameFailsIt() {
        TestingContextualTokenizerModel contextual = TestingContextualTokenizerModel.standard();

        assertThat(PatchLocality.violation(contextual)).isNotNull().contains("patch");
    }

    @Test
    void aModelThatSaysItIsNotPatchLocalIsNotProbed() {
        assertThatCode(() -> PatchLocality.checkClaim(TestingContextualTokenizerModel.standard()))
                .doesNotThrowAnyException();
    }
}
