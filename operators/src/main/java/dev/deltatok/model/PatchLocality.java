package dev.deltatok.model;

import java.util.SplittableRandom;

/**
 * Checks a model's {@code patchLocal} claim by running its encoder: the tokenizer feeds a
 * patch-local model only the patches that changed, so a model whose tokens depend on other patches
 * would get wrong tokens silently. A frame's worth of seeded random patches is encoded whole, again
 * with one patch replaced, and the first patch alone: a patch-local model gives every other patch
 * the same tokens (and latents within a float tolerance) all three times.
 */
public final class PatchLocality {

    /** Relative latent difference allowed between runs of the same patch (batched kernels). */
    static final double LATENT_TOLERANCE = 1e-4;

    private PatchLocality() {}

    /**
     * Returns null when the encoder behaved patch-locally on the probe, else a sentence saying
     * which patch changed and why that matters.
     */
    public static String violation(TokenizerModel model) {
        ModelSpec spec = model.spec();
        int values = spec.patchValues();
        int count = Math.max(3, spec.patchesPerFrame());
        float[] frame = new float[count * values];
        SplittableRandom random = new SplittableRandom(20251203);
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (float) random.nextDouble();
        }
        EncodedPatches whole = model.encode(frame, count);
        float[] changed = frame.clone();
        for (int i = values; i < 2 * values; i++) {
            changed[i] = 1f - changed[i];
        }
        EncodedPatches neighbour = model.encode(changed, count);
        for (int p = 0; p < count; p++) {
            if (p != 1 && !same(whole, p, neighbour, p)) {
                return "the tokens or latent of patch "
                        + p
                        + " changed when only patch 1 of the frame changed";
            }
        }
        float[] first = new float[values];
        System.arraycopy(frame, 0, first, 0, values);
        EncodedPatches alone = model.encode(first, 1);
        if (!same(whole, 0, alone, 0)) {
            return "patch 0 encoded alone gave other tokens or another latent than in its frame";
        }
        return null;
    }

    /**
     * Refuses a model that declares {@code patchLocal: true} but is not.
     *
     * @throws ModelException naming the model and what changed
     */
    public static void checkClaim(TokenizerModel model) {
        if (!model.spec().patchLocal()) {
            return;
        }
        String violation;
        try {
            violation = violation(model);
        } catch (ModelException e) {
            // A model that cannot encode the probe (non-finite output, say) is reported with that
            // reason when it is used; locality cannot be judged from it.
            return;
        }
        if (violation != null) {
            throw new ModelException(
                    model.spec().modelId(),
                    "declares patchLocal: true, but "
                            + violation
                            + "; deltatok encodes only the changed patches of a patch-local model,"
                            + " so this one would get wrong tokens. Set \"patchLocal\": false in"
                            + " its manifest if its tokens depend on the whole frame");
        }
    }

    private static boolean same(EncodedPatches a, int pa, EncodedPatches b, int pb) {
        for (int l = 0; l < a.levels(); l++) {
            if (a.token(pa, l) != b.token(pb, l)) {
                return false;
            }
        }
        int dim = a.latentDim();
        double diff = 0;
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            double x = a.latents()[pa * dim + d];
            double y = b.latents()[pb * dim + d];
            diff += (x - y) * (x - y);
            norm += x * x;
        }
        return diff <= LATENT_TOLERANCE * LATENT_TOLERANCE * Math.max(norm, 1e-12);
    }
}
