package dev.deltatok.cli;

import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.schema.TokenDelta;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads a deltas topic for {@code tail} and {@code view}: a read_committed consumer from the
 * topic's end (or its beginning), woken by Ctrl-C through a shutdown hook that waits for {@link
 * #close()}, or by {@link #stop()} from another thread. One thread reads; {@link #stop()} is safe
 * from any.
 */
final class DeltaReader implements AutoCloseable {

    /** What to do with each poll's records. */
    interface Batch {
        /**
         * @return whether to keep reading
         */
        boolean accept(ConsumerRecords<String, TokenDelta> records) throws Exception;
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, TokenDelta> consumer;
    private final String topic;
    private final boolean fromBeginning;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stopped;

    /**
     * Connects and installs the shutdown hook.
     *
     * @param name names the hook thread ({@code NAME-shutdown})
     * @throws org.apache.kafka.common.KafkaException when the consumer cannot be created
     */
    DeltaReader(KafkaConnection connection, String topic, boolean fromBeginning, String name) {
        this.consumer = Clients.deltaConsumer(connection);
        this.topic = topic;
        this.fromBeginning = fromBeginning;
        this.hook =
                new Thread(
                        () -> {
                            consumer.wakeup();
                            try {
                                closed.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Subscribes and hands every poll's records to {@code batch} until it says stop, {@link
     * #stop()} or Ctrl-C; returns normally in each case.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka fails
     */
    void read(Batch batch) throws Exception {
        consumer.subscribe(
                List.of(topic),
                new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (!fromBeginning) {
                            consumer.seekToEnd(partitions);
                        }
                    }
                });
        try {
            while (!stopped) {
                if (!batch.accept(consumer.poll(POLL))) {
                    return;
                }
            }
        } catch (WakeupException stopping) {
            // Ctrl-C, or stop()
        }
    }

    /** Makes {@link #read} return after the current poll. */
    void stop() {
        stopped = true;
        consumer.wakeup();
    }

    /** Closes the consumer, then lets a waiting shutdown hook finish and removes it. */
    @Override
    public void close() {
        // Stopping other resources (an HTTP server) can leave this thread's interrupt flag set,
        // which would make the consumer's close fail noisily; restore it after the close.
        boolean interrupted = Thread.interrupted();
        try {
            consumer.close();
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
