package dev.deltatok.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReferencePolicyTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");
    private final TestingTokenizerModel model = TestingTokenizerModel.standard();

    @Test
    void decidesOnCounters() {
        ReferencePolicy policy = new ReferencePolicy(TokenizerMode.DELTA, 0.5, 100, 0.01);

        assertThat(policy.beforeEncode(false, 0, 256, 0)).isEqualTo(KeyframeReason.FIRST_FRAME);
        assertThat(policy.beforeEncode(true, 128, 256, 3)).isEqualTo(KeyframeReason.SCENE_CUT);
        assertThat(policy.beforeEncode(true, 127, 256, 3)).isEqualTo(KeyframeReason.NONE);
        assertThat(policy.beforeEncode(true, 0, 256, 99)).isEqualTo(KeyframeReason.MAX_INTERVAL);
        assertThat(policy.exceedsErrorBound(0.02, true)).isTrue();
        assertThat(policy.exceedsErrorBound(0.02, false)).isFalse();
        assertThat(policy.exceedsErrorBound(0.005, true)).isFalse();
        assertThat(policy.comparesReference(true)).isTrue();
        assertThat(policy.comparesReference(false)).isFalse();
    }

    @Test
    void fullModeKeyframesEveryFrameWithoutComparingTheReference() {
        ReferencePolicy full = new ReferencePolicy(TokenizerMode.FULL, 0.5, 100, 0.01);

        assertThat(full.beforeEncode(true, 0, 256, 3)).isEqualTo(KeyframeReason.FULL_MODE);
        assertThat(full.beforeEncode(false, 0, 256, 0)).isEqualTo(KeyframeReason.FULL_MODE);
        assertThat(full.comparesReference(true)).isFalse();
    }

    @Test
    void aShrunkBudgetToleratesProportionallyMoreErrorBeforeAKeyframe() {
        ReferencePolicy policy = new ReferencePolicy(TokenizerMode.DELTA, 0.5, 100, 0.01);

        assertThat(policy.exceedsErrorBound(0.02, true, 1.0)).isTrue();
        assertThat(policy.exceedsErrorBound(0.02, true, 0.25)).isFalse();
        assertThat(policy.exceedsErrorBound(0.041, true, 0.25)).isTrue();
    }

    @Test
    void rebasesReferenceOnSceneCut() throws Exception {
        TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
        CameraState state = tokenizer.newState("cam");
        SyntheticScene cut = SyntheticScenes.create("cut", 1, 256, 256);
        for (int seq = 0; seq < 50; seq++) {
            tokenizer.process(state, cut.frame("cam", seq), EMIT).delta();
        }

        TokenDelta delta = tokenizer.process(state, cut.frame("cam", 50), EMIT).delta();

        assertThat(delta.getKind()).isEqualTo(DeltaKind.KEYFRAME);
        assertThat(delta.getStats().getKeyframeReason()).isEqualTo(KeyframeReason.SCENE_CUT);
        assertThat(delta.getStats().getEncodedPatches()).isEqualTo(256);
    }

    @Test
    void emitsAKeyframeAfterTheMaximumInterval() throws Exception {
        TokenizerCore tokenizer =
                new TokenizerCore(
                        model, TokenizerSettings.builder().maxKeyframeInterval(7).build());
        CameraState state = tokenizer.newState("cam");
        SyntheticScene still = SyntheticScenes.create("static", 1, 256, 256);
        StringBuilder kinds = new StringBuilder();
        for (int seq = 0; seq < 15; seq++) {
            TokenDelta d = tokenizer.process(state, still.frame("cam", seq), EMIT).delta();
            kinds.append(d.getKind() == DeltaKind.KEYFRAME ? 'K' : '.');
        }

        // "cam" has phase 1 at an interval of 7: its first periodic keyframe comes one frame early,
        // the next a whole interval after it
        assertThat(ReferencePolicy.phase("cam", 7)).isEqualTo(1);
        assertThat(kinds.toString()).isEqualTo("K.....K......K.");
    }

    @Test
    void theKeyframeClockRestartsAtZeroAfterAPeriodicKeyframeAndAtThePhaseAfterAnyOther() {
        ReferencePolicy policy = new ReferencePolicy(TokenizerMode.DELTA, 0.5, 250, 0.01);
        int phase = ReferencePolicy.phase("cam-3", 250);

        assertThat(phase).isBetween(1, 124);
        assertThat(policy.clockAfterKeyframe(KeyframeReason.MAX_INTERVAL, "cam-3")).isZero();
        for (KeyframeReason other :
                new KeyframeReason[] {
                    KeyframeReason.FIRST_FRAME,
                    KeyframeReason.SCENE_CUT,
                    KeyframeReason.ERROR_BOUND,
                    KeyframeReason.FULL_MODE
                }) {
            assertThat(policy.clockAfterKeyframe(other, "cam-3")).as(other.name()).isEqualTo(phase);
        }
        // the periodic keyframe is due when the clock reaches the interval, never later
        assertThat(policy.beforeEncode(true, 0, 256, 248)).isEqualTo(KeyframeReason.NONE);
        assertThat(policy.beforeEncode(true, 0, 256, 249)).isEqualTo(KeyframeReason.MAX_INTERVAL);
    }

    @Test
    void phasesSpreadAlikeCameraIdsOverHalfTheInterval() {
        int[] perPhase = new int[125];
        int neighbours = 0;
        int previous = -10;
        for (int c = 0; c < 1000; c++) {
            int phase = ReferencePolicy.phase("cam-" + c, 250);
            assertThat(phase).isBetween(0, 124);
            assertThat(ReferencePolicy.phase("cam-" + c, 250)).isEqualTo(phase);
            perPhase[phase]++;
            neighbours += Math.abs(phase - previous) <= 1 ? 1 : 0;
            previous = phase;
        }

        // 1 000 ids over 125 phases: 8 per phase on average; an even spread leaves no phase crowded
        // and none empty
        assertThat(java.util.Arrays.stream(perPhase).max().getAsInt()).isLessThanOrEqualTo(24);
        assertThat(java.util.Arrays.stream(perPhase).filter(n -> n == 0).count()).isZero();
        // and consecutive ids do not keyframe on consecutive frames: with hashCode alone ("cam-1"
        // and "cam-2" are 1 apart) most would; spread at random, about 3 in 125 do
        assertThat(neighbours).isLessThan(100);
        assertThat(ReferencePolicy.phase("cam-1", 1)).isZero();
        assertThat(ReferencePolicy.phase("cam-1", 3)).isZero();
    }

    @Test
    void camerasThatStartTogetherTakeTheirPeriodicKeyframesApart() throws Exception {
        int interval = 40;
        TokenizerCore tokenizer =
                new TokenizerCore(
                        model, TokenizerSettings.builder().maxKeyframeInterval(interval).build());
        int cameras = 8;
        SyntheticScene still = SyntheticScenes.create("static", 1, 256, 256);
        CameraState[] states = new CameraState[cameras];
        for (int c = 0; c < cameras; c++) {
            states[c] = tokenizer.newState("cam-" + c);
        }
        int[] periodicAt = new int[200];
        for (int c = 0; c < cameras; c++) {
            int last = 0;
            boolean periodicBefore = false;
            for (int seq = 0; seq < 200; seq++) {
                TokenDelta d =
                        tokenizer.process(states[c], still.frame("cam-" + c, seq), EMIT).delta();
                KeyframeReason reason = d.getStats().getKeyframeReason();
                if (seq == 0) {
                    assertThat(reason).isEqualTo(KeyframeReason.FIRST_FRAME);
                } else if (d.getKind() == DeltaKind.KEYFRAME) {
                    assertThat(reason).isEqualTo(KeyframeReason.MAX_INTERVAL);
                    assertThat(seq - last).isLessThanOrEqualTo(interval);
                    if (periodicBefore) {
                        assertThat(seq - last).isEqualTo(interval);
                    } else {
                        assertThat(seq - last)
                                .isEqualTo(interval - ReferencePolicy.phase("cam-" + c, interval));
                    }
                    periodicAt[seq]++;
                    last = seq;
                    periodicBefore = true;
                }
            }
            assertThat(periodicBefore).isTrue();
        }

        // all eight on one frame without the phases; with them at most two share a frame
        assertThat(java.util.Arrays.stream(periodicAt).max().getAsInt()).isLessThanOrEqualTo(2);
    }

    @Test
    void escalatesToAKeyframeWhenTheTokenCapLeavesTooMuchError() throws Exception {
        TokenizerSettings settings =
                TokenizerSettings.builder()
                        .maxTokensPerFrame(5)
                        .keyframeErrorBound(0.0005)
                        .sceneCutFraction(1.0)
                        .build();
        TokenizerCore tokenizer = new TokenizerCore(model, settings);
        CameraState state = tokenizer.newState("cam");
        SyntheticScene busy = SyntheticScenes.create("busy", 2, 256, 256);
        TokenMirror mirror = new TokenMirror();
        int escalations = 0;
        for (int seq = 0; seq < 30; seq++) {
            TokenDelta d = tokenizer.process(state, busy.frame("cam", seq), EMIT).delta();
            mirror.apply(d);
            if (seq > 0 && d.getKind() == DeltaKind.KEYFRAME) {
                escalations++;
            }
            if (d.getKind() == DeltaKind.DELTA) {
                assertThat(d.getStats().getTokens()).isLessThanOrEqualTo(5);
            }
        }

        assertThat(escalations).isPositive();
        assertThat(mirror.difference(state)).isEmpty();
    }

    @Test
    void carriesChangesThatMissedTheCapToLaterFrames() throws Exception {
        TokenizerSettings settings =
                TokenizerSettings.builder()
                        .maxTokensPerFrame(12)
                        .keyframeErrorBound(1.0)
                        .sceneCutFraction(1.0)
                        .build();
        TokenizerCore tokenizer = new TokenizerCore(model, settings);
        CameraState state = tokenizer.newState("cam");
        SyntheticScene busy = SyntheticScenes.create("busy", 2, 256, 256);
        SyntheticScene still = SyntheticScenes.create("busy", 2, 256, 256);
        for (int seq = 0; seq < 10; seq++) {
            tokenizer.process(state, busy.frame("cam", seq), EMIT).delta();
        }
        // The movers freeze: the backlog drains under the cap until nothing is left to send.
        int seq = 10;
        TokenDelta d;
        do {
            d = tokenizer.process(state, withSeq(still, 9, seq), EMIT).delta();
            assertThat(d.getKind()).isEqualTo(DeltaKind.DELTA);
            assertThat(d.getStats().getTokens()).isLessThanOrEqualTo(12);
            seq++;
        } while (d.getStats().getTokens() > 0 && seq < 300);

        assertThat(d.getStats().getTokens()).isZero();
        assertThat(seq).isGreaterThan(12);
    }

    private static dev.deltatok.schema.Frame withSeq(SyntheticScene scene, long picture, long seq) {
        return dev.deltatok.schema.Frame.newBuilder(scene.frame("cam", picture))
                .setSeq(seq)
                .build();
    }
}
