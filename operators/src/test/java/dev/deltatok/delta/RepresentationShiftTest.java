package dev.deltatok.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TestingContextualTokenizerModel;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.reference.PictureMotion;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RepresentationShiftTest {

    private final TestingContextualTokenizerModel model =
            TestingContextualTokenizerModel.standard();
    private final ModelSpec spec = model.spec();

    /**
     * A camera after its first keyframe, and the latents its consumer holds, position by position.
     */
    private CameraState afterKeyframe() {
        TokenizerCore core = new TokenizerCore(model, TokenizerSettings.defaults());
        CameraState state = core.newState("cam");
        core.process(
                state,
                SyntheticScenes.create("corridor", 3, 256, 256).frame("cam", 0),
                Instant.EPOCH);
        return state;
    }

    private float[] heldLatents(CameraState state) {
        int dim = spec.latentDim();
        float[] out = new float[spec.patchesPerFrame() * dim];
        for (int p = 0; p < spec.patchesPerFrame(); p++) {
            System.arraycopy(state.table().latent(state.slotAt(p)), 0, out, p * dim, dim);
        }
        return out;
    }

    private PreparedFrame wholeFrame(float pixelDrift) {
        int[] all = new int[spec.patchesPerFrame()];
        Arrays.setAll(all, p -> p);
        float[] drift = new float[all.length];
        Arrays.fill(drift, pixelDrift);
        return new PreparedFrame(
                "cam",
                1,
                Instant.EPOCH,
                new byte[0],
                drift,
                1,
                all,
                0,
                KeyframeReason.NONE,
                1f,
                0,
                -1f,
                PictureMotion.NONE);
    }

    private EncodedPatches withLatents(float[] latents) {
        int n = spec.patchesPerFrame();
        return new EncodedPatches(
                n,
                spec.levels(),
                spec.latentDim(),
                new int[n * spec.levels()],
                latents,
                new float[n * spec.levels()]);
    }

    @Test
    void theDriftBecomesTheSquaredRelativeShiftOfEachPositionsLatent() {
        CameraState state = afterKeyframe();
        float[] latents = heldLatents(state);
        int dim = spec.latentDim();
        for (int d = 0; d < dim; d++) {
            latents[5 * dim + d] *= 1.1f;
        }

        PreparedFrame shifted =
                new RepresentationShift(spec).apply(wholeFrame(0.5f), state, withLatents(latents));

        assertThat(shifted.drift()[5]).isCloseTo(0.01f, within(1e-4f));
        for (int p = 0; p < spec.patchesPerFrame(); p++) {
            if (p != 5) {
                assertThat(shifted.drift()[p]).as("position %d held as is", p).isLessThan(1e-9f);
            }
        }
        assertThat(shifted.positions()).isEqualTo(wholeFrame(0.5f).positions());
    }

    @Test
    void refusesAPatchLocalModelAndAFrameThatWasNotEncodedWhole() {
        assertThatThrownBy(() -> new RepresentationShift(TestingTokenizerModel.standard().spec()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patch-local");
        CameraState state = afterKeyframe();
        PreparedFrame partial =
                new PreparedFrame(
                        "cam",
                        1,
                        Instant.EPOCH,
                        new byte[0],
                        new float[spec.patchesPerFrame()],
                        1,
                        new int[] {3},
                        0,
                        KeyframeReason.NONE,
                        1f,
                        0,
                        -1f,
                        PictureMotion.NONE);

        assertThatThrownBy(
                        () ->
                                new RepresentationShift(spec)
                                        .apply(partial, state, withLatents(heldLatents(state))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoded whole");
    }
}
