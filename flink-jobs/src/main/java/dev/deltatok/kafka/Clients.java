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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for deltatok's topics, configured the way the tools need them. */
public final class Clients {
    private Clients() {}

    /**
     * A frame producer: keyed by camera id, large records allowed, idempotent, one request in
     * flight (order per camera survives retries), and patient timeouts so that a loaded broker
     * slows producers down instead of expiring frames.
     */
    public static KafkaProducer<String, Frame> frameProducer(String bootstrapServers) {
        return frameProducer(bootstrapServers, Duration.ofMinutes(1));
    }

    /**
     * {@link #frameProducer(String)} whose {@code send} waits up to {@code maxBlock} for the
     * metadata of a broker that is away, instead of failing the frame after a minute.
     */
    public static KafkaProducer<String, Frame> frameProducer(
            String bootstrapServers, Duration maxBlock) {
        Properties p = new Properties();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 134217728L);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
        return new KafkaProducer<>(p, new StringSerializer(), new FrameSerde());
    }

    /** A producer of raw bytes, for tests and tools that write arbitrary (even bad) records. */
    public static KafkaProducer<byte[], byte[]> rawProducer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 33554432);
        return new KafkaProducer<>(
                p,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** A read_committed delta consumer in a fresh group, reading from the earliest offsets. */
    public static KafkaConsumer<String, TokenDelta> deltaConsumer(String bootstrapServers) {
        return new KafkaConsumer<>(
                consumerProps(bootstrapServers), new StringDeserializer(), new TokenDeltaSerde());
    }

    public static KafkaConsumer<String, RejectedFrame> rejectedConsumer(String bootstrapServers) {
        return new KafkaConsumer<>(
                consumerProps(bootstrapServers),
                new StringDeserializer(),
                new RejectedFrameSerde());
    }

    private static Properties consumerProps(String bootstrapServers) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "deltatok-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 33554432);
        return c;
    }
}
