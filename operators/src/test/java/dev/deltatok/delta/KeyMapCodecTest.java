package dev.deltatok.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class KeyMapCodecTest {

    @Property(tries = 200)
    void roundTripsAnyIncreasingPositions(
            @ForAll @Size(max = 300) java.util.List<@IntRange(min = 0, max = 4095) Integer> raw,
            @ForAll @IntRange(min = 0, max = 100_000) int slotBase) {
        TreeMap<Integer, Integer> updates = new TreeMap<>();
        for (int p : raw) {
            updates.put(p, slotBase + p % 97);
        }
        int[] positions = updates.keySet().stream().mapToInt(Integer::intValue).toArray();
        int[] slots = updates.values().stream().mapToInt(Integer::intValue).toArray();

        KeyMapCodec.Updates decoded =
                KeyMapCodec.decode(KeyMapCodec.encode(positions, slots, positions.length), 4096);

        assertThat(decoded.positions()).containsExactly(positions);
        assertThat(decoded.slots()).containsExactly(slots);
    }

    @Test
    void encodesTheDocumentedBytes() {
        ByteBuffer bytes = KeyMapCodec.encode(new int[] {0, 2, 300}, new int[] {5, 128, 1}, 3);

        // count 3; gap 0 slot 5; gap 1 slot 128 (0x80 0x01); gap 297 (0xA9 0x02) slot 1.
        assertThat(bytes.array()).containsExactly(3, 0, 5, 1, 0x80 - 256, 1, 0xA9 - 256, 2, 1);
    }

    @Test
    void anEmptyKeyMapIsOneByte() {
        assertThat(KeyMapCodec.encode(new int[0], new int[0], 0).remaining()).isEqualTo(1);
    }

    @Test
    void refusesPositionsThatDoNotIncrease() {
        assertThatThrownBy(() -> KeyMapCodec.encode(new int[] {3, 3}, new int[] {0, 0}, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly increasing");
    }

    @Test
    void refusesACountItsBytesCannotHoldBeforeAllocatingForIt() {
        // count 2^30 in five bytes against the largest grid: used to allocate two int[2^30]
        ByteBuffer hostile =
                ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 4});

        assertThatThrownBy(() -> KeyMapCodec.decode(hostile, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares 1073741824 updates but only 0 bytes follow");
    }

    @Test
    void rejectsTruncatedBytes() {
        assertThatThrownBy(() -> KeyMapCodec.decode(ByteBuffer.wrap(new byte[] {2, 0, 5}), 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsPositionsOutsideTheGrid() {
        ByteBuffer bytes = KeyMapCodec.encode(new int[] {20}, new int[] {1}, 1);

        assertThatThrownBy(() -> KeyMapCodec.decode(bytes, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the grid");
    }

    @Test
    void rejectsTrailingBytes() {
        assertThatThrownBy(() -> KeyMapCodec.decode(ByteBuffer.wrap(new byte[] {0, 7}), 16))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
