package dev.deltatok.eval;

import dev.deltatok.core.FrameOutcome;
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.ModelSpec;
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
 * keyframes, positions sent, reconstruction quality of the mirror against the source at model
 * resolution, and core throughput. No Kafka, no Flink.
 *
 * <p>For a model that is not patch-local (a ViT whose embeddings feed a language model) it also
 * measures fidelity in embedding space: every frame is encoded whole once more, and the latent the
 * consumer holds at each position (its slot's latent, what a delta with latents carries) is
 * compared with the frame's true latent there, as cosine similarity and relative L2 error.
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
        boolean embedding = !model.spec().patchLocal();
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
            float[] trueLatents = embedding ? wholeFrameLatents(truth) : null;
            for (Run run : runs) {
                run.step(frame, truth, trueLatents);
            }
        }
        Map<String, EvalResult.ModeResult> results = new LinkedHashMap<>();
        for (Run run : runs) {
            results.put(run.label, run.result());
        }
        return results;
    }

    /** The latents of every position of the frame, encoded whole: {@code [positions, D]}. */
    private float[] wholeFrameLatents(RgbImage image) {
        ModelSpec spec = model.spec();
        int positions = spec.patchesPerFrame();
        int values = spec.patchValues();
        float[] patches = new float[positions * values];
        for (int p = 0; p < positions; p++) {
            image.copyPatch(
                    p / spec.gridCols(),
                    p % spec.gridCols(),
                    spec.patchSize(),
                    patches,
                    p * values);
        }
        return model.encode(patches, positions).latents();
    }

    private final class Run {
        final String label;
        final TokenizerCore tokenizer;
        final TokenMirror mirror = new TokenMirror();
        CameraState state;
        final List<Integer> tokens = new ArrayList<>();
        long positionsSent;
        long patchesEncoded;
        int embeddingFrames;
        double cosineSum;
        double relativeErrorSum;
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

        void step(Frame frame, RgbImage truth, float[] trueLatents) {
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
            positionsSent += delta.getStats().getSentPatches();
            patchesEncoded += delta.getStats().getEncodedPatches();
            if (trueLatents != null) {
                measureEmbedding(trueLatents);
            }
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

        /**
         * Cosine and relative L2 of the held latent against the true one, averaged over positions.
         */
        private void measureEmbedding(float[] trueLatents) {
            int dim = model.spec().latentDim();
            int positions = model.spec().patchesPerFrame();
            double cosine = 0;
            double relative = 0;
            for (int p = 0; p < positions; p++) {
                float[] held = state.table().latent(state.slotAt(p));
                double dot = 0;
                double heldNorm = 0;
                double trueNorm = 0;
                double diff = 0;
                for (int d = 0; d < dim; d++) {
                    double h = held == null ? 0 : held[d];
                    double t = trueLatents[p * dim + d];
                    dot += h * t;
                    heldNorm += h * h;
                    trueNorm += t * t;
                    diff += (h - t) * (h - t);
                }
                cosine += dot / Math.max(Math.sqrt(heldNorm * trueNorm), 1e-12);
                relative += Math.sqrt(diff / Math.max(trueNorm, 1e-12));
            }
            cosineSum += cosine / positions;
            relativeErrorSum += relative / positions;
            embeddingFrames++;
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
                    n == 0 ? 0 : (double) positionsSent / n,
                    n == 0 ? 0 : (double) patchesEncoded / n,
                    n == 0 ? 0 : (double) bytes / n,
                    keyframes,
                    n == 0 ? 0 : psnrSum / n,
                    n == 0 ? 0 : psnrMin,
                    n == 0 ? 0 : ssimSum / n,
                    nanos == 0 ? 0 : n / (nanos / 1e9),
                    embeddingFrames == 0
                            ? null
                            : new EvalResult.Embedding(
                                    cosineSum / embeddingFrames,
                                    relativeErrorSum / embeddingFrames));
        }
    }
}
