package dev.deltatok.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.reference.NoiseEstimator;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.TokenDelta;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CameraStateSerializerTest {

    static final String FROZEN_V1 = "/camera-state/camera-state-v1.bin";
    static final String FROZEN_V2 = "/camera-state/camera-state-v2.bin";
    static final String FROZEN_V3 = "/camera-state/camera-state-v3.bin";
    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");

    private final CameraStateSerializer serializer = new CameraStateSerializer();

    /** The state frozen as version 1: a small model, 12 frames of the corridor. */
    static CameraState frozenScenario() throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.create(8, 32, 32, 3, 256);
        TokenizerSettings settings =
                TokenizerSettings.builder()
                        .tableCapacity(24)
                        .includeLatents(true)
                        // Pinned to the values of the day the bytes were frozen.
                        .changeThreshold(8.0)
                        .errorBudget(0.0005)
                        .referenceBlock(4)
                        .latentThreshold(0.02)
                        .mergeDistance(0.0)
                        .sceneCutFraction(0.5)
                        .maxKeyframeInterval(250)
                        .keyframeErrorBound(0.004)
                        .maxTokensPerFrame(384)
                        .noiseFloor(dev.deltatok.delta.NoiseFloorMode.ADAPTIVE)
                        .noiseMultiplier(3.0)
                        .maxChangeThreshold(16.0)
                        .build();
        TokenizerCore tokenizer = new TokenizerCore(model, settings);
        CameraState state = tokenizer.newState("frozen-cam");
        SyntheticScene scene = SyntheticScenes.create("busy", 11, 32, 32);
        for (int seq = 0; seq < 12; seq++) {
            tokenizer.process(state, scene.frame("frozen-cam", seq), EMIT).delta();
        }
        return state;
    }

    private static CameraState corridorState(int frames) throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.standard();
        TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
        CameraState state = tokenizer.newState("cam");
        SyntheticScene scene = SyntheticScenes.create("busy", 3, 256, 256);
        for (int seq = 0; seq < frames; seq++) {
            tokenizer.process(state, scene.frame("cam", seq), EMIT).delta();
        }
        return state;
    }

    @Test
    void roundTripsAStateInUse() throws Exception {
        CameraState state = corridorState(40);

        CameraState copy = serializer.deserialize(serializer.serialize(state));

        assertThat(copy).isEqualTo(state);
        assertThat(serializer.serialize(copy)).isEqualTo(serializer.serialize(state));
    }

    @Test
    void roundTripsANewCamera() {
        CameraState state =
                CameraState.initial(
                        "new",
                        TestingTokenizerModel.standard().spec(),
                        TokenizerSettings.defaults());

        assertThat(serializer.deserialize(serializer.serialize(state))).isEqualTo(state);
    }

    @Test
    void aRestoredStateContinuesExactlyLikeTheOriginal() throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.standard();
        TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
        SyntheticScene scene = SyntheticScenes.create("corridor", 5, 256, 256);
        CameraState original = tokenizer.newState("cam");
        TokenMirror mirror = new TokenMirror();
        for (int seq = 0; seq < 20; seq++) {
            mirror.apply(tokenizer.process(original, scene.frame("cam", seq), EMIT).delta());
        }
        CameraState restored = serializer.deserialize(serializer.serialize(original));
        for (int seq = 20; seq < 40; seq++) {
            TokenDelta a = tokenizer.process(original, scene.frame("cam", seq), EMIT).delta();
            TokenDelta b = tokenizer.process(restored, scene.frame("cam", seq), EMIT).delta();
            assertThat(b).isEqualTo(a);
            mirror.apply(b);
        }
        assertThat(mirror.difference(restored)).isEmpty();
    }

    @Test
    void stateOfABusyCameraAt256IsAtMost64KiB() throws Exception {
        int size = serializer.serialize(corridorState(200)).length;
        System.out.println(
                "serialized CameraState, busy scene, 256x256, after 200 frames: "
                        + size
                        + " bytes");

        assertThat(size).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    void readsFrozenVersion1Bytes() throws Exception {
        byte[] frozen;
        try (InputStream in = getClass().getResourceAsStream(FROZEN_V1)) {
            assertThat(in).as("frozen bytes " + FROZEN_V1).isNotNull();
            frozen = in.readAllBytes();
        }

        CameraState state = serializer.deserialize(frozen);

        // What the frozen bytes hold, written out by hand: the format, not today's algorithm.
        assertThat(state.cameraId()).isEqualTo("frozen-cam");
        assertThat(state.modelId()).isEqualTo("testing@1");
        assertThat(state.gridRows()).isEqualTo(4);
        assertThat(state.gridCols()).isEqualTo(4);
        assertThat(state.patchSize()).isEqualTo(8);
        assertThat(state.levels()).isEqualTo(3);
        assertThat(state.latentDim()).isEqualTo(15);
        assertThat(state.referenceBlock()).isEqualTo(4);
        assertThat(state.synced()).isTrue();
        assertThat(state.nextDeltaSeq()).isEqualTo(12);
        assertThat(state.lastFrameSeq()).isEqualTo(11);
        assertThat(state.framesSeen()).isEqualTo(12);
        assertThat(state.keyframeClock()).isEqualTo(11);
        assertThat(state.keyframes()).isEqualTo(1);
        assertThat(state.keyMap())
                .containsExactly(0, 0, 1, 0, 9, 3, 4, 5, 6, 8, 14, 11, 10, 7, 23, 12);
        assertThat(state.table().capacity()).isEqualTo(24);
        assertThat(state.table().size()).isEqualTo(24);
        assertThat(state.table().tokens(0)).containsExactly(62, 31);
        assertThat(state.table().refCount(0)).isEqualTo(3);
        assertThat(state.table().useCount(0)).isEqualTo(3);
        assertThat(state.table().lastUsed(0)).isZero();
        assertThat(state.table().latentScale(0)).isEqualTo(0.0072120586f);
        assertThat(state.table().quantisedLatent(0))
                .containsExactly(
                        112, 126, 103, 113, 113, 112, 110, 125, 125, 127, 126, 104, 104, 102, 100);
        assertThat(state.heldError(0)).isEqualTo(0.006096493f);
        assertThat(state.heldExcess(0)).isZero();
        assertThat(state.waiting(0)).isZero();
        assertThat(java.util.Arrays.copyOf(state.reference(), 6))
                .containsExactly(-47, -26, -65, -47, -26, -65);
        // Version 1 kept no previous frame and no noise level: the camera learns them again.
        assertThat(state.hasPrevious()).isFalse();
        assertThat(state.noiseLevel()).isEqualTo(NoiseEstimator.UNKNOWN);
        // Written again it is the current version, and reads back equal.
        byte[] rewritten = serializer.serialize(state);
        assertThat(rewritten[0]).isEqualTo((byte) CameraStateSerializer.CURRENT_VERSION);
        assertThat(serializer.deserialize(rewritten)).isEqualTo(state);
    }

    @Test
    void aVersion1StateRestoredIntoThisBuildKeepsTokenizing() throws Exception {
        byte[] frozen;
        try (InputStream in = getClass().getResourceAsStream(FROZEN_V1)) {
            frozen = in.readAllBytes();
        }
        CameraState state = serializer.deserialize(frozen);
        TestingTokenizerModel model = TestingTokenizerModel.create(8, 32, 32, 3, 256);
        TokenizerCore tokenizer =
                new TokenizerCore(model, TokenizerSettings.builder().tableCapacity(24).build());
        SyntheticScene scene = SyntheticScenes.create("noise", 11, 32, 32);

        for (int seq = 12; seq < 20; seq++) {
            TokenDelta d = tokenizer.process(state, scene.frame("frozen-cam", seq), EMIT).delta();
            assertThat(d.getDeltaSeq()).isEqualTo(seq);
        }

        assertThat(state.hasPrevious()).isTrue();
        assertThat(state.noiseLevel()).isPositive();
    }

    @Test
    void readsFrozenVersion2Bytes() throws Exception {
        byte[] frozen;
        try (InputStream in = getClass().getResourceAsStream(FROZEN_V2)) {
            assertThat(in).as("frozen bytes " + FROZEN_V2).isNotNull();
            frozen = in.readAllBytes();
        }

        CameraState state = serializer.deserialize(frozen);

        // What the frozen bytes hold, written out by hand: the format, not today's algorithm.
        assertThat(state.cameraId()).isEqualTo("frozen-cam");
        assertThat(state.gridRows()).isEqualTo(4);
        assertThat(state.nextDeltaSeq()).isEqualTo(12);
        assertThat(state.lastFrameSeq()).isEqualTo(11);
        assertThat(state.hasPrevious()).isTrue();
        assertThat(state.previous()).hasSize(8 * 8 * 3);
        assertThat(java.util.Arrays.copyOf(state.previous(), 6))
                .containsExactly(FROZEN_V2_PREVIOUS_START);
        assertThat(state.noiseLevel()).isEqualTo(FROZEN_V2_NOISE_LEVEL);
        // Version 2 knew no global motion: the picture sits where the key map puts it.
        assertThat(state.offsetX()).isZero();
        assertThat(state.offsetY()).isZero();
        // Written again it is the current version: the same bytes plus the two zero offsets.
        byte[] rewritten = serializer.serialize(state);
        assertThat(rewritten[0]).isEqualTo((byte) CameraStateSerializer.CURRENT_VERSION);
        assertThat(java.util.Arrays.copyOfRange(rewritten, 1, frozen.length))
                .isEqualTo(java.util.Arrays.copyOfRange(frozen, 1, frozen.length));
        assertThat(java.util.Arrays.copyOfRange(rewritten, frozen.length, rewritten.length))
                .containsExactly(0, 0);
        assertThat(serializer.deserialize(rewritten)).isEqualTo(state);
    }

    /** The state frozen as version 3: a small model, 12 frames of a camera panning. */
    static CameraState frozenPanScenario() throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.create(8, 64, 64, 3, 256);
        TokenizerSettings settings =
                TokenizerSettings.builder()
                        .tableCapacity(80)
                        // Pinned to the values of the day the bytes were frozen.
                        .changeThreshold(4.0)
                        .errorBudget(0.0002)
                        .referenceBlock(4)
                        .motionSearch(32)
                        .build();
        TokenizerCore tokenizer = new TokenizerCore(model, settings);
        CameraState state = tokenizer.newState("frozen-cam");
        SyntheticScene scene = SyntheticScenes.create("pan", 11, 256, 64);
        for (int seq = 0; seq < 12; seq++) {
            tokenizer.process(state, scene.frame("frozen-cam", seq), EMIT).delta();
        }
        return state;
    }

    @Test
    void readsFrozenVersion3Bytes() throws Exception {
        byte[] frozen;
        try (InputStream in = getClass().getResourceAsStream(FROZEN_V3)) {
            assertThat(in).as("frozen bytes " + FROZEN_V3).isNotNull();
            frozen = in.readAllBytes();
        }

        CameraState state = serializer.deserialize(frozen);

        // What the frozen bytes hold, written out by hand: the format, not today's algorithm.
        assertThat(state.cameraId()).isEqualTo("frozen-cam");
        assertThat(state.gridRows()).isEqualTo(8);
        assertThat(state.gridCols()).isEqualTo(8);
        assertThat(state.nextDeltaSeq()).isEqualTo(12);
        assertThat(state.offsetX()).isEqualTo(FROZEN_V3_OFFSET_X);
        assertThat(state.offsetY()).isZero();
        assertThat(serializer.serialize(state)).isEqualTo(frozen);
    }

    /** Read off the frozen version-3 bytes when they were written (see {@link #main}). */
    private static final int FROZEN_V3_OFFSET_X = -3;

    @Test
    void aStateThatMovedRoundTripsAndContinuesExactlyLikeTheOriginal() throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.standard();
        TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
        SyntheticScene scene = SyntheticScenes.create("pan", 5, 256, 256);
        CameraState original = tokenizer.newState("cam");
        TokenMirror mirror = new TokenMirror();
        for (int seq = 0; seq < 21; seq++) {
            mirror.apply(tokenizer.process(original, scene.frame("cam", seq), EMIT).delta());
        }
        assertThat(original.offsetX()).as("the pan moved the picture").isNotZero();
        byte[] bytes = serializer.serialize(original);
        CameraState restored = serializer.deserialize(bytes);
        assertThat(restored).isEqualTo(original);
        assertThat(serializer.serialize(restored)).isEqualTo(bytes);
        for (int seq = 21; seq < 40; seq++) {
            TokenDelta a = tokenizer.process(original, scene.frame("cam", seq), EMIT).delta();
            TokenDelta b = tokenizer.process(restored, scene.frame("cam", seq), EMIT).delta();
            assertThat(b).isEqualTo(a);
            mirror.apply(b);
        }
        assertThat(mirror.difference(restored)).isEmpty();
    }

    /** Read off the frozen version-2 bytes when they were written (see {@link #main}). */
    private static final byte[] FROZEN_V2_PREVIOUS_START = {-48, -26, -65, -48, -26, -65};

    private static final float FROZEN_V2_NOISE_LEVEL = 0.8792051f;

    @Test
    void rejectsUnknownVersions() {
        assertThatThrownBy(() -> serializer.deserialize(new byte[] {9, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void rejectsTruncatedBytes() throws Exception {
        byte[] bytes = serializer.serialize(corridorState(3));

        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        java.util.Arrays.copyOf(bytes, bytes.length / 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Writes the frozen file of the current version: {@code java -cp <test classpath>
     * dev.deltatok.state.CameraStateSerializerTest DIR}, and prints what it holds. Run it once per
     * released version, never to make a frozen-bytes test pass.
     */
    public static void main(String[] args) throws Exception {
        Path out =
                Path.of(args[0], "camera-state-v" + CameraStateSerializer.CURRENT_VERSION + ".bin");
        Files.createDirectories(out.getParent());
        CameraState state = frozenPanScenario();
        Files.write(out, new CameraStateSerializer().serialize(state));
        System.out.println("offset " + state.offsetX() + ", " + state.offsetY());
        System.out.println(
                "previous starts "
                        + java.util.Arrays.toString(java.util.Arrays.copyOf(state.previous(), 6))
                        + ", noise level "
                        + state.noiseLevel()
                        + "f");
    }
}
