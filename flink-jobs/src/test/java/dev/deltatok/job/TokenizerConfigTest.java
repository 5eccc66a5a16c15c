package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.model.OnnxTokenizerModel;
import java.time.Duration;
import org.apache.flink.configuration.ExecutionOptions;
import org.junit.jupiter.api.Test;

class TokenizerConfigTest {

    @Test
    void readsTypedValuesFromArguments() {
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(
                                "--kafka.bootstrap-servers",
                                "broker:9092",
                                "--tokenizer.mode",
                                "full",
                                "--batch.max-delay",
                                "20ms",
                                "--state.backend",
                                "ROCKSDB",
                                "--limits.max-payload=8mb",
                                "--model.execution-provider",
                                "cuda"));
        assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(config.settings().mode()).isEqualTo(TokenizerMode.FULL);
        assertThat(config.batchMaxDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(config.stateBackend()).isEqualTo(TokenizerOptions.StateBackend.ROCKSDB);
        assertThat(config.settings().frameLimits().maxPayloadBytes()).isEqualTo(8 << 20);
        assertThat(config.modelProvider()).isEqualTo(OnnxTokenizerModel.ExecutionProvider.CUDA);
        assertThat(config.flinkConfiguration().toMap())
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("pipeline.generic-types", "false");
    }

    @Test
    void defaultsNeedNoArguments() {
        TokenizerConfig config = TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs());
        assertThat(config.framesTopic()).isEqualTo("deltatok.frames");
        assertThat(config.delivery()).isEqualTo(TokenizerOptions.Delivery.EXACTLY_ONCE);
        assertThat(config.modelProvider()).isEqualTo(OnnxTokenizerModel.ExecutionProvider.CPU);
        assertThat(config.flinkConfiguration().toMap())
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE");
    }

    @Test
    void atLeastOnceDeliveryCheckpointsWithoutBarrierAlignment() {
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs("--kafka.delivery", "AT_LEAST_ONCE"));
        assertThat(config.flinkConfiguration().toMap())
                .containsEntry("execution.checkpointing.mode", "AT_LEAST_ONCE");
    }

    @Test
    void exactlyOnceCheckpointsUnalignedUnlessTurnedOff() {
        String key = "execution.checkpointing.unaligned.enabled";
        assertThat(
                        TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs())
                                .flinkConfiguration()
                                .toMap())
                .containsEntry(key, "true");
        assertThat(
                        TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs(
                                                "--checkpoint.unaligned", "false"))
                                .flinkConfiguration()
                                .toMap())
                .doesNotContainKey(key);
        assertThat(
                        TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs(
                                                "--kafka.delivery", "AT_LEAST_ONCE"))
                                .flinkConfiguration()
                                .toMap())
                .doesNotContainKey(key);
    }

    @Test
    void networkBuffersFlushWithinTheBufferTimeout() {
        TokenizerConfig defaults = TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs());
        assertThat(defaults.flinkConfiguration().get(ExecutionOptions.BUFFER_TIMEOUT))
                .isEqualTo(Duration.ofMillis(5));
        TokenizerConfig zero =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs("--network.buffer-timeout", "0 ms"));
        assertThat(zero.flinkConfiguration().get(ExecutionOptions.BUFFER_TIMEOUT))
                .isEqualTo(Duration.ZERO);
        assertThatThrownBy(
                        () ->
                                TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs(
                                                "--network.buffer-timeout", "-1 ms")))
                .hasMessageContaining("network.buffer-timeout");
    }

    @Test
    void refusesUnknownOptionsNamingTheKnownOnes() {
        assertThatThrownBy(() -> TokenizerConfig.parseArgs("--kafka.bootstrap-server", "x"))
                .hasMessageContaining("unknown option --kafka.bootstrap-server")
                .hasMessageContaining("kafka.bootstrap-servers");
    }

    @Test
    void refusesMalformedValuesNamingTheKey() {
        assertThatThrownBy(() -> TokenizerConfig.parseArgs("--batch.max-frames", "many"))
                .hasMessageContaining("--batch.max-frames")
                .hasMessageContaining("many");
    }

    @Test
    void refusesOutOfRangeValuesNamingTheAcceptedRange() {
        assertThatThrownBy(
                        () ->
                                TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs("--batch.max-frames", "0")))
                .hasMessageContaining("--batch.max-frames")
                .hasMessageContaining(">= 1");
        assertThatThrownBy(
                        () ->
                                TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs(
                                                "--tokenizer.scene-cut-fraction", "1.5")))
                .hasMessageContaining("sceneCutFraction")
                .hasMessageContaining("1.5");
    }

    @Test
    void readsTheOverloadPolicy() {
        TokenizerConfig defaults = TokenizerConfig.fromConfiguration(TokenizerConfig.parseArgs());
        TokenizerConfig off =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(
                                "--tokenizer.overload-policy", "OFF",
                                "--tokenizer.latency-target", "250ms",
                                "--tokenizer.min-budget-scale", "0.5"));

        assertThat(defaults.overload())
                .isEqualTo(dev.deltatok.overload.OverloadSettings.defaults());
        assertThat(defaults.overload().enabled()).isTrue();
        assertThat(off.overload().enabled()).isFalse();
        assertThat(off.overload().latencyTarget()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(off.overload().minBudgetScale()).isEqualTo(0.5);
        assertThatThrownBy(
                        () ->
                                TokenizerConfig.fromConfiguration(
                                        TokenizerConfig.parseArgs(
                                                "--tokenizer.min-budget-scale", "0")))
                .hasMessageContaining("invalid overload setting")
                .hasMessageContaining("minBudgetScale must be in (0, 1], got 0.0");
    }
}
