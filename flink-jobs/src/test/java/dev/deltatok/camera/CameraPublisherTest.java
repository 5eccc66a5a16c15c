package dev.deltatok.camera;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.schema.Frame;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The publisher {@code produce}, {@code demo} and {@code bench} share, against Kafka's fake
 * producer.
 */
class CameraPublisherTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final MockProducer<String, Frame> producer =
            new MockProducer<>(true, null, new StringSerializer(), noBytes());

    @Test
    void publishesEachCameraUpToItsFrameLimitFromAThreadEach() throws Exception {
        CameraPublisher publisher =
                CameraPublisher.builder(cameras(3), producer, "frames").maxFrames(4).build();

        publisher.start();

        assertThat(publisher.join(30_000)).isTrue();
        List<ProducerRecord<String, Frame>> sent = producer.history();
        assertThat(sent).hasSize(12);
        for (String id : List.of("cam-0", "cam-1", "cam-2")) {
            assertThat(sent.stream().filter(r -> r.key().equals(id)).map(r -> r.value().getSeq()))
                    .containsExactly(0L, 1L, 2L, 3L);
            assertThat(publisher.published(id)).isEqualTo(4);
            assertThat(publisher.lastFrame(id).getSeq()).isEqualTo(3);
        }
        assertThat(sent).allSatisfy(r -> assertThat(r.topic()).isEqualTo("frames"));
        assertThat(publisher.stats().sent()).isEqualTo(12);
        assertThat(publisher.stats().acked()).isEqualTo(12);
        assertThat(publisher.stats().failed()).isZero();
        assertThat(publisher.stats().bytes()).isEqualTo(12L * 32 * 32 * 3);
        assertThat(publisher.isPublishing()).isFalse();
    }

    @Test
    void oneThreadSendsTheCamerasRoundRobin() throws Exception {
        CameraPublisher publisher =
                CameraPublisher.builder(cameras(2), producer, "frames")
                        .maxFrames(3)
                        .oneThread()
                        .build()
                        .start();

        assertThat(publisher.join(30_000)).isTrue();
        List<String> order = new ArrayList<>();
        producer.history().forEach(r -> order.add(r.key() + "/" + r.value().getSeq()));
        assertThat(order)
                .containsExactly("cam-0/0", "cam-1/0", "cam-0/1", "cam-1/1", "cam-0/2", "cam-1/2");
    }

    @Test
    void stampsFramesWithTheCamerasClockAndAppliesBeforeSend() throws Exception {
        CameraPublisher publisher =
                CameraPublisher.builder(cameras(1), producer, "frames")
                        .maxFrames(2)
                        .beforeSend(
                                f ->
                                        Frame.newBuilder(f)
                                                .setAttributes(Map.of("stamped", "yes"))
                                                .build())
                        .build()
                        .start();

        assertThat(publisher.join(30_000)).isTrue();
        assertThat(producer.history())
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.value().getCaptureTime()).isEqualTo(NOW);
                            assertThat(r.value().getAttributes()).containsEntry("stamped", "yes");
                        });
    }

    @Test
    void pacesEachCameraAtItsFrameRate() throws Exception {
        CameraPublisher publisher =
                CameraPublisher.builder(cameras(2), producer, "frames")
                        .fps(20)
                        .maxFrames(5)
                        .build();
        long start = System.nanoTime();

        publisher.start();

        assertThat(publisher.join(30_000)).isTrue();
        // frame 4 of each camera is due 4 / 20 s after the start; nothing is sent early
        assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(200);
        assertThat(producer.history()).hasSize(10);
    }

    @Test
    void stopEndsAnEndlessCamera() throws Exception {
        CameraPublisher publisher =
                CameraPublisher.builder(cameras(1), producer, "frames").fps(50).build().start();
        while (producer.history().isEmpty()) {
            Thread.sleep(5);
        }

        publisher.stop();

        assertThat(publisher.join(30_000)).isTrue();
        assertThat(publisher.published("cam-0")).isPositive();
    }

    private static List<LiveCamera> cameras(int n) throws Exception {
        List<LiveCamera> cameras = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cameras.add(
                    LiveCamera.open("synthetic:corridor", "cam-" + i, 32, 32, true, null, CLOCK));
        }
        return cameras;
    }

    /** The fake producer does not serialise values; frames need no bytes here. */
    private static Serializer<Frame> noBytes() {
        return (topic, frame) -> new byte[0];
    }
}
