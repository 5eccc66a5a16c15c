package dev.deltatok.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a Kafka cluster is and how to talk to it: bootstrap servers plus the client settings of a
 * properties file (security.protocol, sasl.*, ssl.*). Every Kafka client deltatok makes, in the job
 * and in the command line, is configured from one of these. {@link #toString()} and every message
 * show settings that hold credentials as {@value Secrets#MASK}.
 */
public final class KafkaConnection {

    /** The name the properties file goes by in messages: the job's and the CLI's option. */
    public static final String PROPERTIES_FILE_OPTION = "--kafka.properties-file";

    private final String bootstrapServers;
    private final Map<String, String> settings;
    private final String propertiesFile;

    private KafkaConnection(
            String bootstrapServers, Map<String, String> settings, String propertiesFile) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers must be host:port[,...]");
        }
        this.bootstrapServers = bootstrapServers;
        this.settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        this.propertiesFile = propertiesFile;
    }

    /** A cluster reached without security settings (PLAINTEXT), like the demo's broker. */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of(), null);
    }

    /**
     * A cluster reached with the settings of {@code propertiesFile}, or without any when it is null
     * or blank.
     *
     * @throws IllegalArgumentException naming the file, never its contents, when it cannot be read
     */
    public static KafkaConnection of(String bootstrapServers, String propertiesFile) {
        if (propertiesFile == null || propertiesFile.isBlank()) {
            return plaintext(bootstrapServers);
        }
        Map<String, String> settings = new TreeMap<>();
        load(propertiesFile).forEach((k, v) -> settings.put(k.toString(), v.toString()));
        return new KafkaConnection(bootstrapServers, settings, propertiesFile);
    }

    /**
     * The settings of a Java properties file.
     *
     * @throws IllegalArgumentException naming the file and what went wrong, never its contents,
     *     which usually hold credentials
     */
    public static Properties load(String propertiesFile) {
        Properties props = new Properties();
        Path file = Path.of(propertiesFile);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cannot read "
                            + PROPERTIES_FILE_OPTION
                            + " '"
                            + propertiesFile
                            + "': "
                            + e.getClass().getSimpleName());
        }
        return props;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The file's path, or null when the settings are not from a file. */
    public String propertiesFile() {
        return propertiesFile;
    }

    /** A fresh copy of the client settings, with {@code bootstrap.servers} set. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(settings);
        props.setProperty("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** The security protocol the settings ask for, PLAINTEXT when they name none. */
    public String securityProtocol() {
        return settings.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /**
     * For messages: the servers and how they are reached, e.g. {@code kafka:9093 (SASL_SSL,
     * SCRAM-SHA-512, settings from /etc/deltatok/kafka.properties)}.
     */
    public String describe() {
        if (propertiesFile == null) {
            return bootstrapServers;
        }
        StringBuilder s =
                new StringBuilder(bootstrapServers).append(" (").append(securityProtocol());
        String mechanism = settings.get("sasl.mechanism");
        if (mechanism != null && securityProtocol().startsWith("SASL")) {
            s.append(", ").append(mechanism);
        }
        return s.append(", settings from ").append(propertiesFile).append(')').toString();
    }

    /** What to check when the cluster refuses this client: names the option and the file. */
    public String credentialsHint() {
        return propertiesFile == null
                ? "pass "
                        + PROPERTIES_FILE_OPTION
                        + " with the cluster's security.protocol, sasl.* and ssl.* settings"
                : "check the credentials (sasl.jaas.config) and TLS settings (ssl.truststore.*) in "
                        + PROPERTIES_FILE_OPTION
                        + " "
                        + propertiesFile;
    }

    /** The settings with credentials masked. */
    public Map<String, String> redactedSettings() {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((k, v) -> shown.put(k, Secrets.isSecret(k) ? Secrets.MASK : v));
        return shown;
    }

    @Override
    public String toString() {
        return "KafkaConnection{" + bootstrapServers + ", " + redactedSettings() + "}";
    }
}
