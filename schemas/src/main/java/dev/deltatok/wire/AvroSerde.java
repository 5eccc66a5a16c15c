package dev.deltatok.wire;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer and deserializer for one Avro record type in single-object encoding. Plain Kafka
 * clients use the subclasses ({@link FrameSerde}, {@link TokenDeltaSerde}, {@link
 * RejectedFrameSerde}) by class name; Flink adapters wrap {@link #codec()}.
 */
public abstract class AvroSerde<T extends SpecificRecord>
        implements Serializer<T>, Deserializer<T> {

    private final AvroWireCodec<T> codec;

    protected AvroSerde(Class<T> type) {
        this.codec = AvroWireCodec.forType(type);
    }

    public AvroWireCodec<T> codec() {
        return codec;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec.encode(data);
    }

    /**
     * Decodes a value; a Kafka tombstone (null) stays null.
     *
     * @throws WireFormatException if the bytes are not a valid encoding
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : codec.decode(data);
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}
}
