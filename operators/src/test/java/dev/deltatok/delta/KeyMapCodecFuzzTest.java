package dev.deltatok.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzes {@link KeyMapCodec#decode} with hostile key maps: each must decode to updates inside the
 * grid that encode and decode to themselves, or be refused with an {@link
 * IllegalArgumentException}; never another exception, and never an allocation sized by a count the
 * bytes cannot back.
 *
 * <p>Input layout: bytes 0-3 are the grid size (big-endian, sign bit cleared), the rest is the
 * encoded key map. Seeds: {@code KeyMapCodecFuzzTestInputs/decodesOrRejects/}.
 */
class KeyMapCodecFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void decodesOrRejects(byte[] input) {
        if (input.length < 4) {
            return;
        }
        int gridSize = ByteBuffer.wrap(input, 0, 4).getInt() & Integer.MAX_VALUE;
        ByteBuffer encoded = ByteBuffer.wrap(input, 4, input.length - 4).slice();
        KeyMapCodec.Updates updates;
        try {
            updates = KeyMapCodec.decode(encoded, gridSize);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        int previous = -1;
        for (int i = 0; i < updates.count(); i++) {
            assertThat(updates.positions()[i]).isGreaterThan(previous).isLessThan(gridSize);
            assertThat(updates.slots()[i]).isNotNegative();
            previous = updates.positions()[i];
        }
        ByteBuffer again =
                KeyMapCodec.encode(updates.positions(), updates.slots(), updates.count());
        assertThat(KeyMapCodec.decode(again, gridSize)).isEqualTo(updates);
    }
}
