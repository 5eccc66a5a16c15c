package dev.deltatok.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.model.TestingTokenizerModel;
import org.junit.jupiter.api.Test;

class TokenizerSettingsTest {

    @Test
    void defaultsAreValidAndDeltaMode() {
        TokenizerSettings settings = TokenizerSettings.defaults();

        assertThat(settings.mode()).isEqualTo(TokenizerMode.DELTA);
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
        assertThat(settings.withMode(TokenizerMode.FULL).mode()).isEqualTo(TokenizerMode.FULL);
    }

    @Test
    void namesTheBadValueAndTheAcceptedRange() {
        assertThatThrownBy(() -> TokenizerSettings.builder().changeThreshold(300).build())
                .hasMessageContaining("changeThreshold")
                .hasMessageContaining("300")
                .hasMessageContaining("[0.0, 255.0]");
        assertThatThrownBy(() -> TokenizerSettings.builder().sceneCutFraction(0).build())
                .hasMessageContaining("sceneCutFraction must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> TokenizerSettings.builder().maxTokensPerFrame(0).build())
                .hasMessageContaining("maxTokensPerFrame");
        assertThatThrownBy(() -> TokenizerSettings.builder().errorBudget(Double.NaN).build())
                .hasMessageContaining("errorBudget");
        assertThatThrownBy(() -> TokenizerSettings.builder().referenceBlock(0).build())
                .hasMessageContaining("referenceBlock");
    }

    @Test
    void refusesSettingsThatDoNotFitTheModel() {
        TestingTokenizerModel model = TestingTokenizerModel.standard();

        assertThatThrownBy(
                        () ->
                                new TokenizerCore(
                                        model,
                                        TokenizerSettings.builder().tableCapacity(100).build()))
                .hasMessageContaining("tableCapacity 100")
                .hasMessageContaining("256");
        assertThatThrownBy(
                        () ->
                                new TokenizerCore(
                                        model,
                                        TokenizerSettings.builder().referenceBlock(3).build()))
                .hasMessageContaining("referenceBlock 3");
    }

    @Test
    void aShrunkBudgetScalesTheTokenCapAndLoosensTheDeclaredBoundByItsInverse() {
        TokenizerSettings settings = TokenizerSettings.defaults();
        double floor = settings.highestChangeThreshold() / 255.0;

        assertThat(settings.maxTokensPerFrame(1.0)).isEqualTo(settings.maxTokensPerFrame());
        assertThat(settings.maxTokensPerFrame(0.25)).isEqualTo(96);
        assertThat(settings.maxTokensPerFrame(1e-9)).isEqualTo(1);
        assertThat(settings.declaredErrorBound(1.0)).isEqualTo(settings.declaredErrorBound());
        assertThat(settings.declaredErrorBound(0.25) - floor * floor)
                .isCloseTo(4 * (settings.declaredErrorBound() - floor * floor), within(1e-12));
        assertThatThrownBy(() -> settings.declaredErrorBound(0))
                .hasMessageContaining("budgetScale must be in (0, 1], got 0.0");
    }

    @Test
    void anAdaptiveThresholdIsAMultipleOfTheNoiseLevelBetweenTheFloorAndTheCeiling() {
        TokenizerSettings adaptive =
                TokenizerSettings.builder()
                        .changeThreshold(4)
                        .noiseMultiplier(3)
                        .maxChangeThreshold(16)
                        .build();
        TokenizerSettings fixed = adaptive.toBuilder().noiseFloor(NoiseFloorMode.FIXED).build();

        assertThat(adaptive.changeThresholdFor(-1)).isEqualTo(4.0);
        assertThat(adaptive.changeThresholdFor(0.5)).isEqualTo(4.0);
        assertThat(adaptive.changeThresholdFor(2)).isEqualTo(6.0);
        assertThat(adaptive.changeThresholdFor(40)).isEqualTo(16.0);
        assertThat(adaptive.highestChangeThreshold()).isEqualTo(16.0);
        assertThat(fixed.changeThresholdFor(40)).isEqualTo(4.0);
        assertThat(fixed.highestChangeThreshold()).isEqualTo(4.0);
        assertThat(adaptive.toBuilder().changeThreshold(20).build().changeThresholdFor(40))
                .isEqualTo(20.0);
        assertThat(adaptive.levelsFor(4)).isEqualTo(4);
        assertThat(adaptive.toBuilder().maxLevels(2).build().levelsFor(4)).isEqualTo(2);
        assertThatThrownBy(() -> adaptive.toBuilder().noiseMultiplier(0.5).build())
                .hasMessageContaining("noiseMultiplier");
        assertThatThrownBy(() -> adaptive.toBuilder().maxLevels(-1).build())
                .hasMessageContaining("maxLevels");
    }
}
