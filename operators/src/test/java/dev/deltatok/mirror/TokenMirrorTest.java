package dev.deltatok.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.eval.ImageQuality;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.MirrorSyncException.Problem;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenMirrorTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");

    private final TestingTokenizerModel model = TestingTokenizerModel.standard();
    private final TokenizerCore tokenizer =
            new TokenizerCore(model, TokenizerSettings.builder().maxKeyframeInterval(10).build());
    private final CameraState state = tokenizer.newState("cam");
    private final SyntheticScene scene = SyntheticScenes.create("busy", 4, 256, 256);

    private List<TokenDelta> deltas(int frames) throws Exception {
        List<TokenDelta> out = new ArrayList<>();
        for (int seq = 0; seq < frames; seq++) {
            out.add(tokenizer.process(state, scene.frame("cam", seq), EMIT).delta());
        }
        return out;
    }

    private static MirrorSyncException.Problem problemOf(Runnable r) {
        try {
            r.run();
        } catch (MirrorSyncException e) {
            return e.problem();
        }
        return null;
    }

    @Test
    void detectsAGapAndResynchronisesAtTheNextKeyframe() throws Exception {
        List<TokenDelta> deltas = deltas(25);
        TokenMirror mirror = new TokenMirror();
        mirror.apply(deltas.get(0));
        mirror.apply(deltas.get(1));

        assertThatThrownBy(() -> mirror.apply(deltas.get(3)))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("expected delta 2 but got 3")
                .satisfies(
                        e ->
                                assertThat(((MirrorSyncException) e).problem())
                                        .isEqualTo(Problem.GAP));
        assertThat(problemOf(() -> mirror.apply(deltas.get(4)))).isEqualTo(Problem.NOT_SYNCED);

        int nextKeyframe = 5;
        while (deltas.get(nextKeyframe).getKind() != DeltaKind.KEYFRAME) {
            nextKeyframe++;
        }
        for (int i = nextKeyframe; i < deltas.size(); i++) {
            mirror.apply(deltas.get(i));
        }
        assertThat(mirror.camera("cam").orElseThrow().synced()).isTrue();
        assertThat(mirror.difference(state)).isEmpty();
    }

    @Test
    void refusesADuplicateWithoutLosingSync() throws Exception {
        List<TokenDelta> deltas = deltas(4);
        TokenMirror mirror = new TokenMirror();
        mirror.apply(deltas.get(0));
        mirror.apply(deltas.get(1));

        assertThat(problemOf(() -> mirror.apply(deltas.get(1)))).isEqualTo(Problem.DUPLICATE);
        mirror.apply(deltas.get(2));
        mirror.apply(deltas.get(3));
        assertThat(mirror.difference(state)).isEmpty();
    }

    @Test
    void refusesAnOlderDelta() throws Exception {
        List<TokenDelta> deltas = deltas(4);
        TokenMirror mirror = new TokenMirror();
        for (int i = 0; i < 3; i++) {
            mirror.apply(deltas.get(i));
        }

        assertThat(problemOf(() -> mirror.apply(deltas.get(1)))).isEqualTo(Problem.REORDERED);
    }

    @Test
    void waitsForAKeyframeBeforeApplyingDeltas() throws Exception {
        List<TokenDelta> deltas = deltas(3);
        TokenMirror mirror = new TokenMirror();

        assertThat(problemOf(() -> mirror.apply(deltas.get(1)))).isEqualTo(Problem.NOT_SYNCED);
        assertThatThrownBy(() -> mirror.reconstruct("cam", model))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesADeltaReferringToAnUnknownSlot() throws Exception {
        List<TokenDelta> deltas = deltas(2);
        TokenMirror mirror = new TokenMirror();
        mirror.apply(deltas.get(0));
        TokenDelta bad =
                TokenDelta.newBuilder(deltas.get(1))
                        .setKeyMap(
                                dev.deltatok.delta.KeyMapCodec.encode(
                                        new int[] {0}, new int[] {100_000}, 1))
                        .build();

        assertThat(problemOf(() -> mirror.apply(bad))).isEqualTo(Problem.CORRUPT);
        assertThat(mirror.camera("cam").orElseThrow().synced()).isFalse();
    }

    @Test
    void reconstructsThePictureTheTokensDescribe() throws Exception {
        TokenMirror mirror = new TokenMirror();
        for (TokenDelta d : deltas(5)) {
            mirror.apply(d);
        }
        RgbImage held = mirror.reconstruct("cam", model);
        RgbImage truth = tokenizer.decoder().decode(scene.frame("cam", 4));

        assertThat(held.width()).isEqualTo(256);
        assertThat(ImageQuality.psnrDb(held, truth)).isGreaterThan(15);
    }

    @Test
    void keepsCamerasApart() throws Exception {
        CameraState other = tokenizer.newState("other");
        TokenMirror mirror = new TokenMirror();
        mirror.apply(tokenizer.process(other, scene.frame("other", 0), EMIT).delta());
        for (TokenDelta d : deltas(3)) {
            mirror.apply(d);
        }

        assertThat(mirror.cameraIds()).containsExactlyInAnyOrder("cam", "other");
        assertThat(mirror.difference(other)).isEmpty();
        assertThat(mirror.difference(state)).isEmpty();
    }
}
