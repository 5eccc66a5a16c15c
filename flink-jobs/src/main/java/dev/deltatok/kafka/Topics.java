package dev.deltatok.kafka;

import dev.deltatok.job.TokenizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Checks and creates the job's topics, with errors that say what to do. */
public final class Topics {
    private Topics() {}

    /** Partitions of topics created by deltatok: cameras spread over them by key. */
    public static final int DEFAULT_PARTITIONS = 4;

    /**
     * Verifies the broker is reachable and the job's topics exist, creating missing ones when
     * asked.
     *
     * @throws IllegalStateException naming the broker or the missing topics and the fix
     */
    public static void check(TokenizerConfig config, boolean create) {
        ensure(
                config.bootstrapServers(),
                List.of(config.framesTopic(), config.deltasTopic(), config.rejectedTopic()),
                DEFAULT_PARTITIONS,
                create);
    }

    public static void ensure(
            String bootstrapServers, List<String> topics, int partitions, boolean create) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException(
                        "cannot reach Kafka at "
                                + bootstrapServers
                                + ": is the broker running and is --bootstrap-servers right?",
                        e);
            }
            List<String> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(topic);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (!create) {
                throw new IllegalStateException(
                        "missing topic(s) "
                                + missing
                                + " on "
                                + bootstrapServers
                                + ": create them (deploy/topics.sh) or pass --create-topics");
            }
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : missing) {
                newTopics.add(
                        new NewTopic(topic, partitions, (short) 1)
                                .configs(Map.of("max.message.bytes", "33554432")));
            }
            try {
                admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "cannot create topics " + missing + ": " + e.getCause().getMessage(),
                            e);
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating topics " + missing, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
