package dev.deltatok.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.delta.NoiseFloorMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.state.CameraStateSerializer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-camera noise floor: each camera's change threshold follows its own sensor noise, learnt
 * from its frames, with the configured change threshold as the floor; it follows a change of light
 * and survives a restore.
 */
class NoiseFloorTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");
    private static final int SIZE = 256;

    private final TestingTokenizerModel model = TestingTokenizerModel.standard();
    private final TokenizerCore adaptive = new TokenizerCore(model, TokenizerSettings.defaults());
    private final TokenizerCore fixed =
            new TokenizerCore(
                    model, TokenizerSettings.builder().noiseFloor(NoiseFloorMode.FIXED).build());

    /** A still textured scene at brightness {@code gain} under uniform noise of +-amplitude. */
    private static Frame still(long seq, double gain, int amplitude) {
        SplittableRandom texture = new SplittableRandom(42);
        SplittableRandom noise = new SplittableRandom(1000 + seq);
        byte[] data = new byte[SIZE * SIZE * 3];
        for (int i = 0; i < data.length; i++) {
            int base = 60 + texture.nextInt(140);
            int v = (int) Math.round(base * gain) + noise.nextInt(2 * amplitude + 1) - amplitude;
            data[i] = (byte) Math.max(0, Math.min(255, v));
        }
        return Frame.newBuilder()
                .setCameraId("cam")
                .setSeq(seq)
                .setCaptureTime(EMIT.plusMillis(100 * seq))
                .setWidth(SIZE)
                .setHeight(SIZE)
                .setFormat(PixelFormat.RGB24)
                .setData(ByteBuffer.wrap(data))
                .setAttributes(Map.of())
                .build();
    }

    /** Changed patches summed over frames {@code [from, to)} of a run. */
    private static int changed(TokenDelta[] deltas, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += deltas[i].getStats().getChangedPatches();
        }
        return sum;
    }

    @Test
    void aNoisyCameraLearnsAThresholdAboveItsNoiseWhereAFixedOneSeesChangeEverywhere() {
        CameraState learning = adaptive.newState("cam");
        CameraState pinned = fixed.newState("cam");
        TokenDelta[] a = new TokenDelta[40];
        TokenDelta[] f = new TokenDelta[40];
        for (int seq = 0; seq < 40; seq++) {
            a[seq] = adaptive.process(learning, still(seq, 1.0, 24), EMIT).delta();
            f[seq] = fixed.process(pinned, still(seq, 1.0, 24), EMIT).delta();
        }

        // +-24 uniform noise: per pixel sd 13.9, per 4x4 block mean 3.5, between two frames 4.9,
        // whose mean absolute value is about 3.9 levels.
        assertThat(learning.noiseLevel()).isBetween(3.0f, 5.0f);
        assertThat(pinned.noiseLevel()).isNegative();
        assertThat(changed(a, 10, 40)).isZero();
        assertThat(changed(f, 10, 40)).isGreaterThan(30 * 20);
    }

    @Test
    void aQuietCameraKeepsTheConfiguredFloor() {
        CameraState state = adaptive.newState("cam");
        TokenDelta last = null;
        for (int seq = 0; seq < 20; seq++) {
            last = adaptive.process(state, still(seq, 1.0, 1), EMIT).delta();
        }

        assertThat(state.noiseLevel()).isLessThan(1f);
        assertThat(adaptive.settings().changeThresholdFor(state.noiseLevel()))
                .isEqualTo(TokenizerSettings.DEFAULT_CHANGE_THRESHOLD);
        assertThat(last.getStats().getChangedPatches()).isZero();
    }

    @Test
    void theThresholdFollowsWhenTheLightDims() {
        CameraState state = adaptive.newState("cam");
        TokenMirror mirror = new TokenMirror();
        TokenDelta[] deltas = new TokenDelta[120];
        float bright = 0;
        for (int seq = 0; seq < 120; seq++) {
            // Dusk at frame 40: half the light, the sensor's gain and noise up.
            Frame frame = seq < 40 ? still(seq, 1.0, 3) : still(seq, 0.5, 24);
            deltas[seq] = adaptive.process(state, frame, EMIT).delta();
            mirror.apply(deltas[seq]);
            if (seq == 39) {
                bright = state.noiseLevel();
            }
        }

        assertThat(bright).isLessThan(1f);
        assertThat(state.noiseLevel()).isGreaterThan(3f);
        // The dimming itself is a change everywhere; then the picture settles within the noise.
        assertThat(deltas[40].getStats().getChangedPatches()).isGreaterThan(128);
        assertThat(changed(deltas, 90, 120)).isZero();
        assertThat(mirror.difference(state)).isEmpty();
    }

    @Test
    void theNoiseLevelSurvivesARestoreAndTheRestoredCameraContinuesIdentically() {
        CameraStateSerializer serializer = new CameraStateSerializer();
        CameraState original = adaptive.newState("cam");
        for (int seq = 0; seq < 30; seq++) {
            adaptive.process(original, still(seq, 1.0, 24), EMIT);
        }
        CameraState restored = serializer.deserialize(serializer.serialize(original));

        assertThat(restored.noiseLevel()).isEqualTo(original.noiseLevel()).isGreaterThan(3f);
        assertThat(restored.previous()).isEqualTo(original.previous());
        for (int seq = 30; seq < 40; seq++) {
            TokenDelta a = adaptive.process(original, still(seq, 1.0, 24), EMIT).delta();
            TokenDelta b = adaptive.process(restored, still(seq, 1.0, 24), EMIT).delta();
            assertThat(b).isEqualTo(a);
        }
        assertThat(restored).isEqualTo(original);
    }
}
