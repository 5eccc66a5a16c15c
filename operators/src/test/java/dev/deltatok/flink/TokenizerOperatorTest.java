package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.overload.OverloadSettings;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenizerOperatorTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final KeySelector<Frame, String> BY_CAMERA = Frame::getCameraId;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta>> open =
            new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var harness : open) {
            harness.close();
        }
        assertThat(SharedModels.openModels()).isZero();
    }

    @Test
    void emitsKeyframeThenDeltasAndKeepsOneStatePerCamera() throws Exception {
        var harness = harness(operator(1, TokenizerSettings.defaults()));
        SyntheticScene corridor = scene("corridor", "cam-a");
        for (long seq = 0; seq < 5; seq++) {
            harness.processElement(corridor.frame("cam-a", seq), seq);
        }
        List<TokenDelta> out = deltas(harness);
        assertThat(out).hasSize(5);
        assertThat(out.get(0).getKind()).isEqualTo(DeltaKind.KEYFRAME);
        assertThat(out).extracting(TokenDelta::getDeltaSeq).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(out.subList(1, 5)).allMatch(d -> d.getKind() == DeltaKind.DELTA);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2); // camera state + last-active
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void mirrorFollowsOperatorStateAcrossCameras() throws Exception {
        var operator = operator(1, TokenizerSettings.defaults());
        var harness = harness(operator);
        TokenMirror mirror = new TokenMirror();
        for (long seq = 0; seq < 20; seq++) {
            for (String camera : List.of("cam-a", "cam-b")) {
                harness.processElement(scene("busy", camera).frame(camera, seq), seq);
            }
        }
        deltas(harness).forEach(mirror::apply);
        for (String camera : List.of("cam-a", "cam-b")) {
            CameraState state = cameraState(harness, camera);
            assertThat(mirror.difference(state)).as(camera).isEmpty();
        }
    }

    @Test
    void sendsBadFramesToTheRejectedOutputAndKeepsNoStateForThem() throws Exception {
        var harness = harness(operator(1, TokenizerSettings.defaults()));
        Frame truncated = scene("static", "cam-bad").frame("cam-bad", 0);
        truncated.setData(ByteBuffer.wrap(new byte[17]));
        harness.processElement(truncated, 0);
        harness.processElement(scene("static", "cam-ok").frame("cam-ok", 0), 0);

        assertThat(deltas(harness)).extracting(TokenDelta::getCameraId).containsExactly("cam-ok");
        List<RejectedFrame> rejected = rejected(harness);
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).getReason()).isEqualTo(RejectReason.SIZE_MISMATCH);
        assertThat(rejected.get(0).getCameraId()).isEqualTo("cam-bad");
        assertThat(rejected.get(0).getOriginalSize()).isEqualTo(17);
        assertThat(cameraState(harness, "cam-bad")).isNull();
    }

    @Test
    void rejectsFramesOutOfOrder() throws Exception {
        var harness = harness(operator(1, TokenizerSettings.defaults()));
        SyntheticScene scene = scene("static", "cam-a");
        harness.processElement(scene.frame("cam-a", 5), 5);
        harness.processElement(scene.frame("cam-a", 3), 3);
        assertThat(deltas(harness)).hasSize(1);
        assertThat(rejected(harness))
                .extracting(RejectedFrame::getReason)
                .containsExactly(RejectReason.OUT_OF_ORDER);
    }

    @Test
    void expiresSilentCamerasAndRestartsTheirStreamWithAKeyframe() throws Exception {
        var harness = harness(operator(1, TokenizerSettings.defaults()));
        SyntheticScene scene = scene("corridor", "cam-a");
        harness.setProcessingTime(0);
        harness.processElement(scene.frame("cam-a", 0), 0);
        harness.processElement(scene.frame("cam-a", 1), 1);
        harness.setProcessingTime(TTL.toMillis() / 2);
        harness.processElement(scene.frame("cam-a", 2), 2);
        // Not yet silent for a whole TTL: state stays.
        harness.setProcessingTime(TTL.toMillis() + 1);
        assertThat(cameraState(harness, "cam-a")).isNotNull();

        harness.setProcessingTime(3 * TTL.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();

        harness.getOutput().clear();
        harness.processElement(scene.frame("cam-a", 3), 3);
        TokenDelta restart = deltas(harness).get(0);
        assertThat(restart.getKind()).isEqualTo(DeltaKind.KEYFRAME);
        assertThat(restart.getDeltaSeq()).isZero();
    }

    @Test
    void restoresFromSnapshotAndContinuesExactlyAsWithout() throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (long seq = 0; seq < 30; seq++) {
            for (String camera : List.of("cam-a", "cam-b", "cam-c")) {
                frames.add(scene("corridor", camera).frame(camera, seq));
            }
        }
        var uninterrupted = harness(operator(1, TokenizerSettings.defaults()));
        for (Frame frame : frames) {
            uninterrupted.processElement(frame, frame.getSeq());
        }
        List<TokenDelta> expected = withoutEmitTime(deltas(uninterrupted));

        var first = harness(operator(4, TokenizerSettings.defaults()));
        for (Frame frame : frames.subList(0, 45)) {
            first.processElement(frame, frame.getSeq());
        }
        // The snapshot drains the micro-batch buffer before the barrier.
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<TokenDelta> before = deltas(first);
        first.close();
        open.remove(first);

        var second = harness(operator(4, TokenizerSettings.defaults()), snapshot);
        for (Frame frame : frames.subList(45, frames.size())) {
            second.processElement(frame, frame.getSeq());
        }
        second.endInput();
        List<TokenDelta> after = deltas(second);

        List<TokenDelta> resumed = new ArrayList<>(withoutEmitTime(before));
        resumed.addAll(withoutEmitTime(after));
        assertThat(sortByCamera(resumed)).isEqualTo(sortByCamera(expected));
    }

    @Test
    void batchesEncoderCallsAcrossCameras() throws Exception {
        var harness = harness(operator(8, TokenizerSettings.defaults()));
        int before = TestingModelFactory.ENCODE_CALLS.get();
        for (int camera = 0; camera < 8; camera++) {
            String id = "cam-" + camera;
            harness.processElement(scene("busy", id).frame(id, 0), 0);
        }
        // 8 first frames, one call for all of them.
        assertThat(TestingModelFactory.ENCODE_CALLS.get() - before).isEqualTo(1);
        assertThat(deltas(harness)).hasSize(8);
    }

    @Test
    void keepsEachCamerasOrderWhenABatchHoldsSeveralOfItsFrames() throws Exception {
        var harness = harness(operator(16, TokenizerSettings.defaults()));
        for (long seq = 0; seq < 4; seq++) {
            for (String camera : List.of("cam-a", "cam-b")) {
                harness.processElement(scene("busy", camera).frame(camera, seq), seq);
            }
        }
        harness.endInput();
        List<TokenDelta> out = deltas(harness);
        assertThat(out.stream().filter(d -> d.getCameraId().equals("cam-a")))
                .extracting(TokenDelta::getFrameSeq)
                .containsExactly(0L, 1L, 2L, 3L);
        assertThat(out.stream().filter(d -> d.getCameraId().equals("cam-b")))
                .extracting(TokenDelta::getDeltaSeq)
                .containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void flushesAPartialBatchAfterTheDelay() throws Exception {
        var harness = harness(operator(16, TokenizerSettings.defaults()));
        harness.setProcessingTime(0);
        harness.processElement(scene("static", "cam-a").frame("cam-a", 0), 0);
        assertThat(deltas(harness)).isEmpty();
        harness.setProcessingTime(10);
        assertThat(deltas(harness)).hasSize(1);
    }

    @Test
    void evictsSlotsWhenTheTableIsFull() throws Exception {
        // 16 positions, 24 slots: a slot is only evicted once 24 distinct appearances were seen
        // (no merging of near appearances into live slots, so every new appearance is distinct; an
        // absolute budget, so the busy scene brings enough new appearances).
        TokenizerSettings small =
                TokenizerSettings.builder()
                        .tableCapacity(24)
                        .mergeDistance(0.0)
                        .errorBudget(0.0002)
                        .errorBudgetRatio(0.0)
                        .build();
        var harness =
                harness(
                        new TokenizerOperator(
                                new TestingModelFactory(16, 64, 2),
                                small,
                                1,
                                Duration.ZERO,
                                TTL,
                                1024,
                                OverloadSettings.off()));
        TokenMirror mirror = new TokenMirror();
        SyntheticScene busy = SyntheticScenes.create("busy", 7, 64, 64);
        for (long seq = 0; seq < 60; seq++) {
            harness.processElement(busy.frame("cam-a", seq), seq);
        }
        List<TokenDelta> out = deltas(harness);

        assertThat(out).allMatch(d -> d.getStats().getTableSize() <= 24);
        // The slot of the evicted appearance takes the new one at once, so an eviction reaches the
        // consumer as an upsert over a slot it holds, sent only while all 24 slots are live.
        java.util.Set<Integer> live = new java.util.HashSet<>();
        int replaced = 0;
        for (TokenDelta d : out) {
            if (d.getKind() == DeltaKind.KEYFRAME) {
                live.clear();
            }
            for (int evicted : d.getEvictions()) {
                assertThat(live).contains(evicted);
                live.remove(evicted);
            }
            java.util.Set<Integer> before = new java.util.HashSet<>(live);
            d.getUpserts().forEach(u -> live.add(u.getSlot()));
            for (var upsert : d.getUpserts()) {
                if (before.contains(upsert.getSlot())) {
                    // Within a delta, upserts are in slot order, not in the order they were made.
                    assertThat(live).hasSize(24);
                    replaced++;
                }
            }
            mirror.apply(d);
        }
        assertThat(replaced).isPositive();
        assertThat(mirror.difference(cameraState(harness, "cam-a"))).isEmpty();
    }

    // --- fixtures

    private static TokenizerOperator operator(int batch, TokenizerSettings settings) {
        return new TokenizerOperator(
                TestingModelFactory.standard(),
                settings,
                batch,
                Duration.ofMillis(5),
                TTL,
                1024,
                OverloadSettings.off());
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness(
            TokenizerOperator operator) throws Exception {
        return harness(operator, null);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness(
            TokenizerOperator operator, OperatorSubtaskState restore) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(operator, BY_CAMERA, Types.STRING);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        open.add(harness);
        return harness;
    }

    private static SyntheticScene scene(String name, String camera) {
        return SyntheticScenes.create(name, SyntheticScenes.seedFor(camera), 256, 256);
    }

    private static CameraState cameraState(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness,
            String camera)
            throws Exception {
        var backend = ((TokenizerOperator) harness.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey(camera);
        return backend.getPartitionedState(
                        org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                        org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                        new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                                TokenizerOperator.STATE_NAME, new CameraStateTypeSerializer()))
                .value();
    }

    @SuppressWarnings("unchecked")
    private static List<TokenDelta> deltas(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness) {
        List<TokenDelta> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add(((StreamRecord<TokenDelta>) o).getValue());
            }
        }
        return out;
    }

    private static List<RejectedFrame> rejected(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness) {
        List<RejectedFrame> out = new ArrayList<>();
        var side = harness.getSideOutput(FrameDecodeFunction.REJECTED);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    private static List<TokenDelta> withoutEmitTime(List<TokenDelta> deltas) {
        List<TokenDelta> out = new ArrayList<>();
        for (TokenDelta d : deltas) {
            TokenDelta copy = TokenDelta.newBuilder(d).setEmitTime(Instant.EPOCH).build();
            out.add(copy);
        }
        return out;
    }

    private static List<TokenDelta> sortByCamera(List<TokenDelta> deltas) {
        List<TokenDelta> out = new ArrayList<>(deltas);
        out.sort(
                (a, b) ->
                        Objects.equals(a.getCameraId(), b.getCameraId())
                                ? Long.compare(a.getDeltaSeq(), b.getDeltaSeq())
                                : a.getCameraId().compareTo(b.getCameraId()));
        return out;
    }
}
