package dev.deltatok.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.delta.CameraTokenizer;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
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
                        .build();
        CameraTokenizer tokenizer = new CameraTokenizer(model.spec(), settings);
        CameraState state = tokenizer.newState("frozen-cam");
        SyntheticScene scene = SyntheticScenes.create("busy", 11, 32, 32);
        for (int seq = 0; seq < 12; seq++) {
            tokenizer.process(state, scene.frame("frozen-cam", seq), model, EMIT);
        }
        return state;
    }

    private static CameraState corridorState(int frames) throws Exception {
        TestingTokenizerModel model = TestingTokenizerModel.standard();
        CameraTokenizer tokenizer = new CameraTokenizer(model.spec(), TokenizerSettings.defaults());
        CameraState state = tokenizer.newState("cam");
        SyntheticScene scene = SyntheticScenes.create("busy", 3, 256, 256);
        for (int seq = 0; seq < frames; seq++) {
            tokenizer.process(state, scene.frame("cam", seq), model, EMIT);
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
        CameraTokenizer tokenizer = new CameraTokenizer(model.spec(), TokenizerSettings.defaults());
        SyntheticScene scene = SyntheticScenes.create("corridor", 5, 256, 256);
        CameraState original = tokenizer.newState("cam");
        TokenMirror mirror = new TokenMirror();
        for (int seq = 0; seq < 20; seq++) {
            mirror.apply(tokenizer.process(original, scene.frame("cam", seq), model, EMIT));
        }
        CameraState restored = serializer.deserialize(serializer.serialize(original));
        for (int seq = 20; seq < 40; seq++) {
            TokenDelta a = tokenizer.process(original, scene.frame("cam", seq), model, EMIT);
            TokenDelta b = tokenizer.process(restored, scene.frame("cam", seq), model, EMIT);
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

        assertThat(state).isEqualTo(frozenScenario());
        assertThat(serializer.serialize(state)).isEqualTo(frozen);
        assertThat(state.cameraId()).isEqualTo("frozen-cam");
        assertThat(state.nextDeltaSeq()).isEqualTo(12);
    }

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

    /** Writes the frozen file; run once per released version with -Ddeltatok.freeze=DIR. */
    @Test
    void freezeWhenAsked() throws Exception {
        String dir = System.getProperty("deltatok.freeze");
        if (dir == null) {
            return;
        }
        Path out = Path.of(dir, "camera-state-v1.bin");
        Files.createDirectories(out.getParent());
        Files.write(out, serializer.serialize(frozenScenario()));
    }
}
