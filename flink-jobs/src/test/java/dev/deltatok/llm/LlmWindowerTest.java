package dev.deltatok.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmWindowerTest {

    private static final int K = 1024;

    /** Runs {@code frames} frames of a scene through the core and the windower. */
    private static List<LlmRecord> windows(String scene, int frames, int perWindow, Check check)
            throws Exception {
        try (TestingTokenizerModel model = TestingTokenizerModel.standard()) {
            TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
            CameraState state = tokenizer.newState("cam-a");
            SyntheticScene s =
                    SyntheticScenes.create(scene, SyntheticScenes.seedFor("cam-a"), 256, 256);
            TokenMirror mirror = new TokenMirror();
            LlmWindower windower = new LlmWindower(perWindow, K);
            List<LlmRecord> out = new ArrayList<>();
            for (long seq = 0; seq < frames; seq++) {
                TokenDelta delta =
                        tokenizer.process(state, s.frame("cam-a", seq), Instant.EPOCH).delta();
                TokenMirror.Camera held = mirror.apply(delta);
                windower.add(delta, held)
                        .ifPresent(
                                r -> {
                                    check.on(r, held);
                                    out.add(r);
                                });
            }
            return out;
        }
    }

    interface Check {
        void on(LlmRecord record, TokenMirror.Camera held);
    }

    @Test
    void emitsOneRecordPerWindowOfFrames() throws Exception {
        List<LlmRecord> records = windows("corridor", 50, 10, (r, h) -> {});

        assertThat(records).hasSize(5);
        assertThat(records.get(0).firstFrameSeq()).isZero();
        assertThat(records.get(0).lastFrameSeq()).isEqualTo(9);
        assertThat(records.get(4).firstFrameSeq()).isEqualTo(40);
        assertThat(records).allSatisfy(r -> assertThat(r.frames()).isEqualTo(10));
    }

    @Test
    void sequenceReplaysToTheGridHeldAtTheWindowEnd() throws Exception {
        List<LlmRecord> checked =
                windows(
                        "corridor",
                        30,
                        15,
                        (record, held) -> {
                            LlmVocabulary v =
                                    new LlmVocabulary(
                                            held.levels(), K, held.gridRows(), held.gridCols());
                            int[] used = new int[held.gridRows() * held.gridCols()];
                            int[] expected = held.tokenGrid(used);
                            assertThat(replay(record.tokens(), v)).isEqualTo(expected);
                        });

        // the check ran on each of the two windows of 15 frames, not on none
        assertThat(checked).hasSize(2);
    }

    @Test
    void aPanningCameraSaysShiftAndReplaysToTheGridHeldAtTheWindowEnd() throws Exception {
        int[] shifts = {0};
        List<LlmRecord> checked =
                windows(
                        "pan",
                        48,
                        24,
                        (record, held) -> {
                            LlmVocabulary v =
                                    new LlmVocabulary(
                                            held.levels(), K, held.gridRows(), held.gridCols());
                            int[] used = new int[held.gridRows() * held.gridCols()];
                            int[] expected = held.tokenGrid(used);
                            assertThat(replay(record.tokens(), v)).isEqualTo(expected);
                            for (int i = 0; i < record.tokens().length; i++) {
                                if (record.tokens()[i] == v.shift()) {
                                    shifts[0]++;
                                    // Two pixels a frame to the right: one column to the left.
                                    assertThat(record.tokens()[i + 1])
                                            .isEqualTo(v.position(v.shiftTarget(0, -1)));
                                }
                            }
                        });

        assertThat(checked).hasSize(2);
        assertThat(shifts[0]).isGreaterThanOrEqualTo(3);
    }

    @Test
    void windowIsFramedBySpecialTokensAndEndsWithTheSummary() throws Exception {
        LlmRecord r = windows("corridor", 10, 10, (a, b) -> {}).get(0);
        LlmVocabulary v = new LlmVocabulary(4, K, 16, 16);
        int[] t = r.tokens();

        assertThat(t[0]).isEqualTo(v.window());
        assertThat(t[1]).isEqualTo(v.camera("cam-a"));
        assertThat(t[2]).isEqualTo(v.frame());
        assertThat(t[3]).isIn(v.keyframe(), v.snapshot());
        assertThat(t[4]).isEqualTo(v.position(0));
        assertThat(t[t.length - 2])
                .isEqualTo(r.summaryToken())
                .isEqualTo(v.summary(r.summary().value()));
        assertThat(t[t.length - 1]).isEqualTo(v.windowEnd());
        assertThat(Arrays.stream(t).filter(x -> x == v.frame()).count()).isEqualTo(10);
        assertThat(r.table()).isNotEmpty();
        assertThat(r.keyMap()).hasSize(256);
        assertThat(r.toJsonTree(v))
                .containsKeys("camera", "tokens", "summary", "table", "keyMap")
                .containsEntry("vocabularySize", v.size());
    }

    @Test
    void laterFramesOfAStillSceneCarryFewTokens() throws Exception {
        LlmRecord still = windows("static", 10, 10, (a, b) -> {}).get(0);
        LlmRecord busy = windows("busy", 10, 10, (a, b) -> {}).get(0);

        // 2 window tokens + 10 frames + snapshot + 256 x (position + up to 4 levels) + summary +
        // end
        assertThat(still.tokens().length).isLessThan(busy.tokens().length);
        assertThat(still.summary().activity()).isLessThanOrEqualTo(busy.summary().activity());
        assertThat(busy.summary().activity()).isPositive();
    }

    @Test
    void summaryOfAQuietWindowIsZero() {
        WindowSummary s = WindowSummary.of(new int[16], 4, 4, new int[] {0, 0, 0}, false);
        assertThat(s.value()).isZero();
    }

    @Test
    void summaryBitsSayActivityWhereRebaseAndTrend() {
        int[] perPosition = new int[16];
        perPosition[15] = 3; // bottom-right corner of a 4x4 grid
        WindowSummary s = WindowSummary.of(perPosition, 4, 4, new int[] {0, 1, 2}, true);

        assertThat(s.activity()).isEqualTo(2); // 3 changes / (3 frames x 16 positions) = 6.25 %
        assertThat(s.quadrants()).isEqualTo(0b1000);
        assertThat(s.rebased()).isTrue();
        assertThat(s.rising()).isTrue();
        assertThat(s.value()).isEqualTo(2 | 0b1000 << 2 | 1 << 6 | 1 << 7);
    }

    @Test
    void sceneCutsAreMarkedAfterTheirKeyframeAndOtherKeyframesAreNot() throws Exception {
        LlmVocabulary v = new LlmVocabulary(4, K, 16, 16);
        List<LlmRecord> records = windows("cut", 60, 10, (a, b) -> {});
        int keyframes = 0;
        int cuts = 0;
        for (LlmRecord r : records) {
            int[] t = r.tokens();
            for (int i = 0; i < t.length; i++) {
                if (t[i] == v.sceneCut()) {
                    cuts++;
                    assertThat(t[i - 1]).isEqualTo(v.keyframe());
                    assertThat(t[i - 2]).isEqualTo(v.frame());
                }
                if (t[i] == v.keyframe()) {
                    keyframes++;
                }
            }
        }
        // The first frame is a keyframe (FIRST_FRAME, no marker); the scene's cuts are the rest.
        assertThat(cuts).isPositive();
        assertThat(keyframes).isEqualTo(cuts + 1);
    }

    @Test
    void vocabularyRangesAreDisjointAndNamed() {
        LlmVocabulary v = new LlmVocabulary(4, 4096, 16, 16);

        assertThat(v.visual(3, 4095)).isEqualTo(16383);
        assertThat(v.window()).isEqualTo(16384);
        assertThat(v.position(0)).isEqualTo(16392);
        assertThat(v.position(255)).isEqualTo(16647);
        assertThat(v.summary(0)).isEqualTo(16648 + LlmVocabulary.CAMERAS);
        assertThat(v.size()).isEqualTo(16648 + LlmVocabulary.CAMERAS + LlmVocabulary.SUMMARIES);
        assertThat(v.name(v.visual(2, 7))).isEqualTo("v2:7");
        assertThat(v.name(v.frame())).isEqualTo("<|frame|>");
        assertThat(v.sceneCut()).isEqualTo(16389);
        assertThat(v.name(v.sceneCut())).isEqualTo("<|scene_cut|>");
        assertThat(v.name(v.shift())).isEqualTo("<|shift|>");
        assertThat(v.name(v.position(37))).isEqualTo("<|pos_37|>");
        assertThat(v.name(v.camera("x"))).startsWith("<|cam_");
        assertThat(v.name(v.summary(9))).isEqualTo("<|sum_9|>");
    }

    /** Rebuilds the per-position token grid ([N, L], padded with 0) from a record's sequence. */
    private static int[] replay(int[] tokens, LlmVocabulary v) {
        int levels = v.levels();
        int[] grid = new int[v.positions() * levels];
        int p = -1;
        boolean shift = false;
        for (int t : tokens) {
            if (t == v.shift()) {
                shift = true;
            } else if (shift) {
                // The centre position's content moved to position q: move the whole grid.
                int q = t - v.position(0);
                int rows = v.gridRows();
                int cols = v.gridCols();
                int dr = q / cols - rows / 2;
                int dc = q % cols - cols / 2;
                int[] moved = new int[grid.length];
                for (int to = 0; to < v.positions(); to++) {
                    int r = Math.max(0, Math.min(rows - 1, to / cols - dr));
                    int c = Math.max(0, Math.min(cols - 1, to % cols - dc));
                    System.arraycopy(grid, (r * cols + c) * levels, moved, to * levels, levels);
                }
                grid = moved;
                shift = false;
            } else if (t < v.visualSize()) {
                int level = t / v.codebookSize();
                grid[p * levels + level] = t % v.codebookSize();
            } else if (t >= v.position(0) && t <= v.position(v.positions() - 1)) {
                p = t - v.position(0);
                Arrays.fill(grid, p * levels, (p + 1) * levels, 0);
            }
        }
        return grid;
    }
}
