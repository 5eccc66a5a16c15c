package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.state.CameraState;
import dev.deltatok.state.CameraStateSerializer;
import java.io.EOFException;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CameraStateTypeSerializerTest {

    private final CameraStateTypeSerializer serializer = new CameraStateTypeSerializer();

    private static CameraState newCamera() {
        return CameraState.initial(
                "cam",
                TestingTokenizerModel.create(8, 16, 16, 2, 16).spec(),
                TokenizerSettings.builder().tableCapacity(8).referenceBlock(4).build());
    }

    private static DataInputDeserializer lengthThen(int length, byte[] bytes) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeInt(length);
        out.write(bytes);
        return new DataInputDeserializer(out.getCopyOfBuffer());
    }

    @Test
    void roundTripsAndCopiesAState() throws IOException {
        CameraState state = newCamera();
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(state, out);

        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);

        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(state);
    }

    @Test
    void refusesANegativeLength() {
        // used to fail with NegativeArraySizeException
        assertThatThrownBy(() -> serializer.deserialize(lengthThen(-4, new byte[8])))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("negative length -4");
        assertThatThrownBy(
                        () ->
                                serializer.copy(
                                        lengthThen(-4, new byte[8]), new DataOutputSerializer(8)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aHugeLengthFailsAtTheEndOfTheStreamWithoutAllocatingIt() {
        // used to allocate new byte[2^31 - 1] first: OutOfMemoryError
        assertThatThrownBy(
                        () -> serializer.deserialize(lengthThen(Integer.MAX_VALUE, new byte[10])))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void malformedStateBytesAreAnIOException() {
        byte[] bytes = new CameraStateSerializer().serialize(newCamera());
        bytes[0] = 9; // an unknown version

        assertThatThrownBy(() -> serializer.deserialize(lengthThen(bytes.length, bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unsupported CameraState version 9")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }
}
