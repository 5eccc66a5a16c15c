package dev.deltatok.job;

import dev.deltatok.wire.AvroWireCodec;
import dev.deltatok.wire.CameraKeys;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes Avro records in single-object encoding, keyed by camera id (UTF-8), so that each camera's
 * records land in one partition in order.
 */
public final class CameraKeyedSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {

    /** Extracts the camera id; serialisable so the sink can ship it to TaskManagers. */
    public interface CameraOf<T> extends Function {
        String cameraId(T record);
    }

    private final String topic;
    private final Class<T> type;
    private final CameraOf<T> cameraOf;
    private transient AvroWireCodec<T> codec;

    public CameraKeyedSerializer(String topic, Class<T> type, CameraOf<T> cameraOf) {
        this.topic = topic;
        this.type = type;
        this.cameraOf = cameraOf;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroWireCodec.forType(type);
        }
        String camera = cameraOf.cameraId(element);
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                camera == null ? null : CameraKeys.encode(camera),
                codec.encode(element));
    }
}
