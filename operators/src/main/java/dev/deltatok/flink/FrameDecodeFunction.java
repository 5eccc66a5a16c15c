package dev.deltatok.flink;

import dev.deltatok.overload.FrameAge;
import dev.deltatok.overload.IngressShedder;
import dev.deltatok.overload.OverloadSettings;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.wire.AvroWireCodec;
import dev.deltatok.wire.WireFormatException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw frame records into {@link Frame}s. A record that is not a valid Frame (bad encoding,
 * missing or mismatched key, tombstone) goes to the {@link #REJECTED} side output with its reason;
 * nothing throws, so bad input never restarts the job. Runs chained to the source, so each
 * partition's order is kept.
 */
public final class FrameDecodeFunction extends ProcessFunction<RawFrameRecord, Frame> {

    public static final OutputTag<RejectedFrame> REJECTED =
            new OutputTag<>("rejected", new AvroTypeInfo<>(RejectedFrame.class));

    private final int maxOriginalBytes;
    private final Clock clock;
    private final OverloadSettings overload;
    private transient AvroWireCodec<Frame> codec;
    private transient IngressShedder shedder;

    /** A decoder that sheds nothing. */
    public FrameDecodeFunction(int maxOriginalBytes) {
        this(maxOriginalBytes, OverloadSettings.off(), Clock.systemUTC());
    }

    /**
     * @param overload when enabled, a valid frame older than half its latency target may be shed
     *     (see {@link IngressShedder}) and sent on as a {@link ShedFrames#marker} without pixels
     */
    public FrameDecodeFunction(int maxOriginalBytes, OverloadSettings overload) {
        this(maxOriginalBytes, overload, Clock.systemUTC());
    }

    /**
     * @param clock processing time: each rejection's {@code rejectTime} and the frame ages the
     *     shedding looks at (serializable)
     */
    public FrameDecodeFunction(int maxOriginalBytes, OverloadSettings overload, Clock clock) {
        this.maxOriginalBytes = maxOriginalBytes;
        this.overload = java.util.Objects.requireNonNull(overload, "overload");
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroWireCodec.forType(Frame.class);
        shedder = overload.enabled() ? new IngressShedder(overload.latencyTarget()) : null;
    }

    @Override
    public void processElement(RawFrameRecord record, Context ctx, Collector<Frame> out) {
        if (record.value == null) {
            reject(
                    ctx,
                    record,
                    RejectReason.MALFORMED_RECORD,
                    "tombstone (null value) on the frames topic",
                    null,
                    null);
            return;
        }
        Frame frame;
        try {
            frame = codec.decode(record.value);
        } catch (WireFormatException e) {
            reject(ctx, record, RejectReason.MALFORMED_RECORD, e.getMessage(), null, null);
            return;
        }
        if (frame.getCameraId() == null || frame.getCameraId().isEmpty()) {
            reject(
                    ctx,
                    record,
                    RejectReason.MALFORMED_RECORD,
                    "empty cameraId",
                    frame.getSeq(),
                    null);
            return;
        }
        if (record.key == null) {
            reject(
                    ctx,
                    record,
                    RejectReason.MISSING_KEY,
                    "record has no key; expected the camera id '"
                            + frame.getCameraId()
                            + "' as UTF-8",
                    frame.getSeq(),
                    frame.getCameraId());
            return;
        }
        if (!record.key.equals(frame.getCameraId())) {
            reject(
                    ctx,
                    record,
                    RejectReason.MALFORMED_RECORD,
                    "record key '"
                            + record.key
                            + "' differs from cameraId '"
                            + frame.getCameraId()
                            + "'; a camera's frames must share one key so they stay in one partition",
                    frame.getSeq(),
                    frame.getCameraId());
            return;
        }
        Map<String, String> attributes = new HashMap<>(frame.getAttributes());
        attributes.put(Rejections.SOURCE_TOPIC, String.valueOf(record.topic));
        attributes.put(Rejections.SOURCE_PARTITION, Integer.toString(record.partition));
        attributes.put(Rejections.SOURCE_OFFSET, Long.toString(record.offset));
        // only this function marks a frame as shed: a producer's attribute of that name is dropped
        attributes.remove(ShedFrames.ATTRIBUTE);
        frame.setAttributes(attributes);
        if (shedder != null) {
            long now = clock.millis();
            long age =
                    FrameAge.millis(
                            now,
                            frame.getCaptureTime().toEpochMilli(),
                            record.timestamp >= 0 ? record.timestamp : FrameAge.NO_TIMESTAMP);
            if (shedder.shed(frame.getCameraId(), age, now)) {
                out.collect(ShedFrames.marker(frame));
                return;
            }
        }
        out.collect(frame);
    }

    private void reject(
            Context ctx,
            RawFrameRecord record,
            RejectReason reason,
            String detail,
            Long seq,
            String cameraId) {
        ctx.output(
                REJECTED,
                Rejections.ofRecord(
                        record, reason, detail, seq, cameraId, maxOriginalBytes, clock.instant()));
    }
}
