package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fuzzes the three wire codecs (frames in, deltas out, dead letters) with hostile values: each must
 * decode to a record that encodes and decodes to itself, or fail with a {@link
 * WireFormatException}; nothing else (no other exception, no allocation sized by a length field the
 * payload cannot back).
 *
 * <p>Input layout: byte 0 picks the codec (low two bits) and, with bit 7 clear, a writer schema
 * whose marker and fingerprint are put in front of the remaining bytes, so the fuzzer spends its
 * time on record bodies; with bit 7 set the remaining bytes are the whole payload, header included.
 * Seeds: {@code AvroWireCodecFuzzTestInputs/decodesOrRejects/}.
 */
class AvroWireCodecFuzzTest {

    private static final List<Target<?>> TARGETS =
            List.of(
                    new Target<>(AvroWireCodec.forType(Frame.class)),
                    new Target<>(AvroWireCodec.forType(TokenDelta.class)),
                    new Target<>(AvroWireCodec.forType(RejectedFrame.class)));

    @FuzzTest(maxDuration = "10m")
    void decodesOrRejects(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int selector = input[0] & 0xFF;
        Target<?> target = TARGETS.get((selector & 3) % TARGETS.size());
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        byte[] payload =
                (selector & 0x80) != 0
                        ? rest
                        : withHeader(
                                target.fingerprints.get(
                                        (selector >> 2) % 8 % target.fingerprints.size()),
                                rest);
        target.check(payload);
    }

    static byte[] withHeader(long fingerprint, byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(AvroWireCodec.HEADER_BYTES + body.length);
        out.put(AvroWireCodec.MARKER_0).put(AvroWireCodec.MARKER_1);
        out.order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
        out.put(body);
        return out.array();
    }

    private static final class Target<T extends SpecificRecord> {
        final AvroWireCodec<T> codec;

        /** The current schema's fingerprint first, then each released version's. */
        final List<Long> fingerprints = new ArrayList<>();

        Target(AvroWireCodec<T> codec) {
            this.codec = codec;
            fingerprints.add(codec.fingerprint());
            for (Schema released : AvroWireCodec.releasedSchemas(codec.schema().getName())) {
                fingerprints.add(SchemaNormalization.parsingFingerprint64(released));
            }
        }

        void check(byte[] payload) {
            T record;
            try {
                record = codec.decode(payload);
            } catch (WireFormatException rejected) {
                return;
            }
            // whatever decodes is a record this build writes and reads back to the same bytes
            // (compared as bytes: a NaN float is not equal to itself)
            byte[] written = codec.encode(record);
            assertThat(codec.encode(codec.decode(written))).isEqualTo(written);
        }
    }
}
