package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.kafka.Clients;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Seeded synthetic cameras published round by round (frame {@code seq} = round) to a frames topic,
 * and the exactly-once check of what came out: per camera, one delta per frame, in order.
 */
final class CameraFeed implements AutoCloseable {

    private static final List<String> SCENES = List.of("corridor", "busy", "cut", "pan");

    /** How long a send may wait for a broker that is away; cameras stall, no frame is lost. */
    private static final java.time.Duration LONGEST_OUTAGE = java.time.Duration.ofMinutes(10);

    private final String topic;
    private final Map<String, SyntheticScene> cameras = new LinkedHashMap<>();
    private final KafkaProducer<String, Frame> producer;
    private final List<Future<?>> acks = new ArrayList<>();
    private volatile int rounds;

    CameraFeed(String bootstrapServers, String topic, int cameraCount) {
        this.topic = topic;
        for (int c = 0; c < cameraCount; c++) {
            String id = "cam-" + c;
            cameras.put(
                    id,
                    SyntheticScenes.create(
                            SCENES.get(c % SCENES.size()), SyntheticScenes.seedFor(id), 128, 96));
        }
        this.producer = Clients.frameProducer(bootstrapServers, LONGEST_OUTAGE);
    }

    /** Sends the next round: one frame of every camera, with {@code seq} = the round number. */
    synchronized void sendRound() {
        long seq = rounds;
        for (var camera : cameras.entrySet()) {
            acks.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    camera.getKey(),
                                    camera.getValue().frame(camera.getKey(), seq))));
        }
        rounds++;
    }

    /** Sends rounds until {@code total} were sent, pausing {@code pauseMillis} between them. */
    void sendUntil(int total, long pauseMillis) throws InterruptedException {
        while (rounds < total) {
            sendRound();
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
    }

    /** Waits until the broker acknowledged every frame sent; a lost frame fails here. */
    synchronized void flush() throws Exception {
        producer.flush();
        for (Future<?> ack : acks) {
            ack.get();
        }
    }

    int rounds() {
        return rounds;
    }

    int frames() {
        return rounds * cameras.size();
    }

    int cameraCount() {
        return cameras.size();
    }

    /**
     * Exactly once, in order: every camera's deltas carry {@code deltaSeq} 0..n-1 and the frames
     * 0..n-1 of every round sent, with one KEYFRAME of reason FIRST_FRAME, at {@code deltaSeq} 0 (a
     * restart that lost the camera's state would start a second one).
     */
    void assertExactlyOnceInOrder(List<TokenDelta> deltas) {
        Map<String, List<TokenDelta>> byCamera = new LinkedHashMap<>();
        for (TokenDelta delta : deltas) {
            byCamera.computeIfAbsent(delta.getCameraId(), k -> new ArrayList<>()).add(delta);
        }
        assertThat(byCamera).containsOnlyKeys(cameras.keySet());
        List<Long> expected = LongStream.range(0, rounds).boxed().toList();
        byCamera.forEach(
                (camera, list) -> {
                    assertThat(list.stream().map(TokenDelta::getDeltaSeq).toList())
                            .as("%s: deltaSeq, gap-free from 0, each once", camera)
                            .containsExactlyElementsOf(expected);
                    assertThat(list.stream().map(TokenDelta::getFrameSeq).toList())
                            .as("%s: frameSeq, every frame sent, in order, each once", camera)
                            .containsExactlyElementsOf(expected);
                    assertThat(
                                    list.stream()
                                            .filter(
                                                    d ->
                                                            d.getStats().getKeyframeReason()
                                                                    == KeyframeReason.FIRST_FRAME)
                                            .map(TokenDelta::getDeltaSeq)
                                            .toList())
                            .as("%s: the stream starts once", camera)
                            .containsExactly(0L);
                });
    }

    @Override
    public void close() {
        producer.close();
    }
}
