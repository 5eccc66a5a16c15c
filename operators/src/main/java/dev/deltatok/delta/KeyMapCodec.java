package dev.deltatok.delta;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The {@code TokenDelta.keyMap} encoding: an unsigned varint count, then per update an unsigned
 * varint position gap ({@code position - previousPosition - 1}, the first relative to -1, row-major
 * positions) and an unsigned varint slot. Positions are strictly increasing.
 */
public final class KeyMapCodec {

    /** Decoded key-map updates: {@code slots[i]} goes to {@code positions[i]}. */
    public record Updates(int[] positions, int[] slots) {
        public int count() {
            return positions.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Updates other
                    && Arrays.equals(positions, other.positions)
                    && Arrays.equals(slots, other.slots);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(positions) + Arrays.hashCode(slots);
        }

        @Override
        public String toString() {
            return "Updates" + Arrays.toString(positions) + "->" + Arrays.toString(slots);
        }
    }

    private KeyMapCodec() {}

    /** Encodes the first {@code count} updates; positions must be strictly increasing, >= 0. */
    public static ByteBuffer encode(int[] positions, int[] slots, int count) {
        byte[] out = new byte[5 + count * 10];
        int n = writeVarint(out, 0, count);
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int position = positions[i];
            if (position <= previous) {
                throw new IllegalArgumentException(
                        "key-map positions must be strictly increasing: "
                                + position
                                + " after "
                                + previous);
            }
            if (slots[i] < 0) {
                throw new IllegalArgumentException("negative slot " + slots[i]);
            }
            n = writeVarint(out, n, position - previous - 1);
            n = writeVarint(out, n, slots[i]);
            previous = position;
        }
        return ByteBuffer.wrap(Arrays.copyOf(out, n));
    }

    /**
     * Decodes updates, checking positions against {@code gridSize}.
     *
     * @throws IllegalArgumentException if the bytes are truncated, over-long, declare more updates
     *     than they can hold, or name a position outside {@code [0, gridSize)}
     */
    public static Updates decode(ByteBuffer encoded, int gridSize) {
        ByteBuffer in = encoded.duplicate();
        int count = readVarint(in);
        if (count > gridSize) {
            throw new IllegalArgumentException(
                    "key map declares " + count + " updates for a grid of " + gridSize);
        }
        // Each update takes at least two bytes: refuse a count the bytes cannot back before
        // allocating for it (a huge grid would otherwise let a 5-byte key map allocate gigabytes).
        if (count > in.remaining() / 2) {
            throw new IllegalArgumentException(
                    "truncated key map: it declares "
                            + count
                            + " updates but only "
                            + in.remaining()
                            + " bytes follow (at least 2 per update)");
        }
        int[] positions = new int[count];
        int[] slots = new int[count];
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long position = previous + 1 + readVarint(in);
            if (position >= gridSize) {
                throw new IllegalArgumentException(
                        "key-map position " + position + " outside the grid of " + gridSize);
            }
            positions[i] = (int) position;
            slots[i] = readVarint(in);
            previous = position;
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes in key map");
        }
        return new Updates(positions, slots);
    }

    static int writeVarint(byte[] out, int at, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return at;
    }

    static int readVarint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("truncated varint in key map");
            }
            byte b = in.get();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new IllegalArgumentException("varint out of range in key map");
                }
                return value;
            }
        }
        throw new IllegalArgumentException("over-long varint in key map");
    }
}
