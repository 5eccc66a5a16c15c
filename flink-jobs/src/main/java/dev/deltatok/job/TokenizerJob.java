package dev.deltatok.job;

import dev.deltatok.flink.ModelFactory;
import dev.deltatok.flink.OnnxModelFactory;
import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The tokenizer job: Kafka frames topic to the tokenizer pipeline to the deltas and rejected
 * topics. {@code main} takes {@code --key value} options (see {@link TokenizerOptions}); it is the
 * entry point of the shaded jar under {@code flink run}.
 */
public final class TokenizerJob {

    public static final String SOURCE_UID = "deltatok-frames-source";
    public static final String DELTA_SINK_UID = "deltatok-deltas-sink";
    public static final String REJECTED_SINK_UID = "deltatok-rejected-sink";

    /**
     * How long the job's Kafka clients wait for an unreachable broker before the job fails and
     * restarts from its last checkpoint: 2 minutes (Kafka's default delivery timeout; its default
     * metadata and API waits are 1 minute).
     */
    public static final long OUTAGE_TOLERANCE_MS = 120_000;

    private TokenizerJob() {}

    public static void main(String[] args) throws Exception {
        TokenizerConfig config = TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs(args));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
        wire(env, config, modelFactory(config));
        env.execute("deltatok tokenizer");
    }

    /** Starts the job without waiting for it, e.g. on a MiniCluster from the command line. */
    public static JobClient start(StreamExecutionEnvironment env, TokenizerConfig config)
            throws Exception {
        wire(env, config, modelFactory(config));
        return env.executeAsync("deltatok tokenizer");
    }

    /** The ONNX model the configuration names (manifest, threads, execution provider). */
    public static ModelFactory modelFactory(TokenizerConfig config) {
        return new OnnxModelFactory(
                config.modelManifest(), config.modelThreads(), config.modelProvider());
    }

    /** Adds source, pipeline and sinks to {@code env}. */
    public static void wire(
            StreamExecutionEnvironment env, TokenizerConfig config, ModelFactory model) {
        DataStream<RawFrameRecord> records =
                env.fromSource(source(config), WatermarkStrategy.noWatermarks(), "frames")
                        .uid(SOURCE_UID);
        TokenizerPipeline.Streams streams =
                TokenizerPipeline.buildFromRecords(records, config, model);
        streams.deltas()
                .sinkTo(
                        sink(
                                config,
                                new CameraKeyedSerializer<>(
                                        config.deltasTopic(),
                                        TokenDelta.class,
                                        TokenDelta::getCameraId),
                                "-deltas"))
                .name("deltas")
                .uid(DELTA_SINK_UID);
        streams.rejected()
                .sinkTo(
                        sink(
                                config,
                                new CameraKeyedSerializer<>(
                                        config.rejectedTopic(),
                                        RejectedFrame.class,
                                        RejectedFrame::getCameraId),
                                "-rejected"))
                .name("rejected")
                .uid(REJECTED_SINK_UID);
    }

    /** The frames source: undecoded records, so that no value can fail the source. */
    public static KafkaSource<RawFrameRecord> source(TokenizerConfig config) {
        KafkaSourceBuilder<RawFrameRecord> builder =
                KafkaSource.<RawFrameRecord>builder()
                        .setProperties(consumerProperties(config))
                        .setBootstrapServers(config.bootstrapServers())
                        .setTopics(config.framesTopic())
                        .setGroupId(config.groupId())
                        .setDeserializer(new RawFrameDeserializer())
                        .setStartingOffsets(
                                switch (config.startingOffsets()) {
                                    case COMMITTED ->
                                            OffsetsInitializer.committedOffsets(
                                                    OffsetResetStrategy.EARLIEST);
                                    case EARLIEST -> OffsetsInitializer.earliest();
                                    case LATEST -> OffsetsInitializer.latest();
                                });
        if (config.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Client settings of the frames source: {@code --kafka.properties-file} (security settings)
     * with the job's own options set over it.
     */
    public static Properties consumerProperties(TokenizerConfig config) {
        Properties consumer = config.kafkaClientProperties();
        consumer.setProperty("bootstrap.servers", config.bootstrapServers());
        consumer.setProperty("partition.discovery.interval.ms", "10000");
        consumer.setProperty("commit.offsets.on.checkpoint", "true");
        // The source's partition discovery lists topics with this timeout; a broker outage
        // shorter than it does not fail the job.
        consumer.setProperty("default.api.timeout.ms", Long.toString(OUTAGE_TOLERANCE_MS));
        return consumer;
    }

    /**
     * Client settings of the sinks: {@code --kafka.properties-file} with the job's producer
     * settings set over it (the 15 min transaction timeout the exactly-once sink relies on, the 32
     * MiB request size the topics allow, and waits that ride out a broker outage of up to {@link
     * #OUTAGE_TOLERANCE_MS}).
     */
    public static Properties producerProperties(TokenizerConfig config) {
        Properties producer = config.kafkaClientProperties();
        producer.setProperty("bootstrap.servers", config.bootstrapServers());
        producer.setProperty("transaction.timeout.ms", "900000");
        // While the broker is away a send waits for metadata (max.block.ms) and a sent record for
        // its acknowledgement (delivery.timeout.ms); past either the sink fails and the job
        // restarts from its last checkpoint, exactly once either way.
        producer.setProperty("max.block.ms", Long.toString(OUTAGE_TOLERANCE_MS));
        producer.setProperty("delivery.timeout.ms", Long.toString(OUTAGE_TOLERANCE_MS));
        producer.setProperty("max.request.size", "33554432");
        producer.setProperty("linger.ms", "2");
        return producer;
    }

    /** A sink with the job's producer settings and delivery guarantee. */
    public static <T> KafkaSink<T> sink(
            TokenizerConfig config,
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer,
            String idSuffix) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(
                        config.delivery() == TokenizerOptions.Delivery.EXACTLY_ONCE
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + idSuffix)
                .build();
    }
}
