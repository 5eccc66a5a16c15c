package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --kafka.properties-file}: security settings reach the source and both sinks. */
class KafkaClientPropertiesTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"deltatok\" password=\"s3cret-pw\";";

    @TempDir Path dir;

    private Path clientProperties() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-512",
                        "sasl.jaas.config=" + JAAS.replace("\"", "\\\""),
                        "ssl.truststore.location=/etc/deltatok/kafka/ca.p12",
                        "bootstrap.servers=from-file:9092",
                        "transaction.timeout.ms=60000",
                        ""));
        return file;
    }

    private static TokenizerConfig config(String... args) {
        return TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs(args));
    }

    @Test
    void appliesTheFileToConsumerAndProducerWithTheJobsOptionsOnTop() throws IOException {
        TokenizerConfig config =
                config(
                        "--kafka.bootstrap-servers",
                        "broker:9093",
                        "--kafka.properties-file",
                        clientProperties().toString());

        for (Properties props :
                new Properties[] {
                    TokenizerJob.consumerProperties(config), TokenizerJob.producerProperties(config)
                }) {
            assertThat(props)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/deltatok/kafka/ca.p12")
                    .containsEntry("bootstrap.servers", "broker:9093");
        }
        assertThat(TokenizerJob.producerProperties(config))
                .as("the exactly-once sink's transaction timeout is the job's")
                .containsEntry("transaction.timeout.ms", "900000");
        // The sources and sinks build with these properties.
        assertThat(TokenizerJob.source(config)).isNotNull();
    }

    @Test
    void withoutTheOptionTheClientsGetOnlyTheJobsSettings() {
        TokenizerConfig config = config("--kafka.bootstrap-servers", "broker:9093");
        assertThat(TokenizerJob.consumerProperties(config))
                .containsEntry("bootstrap.servers", "broker:9093")
                .doesNotContainKey("security.protocol");
        assertThat(TokenizerJob.producerProperties(config)).doesNotContainKey("security.protocol");
    }

    @Test
    void aMissingFileFailsNamingTheOptionAndPath() {
        String missing = dir.resolve("nope.properties").toString();
        TokenizerConfig config = config("--kafka.properties-file", missing);
        assertThatThrownBy(() -> TokenizerJob.consumerProperties(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka.properties-file")
                .hasMessageContaining(missing);
    }

    @Test
    void theConfigCarriesThePathNeverTheSecrets() throws IOException {
        TokenizerConfig config = config("--kafka.properties-file", clientProperties().toString());
        assertThat(config.toString()).contains("client.properties").doesNotContain("s3cret-pw");
        assertThat(config.flinkConfiguration().toMap().toString()).doesNotContain("s3cret-pw");
    }
}
