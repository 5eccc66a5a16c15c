package dev.deltatok.kafka;

import dev.deltatok.job.TokenizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
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
                config.kafkaConnection(),
                List.of(config.framesTopic(), config.deltasTopic(), config.rejectedTopic()),
                DEFAULT_PARTITIONS,
                create);
    }

    public static void ensure(
            String bootstrapServers, List<String> topics, int partitions, boolean create) {
        ensure(KafkaConnection.plaintext(bootstrapServers), topics, partitions, create);
    }

    /**
     * Verifies the cluster is reachable and accepts this client's credentials, and that {@code
     * topics} exist, creating missing ones when asked.
     *
     * @throws IllegalStateException naming the cluster, the missing topics or the refused
     *     credentials, and the fix; never a credential
     */
    public static void ensure(
            KafkaConnection connection, List<String> topics, int partitions, boolean create) {
        String bootstrapServers = connection.describe();
        try (Admin admin = admin(connection)) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw unreachable(connection, e.getCause());
            } catch (TimeoutException e) {
                throw unreachable(connection, e);
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
                            "cannot create topics "
                                    + missing
                                    + " on "
                                    + bootstrapServers
                                    + ": "
                                    + Secrets.redact(e.getCause().getMessage()));
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating topics " + missing, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * An admin client of the connection.
     *
     * @throws IllegalStateException when the settings cannot make a client (a JAAS line that does
     *     not parse, a missing truststore), with the reason and never a credential
     */
    public static Admin admin(KafkaConnection connection) {
        try {
            return Admin.create(Clients.adminProperties(connection));
        } catch (KafkaException e) {
            throw new IllegalStateException(
                    "cannot set up a Kafka client for "
                            + connection.describe()
                            + ": "
                            + rootMessage(e)
                            + "; "
                            + connection.credentialsHint());
        }
    }

    /** The error for a cluster that did not answer a request, or refused the client. */
    static IllegalStateException unreachable(KafkaConnection connection, Throwable cause) {
        if (cause instanceof AuthenticationException) {
            // SaslAuthenticationException (wrong user or password), SslAuthenticationException
            // (an untrusted certificate, a TLS handshake failure)
            return new IllegalStateException(
                    "Kafka at "
                            + connection.describe()
                            + " refused the connection: "
                            + Secrets.redact(withRootCause(cause))
                            + "; "
                            + connection.credentialsHint());
        }
        if (cause instanceof AuthorizationException) {
            return new IllegalStateException(
                    "Kafka at "
                            + connection.describe()
                            + " does not authorize this client: "
                            + Secrets.redact(cause.getMessage())
                            + "; the cluster's ACLs must allow it to describe and use the topics");
        }
        String hint =
                connection.propertiesFile() == null
                        ? ": is the broker running and is --bootstrap-servers right? (a secured"
                                + " cluster needs "
                                + KafkaConnection.PROPERTIES_FILE_OPTION
                                + ")"
                        : ": is the broker running, is --bootstrap-servers right and does the"
                                + " listener speak "
                                + connection.securityProtocol()
                                + "?";
        return new IllegalStateException("cannot reach Kafka at " + connection.describe() + hint);
    }

    /** "SSL handshake failed" says little; the TLS error under it says which certificate. */
    private static String withRootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e || root.getMessage() == null
                ? e.getMessage()
                : e.getMessage() + " (" + root.getMessage() + ")";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return Secrets.redact(root.getClass().getSimpleName() + ": " + root.getMessage());
    }
}
