package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ModelFactory} must have: it travels in the job graph (Java
 * serialisation), opens on the TaskManager a fresh model of its own each time, and names that model
 * and its settings with a {@link ModelFactory#cacheKey()} that {@link SharedModels} shares models
 * by. Subclass it for each implementation.
 */
public abstract class ModelFactoryContractTest {

    /** A factory; every call with no other change gives an equal one. */
    protected abstract ModelFactory createFactory();

    /** A factory for another model, or the same model with other settings. */
    protected abstract ModelFactory createOtherFactory();

    @Test
    void equalFactoriesShareACacheKey() {
        assertThat(createFactory().cacheKey()).isNotBlank().isEqualTo(createFactory().cacheKey());
    }

    @Test
    void otherSettingsGetAnotherCacheKey() {
        assertThat(createOtherFactory().cacheKey()).isNotEqualTo(createFactory().cacheKey());
    }

    @Test
    void opensAModelThatEncodesAndDecodes() {
        try (TokenizerModel model = createFactory().open()) {
            ModelSpec spec = model.spec();
            EncodedPatches encoded = model.encode(grey(spec, 2), 2);

            assertThat(encoded.count()).isEqualTo(2);
            assertThat(encoded.tokens()).hasSize(2 * spec.levels());
            int[] levelsUsed = {spec.levels(), 1};
            assertThat(model.decode(encoded.tokens(), levelsUsed, 2))
                    .hasSize(2 * spec.patchValues());
        }
    }

    @Test
    void travelsInTheJobGraphWithItsCacheKeyAndModel() throws Exception {
        ModelFactory original = createFactory();
        ModelFactory copy = roundTrip(original);

        assertThat(copy.cacheKey()).isEqualTo(original.cacheKey());
        try (TokenizerModel fromOriginal = original.open();
                TokenizerModel fromCopy = copy.open()) {
            assertThat(fromCopy.spec()).isEqualTo(fromOriginal.spec());
            float[] patches = grey(fromOriginal.spec(), 3);
            assertThat(fromCopy.encode(patches, 3).tokens())
                    .isEqualTo(fromOriginal.encode(patches, 3).tokens());
        }
    }

    @Test
    void everyOpenGivesAModelOfItsOwn() {
        ModelFactory factory = createFactory();
        TokenizerModel first = factory.open();
        TokenizerModel second = factory.open();
        try {
            assertThat(second).isNotSameAs(first);
            first.close();

            // closing one model leaves the other usable
            assertThat(second.encode(grey(second.spec(), 1), 1).count()).isEqualTo(1);
        } finally {
            second.close();
        }
    }

    /** {@code count} mid-grey patches, layout [N,C,P,P]. */
    private static float[] grey(ModelSpec spec, int count) {
        float[] patches = new float[count * spec.patchValues()];
        Arrays.fill(patches, 0.5f);
        return patches;
    }

    private static ModelFactory roundTrip(ModelFactory factory) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (ModelFactory) in.readObject();
        }
    }
}
