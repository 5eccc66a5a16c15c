package dev.deltatok.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.eval.ImageQuality;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.MirrorSyncException.Problem;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.nio.ByteBuffer;
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

    /** A keyframe of one slot (token id 7) at every position of a rows x cols grid. */
    private static TokenDelta keyframe(
            long seq, int rows, int cols, int levels, ByteBuffer keyMap) {
        return TokenDelta.newBuilder()
                .setCameraId("cam")
                .setDeltaSeq(seq)
                .setFrameSeq(seq)
                .setCaptureTime(EMIT)
                .setEmitTime(EMIT)
                .setKind(DeltaKind.KEYFRAME)
                .setModelId("m@1")
                .setGridRows(rows)
                .setGridCols(cols)
                .setLevels(levels)
                .setUpserts(
                        List.of(SlotUpsert.newBuilder().setSlot(0).setTokens(List.of(7)).build()))
                .setEvictions(List.of())
                .setKeyMap(keyMap)
                .setStats(
                        FrameStats.newBuilder()
                                .setChangedPatches(0)
                                .setEncodedPatches(0)
                                .setSentPatches(0)
                                .setTokens(0)
                                .setTableSize(1)
                                .setEstimatedError(0f)
                                .build())
                .build();
    }

    private static ByteBuffer allAtSlotZero(int positions) {
        int[] at = new int[positions];
        for (int p = 0; p < positions; p++) {
            at[p] = p;
        }
        return KeyMapCodec.encode(at, new int[positions], positions);
    }

    @Test
    void refusesAKeyframeWhoseGridOverflows() {
        // 65536 x 65536 positions is 0 in int arithmetic: an empty key map used to "fit" it
        TokenMirror mirror = new TokenMirror();

        assertThat(problemOf(() -> mirror.apply(keyframe(0, 65536, 65536, 1, allAtSlotZero(0)))))
                .isEqualTo(Problem.CORRUPT);
        assertThat(mirror.camera("cam").orElseThrow().synced()).isFalse();
    }

    @Test
    void refusesAKeyframeWithMoreLevelsThanAnyModelHas() {
        // used to be applied; laying out its token grid then allocated an int[2^31 - 1]
        TokenMirror mirror = new TokenMirror();

        assertThatThrownBy(
                        () -> mirror.apply(keyframe(0, 1, 1, Integer.MAX_VALUE, allAtSlotZero(1))))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("2147483647 levels");
    }

    @Test
    void refusesAKeyframeWhoseKeyMapCountTheBytesCannotHold() {
        // a count of 2^28 in five bytes: decoding it used to allocate two int[2^28]
        ByteBuffer hostile =
                ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1});
        TokenMirror mirror = new TokenMirror();

        assertThat(problemOf(() -> mirror.apply(keyframe(0, 16384, 16384, 1, hostile))))
                .isEqualTo(Problem.CORRUPT);
    }

    @Test
    void refusesANegativeDeltaSeq() {
        // a negative seq passed for "nothing applied yet", so the same keyframe applied twice
        TokenMirror mirror = new TokenMirror();

        assertThat(problemOf(() -> mirror.apply(keyframe(-5, 2, 2, 1, allAtSlotZero(4)))))
                .isEqualTo(Problem.CORRUPT);
        mirror.apply(keyframe(0, 2, 2, 1, allAtSlotZero(4)));
        assertThat(problemOf(() -> mirror.apply(keyframe(0, 2, 2, 1, allAtSlotZero(4)))))
                .isEqualTo(Problem.DUPLICATE);
    }

    @Test
    void followsAPanningCameraThroughShiftsAndOffsets() throws Exception {
        TokenizerCore panning = new TokenizerCore(model, TokenizerSettings.defaults());
        CameraState panState = panning.newState("cam");
        SyntheticScene pan = SyntheticScenes.create("pan", 4, 256, 256);
        TokenMirror mirror = new TokenMirror();
        int shifts = 0;
        int moved = 0;
        for (int seq = 0; seq < 40; seq++) {
            TokenDelta d = panning.process(panState, pan.frame("cam", seq), EMIT).delta();
            mirror.apply(d);
            moved += d.getKind() == DeltaKind.MOVED ? 1 : 0;
            shifts += d.getShiftCols() != 0 ? 1 : 0;
            TokenMirror.Camera cam = mirror.camera("cam").orElseThrow();
            assertThat(mirror.difference(panState)).as("after delta %d", seq).isEmpty();
            assertThat(cam.offsetX()).isEqualTo(panState.offsetX());
        }
        // Two pixels a frame to the right: content moves left, a column every eight frames.
        assertThat(moved).isGreaterThan(30);
        assertThat(shifts).isBetween(3, 6);
    }

    @Test
    void aMovedDeltaShiftsTheKeyMapBeforeItsUpdatesAndReconstructsAtItsOffset() throws Exception {
        List<TokenDelta> deltas = deltas(1);
        TokenMirror mirror = new TokenMirror();
        mirror.apply(deltas.get(0));
        int[] before = mirror.camera("cam").orElseThrow().keyMap();
        TokenDelta moved =
                TokenDelta.newBuilder(deltas.get(0))
                        .setDeltaSeq(1)
                        .setKind(DeltaKind.MOVED)
                        .setUpserts(List.of())
                        .setEvictions(List.of())
                        .setKeyMap(KeyMapCodec.encode(new int[0], new int[0], 0))
                        .setShiftCols(-1)
                        .setOffsetX(5)
                        .build();

        TokenMirror.Camera cam = mirror.apply(moved);

        int cols = cam.gridCols();
        for (int p = 0; p < before.length; p++) {
            int c = p % cols;
            int from = p - c + Math.min(cols - 1, c + 1);
            assertThat(cam.keyMap()[p]).as("position %d", p).isEqualTo(before[from]);
        }
        assertThat(cam.offsetX()).isEqualTo(5);
        // The decoded grid is shown 5 pixels to the right, the left edge repeated.
        TokenDelta stays =
                TokenDelta.newBuilder(moved).setDeltaSeq(2).setShiftCols(0).setOffsetX(5).build();
        mirror.apply(stays);
        mirror.apply(TokenDelta.newBuilder(stays).setDeltaSeq(3).setShiftCols(1).build());
        int[] back = mirror.camera("cam").orElseThrow().keyMap();
        for (int p = 0; p < back.length; p++) {
            int c = p % cols;
            if (c > 0 && c < cols - 1) {
                assertThat(back[p]).as("position %d back in place", p).isEqualTo(before[p]);
            }
        }
        RgbImage shown = mirror.reconstruct("cam", model);
        TokenMirror.Camera held = mirror.camera("cam").orElseThrow();
        int[] levelsUsed = new int[back.length];
        RgbImage grid = model.decodeFrame(held.tokenGrid(levelsUsed), levelsUsed);
        for (int y = 0; y < 256; y += 37) {
            for (int x = 0; x < 256; x += 13) {
                int from = Math.max(0, x - 5);
                for (int ch = 0; ch < 3; ch++) {
                    assertThat(shown.data()[(y * 256 + x) * 3 + ch])
                            .isEqualTo(grid.data()[(y * 256 + from) * 3 + ch]);
                }
            }
        }
    }

    @Test
    void motionOutsideAMovedDeltaIsCorrupt() throws Exception {
        List<TokenDelta> deltas = deltas(2);
        TokenMirror mirror = new TokenMirror();
        mirror.apply(deltas.get(0));
        TokenDelta deltaThatMoves = TokenDelta.newBuilder(deltas.get(1)).setOffsetX(3).build();

        assertThatThrownBy(() -> mirror.apply(deltaThatMoves))
                .isInstanceOf(MirrorSyncException.class)
                .hasMessageContaining("only a MOVED delta may move the picture");
        TokenDelta keyframeThatMoves =
                TokenDelta.newBuilder(deltas.get(0)).setDeltaSeq(5).setShiftRows(1).build();
        assertThat(problemOf(() -> mirror.apply(keyframeThatMoves))).isEqualTo(Problem.CORRUPT);
        TokenDelta tooFar =
                TokenDelta.newBuilder(deltas.get(1))
                        .setDeltaSeq(8)
                        .setKind(DeltaKind.MOVED)
                        .setShiftCols(16)
                        .build();
        mirror.apply(TokenDelta.newBuilder(deltas.get(0)).setDeltaSeq(7).build());
        assertThat(problemOf(() -> mirror.apply(tooFar))).isEqualTo(Problem.CORRUPT);
    }
}
