package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.OnnxTokenizerModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token-economy promise with the shipped default model: on the corridor, delta mode sends at
 * most 10 % of the full grid's tokens at no more than 0.5 dB PSNR below full mode.
 */
class DefaultModelEvalTest {

    private static OnnxTokenizerModel model;

    @BeforeAll
    static void loadModel() {
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void corridorDeltaSendsAtMostATenthOfTheGridWithinHalfADecibelOfFullMode() throws Exception {
        EvalResult result;
        try (FrameSource source = FrameSources.open("synthetic:corridor", "cam-1", 256, 256, 100)) {
            result =
                    new Evaluator(model, TokenizerSettings.defaults())
                            .run(source, 0, List.of(TokenizerMode.DELTA, TokenizerMode.FULL));
        }
        System.out.println(result.toTable());
        EvalResult.ModeResult delta = result.modes().get(TokenizerMode.DELTA);
        EvalResult.ModeResult full = result.modes().get(TokenizerMode.FULL);

        assertThat(delta.tokensPerFrameMean())
                .isLessThanOrEqualTo(0.10 * delta.gridTokensPerFrame());
        assertThat(delta.psnrDbMean()).isGreaterThanOrEqualTo(full.psnrDbMean() - 0.5);
    }
}
