package dev.deltatok.cli;

import dev.deltatok.kafka.Clients;
import dev.deltatok.schema.TokenDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A read_committed consumer of a deltas topic on its own thread, from the earliest offset, that
 * keeps every delta in arrival order with the time it arrived; it rides out broker outages the way
 * any consumer does.
 */
final class DeltaCollector implements AutoCloseable {

    /** A delta and when this consumer received it ({@link System#nanoTime()}). */
    record Arrival(TokenDelta delta, long nanos) {}

    private final List<Arrival> arrivals = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    DeltaCollector(String bootstrapServers, String topic) {
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<String, TokenDelta> consumer =
                                    Clients.deltaConsumer(bootstrapServers)) {
                                // Assigned, not subscribed: a group rebalance while the broker
                                // is away would move the position back to the last committed
                                // offset and read deltas twice; the log's content is what counts.
                                List<TopicPartition> partitions = List.of();
                                while (running && partitions.isEmpty()) {
                                    partitions =
                                            consumer.partitionsFor(topic).stream()
                                                    .map(
                                                            p ->
                                                                    new TopicPartition(
                                                                            topic, p.partition()))
                                                    .toList();
                                    if (partitions.isEmpty()) {
                                        Thread.sleep(100);
                                    }
                                }
                                consumer.assign(partitions);
                                consumer.seekToBeginning(partitions);
                                while (running) {
                                    for (ConsumerRecord<String, TokenDelta> r :
                                            consumer.poll(Duration.ofMillis(200))) {
                                        synchronized (arrivals) {
                                            arrivals.add(new Arrival(r.value(), System.nanoTime()));
                                        }
                                    }
                                }
                            } catch (Throwable t) {
                                failure = t;
                            }
                        },
                        "delta-collector-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    int count() {
        check();
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    List<Arrival> arrivals() {
        check();
        synchronized (arrivals) {
            return new ArrayList<>(arrivals);
        }
    }

    List<TokenDelta> deltas() {
        return arrivals().stream().map(Arrival::delta).toList();
    }

    /** Waits until at least {@code n} deltas arrived; fails naming {@code what} otherwise. */
    void awaitCount(int n, Duration timeout, String what) throws InterruptedException {
        await(
                () -> count() >= n,
                timeout,
                () -> what + ": " + n + " deltas (have " + count() + ")");
    }

    /** Waits for {@code condition}, polling; throws an AssertionError naming it at the deadline. */
    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout + " waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("the delta consumer failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
