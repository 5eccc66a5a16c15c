package dev.deltatok.wire;

import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fixed sample records for wire tests. */
final class TestRecords {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00.000001Z");

    private TestRecords() {}

    static Frame frame(String camera, long seq) {
        byte[] pixels = new byte[4 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + seq);
        }
        return Frame.newBuilder()
                .setCameraId(camera)
                .setSeq(seq)
                .setCaptureTime(T0.plusMillis(40 * seq))
                .setWidth(4)
                .setHeight(2)
                .setFormat(PixelFormat.RGB24)
                .setData(ByteBuffer.wrap(pixels))
                .setAttributes(Map.of("site", "lobby"))
                .build();
    }

    static TokenDelta delta(String camera, long deltaSeq) {
        return TokenDelta.newBuilder()
                .setCameraId(camera)
                .setDeltaSeq(deltaSeq)
                .setFrameSeq(deltaSeq + 10)
                .setCaptureTime(T0)
                .setEmitTime(T0.plusMillis(3))
                .setKind(deltaSeq == 0 ? DeltaKind.KEYFRAME : DeltaKind.DELTA)
                .setModelId("test@1")
                .setGridRows(16)
                .setGridCols(16)
                .setLevels(2)
                .setUpserts(
                        List.of(
                                SlotUpsert.newBuilder()
                                        .setSlot(3)
                                        .setTokens(List.of(17, 1023))
                                        .setLatent(null)
                                        .build()))
                .setEvictions(List.of(9))
                .setKeyMap(ByteBuffer.wrap(new byte[] {1, 5, 3}))
                .setStats(
                        FrameStats.newBuilder()
                                .setChangedPatches(1)
                                .setEncodedPatches(1)
                                .setSentPatches(1)
                                .setTokens(3)
                                .setTableSize(40)
                                .setEstimatedError(0.001f)
                                .build())
                .build();
    }

    static RejectedFrame rejected() {
        return RejectedFrame.newBuilder()
                .setCameraId("cam-1")
                .setSeq(4L)
                .setReason(RejectReason.SIZE_MISMATCH)
                .setDetail("RGB24 4x2 needs 24 bytes, got 23")
                .setSourceTopic("deltatok.frames")
                .setSourcePartition(0)
                .setSourceOffset(42L)
                .setRejectTime(T0)
                .setOriginalSize(23)
                .setOriginalBytes(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
    }
}
