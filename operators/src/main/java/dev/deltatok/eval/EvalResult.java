package dev.deltatok.eval;

import dev.deltatok.delta.TokenizerMode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Evaluator} measured, per mode. {@link #toJsonTree()} gives the documented JSON shape:
 * {@code {"source": ..., "modes": {"delta": {...}, "full": {...}}}}.
 *
 * @param source description of the frame source
 * @param modelId model id@version
 * @param modes results per mode, in the order run
 */
public record EvalResult(String source, String modelId, Map<TokenizerMode, ModeResult> modes) {

    /**
     * @param frames frames tokenized (rejected ones excluded)
     * @param rejectedFrames frames the decoder rejected
     * @param gridTokensPerFrame token ids of a full grid: patches x levels
     * @param tokensPerFrameMean mean {@code FrameStats.tokens} (upsert ids + key-map updates)
     * @param tokensPerFrameP95 95th percentile of the same
     * @param positionsPerFrameMean mean grid positions sent ({@code FrameStats.sentPatches})
     * @param encodedPerFrameMean mean patches run through the encoder ({@code
     *     FrameStats.encodedPatches})
     * @param bytesPerFrameMean mean serialized TokenDelta size (Avro single-object encoding)
     * @param keyframes KEYFRAME deltas
     * @param psnrDbMean mean PSNR of the mirror's reconstruction vs the source at model size
     * @param psnrDbMin worst frame's PSNR
     * @param ssimMean mean SSIM (luma, 8x8 windows)
     * @param framesPerSecond core throughput: frames / wall time spent in the tokenizer and encoder
     *     (decoding included; mirror, reconstruction and metrics excluded)
     * @param embedding fidelity in embedding space, measured for models that are not patch-local;
     *     null otherwise
     */
    public record ModeResult(
            int frames,
            int rejectedFrames,
            int gridTokensPerFrame,
            double tokensPerFrameMean,
            double tokensPerFrameP95,
            double positionsPerFrameMean,
            double encodedPerFrameMean,
            double bytesPerFrameMean,
            int keyframes,
            double psnrDbMean,
            double psnrDbMin,
            double ssimMean,
            double framesPerSecond,
            Embedding embedding) {

        /** Mean tokens per frame as a fraction of a full grid. */
        public double tokenFraction() {
            return gridTokensPerFrame == 0 ? 0 : tokensPerFrameMean / gridTokensPerFrame;
        }

        public Map<String, Object> toJsonTree() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", frames);
            m.put("rejectedFrames", rejectedFrames);
            m.put("gridTokensPerFrame", gridTokensPerFrame);
            m.put("tokensPerFrame", Map.of("mean", tokensPerFrameMean, "p95", tokensPerFrameP95));
            m.put("positionsPerFrame", Map.of("mean", positionsPerFrameMean));
            m.put("encodedPatchesPerFrame", Map.of("mean", encodedPerFrameMean));
            m.put("bytesPerFrame", Map.of("mean", bytesPerFrameMean));
            m.put("keyframes", keyframes);
            Map<String, Object> psnr = new LinkedHashMap<>();
            psnr.put("mean", psnrDbMean);
            psnr.put("min", psnrDbMin);
            m.put("psnrDb", psnr);
            m.put("ssim", Map.of("mean", ssimMean));
            m.put("framesPerSecond", framesPerSecond);
            if (embedding != null) {
                m.put(
                        "embedding",
                        Map.of(
                                "cosineMean",
                                embedding.cosineMean(),
                                "relativeL2Mean",
                                embedding.relativeL2Mean()));
            }
            return m;
        }
    }

    /**
     * How close the latents a consumer holds are to the true latents of each frame encoded whole,
     * averaged over positions, then frames.
     *
     * @param cosineMean mean cosine similarity, 1 = same direction
     * @param relativeL2Mean mean {@code |held - true| / |true|}
     */
    public record Embedding(double cosineMean, double relativeL2Mean) {}

    public Map<String, Object> toJsonTree() {
        Map<String, Object> modesJson = new LinkedHashMap<>();
        modes.forEach(
                (mode, r) -> modesJson.put(mode.name().toLowerCase(Locale.ROOT), r.toJsonTree()));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("source", source);
        root.put("model", modelId);
        root.put("modes", modesJson);
        return root;
    }

    /**
     * A fixed-width text table, one row per mode; with embedding fidelity, two more columns: mean
     * cosine similarity and relative L2 error of the held latents.
     */
    public String toTable() {
        boolean embedding = modes.values().stream().anyMatch(r -> r.embedding() != null);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "source: %s   model: %s%n", source, modelId));
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %7s %6s %10s %10s %8s %9s %10s %4s %8s %8s %6s %9s",
                        "mode",
                        "frames",
                        "grid",
                        "tok/frame",
                        "tok p95",
                        "of grid",
                        "pos/frame",
                        "bytes/fr",
                        "key",
                        "psnr dB",
                        "min dB",
                        "ssim",
                        "frames/s"));
        out.append(
                embedding
                        ? String.format(Locale.ROOT, " %8s %9s%n", "emb cos", "emb relL2")
                        : String.format(Locale.ROOT, "%n"));
        modes.forEach(
                (mode, r) -> {
                    out.append(
                            String.format(
                                    Locale.ROOT,
                                    "%-6s %7d %6d %10.1f %10.1f %7.2f%% %9.1f %10.1f %4d %8.2f"
                                            + " %8.2f %6.3f %9.1f",
                                    mode.name().toLowerCase(Locale.ROOT),
                                    r.frames(),
                                    r.gridTokensPerFrame(),
                                    r.tokensPerFrameMean(),
                                    r.tokensPerFrameP95(),
                                    100 * r.tokenFraction(),
                                    r.positionsPerFrameMean(),
                                    r.bytesPerFrameMean(),
                                    r.keyframes(),
                                    r.psnrDbMean(),
                                    r.psnrDbMin(),
                                    r.ssimMean(),
                                    r.framesPerSecond()));
                    if (embedding && r.embedding() != null) {
                        out.append(
                                String.format(
                                        Locale.ROOT,
                                        " %8.4f %9.4f",
                                        r.embedding().cosineMean(),
                                        r.embedding().relativeL2Mean()));
                    }
                    out.append(String.format(Locale.ROOT, "%n"));
                });
        return out.toString();
    }
}
