package dev.deltatok.job;

import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.wire.CameraKeys;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads frame records without decoding them, so that no value, however malformed, can fail the
 * source: decoding and rejection happen in {@link dev.deltatok.flink.FrameDecodeFunction}.
 */
final class RawFrameDeserializer implements KafkaRecordDeserializationSchema<RawFrameRecord> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) {
        out.collect(
                new RawFrameRecord(
                        CameraKeys.decode(record.key()),
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp()));
    }

    @Override
    public TypeInformation<RawFrameRecord> getProducedType() {
        return TypeInformation.of(RawFrameRecord.class);
    }
}
