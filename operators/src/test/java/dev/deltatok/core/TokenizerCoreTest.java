package dev.deltatok.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerCoreTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");

    private final TestingTokenizerModel model = TestingTokenizerModel.standard();
    private final TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());

    private List<TokenDelta> run(String scene, CameraState state, int frames, TokenMirror mirror) {
        SyntheticScene s = SyntheticScenes.create(scene, 7, 256, 256);
        List<TokenDelta> out = new ArrayList<>();
        for (int seq = 0; seq < frames; seq++) {
            TokenDelta d = tokenizer.process(state, s.frame("cam", seq), EMIT).delta();
            out.add(d);
            if (mirror != null) {
                mirror.apply(d);
                assertThat(mirror.difference(state)).isEmpty();
            }
        }
        return out;
    }

    @Test
    void firstFrameIsAKeyframeCarryingEveryPosition() throws Exception {
        CameraState state = tokenizer.newState("cam");
        TokenDelta first = run("corridor", state, 1, null).get(0);

        assertThat(first.getKind()).isEqualTo(DeltaKind.KEYFRAME);
        assertThat(first.getDeltaSeq()).isZero();
        assertThat(KeyMapCodec.decode(first.getKeyMap(), 256).count()).isEqualTo(256);
        assertThat(first.getStats().getSentPatches()).isEqualTo(256);
    }

    @Test
    void staticSceneSendsAlmostNothingAfterTheKeyframe() throws Exception {
        CameraState state = tokenizer.newState("cam");
        List<TokenDelta> deltas = run("static", state, 30, new TokenMirror());

        for (TokenDelta d : deltas.subList(1, deltas.size())) {
            assertThat(d.getKind()).isEqualTo(DeltaKind.DELTA);
            assertThat(d.getStats().getTokens()).isZero();
            assertThat(d.getStats().getEncodedPatches()).isZero();
        }
    }

    @Test
    void corridorDeltasFollowTheWalkersAndKeepTheMirrorInStep() throws Exception {
        CameraState state = tokenizer.newState("cam");
        List<TokenDelta> deltas = run("corridor", state, 60, new TokenMirror());

        long tokens = deltas.stream().skip(1).mapToLong(d -> d.getStats().getTokens()).sum();
        assertThat(tokens).isPositive();
        assertThat(tokens / 59.0).isLessThan(0.1 * 256 * 4);
        for (int i = 0; i < deltas.size(); i++) {
            assertThat(deltas.get(i).getDeltaSeq()).isEqualTo(i);
        }
    }

    @Test
    void rejectsFramesThatAreNotAfterTheLastAcceptedSeqAndKeepsTheState() throws Exception {
        CameraState state = tokenizer.newState("cam");
        SyntheticScene s = SyntheticScenes.create("static", 1, 256, 256);
        tokenizer.process(state, s.frame("cam", 5), EMIT).delta();

        FrameOutcome same = tokenizer.process(state, s.frame("cam", 5), EMIT);
        FrameOutcome earlier = tokenizer.process(state, s.frame("cam", 3), EMIT);

        assertThat(same.isRejected()).isTrue();
        assertThat(same.rejectReason()).isEqualTo(RejectReason.OUT_OF_ORDER);
        assertThat(same.detail()).contains("seq 5", "'cam'");
        assertThat(earlier.rejectReason()).isEqualTo(RejectReason.OUT_OF_ORDER);
        assertThat(state.lastFrameSeq()).isEqualTo(5);
        assertThat(tokenizer.process(state, s.frame("cam", 6), EMIT).delta().getDeltaSeq())
                .isEqualTo(1);
    }

    @Test
    void aBatchOfManyCamerasGivesWhatEachCameraAloneGivesWithOneEncoderCallPerRound()
            throws Exception {
        SyntheticScene a = SyntheticScenes.create("corridor", 1, 256, 256);
        SyntheticScene b = SyntheticScenes.create("busy", 2, 256, 256);
        CameraState sa = tokenizer.newState("a");
        CameraState sb = tokenizer.newState("b");
        CameraState ra = tokenizer.newState("a");
        CameraState rb = tokenizer.newState("b");
        for (int seq = 0; seq < 10; seq++) {
            Frame fa = a.frame("a", seq);
            Frame fb = b.frame("b", seq);
            BatchResult batch =
                    tokenizer.process(
                            List.of(new CameraFrame(fa, sa), new CameraFrame(fb, sb)), EMIT);

            assertThat(batch.encoderCalls()).isEqualTo(1);
            assertThat(batch.outcome(0).delta()).isEqualTo(tokenizer.process(ra, fa, EMIT).delta());
            assertThat(batch.outcome(1).delta()).isEqualTo(tokenizer.process(rb, fb, EMIT).delta());
            assertThat(batch.encodedPatches())
                    .isEqualTo(
                            batch.outcome(0).delta().getStats().getEncodedPatches()
                                    + batch.outcome(1).delta().getStats().getEncodedPatches());
        }
    }

    @Test
    void aCamerasFramesInOneBatchKeepTheirOrderAcrossRounds() throws Exception {
        SyntheticScene a = SyntheticScenes.create("corridor", 1, 256, 256);
        SyntheticScene b = SyntheticScenes.create("static", 2, 256, 256);
        CameraState sa = tokenizer.newState("a");
        CameraState sb = tokenizer.newState("b");
        Frame late = a.frame("a", 3);
        BatchResult batch =
                tokenizer.process(
                        List.of(
                                new CameraFrame(a.frame("a", 0), sa),
                                new CameraFrame(a.frame("a", 1), sa),
                                new CameraFrame(b.frame("b", 0), sb),
                                new CameraFrame(late, sa),
                                new CameraFrame(a.frame("a", 2), sa)),
                        EMIT);

        // Four rounds; the last holds only the rejected frame and needs no encoder call.
        assertThat(batch.encoderCalls()).isEqualTo(3);
        assertThat(batch.outcome(0).delta().getDeltaSeq()).isEqualTo(0);
        assertThat(batch.outcome(1).delta().getDeltaSeq()).isEqualTo(1);
        assertThat(batch.outcome(2).delta().getCameraId()).isEqualTo("b");
        assertThat(batch.outcome(3).delta().getFrameSeq()).isEqualTo(3);
        // seq 2 arrived after seq 3 in the batch: the order of the list is the camera's order.
        assertThat(batch.outcome(4).rejectReason()).isEqualTo(RejectReason.OUT_OF_ORDER);
    }

    @Test
    void aBadFrameIsRejectedWithItsReasonWhileTheOtherCamerasOfTheBatchGoOn() throws Exception {
        SyntheticScene a = SyntheticScenes.create("corridor", 1, 256, 256);
        CameraState sa = tokenizer.newState("a");
        CameraState sb = tokenizer.newState("b");
        Frame bad = Frame.newBuilder(a.frame("b", 0)).setWidth(255).build();

        BatchResult batch =
                tokenizer.process(
                        List.of(new CameraFrame(a.frame("a", 0), sa), new CameraFrame(bad, sb)),
                        EMIT);

        assertThat(batch.outcome(0).isRejected()).isFalse();
        assertThat(batch.outcome(1).rejectReason()).isEqualTo(RejectReason.SIZE_MISMATCH);
        assertThat(batch.outcome(1).detail()).contains("255x256");
        assertThat(sb.lastFrameSeq()).isEqualTo(-1);
        assertThat(sb.synced()).isFalse();
    }

    @Test
    void aShrunkBudgetEncodesAndSendsLessWhileTheMirrorStaysInStep() throws Exception {
        SyntheticScene corridor = SyntheticScenes.create("corridor", 3, 256, 256);
        CameraState full = tokenizer.newState("cam");
        CameraState shrunk = tokenizer.newState("cam");
        TokenMirror mirror = new TokenMirror();
        long fullTokens = 0;
        long shrunkTokens = 0;
        for (int seq = 0; seq < 40; seq++) {
            Frame frame = corridor.frame("cam", seq);
            TokenDelta f = tokenizer.process(full, frame, EMIT).delta();
            TokenDelta d =
                    tokenizer
                            .process(List.of(new CameraFrame(frame, shrunk, 0.25, 0)), EMIT)
                            .outcome(0)
                            .delta();
            mirror.apply(d);
            assertThat(mirror.difference(shrunk)).isEmpty();
            assertThat(d.getStats().getBudgetScale()).isEqualTo(0.25f);
            assertThat(f.getStats().getBudgetScale()).isEqualTo(1.0f);
            if (d.getKind() == DeltaKind.DELTA) {
                assertThat(d.getStats().getEncodedPatches())
                        .isLessThanOrEqualTo(
                                (int) Math.ceil(0.25 * d.getStats().getChangedPatches()));
                assertThat(d.getStats().getTokens())
                        .isLessThanOrEqualTo(TokenizerSettings.defaults().maxTokensPerFrame(0.25));
            }
            if (seq > 0) {
                fullTokens += f.getStats().getTokens();
                shrunkTokens += d.getStats().getTokens();
            }
        }
        assertThat(fullTokens).isPositive();
        assertThat(shrunkTokens).isLessThan(fullTokens);
    }

    @Test
    void aFrameReportsTheFramesSkippedBeforeIt() throws Exception {
        SyntheticScene s = SyntheticScenes.create("corridor", 1, 256, 256);
        CameraState state = tokenizer.newState("cam");

        TokenDelta after =
                tokenizer
                        .process(List.of(new CameraFrame(s.frame("cam", 4), state, 1.0, 3)), EMIT)
                        .outcome(0)
                        .delta();
        TokenDelta next = tokenizer.process(state, s.frame("cam", 5), EMIT).delta();

        assertThat(after.getStats().getSkippedFrames()).isEqualTo(3);
        assertThat(next.getStats().getSkippedFrames()).isZero();
    }

    @Test
    void skipsCarriedByARejectedFrameGoToTheCamerasNextFrameOrComeBack() throws Exception {
        SyntheticScene s = SyntheticScenes.create("corridor", 1, 256, 256);
        CameraState state = tokenizer.newState("a");
        Frame bad = Frame.newBuilder(s.frame("a", 5)).setWidth(255).build();

        BatchResult carried =
                tokenizer.process(
                        List.of(
                                new CameraFrame(bad, state, 1.0, 2),
                                new CameraFrame(s.frame("a", 6), state, 1.0, 1)),
                        EMIT);
        BatchResult left =
                tokenizer.process(
                        List.of(
                                new CameraFrame(
                                        Frame.newBuilder(s.frame("a", 7)).setWidth(255).build(),
                                        state,
                                        1.0,
                                        4)),
                        EMIT);

        assertThat(carried.outcome(0).isRejected()).isTrue();
        assertThat(carried.outcome(1).delta().getStats().getSkippedFrames()).isEqualTo(3);
        assertThat(carried.unreportedSkips()).isEmpty();
        assertThat(left.outcome(0).isRejected()).isTrue();
        assertThat(left.unreportedSkips()).containsExactly(java.util.Map.entry("a", 4));
    }

    @Test
    void refusesABudgetScaleOutsideZeroToOne() {
        CameraState state = tokenizer.newState("a");
        Frame frame = SyntheticScenes.create("static", 1, 256, 256).frame("a", 0);

        assertThatThrownBy(() -> new CameraFrame(frame, state, 0, 0))
                .hasMessageContaining("budgetScale must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new CameraFrame(frame, state, 1.0, -1))
                .hasMessageContaining("skippedFrames");
    }

    @Test
    void refusesAStateOfAnotherCamera() {
        CameraState state = tokenizer.newState("a");
        Frame frame = SyntheticScenes.create("static", 1, 256, 256).frame("b", 0);

        assertThatThrownBy(() -> tokenizer.process(state, frame, EMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b'")
                .hasMessageContaining("'a'");
    }

    @Test
    void upsertsCarryLittleEndianLatentsWhenAsked() throws Exception {
        TokenizerCore withLatents =
                new TokenizerCore(model, TokenizerSettings.builder().includeLatents(true).build());
        CameraState state = withLatents.newState("cam");
        TokenDelta first =
                withLatents
                        .process(
                                state,
                                SyntheticScenes.create("static", 1, 256, 256).frame("cam", 0),
                                EMIT)
                        .delta();

        java.nio.ByteBuffer latent = first.getUpserts().get(0).getLatent();
        assertThat(latent.remaining()).isEqualTo(4 * model.spec().latentDim());
        float[] stored = state.table().latent(first.getUpserts().get(0).getSlot());
        assertThat(latent.order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(stored[0]);
    }

    @Test
    void withoutLatentsUpsertsCarryNone() throws Exception {
        CameraState state = tokenizer.newState("cam");
        TokenDelta first = run("static", state, 1, null).get(0);

        assertThat(first.getUpserts()).allSatisfy(u -> assertThat(u.getLatent()).isNull());
    }

    @Test
    void fullModeKeyframesEveryFrameWithEveryLevel() throws Exception {
        TokenizerCore full =
                new TokenizerCore(model, TokenizerSettings.defaults().withMode(TokenizerMode.FULL));
        CameraState state = full.newState("cam");
        SyntheticScene s = SyntheticScenes.create("corridor", 7, 256, 256);
        TokenMirror mirror = new TokenMirror();
        for (int seq = 0; seq < 3; seq++) {
            TokenDelta d = full.process(state, s.frame("cam", seq), EMIT).delta();
            mirror.apply(d);

            assertThat(d.getKind()).isEqualTo(DeltaKind.KEYFRAME);
            assertThat(d.getStats().getKeyframeReason()).isEqualTo(KeyframeReason.FULL_MODE);
            assertThat(d.getStats().getEncodedPatches()).isEqualTo(256);
            assertThat(d.getUpserts()).allSatisfy(u -> assertThat(u.getTokens()).hasSize(4));
            assertThat(mirror.difference(state)).isEmpty();
        }
    }

    @Test
    void keyframesSayWhyAndDeltasSayNone() throws Exception {
        CameraState state = tokenizer.newState("cam");
        List<TokenDelta> cut = run("cut", state, 60, new TokenMirror());
        assertThat(cut.get(0).getStats().getKeyframeReason()).isEqualTo(KeyframeReason.FIRST_FRAME);
        List<TokenDelta> later = cut.subList(1, cut.size());
        assertThat(later).anyMatch(d -> d.getKind() == DeltaKind.KEYFRAME);
        for (TokenDelta d : later) {
            assertThat(d.getStats().getKeyframeReason())
                    .isEqualTo(
                            d.getKind() == DeltaKind.KEYFRAME
                                    ? KeyframeReason.SCENE_CUT
                                    : KeyframeReason.NONE);
        }
    }

    @Test
    void keyframesAtTheIntervalAndAtTheErrorBoundSaySo() throws Exception {
        SyntheticScene still = SyntheticScenes.create("static", 7, 256, 256);
        TokenizerCore interval =
                new TokenizerCore(
                        model,
                        TokenizerSettings.defaults().toBuilder().maxKeyframeInterval(5).build());
        CameraState a = interval.newState("cam");
        List<KeyframeReason> reasons = new ArrayList<>();
        for (int seq = 0; seq < 11; seq++) {
            reasons.add(
                    interval.process(a, still.frame("cam", seq), EMIT)
                            .delta()
                            .getStats()
                            .getKeyframeReason());
        }
        assertThat(reasons.get(0)).isEqualTo(KeyframeReason.FIRST_FRAME);
        assertThat(reasons).contains(KeyframeReason.MAX_INTERVAL);
        assertThat(reasons).doesNotContain(KeyframeReason.SCENE_CUT, KeyframeReason.ERROR_BOUND);

        SyntheticScene corridor = SyntheticScenes.create("corridor", 7, 256, 256);
        TokenizerCore capped =
                new TokenizerCore(
                        model,
                        TokenizerSettings.defaults().toBuilder()
                                .maxTokensPerFrame(1)
                                .keyframeErrorBound(0)
                                .build());
        CameraState b = capped.newState("cam");
        TokenMirror mirror = new TokenMirror();
        List<KeyframeReason> escalated = new ArrayList<>();
        for (int seq = 0; seq < 20; seq++) {
            TokenDelta d = capped.process(b, corridor.frame("cam", seq), EMIT).delta();
            mirror.apply(d);
            assertThat(mirror.difference(b)).isEmpty();
            escalated.add(d.getStats().getKeyframeReason());
        }
        assertThat(escalated).contains(KeyframeReason.ERROR_BOUND);
    }
}
