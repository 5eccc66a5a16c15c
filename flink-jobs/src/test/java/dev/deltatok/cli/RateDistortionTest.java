package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.eval.EvalResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateDistortionTest {

    private static EvalResult.ModeResult point(double tokens, double psnr) {
        return new EvalResult.ModeResult(
                10, 0, 1024, tokens, tokens, 1, 1, 0, 1, psnr, psnr, 0.5, 1, null);
    }

    private static RateDistortion curves(double deltaTokens, double deltaPsnr) {
        Map<String, String> series = new LinkedHashMap<>();
        Map<String, EvalResult.ModeResult> results = new LinkedHashMap<>();
        series.put("full, 1 level", "full");
        results.put("full, 1 level", point(512, 21.0));
        series.put("full, 2 levels", "full");
        results.put("full, 2 levels", point(768, 22.0));
        series.put("delta, default", "delta");
        results.put("delta, default", point(deltaTokens, deltaPsnr));
        return RateDistortion.of("clip", "model@1", series, results);
    }

    @Test
    void deltaDominatesWhenEveryFullPointHasACheaperDeltaPointAtLeastAsGood() {
        assertThat(curves(50, 22.0).deltaDominatesFull()).isTrue();
        assertThat(curves(50, 21.5).deltaDominatesFull()).isFalse();
        assertThat(curves(600, 22.5).deltaDominatesFull()).isFalse();
    }

    @Test
    void theTableComparesWithTheFullGridAndSaysWhetherDeltaDominates() {
        String table = curves(50, 22.0).toMarkdown();

        assertThat(table)
                .contains("| full | 2 levels | 768.0 | 100.00 % | 22.00 |")
                .contains("| delta | default | 50.0 | 6.51 % | 22.00 |")
                .contains(
                        "full-mode curve (every full point matched with no more tokens and no"
                                + " less PSNR): yes");
    }
}
