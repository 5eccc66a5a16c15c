package dev.deltatok.kafka;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.FrameSerde;
import dev.deltatok.wire.RejectedFrameSerde;
import dev.deltatok.wire.TokenDeltaSerde;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients for deltatok's topics, configured the way the tools need them, with the
 * security settings of a {@link KafkaConnection} (a bootstrap-servers string alone means
 * PLAINTEXT).
 */
public final class Clients {
    private Clients() {}

    /**
     * A frame producer: keyed by camera id, large records allowed, idempotent, one request in
     * flight (order per camera survives retries), and patient timeouts so that a loaded broker
     * slows producers down instead of expiring frames.
     */
    public static KafkaProducer<String, Frame> frameProducer(String bootstrapServers) {
        return frameProducer(KafkaConnection.plaintext(bootstrapServers));
    }

    /** {@link #frameProducer(String)} with the connection's security settings. */
    public static KafkaProducer<String, Frame> frameProducer(KafkaConnection connection) {
        return frameProducer(connection, Duration.ofMinutes(1));
    }

    /**
     * {@link #frameProducer(String)} whose {@code send} waits up to {@code maxBlock} for the
     * metadata of a broker that is away, instead of failing the frame after a minute.
     */
    public static KafkaProducer<String, Frame> frameProducer(
            String bootstrapServers, Duration maxBlock) {
        return frameProducer(KafkaConnection.plaintext(bootstrapServers), maxBlock);
    }

    /** {@link #frameProducer(String, Duration)} with the connection's security settings. */
    public static KafkaProducer<String, Frame> frameProducer(
            KafkaConnection connection, Duration maxBlock) {
        Properties p = connection.clientProperties();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 134217728L);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return new KafkaProducer<>(orderedAndPatient(p), new StringSerializer(), new FrameSerde());
    }

    /**
     * Acknowledged by every replica, one request in flight (a retried batch cannot overtake the
     * next one), and patient timeouts. With the client defaults (five requests in flight, 30 s
     * request timeout, 120 s delivery timeout) a request that timed out on a loaded broker was
     * retried into OutOfOrderSequenceException until its batch expired: the first records of a
     * partition were lost while later ones arrived.
     */
    private static Properties orderedAndPatient(Properties p) {
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
        return p;
    }

    /**
     * A delta producer, for tools and tests that republish deltas (the job writes its own through
     * its sink); ordered and patient like {@link #frameProducer(String)}.
     */
    public static KafkaProducer<String, TokenDelta> deltaProducer(String bootstrapServers) {
        Properties p = KafkaConnection.plaintext(bootstrapServers).clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        return new KafkaProducer<>(
                orderedAndPatient(p), new StringSerializer(), new TokenDeltaSerde());
    }

    /**
     * A producer of raw bytes, for tests and tools that write arbitrary (even bad) records; ordered
     * and patient like {@link #frameProducer(String)}.
     */
    public static KafkaProducer<byte[], byte[]> rawProducer(String bootstrapServers) {
        return rawProducer(KafkaConnection.plaintext(bootstrapServers));
    }

    /** {@link #rawProducer(String)} with the connection's security settings. */
    public static KafkaProducer<byte[], byte[]> rawProducer(KafkaConnection connection) {
        Properties p = connection.clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        return new KafkaProducer<>(
                orderedAndPatient(p),
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** A read_committed delta consumer in a fresh group, reading from the earliest offsets. */
    public static KafkaConsumer<String, TokenDelta> deltaConsumer(String bootstrapServers) {
        return deltaConsumer(KafkaConnection.plaintext(bootstrapServers));
    }

    /** {@link #deltaConsumer(String)} with the connection's security settings. */
    public static KafkaConsumer<String, TokenDelta> deltaConsumer(KafkaConnection connection) {
        return new KafkaConsumer<>(
                consumerProps(connection), new StringDeserializer(), new TokenDeltaSerde());
    }

    /**
     * A frame consumer in a fresh group, reading from the earliest offsets, fetching at most 8 MiB
     * per partition (more when one frame is larger) so that a reader that only keeps the latest
     * frame per camera stays small.
     */
    public static KafkaConsumer<String, Frame> frameConsumer(String bootstrapServers) {
        return frameConsumer(KafkaConnection.plaintext(bootstrapServers));
    }

    /** {@link #frameConsumer(String)} with the connection's security settings. */
    public static KafkaConsumer<String, Frame> frameConsumer(KafkaConnection connection) {
        Properties c = consumerProps(connection);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        return new KafkaConsumer<>(c, new StringDeserializer(), new FrameSerde());
    }

    public static KafkaConsumer<String, RejectedFrame> rejectedConsumer(String bootstrapServers) {
        return rejectedConsumer(KafkaConnection.plaintext(bootstrapServers));
    }

    public static KafkaConsumer<String, RejectedFrame> rejectedConsumer(
            KafkaConnection connection) {
        return new KafkaConsumer<>(
                consumerProps(connection), new StringDeserializer(), new RejectedFrameSerde());
    }

    /**
     * Settings of an admin client: the connection's security settings with short timeouts, so that
     * an unreachable cluster is reported within seconds.
     */
    public static Properties adminProperties(KafkaConnection connection) {
        Properties p = connection.clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return p;
    }

    private static Properties consumerProps(KafkaConnection connection) {
        Properties c = connection.clientProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "deltatok-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 33554432);
        return c;
    }
}
