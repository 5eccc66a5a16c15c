package dev.deltatok.delta;

import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.state.CameraState;
import dev.deltatok.table.TokenTableView;

/**
 * Representation shift, the measure of change for a model that is not patch-local (a ViT): once the
 * whole frame is encoded, how far each position's latent moved from the latent the consumer holds
 * for it (its slot's), as a squared relative L2 distance. It replaces the pixel drift the {@link
 * BudgetPacker} weighs, because a token of such a model changes when its neighbours change, which
 * pixel drift at the position cannot see; the change in the representation decides instead. The
 * packer then applies the same latent threshold, error budget, token cap and error bound as for a
 * patch-local model. Stateless; one instance serves every camera of a thread.
 */
public final class RepresentationShift {

    private final ModelSpec spec;

    public RepresentationShift(ModelSpec spec) {
        if (spec.patchLocal()) {
            throw new IllegalArgumentException(
                    "model " + spec.modelId() + " is patch-local: its changes are seen in pixels");
        }
        this.spec = spec;
    }

    /**
     * The frame with its drift replaced, per position, by the squared relative distance between the
     * position's new latent and its slot's latent; a position whose slot has no latent keeps its
     * pixel drift.
     *
     * @param frame a DELTA frame whose whole grid was encoded, in grid order from {@code
     *     frame.batchRow()}
     * @param state the camera's state: what the consumer holds
     * @param encoded the encoder output of the batch holding the frame
     */
    public PreparedFrame apply(PreparedFrame frame, CameraState state, EncodedPatches encoded) {
        int positions = spec.patchesPerFrame();
        if (frame.encodedCount() != positions || frame.drift() == null) {
            throw new IllegalArgumentException(
                    "representation shift needs a delta frame encoded whole, got " + frame);
        }
        TokenTableView table = state.table();
        int dim = spec.latentDim();
        float[] latents = encoded.latents();
        float[] pixelDrift = frame.drift();
        float[] shift = new float[positions];
        for (int p = 0; p < positions; p++) {
            double d =
                    table.relativeDistance(state.slotAt(p), latents, (frame.batchRow() + p) * dim);
            shift[p] = Double.isFinite(d) ? (float) (d * d) : pixelDrift[p];
        }
        return frame.withDrift(shift);
    }
}
