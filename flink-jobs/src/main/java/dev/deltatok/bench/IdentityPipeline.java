package dev.deltatok.bench;

import dev.deltatok.flink.FrameDecodeFunction;
import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.job.CameraKeyedSerializer;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.job.TokenizerJob;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

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
        KafkaSource<RawFrameRecord> source = TokenizerJob.source(config);
        KafkaSink<TokenDelta> sink =
                TokenizerJob.sink(
                        config,
                        new CameraKeyedSerializer<>(
                                config.deltasTopic(), TokenDelta.class, TokenDelta::getCameraId),
                        "-identity");
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
                            .setStats(
                                    new FrameStats(
                                            0,
                                            0,
                                            0,
                                            0,
                                            0,
                                            0f,
                                            deltaSeq == 0
                                                    ? KeyframeReason.FIRST_FRAME
                                                    : KeyframeReason.NONE,
                                            0,
                                            1.0f))
                            .build());
        }
    }
}
