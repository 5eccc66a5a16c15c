package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.overload.OverloadSettings;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The overload policy at work in the operator: frame ages come from the harness's processing time
 * against each frame's capture time (frames are 40 ms apart), with a 400 ms latency target.
 */
class TokenizerOperatorOverloadTest {

    private static final OverloadSettings TARGET_400MS =
            new OverloadSettings(true, Duration.ofMillis(400), 0.25);
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");

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
    void shrinksTheBudgetWhenFramesAgePastHalfTheTarget() throws Exception {
        var harness = harness(CAMERAS.size(), TARGET_400MS);
        feed(harness, 0, 0);
        feed(harness, 1, 150);
        feed(harness, 2, 250);

        List<TokenDelta> out = deltas(harness);
        assertThat(out)
                .extracting(d -> d.getStats().getBudgetScale())
                .containsExactly(1.0f, 1.0f, 1.0f, 1.0f, 0.5f, 0.5f);
        assertThat(out).allMatch(d -> d.getStats().getSkippedFrames() == 0);
        TokenizerMetrics metrics = metrics(harness);
        assertThat(metrics.budgetScale()).isEqualTo(0.5);
        assertThat(metrics.overloadLevel()).isEqualTo(1);
        assertThat(metrics.framesAtReducedBudget()).isEqualTo(2);
        assertThat(metrics.framesSkipped()).isZero();
    }

