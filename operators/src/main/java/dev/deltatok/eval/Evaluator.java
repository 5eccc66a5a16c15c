package dev.deltatok.eval;

import dev.deltatok.core.FrameOutcome;
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.wire.AvroWireCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a frame source through the tokenizer core in one or more modes side by side (each mode sees
 * the same frames), applies every delta to a {@link TokenMirror}, and measures tokens, bytes,
 * keyframes, reconstruction quality of the mirror against the source at model resolution, and core
 * throughput. No Kafka, no Flink.
 */
public final class Evaluator {

    private final TokenizerModel model;
    private final TokenizerSettings settings;
    private final AvroWireCodec<TokenDelta> codec = AvroWireCodec.forType(TokenDelta.class);

    public Evaluator(TokenizerModel model, TokenizerSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    /**
     * Evaluates up to {@code maxFrames} frames ({@code <= 0}: until the source ends).
     *
     * @param modes the modes to run, e.g. {@code List.of(DELTA, FULL)}
     */
    public EvalResult run(FrameSource source, int maxFrames, List<TokenizerMode> modes)
            throws IOException {
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("no mode to evaluate");
        }
        Map<String, TokenizerSettings> variants = new LinkedHashMap<>();
        for (TokenizerMode mode : modes) {
            variants.put(mode.name(), settings.withMode(mode));
        }
        Map<String, EvalResult.ModeResult> byLabel = runVariants(source, maxFrames, variants);
        Map<TokenizerMode, EvalResult.ModeResult> results = new LinkedHashMap<>();
        for (TokenizerMode mode : modes) {
            results.put(mode, byLabel.get(mode.name()));
        }
        return new EvalResult(source.describe(), model.spec().modelId(), results);
    }

    /**
     * Runs several settings side by side over the same frames (one pass over the source), each with
     * its own core, state and mirror: the points of a rate-distortion curve.
     *
     * @param variants settings by label, in the order to report them
     * @return results by label, in the same order
     */
    public Map<String, EvalResult.ModeResult> runVariants(
            FrameSource source, int maxFrames, Map<String, TokenizerSettings> variants)
            throws IOException {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no settings to evaluate");
        }
        List<Run> runs = new ArrayList<>();
        variants.forEach((label, s) -> runs.add(new Run(label, s)));
        FrameDecoder reference =
                new FrameDecoder(
                        settings.frameLimits(),
                        model.spec().frameWidth(),
                        model.spec().frameHeight());
        int frames = 0;
        Frame frame;
        while ((maxFrames <= 0 || frames < maxFrames) && (frame = source.next()) != null) {
            frames++;
            RgbImage truth;
            try {
                truth = reference.decode(frame);
            } catch (FrameRejectedException e) {
                runs.forEach(r -> r.rejected++);
                continue;
            }
            for (Run run : runs) {
                run.step(frame, truth);
            }
        }
        Map<String, EvalResult.ModeResult> results = new LinkedHashMap<>();
        for (Run run : runs) {
            results.put(run.label, run.result());
        }
        return results;
    }

    private final class Run {
        final String label;
        final TokenizerCore tokenizer;
        final TokenMirror mirror = new TokenMirror();
        CameraState state;
        final List<Integer> tokens = new ArrayList<>();
        long bytes;
        int keyframes;
        int rejected;
        double psnrSum;
        double psnrMin = Double.MAX_VALUE;
        double ssimSum;
        long nanos;

        Run(String label, TokenizerSettings runSettings) {
            this.label = label;
            this.tokenizer = new TokenizerCore(model, runSettings);
        }

        void step(Frame frame, RgbImage truth) {
            if (state == null) {
                state = tokenizer.newState(frame.getCameraId());
            }
            long start = System.nanoTime();
            FrameOutcome outcome = tokenizer.process(state, frame, frame.getCaptureTime());
            nanos += System.nanoTime() - start;
            if (outcome.isRejected()) {
                rejected++;
                return;
            }
            TokenDelta delta = outcome.delta();
            tokens.add(delta.getStats().getTokens());
            bytes += codec.encode(delta).length;
            if (delta.getKind() == DeltaKind.KEYFRAME) {
                keyframes++;
            }
            mirror.apply(delta);
            RgbImage held = mirror.reconstruct(frame.getCameraId(), model);
            double psnr = ImageQuality.psnrDb(held, truth);
            psnrSum += psnr;
            psnrMin = Math.min(psnrMin, psnr);
            ssimSum += ImageQuality.ssim(held, truth);
        }

        EvalResult.ModeResult result() {
            int n = tokens.size();
            int[] sorted = tokens.stream().mapToInt(Integer::intValue).toArray();
            Arrays.sort(sorted);
            double mean = n == 0 ? 0 : Arrays.stream(sorted).average().orElse(0);
            double p95 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.ceil(0.95 * n) - 1)];
            return new EvalResult.ModeResult(
                    n,
                    rejected,
                    model.spec().patchesPerFrame() * model.spec().levels(),
                    mean,
                    p95,
                    n == 0 ? 0 : (double) bytes / n,
                    keyframes,
                    n == 0 ? 0 : psnrSum / n,
                    n == 0 ? 0 : psnrMin,
                    n == 0 ? 0 : ssimSum / n,
                    nanos == 0 ? 0 : n / (nanos / 1e9));
        }
    }
}
