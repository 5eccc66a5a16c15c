package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.overload.OverloadPolicy;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class TokenizerMetricsTest {

    private static TokenDelta delta(DeltaKind kind, KeyframeReason reason, int tokens) {
        return delta(kind, reason, tokens, 1.0f);
    }

    private static TokenDelta delta(
            DeltaKind kind, KeyframeReason reason, int tokens, float budgetScale) {
        return TokenDelta.newBuilder()
                .setCameraId("cam")
                .setDeltaSeq(0)
                .setFrameSeq(0)
                .setCaptureTime(Instant.EPOCH)
                .setEmitTime(Instant.EPOCH)
                .setKind(kind)
                .setModelId("m@1")
                .setGridRows(16)
                .setGridCols(16)
                .setLevels(4)
                .setKeyMap(ByteBuffer.allocate(0))
                .setStats(new FrameStats(0, 0, 0, tokens, 0, 0f, reason, 0, budgetScale))
                .build();
    }

    @Test
    void countsKeyframesPerReasonAndTokens() {
        TokenizerMetrics metrics = new TokenizerMetrics(new UnregisteredMetricsGroup());
        metrics.recordDelta(delta(DeltaKind.KEYFRAME, KeyframeReason.FIRST_FRAME, 300), 1024);
        metrics.recordDelta(delta(DeltaKind.DELTA, KeyframeReason.NONE, 12), 1024);
        metrics.recordDelta(delta(DeltaKind.KEYFRAME, KeyframeReason.SCENE_CUT, 500), 1024);
        metrics.recordDelta(delta(DeltaKind.KEYFRAME, KeyframeReason.SCENE_CUT, 480), 1024);

        assertThat(metrics.keyframes()).isEqualTo(3);
        assertThat(metrics.keyframes(KeyframeReason.SCENE_CUT)).isEqualTo(2);
        assertThat(metrics.keyframes(KeyframeReason.FIRST_FRAME)).isEqualTo(1);
        assertThat(metrics.keyframes(KeyframeReason.MAX_INTERVAL)).isZero();
        assertThat(metrics.keyframes(KeyframeReason.NONE)).isZero();
    }

    @Test
    void countsSkippedFramesDeltasAtReducedBudgetAndTheDecisionInForce() {
        TokenizerMetrics metrics = new TokenizerMetrics(new UnregisteredMetricsGroup());
        metrics.recordDelta(delta(DeltaKind.DELTA, KeyframeReason.NONE, 12), 1024);
        metrics.recordDelta(delta(DeltaKind.DELTA, KeyframeReason.NONE, 6, 0.5f), 1024);
        metrics.recordDelta(delta(DeltaKind.DELTA, KeyframeReason.NONE, 3, 0.25f), 1024);
        metrics.recordSkipped();
        metrics.recordSkipped();
        metrics.recordOverload(new OverloadPolicy.Decision(3, 0.25, true));

        assertThat(metrics.framesAtReducedBudget()).isEqualTo(2);
        assertThat(metrics.framesSkipped()).isEqualTo(2);
        assertThat(metrics.budgetScale()).isEqualTo(0.25);
        assertThat(metrics.overloadLevel()).isEqualTo(3);

        metrics.recordOverload(OverloadPolicy.Decision.FULL);
        assertThat(metrics.budgetScale()).isEqualTo(1.0);
        assertThat(metrics.overloadLevel()).isZero();
    }
}
