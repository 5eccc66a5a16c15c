package dev.deltatok.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.eval.ImageQuality;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.MirrorSyncException;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The consumer contract over random seeded scenes and settings: the mirror always equals the
 * operator's state, lost or repeated deltas are noticed, and the mirror's picture stays within the
 * declared error bound of a full, every-patch tokenisation.
 */
class TokenizerPropertiesTest {

    private static final Instant EMIT = Instant.parse("2025-01-01T00:00:00Z");
    private static final int SIZE = 128;

    private final TestingTokenizerModel model =
            TestingTokenizerModel.create(16, SIZE, SIZE, 4, 1024);

    @Provide
    Arbitrary<String> scenes() {
        return Arbitraries.of(SyntheticScenes.names());
    }

    @Provide
    Arbitrary<TokenizerSettings> settings() {
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.of(2.0, 8.0, 16.0),
                        Arbitraries.of(1, 4, 8),
                        Arbitraries.of(0.0, 0.02),
                        Arbitraries.of(64, 100, 512),
                        // 1.0 offers every slot: only the measured fit keeps reuse in budget.
                        Arbitraries.of(0.0, 0.05, 1.0),
                        Arbitraries.of(4, 30, 384),
                        Arbitraries.of(3, 250),
                        Arbitraries.of(0.0, 0.3))
                .as(
                        (threshold, block, latent, capacity, merge, cap, interval, ratio) ->
                                TokenizerSettings.builder()
                                        .errorBudgetRatio(ratio)
                                        .changeThreshold(threshold)
                                        .referenceBlock(block)
                                        .latentThreshold(latent)
                                        .tableCapacity(capacity)
                                        .mergeDistance(merge)
                                        .maxTokensPerFrame(cap)
                                        .maxKeyframeInterval(interval)
                                        .build());
    }

    private List<TokenDelta> stream(
            String scene, long seed, int frames, TokenizerSettings settings, TokenMirror mirror)
            throws Exception {
        TokenizerCore tokenizer = new TokenizerCore(model, settings);
        CameraState state = tokenizer.newState("cam");
        SyntheticScene s = SyntheticScenes.create(scene, seed, SIZE, SIZE);
        List<TokenDelta> out = new ArrayList<>();
        for (int seq = 0; seq < frames; seq++) {
            TokenDelta d = tokenizer.process(state, s.frame("cam", seq), EMIT).delta();
            out.add(d);
            if (mirror != null) {
                mirror.apply(d);
                assertThat(mirror.difference(state)).as("after delta %d", seq).isEmpty();
            }
        }
        return out;
    }

    @Property(tries = 40, seed = "20250101")
    void theMirrorEqualsTheOperatorAfterEveryPrefix(
            @ForAll("scenes") String scene,
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int frames,
            @ForAll("settings") TokenizerSettings settings)
            throws Exception {
        List<TokenDelta> deltas = stream(scene, seed, frames, settings, new TokenMirror());

        for (int i = 0; i < deltas.size(); i++) {
            assertThat(deltas.get(i).getDeltaSeq()).isEqualTo(i);
            if (deltas.get(i).getKind() == DeltaKind.DELTA) {
                assertThat(deltas.get(i).getStats().getTokens())
                        .isLessThanOrEqualTo(settings.maxTokensPerFrame());
            }
        }
    }

    /**
     * A camera that pans moves the picture as a whole: the stream carries MOVED deltas (key-map
     * shifts and offsets), and the mirror still equals the operator after every one of them.
     */
    @Property(tries = 20, seed = "20250105")
    void theMirrorEqualsTheOperatorAfterEveryPrefixWhileTheCameraPans(
            @ForAll long seed,
            @ForAll @IntRange(min = 12, max = 48) int frames,
            @ForAll("settings") TokenizerSettings settings,
            @ForAll @IntRange(min = 4, max = 40) int motionSearch)
            throws Exception {
        TokenizerSettings moving = settings.toBuilder().motionSearch(motionSearch).build();
        List<TokenDelta> deltas = stream("pan", seed, frames, moving, new TokenMirror());

        long moved = deltas.stream().filter(d -> d.getKind() == DeltaKind.MOVED).count();
        long shifted =
                deltas.stream().filter(d -> d.getShiftRows() != 0 || d.getShiftCols() != 0).count();
        if (settings.maxKeyframeInterval() > 3) {
            assertThat(moved).as("MOVED deltas").isPositive();
        }
        if (settings.maxKeyframeInterval() > 3 && frames >= 40) {
            assertThat(shifted).as("deltas that shift the key map").isPositive();
        }
        for (TokenDelta d : deltas) {
            if (d.getKind() != DeltaKind.MOVED) {
                assertThat(
                                List.of(
                                        d.getShiftRows(),
                                        d.getShiftCols(),
                                        d.getOffsetX(),
                                        d.getOffsetY()))
                        .containsOnly(0);
            }
        }
    }

    @Property(tries = 40, seed = "20250102")
    void aDroppedDeltaIsDetectedOrSupersededByAKeyframe(
            @ForAll("scenes") String scene,
            @ForAll long seed,
            @ForAll @IntRange(min = 3, max = 30) int frames,
            @ForAll @IntRange(min = 1, max = 28) int dropAt) {
        int drop = Math.min(dropAt, frames - 2);
        List<TokenDelta> deltas;
        try {
            deltas = stream(scene, seed, frames, TokenizerSettings.defaults(), null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        TokenMirror mirror = new TokenMirror();
        for (int i = 0; i < drop; i++) {
            mirror.apply(deltas.get(i));
        }
        TokenDelta next = deltas.get(drop + 1);
        if (next.getKind() == DeltaKind.KEYFRAME) {
            mirror.apply(next);
            assertThat(mirror.camera("cam").orElseThrow().skippedDeltas()).isEqualTo(1);
        } else {
            assertThatThrownBy(() -> mirror.apply(next))
                    .isInstanceOf(MirrorSyncException.class)
                    .extracting(e -> ((MirrorSyncException) e).problem())
                    .isEqualTo(MirrorSyncException.Problem.GAP);
        }
    }

    @Property(tries = 40, seed = "20250103")
    void aDuplicatedDeltaIsDetected(
            @ForAll("scenes") String scene,
            @ForAll long seed,
            @ForAll @IntRange(min = 2, max = 30) int frames,
            @ForAll @IntRange(min = 0, max = 29) int duplicateAt)
            throws Exception {
        int dup = Math.min(duplicateAt, frames - 1);
        List<TokenDelta> deltas = stream(scene, seed, frames, TokenizerSettings.defaults(), null);
        TokenMirror mirror = new TokenMirror();
        for (int i = 0; i <= dup; i++) {
            mirror.apply(deltas.get(i));
        }

        assertThatThrownBy(() -> mirror.apply(deltas.get(dup)))
                .isInstanceOf(MirrorSyncException.class)
                .extracting(e -> ((MirrorSyncException) e).problem())
                .isEqualTo(MirrorSyncException.Problem.DUPLICATE);
    }

    @Property(tries = 25, seed = "20250104")
    void theReconstructionStaysWithinTheDeclaredBoundOfTheFullGrid(
            @ForAll("scenes") String scene,
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int frames,
            @ForAll("settings") TokenizerSettings settings)
            throws Exception {
        TokenizerCore delta = new TokenizerCore(model, settings);
        TokenizerCore full = new TokenizerCore(model, settings.withMode(TokenizerMode.FULL));
        CameraState deltaState = delta.newState("cam");
        CameraState fullState = full.newState("cam");
        TokenMirror deltaMirror = new TokenMirror();
        TokenMirror fullMirror = new TokenMirror();
        SyntheticScene s = SyntheticScenes.create(scene, seed, SIZE, SIZE);
        for (int seq = 0; seq < frames; seq++) {
            Frame frame = s.frame("cam", seq);
            RgbImage truth = delta.decoder().decode(frame);
            deltaMirror.apply(delta.process(deltaState, frame, EMIT).delta());
            fullMirror.apply(full.process(fullState, s.frame("cam", seq), EMIT).delta());
            double fullError = ImageQuality.mse(fullMirror.reconstruct("cam", model), truth);
            double excess =
                    ImageQuality.mse(deltaMirror.reconstruct("cam", model), truth) - fullError;

            assertThat(excess)
                    .as("frame %d of %s", seq, scene)
                    .isLessThanOrEqualTo(settings.declaredErrorBound(1.0, fullError));
        }
    }
}
