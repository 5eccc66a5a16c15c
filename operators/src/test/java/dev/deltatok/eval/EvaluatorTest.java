package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScenes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private final TestingTokenizerModel model = TestingTokenizerModel.standard();

    private EvalResult evaluate(String scene, int frames) throws Exception {
        try (FrameSource source =
                FrameSources.open("synthetic:" + scene, "cam-1", 256, 256, frames)) {
            return new Evaluator(model, TokenizerSettings.defaults())
                    .run(source, 0, List.of(TokenizerMode.DELTA, TokenizerMode.FULL));
        }
    }

    @Test
    void deltaModeSendsAtMostATenthOfTheGridOnTheCorridorAtFullModeQuality() throws Exception {
        EvalResult result = evaluate("corridor", 150);
        System.out.println(result.toTable());
        EvalResult.ModeResult delta = result.modes().get(TokenizerMode.DELTA);
        EvalResult.ModeResult full = result.modes().get(TokenizerMode.FULL);

        assertThat(delta.frames()).isEqualTo(150);
        assertThat(delta.tokensPerFrameMean())
                .isLessThanOrEqualTo(0.10 * delta.gridTokensPerFrame());
        assertThat(delta.psnrDbMean()).isGreaterThanOrEqualTo(full.psnrDbMean() - 0.5);
        assertThat(full.keyframes()).isEqualTo(150);
        // The first frame only: the corridor has no cut, 150 frames stay under the maximum
        // interval, and the default budget keeps up with the walkers.
        assertThat(delta.keyframes()).isEqualTo(1);
    }

    @Test
    void jsonTreeHasTheDocumentedShape() throws Exception {
        Map<String, Object> json = evaluate("static", 5).toJsonTree();

        assertThat(json).containsKey("modes");
        @SuppressWarnings("unchecked")
        Map<String, Object> delta =
                (Map<String, Object>) ((Map<String, Object>) json.get("modes")).get("delta");
        assertThat(delta)
                .containsKeys(
                        "frames",
                        "gridTokensPerFrame",
                        "tokensPerFrame",
                        "bytesPerFrame",
                        "keyframes",
                        "positionsPerFrame",
                        "encodedPatchesPerFrame",
                        "psnrDb",
                        "ssim",
                        "framesPerSecond")
                .as("embedding fidelity is measured for models that are not patch-local")
                .doesNotContainKey("embedding");
    }

    @Test
    void deltaModeNeverSendsMoreThanFullModeOnAnyBuiltInScene() throws Exception {
        for (String scene : SyntheticScenes.names()) {
            EvalResult result = evaluate(scene, 60);
            System.out.println(result.toTable());
            EvalResult.ModeResult delta = result.modes().get(TokenizerMode.DELTA);
            EvalResult.ModeResult full = result.modes().get(TokenizerMode.FULL);

            assertThat(delta.tokensPerFrameMean()).as(scene).isLessThan(full.tokensPerFrameMean());
            assertThat(delta.bytesPerFrameMean()).as(scene).isLessThan(full.bytesPerFrameMean());
            assertThat(delta.psnrDbMean()).as(scene).isGreaterThan(full.psnrDbMean() - 1.0);
        }
    }
}
