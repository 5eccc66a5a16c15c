package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaFollowerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void countsFramesSkippedUnderOverloadAndKeepsTheLastBudgetScale() {
        List<String> warnings = new ArrayList<>();
        DeltaFollower follower = new DeltaFollower(warnings::add);

        follower.accept(delta(0, DeltaKind.KEYFRAME, 0, 1.0f), T0);
        follower.accept(delta(1, DeltaKind.DELTA, 3, 0.5f), T0);
        follower.accept(delta(2, DeltaKind.DELTA, 2, 0.25f), T0);

        DeltaFollower.CameraStats cam = follower.cameras().get("cam");
        assertThat(cam.skipped).isEqualTo(5);
        assertThat(cam.budgetScale).isEqualTo(0.25f);
        assertThat(cam.gaps).isZero();
        assertThat(warnings).isEmpty();
    }

    @Test
    void jsonlPrintsTheOverloadStats() {
        Map<String, Object> tree = DeltaJson.toJsonTree(delta(1, DeltaKind.DELTA, 3, 0.5f));

        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) tree.get("stats");
        assertThat(stats).containsEntry("skippedFrames", 3).containsEntry("budgetScale", 0.5f);
        assertThat(new ArrayList<>(stats.keySet()))
                .endsWith("keyframeReason", "skippedFrames", "budgetScale");
    }

    private static TokenDelta delta(long seq, DeltaKind kind, int skipped, float scale) {
        int[] positions = kind == DeltaKind.KEYFRAME ? new int[] {0, 1, 2, 3} : new int[0];
        int[] slots = new int[positions.length];
        return TokenDelta.newBuilder()
                .setCameraId("cam")
                .setDeltaSeq(seq)
                .setFrameSeq(seq + skipped)
                .setCaptureTime(T0)
                .setEmitTime(T0)
                .setKind(kind)
                .setModelId("m@1")
                .setGridRows(2)
                .setGridCols(2)
                .setLevels(1)
                .setUpserts(
                        kind == DeltaKind.KEYFRAME
                                ? List.of(
                                        dev.deltatok.schema.SlotUpsert.newBuilder()
                                                .setSlot(0)
                                                .setTokens(List.of(5))
                                                .setLatent(null)
                                                .build())
                                : List.of())
                .setKeyMap(KeyMapCodec.encode(positions, slots, positions.length))
                .setStats(
                        new FrameStats(
                                0,
                                0,
                                positions.length,
                                0,
                                1,
                                0f,
                                kind == DeltaKind.KEYFRAME
                                        ? KeyframeReason.FIRST_FRAME
                                        : KeyframeReason.NONE,
                                skipped,
                                scale))
                .build();
    }
}
