package dev.deltatok.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

    @TempDir Path dir;

    private Path securedFile() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.write(
                file,
                List.of(
                        "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-256",
                        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                                + " required username=\"app\" password=\"s3cret-pw\";",
                        "ssl.truststore.location=/etc/ca.p12",
                        "ssl.truststore.password=ts-s3cret",
                        "bootstrap.servers=ignored:1"));
        return file;
    }

    @Test
    void everyClientGetsTheFilesSettingsWithTheGivenBootstrapServers() throws IOException {
        KafkaConnection connection = KafkaConnection.of("kafka:9093", securedFile().toString());

        assertThat(connection.clientProperties())
                .containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.password", "ts-s3cret");
        assertThat(Clients.adminProperties(connection))
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsKey("default.api.timeout.ms");
    }

    @Test
    void describesTheClusterWithoutItsCredentials() throws IOException {
        Path file = securedFile();
        KafkaConnection connection = KafkaConnection.of("kafka:9093", file.toString());

        assertThat(connection.describe())
                .isEqualTo("kafka:9093 (SASL_SSL, SCRAM-SHA-256, settings from " + file + ")");
        assertThat(connection.toString() + connection.credentialsHint())
                .contains("ssl.truststore.location=/etc/ca.p12")
                .doesNotContain("s3cret");
        assertThat(connection.redactedSettings())
                .containsEntry("sasl.jaas.config", Secrets.MASK)
                .containsEntry("ssl.truststore.password", Secrets.MASK);
    }

    @Test
    void withoutAFileTheClusterIsPlaintext() {
        KafkaConnection connection = KafkaConnection.of("127.0.0.1:9092", " ");

        assertThat(connection.securityProtocol()).isEqualTo("PLAINTEXT");
        assertThat(connection.describe()).isEqualTo("127.0.0.1:9092");
        assertThat(connection.clientProperties()).containsOnlyKeys("bootstrap.servers");
        assertThat(connection.credentialsHint()).contains("--kafka.properties-file");
    }

    @Test
    void anUnreadableFileIsNamedButNeverQuoted() {
        Path missing = dir.resolve("missing.properties");

        assertThatThrownBy(() -> KafkaConnection.of("kafka:9093", missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka.properties-file")
                .hasMessageContaining(missing.toString());
    }
}
