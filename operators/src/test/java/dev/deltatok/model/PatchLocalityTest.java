package dev.deltatok.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import org.junit.jupiter.api.Test;

/** The patch-locality probe tells a patch-local encoder from one that looks across the frame. */
class PatchLocalityTest {

    @Test
    void aPatchLocalModelPassesTheProbe() {
        assertThat(PatchLocality.violation(TestingTokenizerModel.standard())).isNull();
    }

    @Test
    void anEncoderThatSeesTheWholeFrameFailsItAndTheCoreRefusesIt() {
        TestingContextualTokenizerModel contextual = TestingContextualTokenizerModel.standard();

        assertThat(PatchLocality.violation(contextual)).isNotNull().contains("patch");
        assertThatThrownBy(() -> new TokenizerCore(contextual, TokenizerSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("testing-contextual")
                .hasMessageContaining("not patch-local");
    }
}
