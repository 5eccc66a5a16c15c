package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.overload.OverloadSettings;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.wire.AvroWireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Frame decoding in a harness: valid records become frames, every bad one a rejection. */
class FrameDecodeFunctionTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private final AvroWireCodec<Frame> codec = AvroWireCodec.forType(Frame.class);
    private OneInputStreamOperatorTestHarness<RawFrameRecord, Frame> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new FrameDecodeFunction(
                                64, OverloadSettings.off(), Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static Frame frame(String camera, long seq) {
        return SyntheticScenes.create("static", 1, 32, 32).frame(camera, seq);
    }

    private List<RejectedFrame> rejected() {
        var out = harness.getSideOutput(FrameDecodeFunction.REJECTED);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void decodesAValidRecordAndNamesItsSource() throws Exception {
        harness.processElement(
                new RawFrameRecord("cam-1", codec.encode(frame("cam-1", 4)), "frames", 3, 77, 9),
                9);

        List<Frame> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getSeq()).isEqualTo(4);
        assertThat(out.get(0).getAttributes())
                .containsEntry(Rejections.SOURCE_TOPIC, "frames")
                .containsEntry(Rejections.SOURCE_PARTITION, "3")
                .containsEntry(Rejections.SOURCE_OFFSET, "77");
        assertThat(rejected()).isEmpty();
    }

    @Test
    void withOverloadOnAFrameLaterThanTheTargetIsShedToAMarkerOncePerTargetAndCamera()
            throws Exception {
        var shedding =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new FrameDecodeFunction(
                                64,
                                new OverloadSettings(true, Duration.ofMillis(500), 0.25),
                                Clock.fixed(NOW, ZoneOffset.UTC)));
        try {
            long nowMs = NOW.toEpochMilli();
            Instant late = NOW.minusSeconds(3);
            for (long seq = 0; seq < 3; seq++) {
                Frame f = Frame.newBuilder(frame("cam-1", seq)).setCaptureTime(late).build();
                shedding.processElement(
                        new RawFrameRecord("cam-1", codec.encode(f), "frames", 0, seq, nowMs),
                        nowMs);
            }
            Frame young = Frame.newBuilder(frame("cam-1", 3)).setCaptureTime(NOW).build();
            shedding.processElement(
                    new RawFrameRecord("cam-1", codec.encode(young), "frames", 0, 3, nowMs), nowMs);

            List<Frame> out = shedding.extractOutputValues();
            assertThat(out).extracting(Frame::getSeq).containsExactly(0L, 1L, 2L, 3L);
            assertThat(out)
                    .extracting(ShedFrames::isMarker)
                    .containsExactly(false, true, true, false);
            assertThat(out.get(1).getData().remaining()).isZero();
            assertThat(out.get(1).getAttributes()).containsEntry(Rejections.SOURCE_OFFSET, "1");
            assertThat(out.get(3).getData().remaining()).isEqualTo(32 * 32 * 3);
        } finally {
            shedding.close();
        }
    }

    @Test
    void aProducersShedAttributeIsDroppedSoTheFrameIsTokenized() throws Exception {
        Frame forged = frame("cam-1", 0);
        forged.setAttributes(java.util.Map.of(ShedFrames.ATTRIBUTE, "true"));
        harness.processElement(
                new RawFrameRecord("cam-1", codec.encode(forged), "frames", 0, 0, 0), 0);
        List<Frame> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(ShedFrames.isMarker(out.get(0))).isFalse();
        assertThat(out.get(0).getData().remaining()).isEqualTo(32 * 32 * 3);
    }

    @Test
    void withoutOverloadSettingsNothingIsShedHoweverOld() throws Exception {
        Frame old = Frame.newBuilder(frame("cam-1", 0)).setCaptureTime(Instant.EPOCH).build();
        for (long offset = 0; offset < 3; offset++) {
            harness.processElement(
                    new RawFrameRecord("cam-1", codec.encode(old), "frames", 0, offset, 0), 0);
        }
        assertThat(harness.extractOutputValues()).noneMatch(ShedFrames::isMarker).hasSize(3);
    }

    @Test
    void rejectsEveryBadRecordWithItsReasonAndTheClocksTime() throws Exception {
        byte[] valid = codec.encode(frame("cam-1", 0));
        harness.processElement(new RawFrameRecord("cam-1", null, "frames", 0, 1, 0), 0);
        harness.processElement(
                new RawFrameRecord("cam-1", new byte[] {1, 2}, "frames", 0, 2, 0), 0);
        harness.processElement(new RawFrameRecord(null, valid, "frames", 0, 3, 0), 0);
        harness.processElement(new RawFrameRecord("cam-2", valid, "frames", 0, 4, 0), 0);
        harness.processElement(
                new RawFrameRecord("", codec.encode(frame("", 0)), "frames", 0, 5, 0), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<RejectedFrame> rejected = rejected();
        assertThat(rejected)
                .extracting(RejectedFrame::getReason)
                .containsExactly(
                        RejectReason.MALFORMED_RECORD,
                        RejectReason.MALFORMED_RECORD,
                        RejectReason.MISSING_KEY,
                        RejectReason.MALFORMED_RECORD,
                        RejectReason.MALFORMED_RECORD);
        assertThat(rejected.get(0).getDetail()).contains("tombstone");
        assertThat(rejected.get(2).getDetail()).contains("no key", "'cam-1'");
        assertThat(rejected.get(3).getDetail()).contains("'cam-2'", "'cam-1'");
        assertThat(rejected.get(4).getDetail()).contains("empty cameraId");
        assertThat(rejected)
                .extracting(RejectedFrame::getSourceOffset)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(rejected).allSatisfy(r -> assertThat(r.getRejectTime()).isEqualTo(NOW));
    }
}
