package dev.deltatok.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingContextualTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core with a model that is not patch-local: whole frames go to the encoder, and the positions
 * whose representation moved are sent.
 */
class WholeFrameEncodingTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");

    private final TokenizerModel model = TestingContextualTokenizerModel.standard();
    private final TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
    private final int positions = model.spec().patchesPerFrame();

    @Test
    void encodesTheWholeFrameOrNothingAndKeepsTheMirrorInStep() {
        SyntheticScene scene = SyntheticScenes.create("corridor", 7, 256, 256);
        CameraState state = tokenizer.newState("cam");
        TokenMirror mirror = new TokenMirror();
        int encodedFrames = 0;
        int skippedFrames = 0;
        for (int seq = 0; seq < 40; seq++) {
            TokenDelta d = tokenizer.process(state, scene.frame("cam", seq), EMIT).delta();
            mirror.apply(d);

            assertThat(mirror.difference(state)).isEmpty();
            assertThat(d.getStats().getEncodedPatches()).isIn(0, positions);
            if (d.getStats().getEncodedPatches() == 0) {
                skippedFrames++;
                assertThat(d.getStats().getSentPatches()).isZero();
            } else {
                encodedFrames++;
            }
        }
        assertThat(encodedFrames).as("frames with a walker's change").isPositive();
        assertThat(skippedFrames + encodedFrames).isEqualTo(40);
    }

    @Test
    void deltaSendsFewerPositionsThanTheFullGrid() {
        SyntheticScene scene = SyntheticScenes.create("corridor", 7, 256, 256);
        TokenizerCore full =
                new TokenizerCore(model, TokenizerSettings.defaults().withMode(TokenizerMode.FULL));
        CameraState deltaState = tokenizer.newState("cam");
        CameraState fullState = full.newState("cam");
        long deltaSent = 0;
        long fullSent = 0;
        int keyframes = 0;
        for (int seq = 0; seq < 30; seq++) {
            Frame frame = scene.frame("cam", seq);
            TokenDelta d = tokenizer.process(deltaState, frame, EMIT).delta();
            deltaSent += d.getStats().getSentPatches();
            keyframes += d.getKind() == DeltaKind.KEYFRAME ? 1 : 0;
            fullSent += full.process(fullState, frame, EMIT).delta().getStats().getSentPatches();
        }

        assertThat(fullSent).isEqualTo(30L * positions);
        assertThat(keyframes).isEqualTo(1);
        assertThat(deltaSent).isLessThan(fullSent / 4);
    }

    @Test
    void aBatchOfManyCamerasGivesWhatEachCameraAloneGives() {
        SyntheticScene a = SyntheticScenes.create("corridor", 1, 256, 256);
        SyntheticScene b = SyntheticScenes.create("busy", 2, 256, 256);
        CameraState sa = tokenizer.newState("a");
        CameraState sb = tokenizer.newState("b");
        CameraState ra = tokenizer.newState("a");
        CameraState rb = tokenizer.newState("b");
        for (int seq = 0; seq < 8; seq++) {
            Frame fa = a.frame("a", seq);
            Frame fb = b.frame("b", seq);
            BatchResult batch =
                    tokenizer.process(
                            List.of(new CameraFrame(fa, sa), new CameraFrame(fb, sb)), EMIT);

            assertThat(batch.outcome(0).delta()).isEqualTo(tokenizer.process(ra, fa, EMIT).delta());
            assertThat(batch.outcome(1).delta()).isEqualTo(tokenizer.process(rb, fb, EMIT).delta());
            assertThat(batch.encodedPatches() % positions).isZero();
        }
    }
}
