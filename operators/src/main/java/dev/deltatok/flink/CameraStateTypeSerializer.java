package dev.deltatok.flink;

import dev.deltatok.state.CameraState;
import dev.deltatok.state.CameraStateSerializer;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link CameraState}: a length-prefixed {@link CameraStateSerializer} record.
 * That format carries its own version byte and reads every released version, so this serializer's
 * snapshot never needs migration: evolution happens inside the bytes.
 */
public final class CameraStateTypeSerializer extends TypeSerializer<CameraState> {

    private static final long serialVersionUID = 1L;
    private static final CameraStateSerializer FORMAT = new CameraStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<CameraState> duplicate() {
        return this;
    }

    @Override
    public CameraState createInstance() {
        return null;
    }

    @Override
    public CameraState copy(CameraState from) {
        return FORMAT.deserialize(FORMAT.serialize(from));
    }

    @Override
    public CameraState copy(CameraState from, CameraState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CameraState record, DataOutputView target) throws IOException {
        byte[] bytes = FORMAT.serialize(record);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    /**
     * Reads one length-prefixed state.
     *
     * @throws IOException if the stream ends early, the length is negative or the bytes are not a
     *     state ({@link CameraStateSerializer#deserialize}'s refusal as the cause)
     */
    @Override
    public CameraState deserialize(DataInputView source) throws IOException {
        byte[] bytes = readPayload(source, readLength(source));
        try {
            return FORMAT.deserialize(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot restore CameraState: " + e.getMessage(), e);
        }
    }

    /** Largest buffer allocated ahead of the bytes that fill it. */
    private static final int CHUNK_BYTES = 1 << 20;

    private static int readLength(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < 0) {
            throw new IOException("corrupt CameraState: negative length " + length);
        }
        return length;
    }

    /**
     * Reads {@code length} bytes, growing the buffer as they arrive, so a corrupt length fails at
     * the end of the stream instead of allocating up to 2 GB first.
     */
    private static byte[] readPayload(DataInputView source, int length) throws IOException {
        byte[] bytes = new byte[Math.min(length, CHUNK_BYTES)];
        int filled = 0;
        while (true) {
            source.readFully(bytes, filled, bytes.length - filled);
            filled = bytes.length;
            if (filled == length) {
                return bytes;
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * filled));
        }
    }

    @Override
    public CameraState deserialize(CameraState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = readLength(source);
        target.writeInt(length);
        target.write(readPayload(source, length));
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CameraStateTypeSerializer;
    }

    @Override
    public int hashCode() {
        return CameraStateTypeSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<CameraState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of this stateless serializer (its format is versioned inside the bytes). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CameraState> {
        public Snapshot() {
            super(CameraStateTypeSerializer::new);
        }
    }
}
