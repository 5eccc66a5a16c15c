package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class AvroWireCodecTest {

    private final FrameSerde frames = new FrameSerde();

    @Test
    void roundTripsFrame() {
        Frame frame = TestRecords.frame("cam-1", 7);
        byte[] bytes = frames.serialize("t", frame);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(frames.deserialize("t", bytes)).isEqualTo(frame);
    }

    @Test
    void roundTripsTokenDelta() {
        TokenDeltaSerde serde = new TokenDeltaSerde();
        TokenDelta delta = TestRecords.delta("cam-2", 0);
        assertThat(serde.deserialize("t", serde.serialize("t", delta))).isEqualTo(delta);
    }

    @Test
    void roundTripsRejectedFrame() {
        RejectedFrameSerde serde = new RejectedFrameSerde();
        RejectedFrame rejected = TestRecords.rejected();
        assertThat(serde.deserialize("t", serde.serialize("t", rejected))).isEqualTo(rejected);
    }

    @Test
    void keepsTombstonesNull() {
        assertThat(frames.deserialize("t", null)).isNull();
        assertThat(frames.serialize("t", null)).isNull();
    }

    @Test
    void rejectsEmptyPayload() {
        assertThatThrownBy(() -> frames.deserialize("t", new byte[0]))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("empty payload: expected Avro single-object encoding")
                .hasMessageContaining("dev.deltatok.schema.Frame")
                .extracting(e -> ((WireFormatException) e).problem())
                .isEqualTo(WireFormatException.Problem.EMPTY);
    }

    @Test
    void rejectsWrongMarker() {
        byte[] json = "{\"cameraId\":\"x\"}".getBytes();
        assertThatThrownBy(() -> frames.deserialize("t", json))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("bad marker 7B 22")
                .hasMessageContaining("expected C3 01")
                .extracting(e -> ((WireFormatException) e).problem())
                .isEqualTo(WireFormatException.Problem.BAD_MARKER);
    }

    @Test
    void rejectsUnknownFingerprint() {
        byte[] delta = new TokenDeltaSerde().serialize("t", TestRecords.delta("cam", 1));
        assertThatThrownBy(() -> frames.deserialize("t", delta))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("unknown schema fingerprint")
                .hasMessageContaining("not a dev.deltatok.schema.Frame schema")
                .hasMessageContaining(AvroWireCodec.fingerprintHex(frames.codec().fingerprint()))
                .extracting(e -> ((WireFormatException) e).problem())
                .isEqualTo(WireFormatException.Problem.UNKNOWN_FINGERPRINT);
    }

    @Test
    void rejectsTruncatedHeader() {
        byte[] bytes = frames.serialize("t", TestRecords.frame("cam-1", 1));
        assertThatThrownBy(() -> frames.deserialize("t", Arrays.copyOf(bytes, 6)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("truncated header: 6 bytes")
                .extracting(e -> ((WireFormatException) e).problem())
                .isEqualTo(WireFormatException.Problem.TRUNCATED);
    }

    @Test
    void rejectsTruncatedBody() {
        byte[] bytes = frames.serialize("t", TestRecords.frame("cam-1", 1));
        for (int cut = AvroWireCodec.HEADER_BYTES; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> frames.deserialize("t", truncated))
                    .as("cut at %d of %d", cut, bytes.length)
                    .isInstanceOf(WireFormatException.class)
                    .hasMessageContaining("Frame")
                    .satisfies(
                            e ->
                                    assertThat(((WireFormatException) e).problem())
                                            .isIn(
                                                    WireFormatException.Problem.TRUNCATED,
                                                    WireFormatException.Problem.CORRUPT));
        }
        byte[] lastByteMissing = Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(() -> frames.deserialize("t", lastByteMissing))
                .hasMessageStartingWith("truncated payload: " + (bytes.length - 1) + " bytes");
    }

    /** Zig-zag varints, as Avro writes int, long, enum and length values. */
    private static void varlong(ByteArrayOutputStream out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        varlong(out, utf8.length);
        out.write(utf8, 0, utf8.length);
    }

    /** A single-object header for the current schema of the type, then the body. */
    private static <T extends org.apache.avro.specific.SpecificRecord> byte[] payload(
            AvroWireCodec<T> codec, ByteArrayOutputStream body) {
        ByteBuffer out = ByteBuffer.allocate(AvroWireCodec.HEADER_BYTES + body.size());
        out.put(AvroWireCodec.MARKER_0).put(AvroWireCodec.MARKER_1);
        out.order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(codec.fingerprint());
        out.put(body.toByteArray());
        return out.array();
    }

    @Test
    void refusesAnArrayLongerThanItsBytesBeforeAllocatingIt() {
        // a TokenDelta whose upserts declare 2^30 items in 69 bytes: Avro allocated an array of
        // that capacity first (OutOfMemoryError), found by AvroWireCodecFuzzTest
        AvroWireCodec<TokenDelta> codec = AvroWireCodec.forType(TokenDelta.class);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "cam");
        varlong(body, 1); // deltaSeq
        varlong(body, 1); // frameSeq
        varlong(body, 0); // captureTime
        varlong(body, 0); // emitTime
        varlong(body, 1); // kind DELTA
        string(body, "m@1");
        varlong(body, 16); // gridRows
        varlong(body, 16); // gridCols
        varlong(body, 4); // levels
        varlong(body, 1L << 30); // upserts: one block of 2^30 items
        varlong(body, 3); // the first item's slot, then nothing

        assertThatThrownBy(() -> codec.decode(payload(codec, body)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("1073741824 items")
                .satisfies(
                        e ->
                                assertThat(((WireFormatException) e).problem())
                                        .isEqualTo(WireFormatException.Problem.TRUNCATED));
    }

    @Test
    void refusesABlockWhoseNegativeCountHidesItsSize() {
        // a negative count announces the block's byte size; skipping by that size must not let
        // a huge item count through
        AvroWireCodec<Frame> codec = AvroWireCodec.forType(Frame.class);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "cam");
        varlong(body, 1); // seq
        varlong(body, 0); // captureTime
        varlong(body, 4); // width
        varlong(body, 2); // height
        varlong(body, 0); // format RGB24
        varlong(body, 0); // data: empty
        varlong(body, -(1L << 40)); // attributes: a block of 2^40 entries ...
        varlong(body, 0); // ... said to take 0 bytes

        assertThatThrownBy(() -> codec.decode(payload(codec, body)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("1099511627776 items");
    }

    @Test
    void refusesBytesLongerThanThePayloadBeforeAllocatingThem() {
        AvroWireCodec<Frame> codec = AvroWireCodec.forType(Frame.class);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "cam");
        varlong(body, 1); // seq
        varlong(body, 0); // captureTime
        varlong(body, 4); // width
        varlong(body, 2); // height
        varlong(body, 0); // format RGB24
        varlong(body, Integer.MAX_VALUE - 8); // data: 2 GB declared, none present

        assertThatThrownBy(() -> codec.decode(payload(codec, body)))
                .isInstanceOf(WireFormatException.class)
                .satisfies(
                        e ->
                                assertThat(((WireFormatException) e).problem())
                                        .isEqualTo(WireFormatException.Problem.TRUNCATED));
    }

    @Test
    void cameraKeysAreUtf8() {
        assertThat(CameraKeys.decode(CameraKeys.encode("höf-7"))).isEqualTo("höf-7");
        assertThat(CameraKeys.encode("ab")).containsExactly('a', 'b');
        assertThat(CameraKeys.decode(null)).isNull();
    }

    @Test
    void readsWhatTheFirstReleaseWroteWithDefaultsForNewFields() throws Exception {
        Schema v1 = AvroWireCodec.releasedSchemas("TokenDelta").get(0);
        TokenDelta current = TestRecords.delta("cam-3", 4);
        current.getStats().setKeyframeReason(KeyframeReason.SCENE_CUT);
        // The same delta as a v1 writer puts it on the wire: its v1 fields, v1's fingerprint.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
        new SpecificDatumWriter<TokenDelta>(TokenDelta.getClassSchema()).write(current, enc);
        enc.flush();
        GenericRecord asV1 =
                new GenericDatumReader<GenericRecord>(TokenDelta.getClassSchema(), v1)
                        .read(null, DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
        ByteBuffer written =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(asV1);
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);

        AvroWireCodec<TokenDelta> codec = AvroWireCodec.forType(TokenDelta.class);
        assertThat(SchemaNormalization.parsingFingerprint64(v1)).isNotEqualTo(codec.fingerprint());
        TokenDelta read = codec.decode(bytes);

        assertThat(read.getStats().getKeyframeReason()).isEqualTo(KeyframeReason.UNKNOWN);
        read.getStats().setKeyframeReason(current.getStats().getKeyframeReason());
        assertThat(read).isEqualTo(current);
    }

    @Test
    void readsWhatTheSecondReleaseWroteAsNothingSkippedAtFullBudget() throws Exception {
        Schema v2 = AvroWireCodec.releasedSchemas("TokenDelta").get(1);
        TokenDelta current = TestRecords.delta("cam-3", 4);
        current.getStats().setKeyframeReason(KeyframeReason.SCENE_CUT);
        current.getStats().setSkippedFrames(7);
        current.getStats().setBudgetScale(0.25f);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
        new SpecificDatumWriter<TokenDelta>(TokenDelta.getClassSchema()).write(current, enc);
        enc.flush();
        GenericRecord asV2 =
                new GenericDatumReader<GenericRecord>(TokenDelta.getClassSchema(), v2)
                        .read(null, DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
        ByteBuffer written =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(asV2);
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);

        TokenDelta read = AvroWireCodec.forType(TokenDelta.class).decode(bytes);

        assertThat(read.getStats().getKeyframeReason()).isEqualTo(KeyframeReason.SCENE_CUT);
        assertThat(read.getStats().getSkippedFrames()).isZero();
        assertThat(read.getStats().getBudgetScale()).isEqualTo(1.0f);
        read.getStats().setSkippedFrames(7);
        read.getStats().setBudgetScale(0.25f);
        assertThat(read).isEqualTo(current);
    }

    @Test
    void everyReleasedSchemaIsFound() {
        for (String name : new String[] {"Frame", "TokenDelta", "RejectedFrame"}) {
            assertThat(AvroWireCodec.releasedSchemas(name)).as(name).isNotEmpty();
        }
        assertThat(AvroWireCodec.releasedSchemas("NoSuchRecord")).isEmpty();
    }
}
