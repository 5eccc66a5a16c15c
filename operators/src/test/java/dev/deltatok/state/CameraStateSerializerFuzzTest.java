package dev.deltatok.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deltatok.flink.CameraStateTypeSerializer;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;

/**
 * Fuzzes restoring keyed state from corrupt bytes, through {@link CameraStateSerializer} and
 * through the Flink {@link CameraStateTypeSerializer} around it (length-prefixed): each input must
 * restore a state that serialises and restores to the same bytes, or be refused with an {@link
 * IllegalArgumentException} (the format) or an {@link IOException} (the Flink serializer); never
 * another exception, and never an allocation sized by a field the bytes cannot back.
 *
 * <p>Input layout: byte 0 picks the serializer (bit 0 set: the Flink one), the rest is its input.
 * Seeds: {@code CameraStateSerializerFuzzTestInputs/restoresOrRejects/}, among them the frozen
 * version-1 state.
 */
class CameraStateSerializerFuzzTest {

    private static final CameraStateSerializer FORMAT = new CameraStateSerializer();
    private static final CameraStateTypeSerializer FLINK = new CameraStateTypeSerializer();

    @FuzzTest(maxDuration = "10m")
    void restoresOrRejects(byte[] input) {
        if (input.length < 1) {
            return;
        }
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        CameraState state;
        try {
            if ((input[0] & 1) != 0) {
                state = FLINK.deserialize(new DataInputDeserializer(bytes));
            } else {
                state = FORMAT.deserialize(bytes);
            }
        } catch (IllegalArgumentException | IOException rejected) {
            return;
        }
        byte[] written = FORMAT.serialize(state);
        assertThat(FORMAT.serialize(FORMAT.deserialize(written))).isEqualTo(written);
    }
}
