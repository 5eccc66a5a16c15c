package dev.deltatok.cli;

import dev.deltatok.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rate-distortion curves of {@code deltatok eval --sweep}: per series (full, delta) the
 * measured points, tokens per frame against mirror PSNR and SSIM, as a Markdown table, JSON and a
 * chart; and whether the delta curve dominates the full one (every full point has a delta point
 * with no more tokens and at least its PSNR).
 */
record RateDistortion(
        String source, String modelId, Map<String, String> seriesOf, Map<String, Row> rows) {

    /** One point. */
    record Row(String label, String series, EvalResult.ModeResult result) {}

    static RateDistortion of(
            String source,
            String modelId,
            Map<String, String> seriesOf,
            Map<String, EvalResult.ModeResult> results) {
        Map<String, Row> rows = new LinkedHashMap<>();
        results.forEach((label, r) -> rows.put(label, new Row(label, seriesOf.get(label), r)));
        return new RateDistortion(source, modelId, seriesOf, rows);
    }

    private List<Row> series(String name) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows.values()) {
            if (r.series().equals(name)) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparingDouble(r -> r.result().tokensPerFrameMean()));
        return out;
    }

    /** The full-mode point with the most tokens: every level of every patch. */
    Row fullGrid() {
        List<Row> full = series("full");
        return full.isEmpty() ? null : full.get(full.size() - 1);
    }

    /**
     * Whether every full-mode point is matched or beaten by a delta-mode point with no more tokens
     * per frame and at least its PSNR.
     */
    boolean deltaDominatesFull() {
        for (Row f : series("full")) {
            boolean beaten = false;
            for (Row d : series("delta")) {
                if (d.result().tokensPerFrameMean() <= f.result().tokensPerFrameMean()
                        && d.result().psnrDbMean() >= f.result().psnrDbMean()) {
                    beaten = true;
                    break;
                }
            }
            if (!beaten) {
                return false;
            }
        }
        return true;
    }

    String toMarkdown() {
        Row grid = fullGrid();
        double gridTokens = grid == null ? 0 : grid.result().tokensPerFrameMean();
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "source: %s, model %s, %d frames%n%n",
                        source,
                        modelId,
                        rows.values().iterator().next().result().frames()));
        out.append(
                "| series | settings | tokens/frame | of full grid | PSNR dB | SSIM | keyframes |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (String name : List.of("full", "delta")) {
            for (Row r : series(name)) {
                EvalResult.ModeResult m = r.result();
                out.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %s | %.1f | %.2f %% | %.2f | %.3f | %d |%n",
                                name,
                                r.label().substring(r.label().indexOf(", ") + 2),
                                m.tokensPerFrameMean(),
                                gridTokens == 0 ? 0 : 100 * m.tokensPerFrameMean() / gridTokens,
                                m.psnrDbMean(),
                                m.ssimMean(),
                                m.keyframes()));
            }
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "%ndelta curve above the full-mode curve (every full point matched with"
                                + " no more tokens and no less PSNR): %s%n",
                        deltaDominatesFull() ? "yes" : "no"));
        return out.toString();
    }

    Map<String, Object> toJsonTree() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("source", source);
        root.put("model", modelId);
        List<Map<String, Object>> points = new ArrayList<>();
        for (String name : List.of("full", "delta")) {
            for (Row r : series(name)) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("series", name);
                p.put("settings", r.label().substring(r.label().indexOf(", ") + 2));
                p.putAll(r.result().toJsonTree());
                points.add(p);
            }
        }
        root.put("points", points);
        root.put("deltaDominatesFull", deltaDominatesFull());
        return root;
    }

    void chart(Path file) throws IOException {
        List<RateDistortionChart.Point> points = new ArrayList<>();
        for (String name : List.of("full", "delta")) {
            for (Row r : series(name)) {
                points.add(
                        new RateDistortionChart.Point(
                                name,
                                r.label(),
                                r.result().tokensPerFrameMean(),
                                r.result().psnrDbMean(),
                                r.result().ssimMean()));
            }
        }
        RateDistortionChart.write(
                "tokens per frame vs mirror quality: " + source,
                List.of("full", "delta"),
                List.of("full mode, 1 to all levels per patch", "delta mode, sweep points"),
                points,
                file);
    }
}
