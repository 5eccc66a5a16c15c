package dev.deltatok.flink;

import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/** Builds {@link RejectedFrame} records: the reason, where the record came from, its bytes. */
public final class Rejections {
    private Rejections() {}

    /** Rejection of a record that never became a Frame. */
    public static RejectedFrame ofRecord(
            RawFrameRecord record,
            RejectReason reason,
            String detail,
            Long seq,
            String cameraId,
            int maxOriginalBytes,
            Instant now) {
        byte[] value = record.value == null ? new byte[0] : record.value;
        return RejectedFrame.newBuilder()
                .setCameraId(cameraId != null ? cameraId : record.key)
                .setSeq(seq)
                .setReason(reason)
                .setDetail(detail)
                .setSourceTopic(record.topic)
                .setSourcePartition(record.partition)
                .setSourceOffset(record.offset)
                .setRejectTime(now)
                .setOriginalSize(value.length)
                .setOriginalBytes(
                        ByteBuffer.wrap(
                                Arrays.copyOf(value, Math.min(value.length, maxOriginalBytes))))
                .build();
    }

    /** Rejection of a decoded Frame whose pixels are unacceptable. */
    public static RejectedFrame ofFrame(
            dev.deltatok.schema.Frame frame,
            RejectReason reason,
            String detail,
            int maxOriginalBytes,
            Instant now) {
        ByteBuffer data = frame.getData().duplicate();
        int size = data.remaining();
        byte[] head = new byte[Math.min(size, maxOriginalBytes)];
        data.get(head);
        return RejectedFrame.newBuilder()
                .setCameraId(frame.getCameraId())
                .setSeq(frame.getSeq())
                .setReason(reason)
                .setDetail(detail)
                .setSourceTopic(frame.getAttributes().get(SOURCE_TOPIC))
                .setSourcePartition(parseInt(frame.getAttributes().get(SOURCE_PARTITION)))
                .setSourceOffset(parseLong(frame.getAttributes().get(SOURCE_OFFSET)))
                .setRejectTime(now)
                .setOriginalSize(size)
                .setOriginalBytes(ByteBuffer.wrap(head))
                .build();
    }

    /** Frame attributes the decode step adds so that later rejections can name the source. */
    public static final String SOURCE_TOPIC = "deltatok.source.topic";

    public static final String SOURCE_PARTITION = "deltatok.source.partition";
    public static final String SOURCE_OFFSET = "deltatok.source.offset";

    private static Integer parseInt(String s) {
        return s == null ? null : Integer.valueOf(s);
    }

    private static Long parseLong(String s) {
        return s == null ? null : Long.valueOf(s);
    }
}
