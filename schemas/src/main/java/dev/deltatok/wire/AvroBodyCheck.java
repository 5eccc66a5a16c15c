package dev.deltatok.wire;

import org.apache.avro.Schema;

/**
 * Walks an Avro binary body against its writer schema without building anything, and refuses one
 * that declares more than its bytes can hold: a string, bytes or fixed longer than what is left, or
 * an array or map block with more items than bytes left (every item of the deltatok schemas takes
 * at least one byte). Avro's readers allocate a collection's or a byte string's declared size
 * before they read it, so a few hostile bytes could otherwise ask for gigabytes; after this check
 * every allocation is bounded by the payload's length.
 */
final class AvroBodyCheck {

    /** What the body does wrong; the codec turns it into a {@link WireFormatException}. */
    static final class Refused extends Exception {
        private final boolean truncated;

        Refused(boolean truncated, String message) {
            super(message, null, false, false);
            this.truncated = truncated;
        }

        /** Whether the bytes end before what they declare (else they are inconsistent). */
        boolean truncated() {
            return truncated;
        }
    }

    private final byte[] bytes;
    private int pos;

    private AvroBodyCheck(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.pos = offset;
    }

    /** Checks the body that starts at {@code offset} and runs to the end of {@code bytes}. */
    static void check(Schema writer, byte[] bytes, int offset) throws Refused {
        new AvroBodyCheck(bytes, offset).walk(writer);
    }

    private int remaining() {
        return bytes.length - pos;
    }

    private void walk(Schema schema) throws Refused {
        switch (schema.getType()) {
            case NULL -> {}
            case BOOLEAN -> skip(1, "boolean");
            case INT, LONG, ENUM -> varlong();
            case FLOAT -> skip(4, "float");
            case DOUBLE -> skip(8, "double");
            case STRING, BYTES -> skip(length(schema.getType().getName()), schema.getName());
            case FIXED -> skip(schema.getFixedSize(), schema.getName());
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    walk(field.schema());
                }
            }
            case UNION -> {
                long index = varlong();
                if (index < 0 || index >= schema.getTypes().size()) {
                    throw new Refused(
                            false,
                            "union branch "
                                    + index
                                    + " of "
                                    + schema.getTypes().size()
                                    + " at byte "
                                    + pos);
                }
                walk(schema.getTypes().get((int) index));
            }
            case ARRAY -> items(schema.getElementType(), false);
            case MAP -> items(schema.getValueType(), true);
        }
    }

    /** Array or map blocks: a count (negative: followed by the block's byte size), 0 ends. */
    private void items(Schema item, boolean map) throws Refused {
        while (true) {
            long count = varlong();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count; // Long.MIN_VALUE stays negative and is refused below
                long size = varlong();
                if (size < 0 || size > remaining()) {
                    throw new Refused(
                            size >= 0,
                            "a block of "
                                    + size
                                    + " bytes with "
                                    + remaining()
                                    + " bytes left at byte "
                                    + pos);
                }
            }
            if (count < 0 || count > remaining()) {
                throw new Refused(
                        count >= 0,
                        "a block of "
                                + count
                                + " items with "
                                + remaining()
                                + " bytes left at byte "
                                + pos);
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    skip(length("map key"), "map key");
                }
                walk(item);
            }
        }
    }

    private long length(String what) throws Refused {
        long length = varlong();
        if (length < 0) {
            throw new Refused(false, "negative " + what + " length " + length + " at byte " + pos);
        }
        return length;
    }

    private void skip(long n, String what) throws Refused {
        if (n > remaining()) {
            throw new Refused(
                    true, what + " of " + n + " bytes with " + remaining() + " bytes left");
        }
        pos += (int) n;
    }

    /** A zig-zag varint of at most 10 bytes. */
    private long varlong() throws Refused {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= bytes.length) {
                throw new Refused(true, "the body ends inside a number");
            }
            int b = bytes[pos++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new Refused(false, "a number longer than 10 bytes at byte " + pos);
    }
}
