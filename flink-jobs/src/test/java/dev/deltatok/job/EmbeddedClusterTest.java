package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddedClusterTest {

    private static final TokenizerConfig CONFIG =
            TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs());

    @Test
    void everyServerSocketIsOnLoopbackByDefault() {
        assertThat(EmbeddedCluster.configuration(CONFIG).toMap())
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("jobmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.bind-host", "127.0.0.1")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("pipeline.generic-types", "false");
    }

    @Test
    void onlyTheRestEndpointMovesWhenExposed() {
        assertThat(EmbeddedCluster.configuration(CONFIG, "0.0.0.0").toMap())
                .containsEntry("rest.bind-address", "0.0.0.0")
                .containsEntry("jobmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.bind-host", "127.0.0.1");
        assertThatThrownBy(() -> EmbeddedCluster.configuration(CONFIG, " "))
                .hasMessageContaining("0.0.0.0");
    }
}
