package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.ModelFiles;
import dev.deltatok.model.OnnxTokenizerModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ViT-style test model ({@code vit8}, not patch-local) end to end through the core: every
 * encoded frame goes to the encoder whole, delta mode sends fewer positions than the full grid, and
 * the latents the consumer holds stay close to the true latents of each frame.
 */
class VitModelEvalTest {

    @Test
    void deltaSendsFewerPositionsThanFullWithinAnEmbeddingFidelityBound() throws Exception {
        EvalResult result;
        try (OnnxTokenizerModel model =
                        OnnxTokenizerModel.load(
                                ModelFiles.classpath(getClass().getClassLoader(), "model/vit8"),
                                "manifest.json",
                                OnnxTokenizerModel.Options.DEFAULT);
                FrameSource source =
                        FrameSources.open("synthetic:corridor", "cam-1", 256, 256, 100)) {
            result =
                    new Evaluator(model, TokenizerSettings.defaults())
                            .run(source, 0, List.of(TokenizerMode.DELTA, TokenizerMode.FULL));
        }
        System.out.println(result.toTable());
        EvalResult.ModeResult delta = result.modes().get(TokenizerMode.DELTA);
        EvalResult.ModeResult full = result.modes().get(TokenizerMode.FULL);

        assertThat(delta.frames()).isEqualTo(100);
        assertThat(full.positionsPerFrameMean()).isEqualTo(64);
        assertThat(delta.positionsPerFrameMean()).isLessThan(0.25 * full.positionsPerFrameMean());
        assertThat(delta.encodedPerFrameMean()).isLessThanOrEqualTo(64);
        assertThat(delta.embedding()).isNotNull();
        assertThat(full.embedding()).isNotNull();
        assertThat(delta.embedding().cosineMean()).isGreaterThan(0.99);
        assertThat(delta.embedding().relativeL2Mean()).isLessThan(0.1);
        assertThat(delta.embedding().cosineMean())
                .isGreaterThan(full.embedding().cosineMean() - 0.01);
    }
}
