package dev.deltatok.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every synthetic scene under every settings variant of {@link GoldenDeltas} gives, byte for byte,
 * the deltas recorded in {@code golden/}: a refactoring of the core must not change what consumers
 * receive.
 */
class GoldenDeltasTest {

    @Test
    void testingModelDeltasAreByteIdenticalToTheRecordedOnes() throws Exception {
        Map<String, String> expected = GoldenDeltas.read(GoldenDeltas.TESTING_FILE);

        assertThat(expected).hasSize(GoldenDeltas.variants().size() * 7);
        assertThat(GoldenDeltas.digests(TestingTokenizerModel.standard()))
                .containsExactlyEntriesOf(expected);
    }

    @Test
    void defaultModelDeltasAreByteIdenticalToTheRecordedOnes() throws Exception {
        Map<String, String> expected = GoldenDeltas.read(GoldenDeltas.DEFAULT_FILE);

        try (TokenizerModel onnx =
                OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT)) {
            assertThat(GoldenDeltas.digests(onnx)).containsExactlyEntriesOf(expected);
        }
    }
}