    @Test
    void coalescesWaitingFramesToEachCamerasNewestAndCountsEverySkip() throws Exception {
        var harness = harness(CAMERAS.size(), TARGET_400MS);
        long now = escalateToCoalescing(harness);
        assertThat(metrics(harness).overloadLevel()).isEqualTo(3);

        // Three frames of each camera wait; only seq 7 of each is tokenized.
        harness.setProcessingTime(now + 10);
        for (long seq = 5; seq <= 7; seq++) {
            for (String camera : CAMERAS) {
                harness.processElement(frame(camera, seq), captureMs(seq));
            }
        }
        assertThat(deltas(harness)).hasSize(10);
        harness.setProcessingTime(now + 15);

        List<TokenDelta> out = deltas(harness);
        assertThat(out).hasSize(12);
        for (String camera : CAMERAS) {
            List<TokenDelta> own = ofCamera(out, camera);
            assertThat(own)
                    .extracting(TokenDelta::getFrameSeq)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 7L);
            assertThat(own)
                    .extracting(TokenDelta::getDeltaSeq)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            assertThat(own.get(5).getStats().getSkippedFrames()).isEqualTo(2);
            assertThat(own.get(5).getStats().getBudgetScale()).isEqualTo(0.25f);
            TokenMirror mirror = new TokenMirror();
            own.forEach(mirror::apply);
            assertThat(mirror.difference(cameraState(harness, camera))).isEmpty();
        }
        TokenizerMetrics metrics = metrics(harness);
        assertThat(metrics.framesSkipped()).isEqualTo(4);
        assertThat(metrics.framesIn()).isEqualTo(out.size() + metrics.framesSkipped());
        assertThat(out.stream().mapToLong(d -> d.getStats().getSkippedFrames()).sum())
                .isEqualTo(metrics.framesSkipped());
        // Nothing skipped waits in state for a delta to report it.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2 * CAMERAS.size());
    }

    @Test
    void recoversToTheFullBudgetOneLevelAtATimeOnceFramesAreYoungAgain() throws Exception {
        var harness = harness(CAMERAS.size(), TARGET_400MS);
        escalateToCoalescing(harness);
        int before = deltas(harness).size();

        for (long seq = 20; seq <= 120; seq += 10) {
            feed(harness, seq, 0);
        }

        List<Float> scales =
                ofCamera(deltas(harness).subList(before, deltas(harness).size()), "cam-a").stream()
                        .map(d -> d.getStats().getBudgetScale())
                        .toList();
        assertThat(scales.get(0)).isEqualTo(0.25f);
        assertThat(scales).isSorted().contains(0.5f).endsWith(1.0f, 1.0f);
        TokenizerMetrics metrics = metrics(harness);
        assertThat(metrics.overloadLevel()).isZero();
        assertThat(metrics.budgetScale()).isEqualTo(1.0);
        assertThat(metrics.framesSkipped()).isZero();
    }

    @Test
    void skipsWhoseNewestFrameIsRejectedAreReportedByTheCamerasNextDelta() throws Exception {
        var harness = harness(1, TARGET_400MS);
        SyntheticScene scene = scene("cam-a");
        long now = 0;
        long[] ages = {0, 250, 360, 470};
        for (int seq = 0; seq < ages.length; seq++) {
            now = captureMs(seq) + ages[seq];
            harness.setProcessingTime(now);
            harness.processElement(scene.frame("cam-a", seq), captureMs(seq));
        }
        assertThat(metrics(harness).overloadLevel()).isEqualTo(3);

        harness.setProcessingTime(now + 10);
        harness.processElement(scene.frame("cam-a", 4), captureMs(4));
        harness.processElement(scene.frame("cam-a", 5), captureMs(5));
        Frame bad = Frame.newBuilder(scene.frame("cam-a", 6)).setWidth(255).build();
        harness.processElement(bad, captureMs(6));
        harness.setProcessingTime(now + 15);

        assertThat(rejected(harness))
                .extracting(RejectedFrame::getReason)
                .containsExactly(RejectReason.SIZE_MISMATCH);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3); // + the unreported skips

        harness.setProcessingTime(now + 20);
        harness.processElement(scene.frame("cam-a", 7), captureMs(7));
        harness.setProcessingTime(now + 25);

        List<TokenDelta> out = deltas(harness);
        TokenDelta last = out.get(out.size() - 1);
        assertThat(last.getFrameSeq()).isEqualTo(7);
        assertThat(last.getStats().getSkippedFrames()).isEqualTo(2);
        assertThat(metrics(harness).framesSkipped()).isEqualTo(2);
        assertThat(metrics(harness).framesIn())
                .isEqualTo(out.size() + metrics(harness).framesSkipped() + 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    @Test
    void framesShedWhereTheyEnteredAreCountedByTheCamerasNextDelta() throws Exception {
        var harness = harness(CAMERAS.size(), TARGET_400MS);
        feed(harness, 0, 0);
        long now = captureMs(3) + 600;
        harness.setProcessingTime(now);
        // cam-a's frame 1 waits here when the markers of its frames 2 and 3 arrive
        harness.processElement(frame("cam-a", 1), captureMs(1));
        harness.processElement(ShedFrames.marker(frame("cam-a", 2)), captureMs(2));
        harness.processElement(ShedFrames.marker(frame("cam-a", 3)), captureMs(3));
        harness.processElement(ShedFrames.marker(frame("cam-b", 1)), captureMs(1));
        harness.processElement(frame("cam-a", 4), captureMs(4));
        harness.processElement(frame("cam-b", 4), captureMs(4));
        harness.setProcessingTime(now + 5);

        List<TokenDelta> out = deltas(harness);
        assertThat(ofCamera(out, "cam-a"))
                .extracting(TokenDelta::getFrameSeq, d -> d.getStats().getSkippedFrames())
                .containsExactly(tuple(0L, 0), tuple(1L, 0), tuple(4L, 2));
        assertThat(ofCamera(out, "cam-b"))
                .extracting(TokenDelta::getFrameSeq, d -> d.getStats().getSkippedFrames())
                .containsExactly(tuple(0L, 0), tuple(4L, 1));
        assertThat(ofCamera(out, "cam-a"))
                .extracting(TokenDelta::getDeltaSeq)
                .containsExactly(0L, 1L, 2L);
        TokenizerMetrics metrics = metrics(harness);
        assertThat(metrics.framesSkipped()).isEqualTo(3);
        assertThat(metrics.framesIn()).isEqualTo(out.size() + metrics.framesSkipped());
    }

    @Test
    void withThePolicyOffEveryFrameIsTokenizedAtFullBudgetHoweverOld() throws Exception {
        var harness = harness(CAMERAS.size(), OverloadSettings.off());
        long[] ages = {0, 250, 360, 470, 5_000, 50_000};
        for (int seq = 0; seq < ages.length; seq++) {
            feed(harness, seq, ages[seq]);
        }

        List<TokenDelta> out = deltas(harness);
        assertThat(out).hasSize(ages.length * CAMERAS.size());
        assertThat(out).allMatch(d -> d.getStats().getBudgetScale() == 1.0f);
        assertThat(out).allMatch(d -> d.getStats().getSkippedFrames() == 0);
        assertThat(metrics(harness).overloadLevel()).isZero();
    }

    // --- fixtures

    /** Ages growing 0, 250, 360, 470 ms over seq 0..4: shrink, shrink more, coalesce. */
    private long escalateToCoalescing(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness)
            throws Exception {
        long[] ages = {0, 0, 250, 360, 470};
        for (int seq = 0; seq < ages.length; seq++) {
            feed(harness, seq, ages[seq]);
        }
        assertThat(deltas(harness))
                .extracting(d -> d.getStats().getBudgetScale())
                .containsExactly(1.0f, 1.0f, 1.0f, 1.0f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.25f);
        return captureMs(4) + ages[4] + 5;
    }

    /** One frame of every camera, {@code ageMs} old, then 5 ms for a pending batch to flush. */
    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness,
            long seq,
            long ageMs)
            throws Exception {
        harness.setProcessingTime(captureMs(seq) + ageMs);
        for (String camera : CAMERAS) {
            harness.processElement(frame(camera, seq), captureMs(seq));
        }
        harness.setProcessingTime(captureMs(seq) + ageMs + 5);
    }

    private static long captureMs(long seq) {
        return SyntheticScene.EPOCH
                .plus(SyntheticScene.FRAME_INTERVAL.multipliedBy(seq))
                .toEpochMilli();
    }

    private static Frame frame(String camera, long seq) {
        return scene(camera).frame(camera, seq);
    }

    private static SyntheticScene scene(String camera) {
        return SyntheticScenes.create("corridor", SyntheticScenes.seedFor(camera), 256, 256);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness(
            int batch, OverloadSettings overload) throws Exception {
        var operator =
                new TokenizerOperator(
                        TestingModelFactory.standard(),
                        TokenizerSettings.defaults(),
                        batch,
                        Duration.ofMillis(5),
                        Duration.ofMinutes(10),
                        1024,
                        overload);
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, Frame::getCameraId, Types.STRING);
        harness.open();
        open.add(harness);
        return harness;
    }

    private static TokenizerMetrics metrics(
            KeyedOneInputStreamOperatorTestHarness<String, Frame, TokenDelta> harness) {
        return ((TokenizerOperator) harness.getOperator()).metrics();
    }

    private static dev.deltatok.state.CameraState cameraState(
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

    private static List<TokenDelta> ofCamera(List<TokenDelta> deltas, String camera) {
        return deltas.stream().filter(d -> d.getCameraId().equals(camera)).toList();
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
}
