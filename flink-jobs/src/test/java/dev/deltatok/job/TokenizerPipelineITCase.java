package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.flink.OnnxModelFactory;
import dev.deltatok.flink.RawFrameRecord;
import dev.deltatok.flink.TestingModelFactory;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.wire.AvroWireCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TokenizerPipeline} as a function of streams, fed from collections on a MiniCluster with no
 * Kafka: every camera's deltas come out gap-free and equal to an offline run of the core, and bad
 * records come out as rejections while the other cameras go on.
 */
@Timeout(180)
class TokenizerPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final TestingModelFactory MODEL = TestingModelFactory.standard();

    private static TokenizerConfig config() {
        Configuration conf = new Configuration();
        conf.set(TokenizerOptions.BOOTSTRAP_SERVERS, "unused:9092");
        // The frames were captured in 2025: by age, every one is late. Compared with an offline
        // run, which has no overload policy.
        conf.set(TokenizerOptions.OVERLOAD_POLICY, TokenizerOptions.OverloadPolicyMode.OFF);
        return TokenizerConfig.fromConfiguration(conf);
    }

    private static StreamExecutionEnvironment env(int parallelism) {
        Configuration conf = new Configuration();
        // Every type has an explicit serializer; nothing falls back to Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void deltasOfEveryCameraEqualAnOfflineRunOfTheCore() throws Exception {
        TokenizerConfig config = config();
        Map<String, List<Frame>> cameras = JobTestSupport.cameras(4, 20, 256, 256);
        List<Frame> interleaved = new ArrayList<>();
        for (int seq = 0; seq < 20; seq++) {
            for (List<Frame> frames : cameras.values()) {
                interleaved.add(frames.get(seq));
            }
        }
        StreamExecutionEnvironment env = env(2);
        DataStream<Frame> frames =
                env.fromData(interleaved, new AvroTypeInfo<>(Frame.class)).setParallelism(1);

        List<TokenDelta> deltas = collect(TokenizerPipeline.build(frames, config, MODEL).deltas());

        assertThat(deltas).hasSize(80);
        deltas.sort(
                Comparator.comparing(TokenDelta::getCameraId)
                        .thenComparingLong(TokenDelta::getDeltaSeq));
        TokenMirror mirror = JobTestSupport.mirror(deltas, cameras);
        Map<String, CameraState> expected = JobTestSupport.offlineRun(MODEL, config, cameras);
        for (var entry : expected.entrySet()) {
            assertThat(mirror.difference(entry.getValue())).as(entry.getKey()).isEmpty();
        }
    }

    /**
     * A vision encoder that is not patch-local (the ViT-style test model, {@code patchLocal:
     * false}) runs through the operator as through the core: whole frames, several cameras per
     * encoder call, positions chosen by representation shift.
     */
    @Test
    void aModelThatIsNotPatchLocalGivesTheDeltasOfAnOfflineRun() throws Exception {
        TokenizerConfig config = config();
        OnnxModelFactory vit =
                new OnnxModelFactory(
                        Path.of("../operators/src/test/resources/model/vit8/manifest.json")
                                .toAbsolutePath()
                                .toString(),
                        1,
                        OnnxTokenizerModel.ExecutionProvider.CPU);
        Map<String, List<Frame>> cameras = JobTestSupport.cameras(3, 12, 64, 64);
        List<Frame> interleaved = new ArrayList<>();
        for (int seq = 0; seq < 12; seq++) {
            for (List<Frame> frames : cameras.values()) {
                interleaved.add(frames.get(seq));
            }
        }
        StreamExecutionEnvironment env = env(2);
        DataStream<Frame> frames =
                env.fromData(interleaved, new AvroTypeInfo<>(Frame.class)).setParallelism(1);

        List<TokenDelta> deltas = collect(TokenizerPipeline.build(frames, config, vit).deltas());

        assertThat(deltas).hasSize(36);
        deltas.sort(
                Comparator.comparing(TokenDelta::getCameraId)
                        .thenComparingLong(TokenDelta::getDeltaSeq));
        TokenMirror mirror = JobTestSupport.mirror(deltas, cameras);
        Map<String, CameraState> expected = JobTestSupport.offlineRun(vit, config, cameras);
        for (var entry : expected.entrySet()) {
            assertThat(mirror.difference(entry.getValue())).as(entry.getKey()).isEmpty();
        }
        // Not every position of every frame is sent: the representation shift held some back.
        long sent = deltas.stream().mapToLong(d -> d.getStats().getSentPatches()).sum();
        assertThat(sent).isLessThan(36L * 64);
    }

    @Test
    void badRecordsBecomeRejectionsWithTheirReasonAndTheOtherCamerasGoOn() throws Exception {
        TokenizerConfig config = config();
        Map<String, List<Frame>> cameras = JobTestSupport.cameras(2, 6, 256, 256);
        AvroWireCodec<Frame> codec = AvroWireCodec.forType(Frame.class);
        List<RawFrameRecord> records = new ArrayList<>();
        long offset = 0;
        for (var entry : cameras.entrySet()) {
            for (Frame f : entry.getValue()) {
                records.add(
                        new RawFrameRecord(
                                entry.getKey(), codec.encode(f), "frames", 0, offset++, 0L));
            }
        }
        records.add(new RawFrameRecord("cam-9", null, "frames", 0, offset++, 0L));
        records.add(new RawFrameRecord("cam-9", new byte[] {1, 2, 3}, "frames", 0, offset++, 0L));
        Frame wrongSize = Frame.newBuilder(cameras.get("cam-0").get(0)).build();
        wrongSize.setCameraId("cam-8");
        wrongSize.setWidth(100);
        records.add(new RawFrameRecord("cam-8", codec.encode(wrongSize), "frames", 0, offset, 0L));
        // One partition, decoded in order, as a Kafka partition is by the decode function chained
        // to its source.
        StreamExecutionEnvironment env = env(1);
        DataStream<RawFrameRecord> raw =
                env.fromData(records, TypeInformation.of(RawFrameRecord.class));

        TokenizerPipeline.Streams streams = TokenizerPipeline.buildFromRecords(raw, config, MODEL);
        List<RejectedFrame> rejected = collect(streams.rejected());
        List<TokenDelta> deltas =
                collect(TokenizerPipeline.buildFromRecords(raw, config, MODEL).deltas());

        assertThat(rejected)
                .extracting(RejectedFrame::getReason)
                .containsExactlyInAnyOrder(
                        RejectReason.MALFORMED_RECORD,
                        RejectReason.MALFORMED_RECORD,
                        RejectReason.SIZE_MISMATCH);
        assertThat(rejected).allSatisfy(r -> assertThat(r.getDetail()).isNotBlank());
        assertThat(deltas).hasSize(12);
        assertThat(deltas).extracting(TokenDelta::getCameraId).containsOnly("cam-0", "cam-1");
    }
}
