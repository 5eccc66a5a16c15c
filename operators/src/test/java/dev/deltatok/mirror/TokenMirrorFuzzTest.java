package dev.deltatok.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes {@link TokenMirror} with sequences of hostile deltas (out-of-range and unknown slots,
 * evictions of slots not held, huge or negative counts, sizes and sequence numbers, a model or grid
 * that changes without a keyframe, key maps that do not parse): each delta is applied or refused
 * with a {@link MirrorSyncException}, never another exception; a refused delta changes nothing
 * held; what is held always fits together (every key-map position names a held slot of 1 to {@code
 * levels} token ids) and can be laid out as a token grid.
 *
 * <p>Input layout, read front to back (missing bytes read as 0), per delta: flags (bit 0 KEYFRAME,
 * bit 1 camera "b" rather than "a", bit 2 model "m@2" rather than "m@1", bit 3 a raw 64-bit
 * deltaSeq instead of a signed step from the camera's last, bit 4 raw 32-bit grid rows, columns and
 * levels instead of 1 to 4 each, bit 5 raw key-map bytes, bit 6 raw 32-bit slot ids), the seq step
 * or seq, the shape, upserts (count, then per upsert slot, token count and ids), evictions (count,
 * slots), the key map (raw: length and bytes; else a byte per position: bit 7 leaves it out, the
 * low bits are the slot). Seeds: {@code TokenMirrorFuzzTestInputs/appliesOrRefuses/}.
 */
class TokenMirrorFuzzTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final int MAX_DELTAS = 24;

    @FuzzTest(maxDuration = "10m")
    void appliesOrRefuses(byte[] input) {
        Reader in = new Reader(input);
        TokenMirror mirror = new TokenMirror();
        Map<String, Long> lastSeq = new HashMap<>();
        for (int n = 0; n < MAX_DELTAS && in.hasMore(); n++) {
            TokenDelta delta = readDelta(in, lastSeq);
            String camera = delta.getCameraId();
            TokenMirror.Camera before = mirror.camera(camera).orElse(null);
            int[] keyMapBefore = before == null ? null : before.keyMap();
            Map<Integer, int[]> tableBefore = before == null ? null : new HashMap<>(before.table());
            try {
                TokenMirror.Camera held = mirror.apply(delta);
                lastSeq.put(camera, delta.getDeltaSeq());
                checkConsistent(held);
            } catch (MirrorSyncException refused) {
                assertThat(refused.cameraId()).isEqualTo(camera);
                if (before != null) {
                    // what is held stays as it was; only the sync position may move
                    assertThat(before.keyMap()).isEqualTo(keyMapBefore);
                    assertThat(before.table()).containsOnlyKeys(tableBefore.keySet());
                }
            }
        }
    }

    private static void checkConsistent(TokenMirror.Camera held) {
        int positions = held.gridRows() * held.gridCols();
        int[] keyMap = held.keyMap();
        assertThat(keyMap).hasSize(positions);
        for (int slot : keyMap) {
            assertThat(held.table()).containsKey(slot);
        }
        for (int[] tokens : held.table().values()) {
            assertThat(tokens.length).isBetween(1, held.levels());
        }
        int[] levelsUsed = new int[positions];
        int[] grid = held.tokenGrid(levelsUsed);
        assertThat(grid).hasSize(positions * held.levels());
    }

    private static TokenDelta readDelta(Reader in, Map<String, Long> lastSeq) {
        int flags = in.u8();
        boolean keyframe = (flags & 1) != 0;
        String camera = (flags & 2) != 0 ? "b" : "a";
        String model = (flags & 4) != 0 ? "m@2" : "m@1";
        long seq = (flags & 8) != 0 ? in.i64() : lastSeq.getOrDefault(camera, -1L) + (byte) in.u8();
        int rows;
        int cols;
        int levels;
        if ((flags & 16) != 0) {
            rows = in.i32();
            cols = in.i32();
            levels = in.i32();
        } else {
            rows = 1 + in.u8() % 4;
            cols = 1 + in.u8() % 4;
            levels = 1 + in.u8() % 4;
        }
        boolean rawSlots = (flags & 64) != 0;
        List<SlotUpsert> upserts = new ArrayList<>();
        for (int i = in.u8() % 8; i > 0; i--) {
            int slot = rawSlots ? in.i32() : in.u8() % 16;
            List<Integer> tokens = new ArrayList<>();
            for (int t = in.u8() % 6; t > 0; t--) {
                tokens.add(in.u8());
            }
            upserts.add(SlotUpsert.newBuilder().setSlot(slot).setTokens(tokens).build());
        }
        List<Integer> evictions = new ArrayList<>();
        for (int i = in.u8() % 4; i > 0; i--) {
            evictions.add(rawSlots ? in.i32() : in.u8() % 16);
        }
        ByteBuffer keyMap;
        if ((flags & 32) != 0) {
            byte[] raw = new byte[in.u8() % 24];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) in.u8();
            }
            keyMap = ByteBuffer.wrap(raw);
        } else {
            int positions = (int) Math.min(64, Math.max(0, (long) rows * cols));
            int[] at = new int[positions];
            int[] slots = new int[positions];
            int count = 0;
            for (int p = 0; p < positions; p++) {
                int b = in.u8();
                if ((b & 0x80) == 0) {
                    at[count] = p;
                    slots[count++] = b % 16;
                }
            }
            keyMap = KeyMapCodec.encode(at, slots, count);
        }
        return TokenDelta.newBuilder()
                .setCameraId(camera)
                .setDeltaSeq(seq)
                .setFrameSeq(seq)
                .setCaptureTime(T0)
                .setEmitTime(T0)
                .setKind(keyframe ? DeltaKind.KEYFRAME : DeltaKind.DELTA)
                .setModelId(model)
                .setGridRows(rows)
                .setGridCols(cols)
                .setLevels(levels)
                .setUpserts(upserts)
                .setEvictions(evictions)
                .setKeyMap(keyMap)
                .setStats(
                        FrameStats.newBuilder()
                                .setChangedPatches(0)
                                .setEncodedPatches(0)
                                .setSentPatches(0)
                                .setTokens(0)
                                .setTableSize(0)
                                .setEstimatedError(0f)
                                .setKeyframeReason(
                                        keyframe ? KeyframeReason.FIRST_FRAME : KeyframeReason.NONE)
                                .build())
                .build();
    }

    /** Reads the input front to back; past its end every byte reads as 0. */
    private static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        boolean hasMore() {
            return pos < data.length;
        }

        int u8() {
            return pos < data.length ? data[pos++] & 0xFF : 0;
        }

        int i32() {
            return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
        }

        long i64() {
            return ((long) i32() << 32) | (i32() & 0xFFFFFFFFL);
        }
    }
}
