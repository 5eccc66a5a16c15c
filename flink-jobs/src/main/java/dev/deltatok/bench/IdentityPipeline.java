package dev.deltatok.bench;

import dev.deltatok.flink.FrameDecodeFunction;
import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerOptions;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.AvroWireCodec;
import dev.deltatok.wire.CameraKeys;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark's ceiling: the tokenizer job's shape (Kafka source, decode, keyBy camera, a keyed
 * operator, Kafka sink with the same delivery guarantee) with the tokenizer replaced by a
 * pass-through that bumps one keyed counter and emits a token-less {@link TokenDelta} per frame.
 * What it costs is what Kafka and Flink alone cost.
 */
public final class IdentityPipeline {

    private IdentityPipeline() {}

    /** Adds source, decode, the keyed pass-through and the deltas sink to {@code env}. */
    public static void wire(StreamExecutionEnvironment env, TokenizerConfig config) {
        KafkaSource<RawFrameRecord> source =
                KafkaSource.<RawFrameRecord>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setTopics(List.of(config.framesTopic()))
                        .setGroupId(config.groupId())
                        .setDeserializer(new RawRecords())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .build();
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "900000");
        producer.setProperty("max.request.size", "33554432");
        producer.setProperty("linger.ms", "2");
        KafkaSink<TokenDelta> sink =
                KafkaSink.<TokenDelta>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setRecordSerializer(new DeltaRecords(config.deltasTopic()))
                        .setKafkaProducerConfig(producer)
                        .setDeliveryGuarantee(
                                config.delivery() == TokenizerOptions.Delivery.EXACTLY_ONCE
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-identity")
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "frames")
                .uid("bench-identity-source")
                .process(new FrameDecodeFunction(config.maxRejectedBytes()))
                .returns(new AvroTypeInfo<>(Frame.class))
                .name("decode frames")
                .uid("bench-identity-decode")
                .keyBy(Frame::getCameraId)
                .process(new PassThrough())
                .returns(new AvroTypeInfo<>(TokenDelta.class))
                .name("identity")
                .uid("bench-identity")
                .sinkTo(sink)
                .name("deltas")
                .uid("bench-identity-sink");
    }

    /** Counts each camera's frames in keyed state and emits a token-less delta per frame. */
    static final class PassThrough extends KeyedProcessFunction<String, Frame, TokenDelta> {
        static final ValueStateDescriptor<Long> NEXT_SEQ =
                new ValueStateDescriptor<>("bench-identity-next-seq", Types.LONG);
        private static final ByteBuffer EMPTY = ByteBuffer.wrap(new byte[0]);
        private transient ValueState<Long> nextSeq;

        @Override
        public void open(OpenContext openContext) {
            nextSeq = getRuntimeContext().getState(NEXT_SEQ);
        }

        @Override
        public void processElement(Frame frame, Context ctx, Collector<TokenDelta> out)
                throws Exception {
            Long seq = nextSeq.value();
            long deltaSeq = seq == null ? 0 : seq;
            nextSeq.update(deltaSeq + 1);
            out.collect(
                    TokenDelta.newBuilder()
                            .setCameraId(frame.getCameraId())
                            .setDeltaSeq(deltaSeq)
                            .setFrameSeq(frame.getSeq())
                            .setCaptureTime(frame.getCaptureTime())
                            .setEmitTime(Instant.now())
                            .setKind(deltaSeq == 0 ? DeltaKind.KEYFRAME : DeltaKind.DELTA)
                            .setModelId("identity")
                            .setGridRows(0)
                            .setGridCols(0)
                            .setLevels(0)
                            .setKeyMap(EMPTY.duplicate())
                            .setStats(new FrameStats(0, 0, 0, 0, 0, 0f))
                            .build());
        }
    }

    /** Frame records off Kafka, undecoded (as the tokenizer job reads them). */
    static final class RawRecords implements KafkaRecordDeserializationSchema<RawFrameRecord> {
        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) {
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

    /** Deltas as single-object Avro, keyed by camera id. */
    static final class DeltaRecords implements KafkaRecordSerializationSchema<TokenDelta> {
        private final String topic;
        private transient AvroWireCodec<TokenDelta> codec;

        DeltaRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                TokenDelta delta, KafkaSinkContext context, Long timestamp) {
            if (codec == null) {
                codec = AvroWireCodec.forType(TokenDelta.class);
            }
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    CameraKeys.encode(delta.getCameraId()),
                    codec.encode(delta));
        }
    }
}
