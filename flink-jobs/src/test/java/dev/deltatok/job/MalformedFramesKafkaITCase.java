package dev.deltatok.job;

import static dev.deltatok.job.JobTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.flink.TestingModelFactory;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBrokerExtension;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.wire.CameraKeys;
import dev.deltatok.wire.FrameSerde;
import dev.deltatok.wire.TokenDeltaSerde;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of bad record on the frames topic ends up on the rejected topic with its reason, while
 * good cameras' deltas are unaffected and the job (restart strategy: none) never fails.
 */
@Timeout(300)
class MalformedFramesKafkaITCase {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void rejectsEveryMalformedRecordWithItsReasonAndKeepsOtherCamerasGoing() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        TestTopics topics = TestTopics.create(bootstrap);
        int frames = 40;
        Map<String, List<Frame>> good = cameras(3, frames, 128, 96);
        FrameSerde serde = new FrameSerde();
        Frame sample = good.get("cam-0").get(0);
        byte[] goodBytes =
                serde.serialize("t", frame("bad-trunc", 0, PixelFormat.RGB24, 128, 96, sample));

        Map<String, RejectReason> expected = new LinkedHashMap<>();
        List<ProducerRecord<byte[], byte[]>> bad = new ArrayList<>();
        bad.add(raw(topics, "bad-empty", new byte[0]));
        expected.put("bad-empty", RejectReason.MALFORMED_RECORD);
        bad.add(raw(topics, "bad-json", "{\"cameraId\":\"x\"}".getBytes()));
        expected.put("bad-json", RejectReason.MALFORMED_RECORD);
        bad.add(
                raw(
                        topics,
                        "bad-fingerprint",
                        new TokenDeltaSerde().serialize("t", anyDelta("bad-fingerprint"))));
        expected.put("bad-fingerprint", RejectReason.MALFORMED_RECORD);
        bad.add(raw(topics, "bad-trunc", Arrays.copyOf(goodBytes, goodBytes.length / 2)));
        expected.put("bad-trunc", RejectReason.MALFORMED_RECORD);
        bad.add(raw(topics, "bad-tombstone", null));
        expected.put("bad-tombstone", RejectReason.MALFORMED_RECORD);
        bad.add(
                new ProducerRecord<>(
                        topics.frames(),
                        null,
                        serde.serialize(
                                "t", frame("bad-nokey", 0, PixelFormat.RGB24, 128, 96, sample))));
        expected.put("bad-nokey", RejectReason.MISSING_KEY);
        bad.add(
                raw(
                        topics,
                        "bad-key",
                        serde.serialize(
                                "t",
                                frame("someone-else", 0, PixelFormat.RGB24, 128, 96, sample))));
        expected.put("bad-key", RejectReason.MALFORMED_RECORD);
        Frame shortRgb = frame("bad-size", 0, PixelFormat.RGB24, 128, 96, sample);
        shortRgb.setData(ByteBuffer.wrap(new byte[128 * 96 * 3 - 1]));
        bad.add(raw(topics, "bad-size", serde.serialize("t", shortRgb)));
        expected.put("bad-size", RejectReason.SIZE_MISMATCH);
        Frame huge = frame("bad-huge", 0, PixelFormat.PNG, 8, 8, sample);
        huge.setData(ByteBuffer.wrap(pngHeader(100_000, 100_000)));
        bad.add(raw(topics, "bad-huge", serde.serialize("t", huge)));
        expected.put("bad-huge", RejectReason.TOO_LARGE);
        Frame garbage = frame("bad-jpeg", 0, PixelFormat.JPEG, 64, 64, sample);
        garbage.setData(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}));
        bad.add(raw(topics, "bad-jpeg", serde.serialize("t", garbage)));
        expected.put("bad-jpeg", RejectReason.DECODE_FAILED);
        Frame unknown = frame("bad-format", 0, PixelFormat.UNKNOWN, 128, 96, sample);
        bad.add(raw(topics, "bad-format", serde.serialize("t", unknown)));
        expected.put("bad-format", RejectReason.UNSUPPORTED_FORMAT);
        Frame negative = frame("bad-dims", 0, PixelFormat.RGB24, -128, 96, sample);
        bad.add(raw(topics, "bad-dims", serde.serialize("t", negative)));
        expected.put("bad-dims", RejectReason.INVALID_DIMENSIONS);

        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.rawProducer(bootstrap)) {
            for (int i = 0; i < frames; i++) {
                for (var camera : good.entrySet()) {
                    acks.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topics.frames(),
                                            CameraKeys.encode(camera.getKey()),
                                            serde.serialize("t", camera.getValue().get(i)))));
                }
                if (i == frames / 2) {
                    bad.forEach(record -> acks.add(producer.send(record)));
                    // A camera going backwards: seq 5 after seq 9.
                    Frame late =
                            frame("cam-0", 0, PixelFormat.RGB24, 128, 96, good.get("cam-0").get(5));
                    acks.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topics.frames(),
                                            CameraKeys.encode("cam-0"),
                                            serde.serialize("t", late))));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(); // a record the broker did not take fails here, not as a missing delta
            }
        }
        expected.put("cam-0", RejectReason.OUT_OF_ORDER);

        List<String> args = new ArrayList<>(topics.args(bootstrap));
        args.addAll(List.of("--kafka.bounded", "true", "--checkpoint.interval", "500ms"));
        // every bad frame must be rejected, not coalesced away with the backlog it sits in
        args.addAll(List.of("--tokenizer.overload-policy", "OFF"));
        TokenizerConfig config =
                TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(args.toArray(String[]::new)));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf(config, 2));
        TokenizerJob.wire(env, config, TestingModelFactory.standard());
        env.execute("malformed-itcase"); // restart strategy none: any failure would throw here

        List<TokenDelta> deltas =
                readDeltas(
                        bootstrap,
                        topics.deltas(),
                        l -> l.size() >= 3 * frames,
                        Duration.ofSeconds(60));
        assertThat(deltas).hasSize(3 * frames);
        mirror(deltas, good);

        List<RejectedFrame> rejected =
                readRejected(bootstrap, topics.rejected(), expected.size(), Duration.ofSeconds(60));
        Map<String, RejectReason> actual = new LinkedHashMap<>();
        for (RejectedFrame r : rejected) {
            String camera = r.getCameraId() != null ? r.getCameraId() : "?";
            if (camera.equals("someone-else")) {
                camera = "bad-key";
            }
            actual.put(camera, r.getReason());
            assertThat(r.getDetail()).as(camera).isNotBlank();
            assertThat(r.getSourceTopic()).isEqualTo(topics.frames());
            assertThat(r.getSourceOffset()).isNotNull();
        }
        // The record without a key has its camera id read from the payload.
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static ProducerRecord<byte[], byte[]> raw(TestTopics topics, String key, byte[] value) {
        return new ProducerRecord<>(topics.frames(), CameraKeys.encode(key), value);
    }

    private static Frame frame(
            String camera, long seq, PixelFormat format, int width, int height, Frame pixels) {
        return Frame.newBuilder(pixels)
                .setCameraId(camera)
                .setSeq(seq)
                .setFormat(format)
                .setWidth(width)
                .setHeight(height)
                .build();
    }

    private static TokenDelta anyDelta(String camera) {
        return TokenDelta.newBuilder()
                .setCameraId(camera)
                .setDeltaSeq(0)
                .setFrameSeq(0)
                .setCaptureTime(Instant.EPOCH)
                .setEmitTime(Instant.EPOCH)
                .setKind(dev.deltatok.schema.DeltaKind.KEYFRAME)
                .setModelId("m@1")
                .setGridRows(1)
                .setGridCols(1)
                .setLevels(1)
                .setKeyMap(ByteBuffer.wrap(new byte[] {0}))
                .setStats(
                        dev.deltatok.schema.FrameStats.newBuilder()
                                .setChangedPatches(0)
                                .setEncodedPatches(0)
                                .setSentPatches(0)
                                .setTokens(0)
                                .setTableSize(0)
                                .setEstimatedError(0)
                                .build())
                .build();
    }

    /** A PNG signature and an IHDR chunk declaring the size, nothing else. */
    private static byte[] pngHeader(int width, int height) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(width);
        c.writeInt(height);
        c.write(new byte[] {8, 2, 0, 0, 0});
        byte[] body = chunk.toByteArray();
        out.writeInt(13);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
