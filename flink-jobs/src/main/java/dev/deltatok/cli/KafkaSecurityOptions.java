package dev.deltatok.cli;

import dev.deltatok.kafka.KafkaConnection;
import picocli.CommandLine.Option;

/**
 * The {@code --kafka.properties-file} option every command that talks to a Kafka cluster shares
 * (mixed in with picocli's {@code @Mixin}), defaulting to the file {@code
 * $DELTATOK_KAFKA_PROPERTIES} names, so one file secures every command and the job.
 */
final class KafkaSecurityOptions {

    /** The environment variable naming the default properties file. */
    static final String ENVIRONMENT_VARIABLE = "DELTATOK_KAFKA_PROPERTIES";

    @Option(
            names = KafkaConnection.PROPERTIES_FILE_OPTION,
            paramLabel = "FILE",
            defaultValue = "${env:" + ENVIRONMENT_VARIABLE + "}",
            description =
                    "Java properties file of Kafka client settings for a secured cluster"
                            + " (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*);"
                            + " default: the file $"
                            + ENVIRONMENT_VARIABLE
                            + " names, if set. Credentials belong in this file, never on the"
                            + " command line.")
    String propertiesFile;

    /**
     * The cluster at {@code bootstrapServers} with this option's settings.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    KafkaConnection connection(String bootstrapServers) {
        return KafkaConnection.of(bootstrapServers, propertiesFile);
    }

    /** The default file for {@code deltatok run}, whose job options are not picocli options. */
    static String fromEnvironment() {
        String file = System.getenv(ENVIRONMENT_VARIABLE);
        return file == null || file.isBlank() ? null : file;
    }
}
