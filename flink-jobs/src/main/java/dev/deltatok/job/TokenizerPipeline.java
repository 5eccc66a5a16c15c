package dev.deltatok.job;

import dev.deltatok.flink.FrameDecodeFunction;
import dev.deltatok.flink.ModelFactory;
import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.flink.TokenizerOperator;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The tokenizer as a function of streams: frames (or raw frame records) in, token deltas and
 * rejections out. {@link TokenizerJob} wires Kafka to it; tests feed it from collections.
 */
public final class TokenizerPipeline {

    /** Operator uids: stable across versions so that savepoints restore. */
    public static final String DECODE_UID = "deltatok-decode";

    public static final String TOKENIZER_UID = "deltatok-tokenizer";

    private TokenizerPipeline() {}

    /** The job's two outputs. */
    public record Streams(DataStream<TokenDelta> deltas, DataStream<RejectedFrame> rejected) {}

    /** From undecoded Kafka records: decoding rejections join the tokenizer's. */
    public static Streams buildFromRecords(
            DataStream<RawFrameRecord> records, TokenizerConfig config, ModelFactory model) {
        SingleOutputStreamOperator<Frame> frames =
                records.process(
                                new FrameDecodeFunction(
                                        config.maxRejectedBytes(), config.overload()))
                        .returns(new AvroTypeInfo<>(Frame.class))
                        .name("decode frames")
                        .uid(DECODE_UID);
        Streams tokenized = build(frames, config, model);
        return new Streams(
                tokenized.deltas(),
                frames.getSideOutput(FrameDecodeFunction.REJECTED).union(tokenized.rejected()));
    }

    /** From decoded frames. */
    public static Streams build(
            DataStream<Frame> frames, TokenizerConfig config, ModelFactory model) {
        SingleOutputStreamOperator<TokenDelta> deltas =
                frames.keyBy(Frame::getCameraId)
                        .transform(
                                "tokenize",
                                new AvroTypeInfo<>(TokenDelta.class),
                                new TokenizerOperator(
                                        model,
                                        config.settings(),
                                        config.batchMaxFrames(),
                                        config.batchMaxDelay(),
                                        config.cameraTtl(),
                                        config.maxRejectedBytes(),
                                        config.overload()))
                        .uid(TOKENIZER_UID);
        return new Streams(deltas, deltas.getSideOutput(FrameDecodeFunction.REJECTED));
    }
}
