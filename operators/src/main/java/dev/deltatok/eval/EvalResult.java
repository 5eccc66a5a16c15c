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
     * @param bytesPerFrameMean mean serialized TokenDelta size (Avro single-object encoding)
     * @param keyframes KEYFRAME deltas
     * @param psnrDbMean mean PSNR of the mirror's reconstruction vs the source at model size
     * @param psnrDbMin worst frame's PSNR
     * @param ssimMean mean SSIM (luma, 8x8 windows)
     * @param framesPerSecond core throughput: frames / wall time spent in the tokenizer and encoder
     *     (decoding included; mirror, reconstruction and metrics excluded)
     */
    public record ModeResult(
            int frames,
            int rejectedFrames,
            int gridTokensPerFrame,
            double tokensPerFrameMean,
            double tokensPerFrameP95,
            double bytesPerFrameMean,
            int keyframes,
            double psnrDbMean,
            double psnrDbMin,
            double ssimMean,
            double framesPerSecond) {

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
            m.put("bytesPerFrame", Map.of("mean", bytesPerFrameMean));
            m.put("keyframes", keyframes);
            Map<String, Object> psnr = new LinkedHashMap<>();
            psnr.put("mean", psnrDbMean);
            psnr.put("min", psnrDbMin);
            m.put("psnrDb", psnr);
            m.put("ssim", Map.of("mean", ssimMean));
            m.put("framesPerSecond", framesPerSecond);
            return m;
        }
    }

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

    /** A fixed-width text table, one row per mode. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "source: %s   model: %s%n", source, modelId));
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %7s %6s %10s %10s %8s %10s %4s %8s %8s %6s %9s%n",
                        "mode",
                        "frames",
                        "grid",
                        "tok/frame",
                        "tok p95",
                        "of grid",
                        "bytes/fr",
                        "key",
                        "psnr dB",
                        "min dB",
                        "ssim",
                        "frames/s"));
        modes.forEach(
                (mode, r) ->
                        out.append(
                                String.format(
                                        Locale.ROOT,
                                        "%-6s %7d %6d %10.1f %10.1f %7.2f%% %10.1f %4d %8.2f %8.2f"
                                                + " %6.3f %9.1f%n",
                                        mode.name().toLowerCase(Locale.ROOT),
                                        r.frames(),
                                        r.gridTokensPerFrame(),
                                        r.tokensPerFrameMean(),
                                        r.tokensPerFrameP95(),
                                        100 * r.tokenFraction(),
                                        r.bytesPerFrameMean(),
                                        r.keyframes(),
                                        r.psnrDbMean(),
                                        r.psnrDbMin(),
                                        r.ssimMean(),
                                        r.framesPerSecond())));
        return out.toString();
    }
}
