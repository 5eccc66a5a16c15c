package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.kafka.Topics;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.wire.FrameSerde;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code deltatok produce} against a real Kafka broker. */
@Timeout(180)
class ProduceCommandITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void publishesGapFreeFramesPerCameraKeyedByCameraId() {
        String topic = "frames-" + UUID.randomUUID();
        Topics.ensure(KAFKA.bootstrapServers(), List.of(topic), 4, true);
        StringWriter err = new StringWriter();

        int exit =
                DeltatokCli.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "produce",
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--topic",
                                topic,
                                "--camera-id",
                                "door",
                                "--cameras",
                                "2",
                                "--input",
                                "synthetic:corridor",
                                "--fps",
                                "max",
                                "--frames",
                                "15",
                                "--size",
                                "64x48",
                                "--format",
                                "JPEG");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains("sent 30");
        Map<String, List<Long>> seqs = new TreeMap<>();
        for (Frame frame : readFrames(topic, 30)) {
            assertThat(frame.getFormat()).isEqualTo(PixelFormat.JPEG);
            assertThat(frame.getWidth()).isEqualTo(64);
            seqs.computeIfAbsent(frame.getCameraId(), c -> new ArrayList<>()).add(frame.getSeq());
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 15; i++) {
            expected.add(i);
        }
        assertThat(seqs).containsOnlyKeys("door-0", "door-1");
        assertThat(seqs.get("door-0")).isEqualTo(expected);
        assertThat(seqs.get("door-1")).isEqualTo(expected);
    }

    @Test
    void missingTopicSuggestsCreateTopics() {
        StringWriter err = new StringWriter();

        int exit =
                DeltatokCli.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "produce",
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--topic",
                                "absent-" + UUID.randomUUID(),
                                "--input",
                                "synthetic:static",
                                "--frames",
                                "1");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("missing topic").contains("--create-topics");
    }

    private static List<Frame> readFrames(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Frame> out = new ArrayList<>();
        try (KafkaConsumer<String, Frame> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new FrameSerde())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(
                                r -> {
                                    assertThat(r.key()).isEqualTo(r.value().getCameraId());
                                    out.add(r.value());
                                });
            }
        }
        return out;
    }
}
