package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.util.Arrays;
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

    @Test
    void cameraKeysAreUtf8() {
        assertThat(CameraKeys.decode(CameraKeys.encode("höf-7"))).isEqualTo("höf-7");
        assertThat(CameraKeys.encode("ab")).containsExactly('a', 'b');
        assertThat(CameraKeys.decode(null)).isNull();
    }
}
