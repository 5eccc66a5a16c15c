package dev.deltatok.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker {@code C3 01}, the writer schema's 64-bit CRC-64-AVRO
 * fingerprint little-endian, then the binary body) for one record type. Older writer schemas
 * registered with {@link #withWriterSchema(Schema)} are resolved to the current one.
 *
 * <p>Thread-safe: Avro's message encoder and decoder may be shared.
 */
public final class AvroWireCodec<T extends SpecificRecord> {

    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_BYTES = 10;

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final long fingerprint;
    private final Map<Long, Schema> knownWriters = new LinkedHashMap<>();

    private AvroWireCodec(Class<T> type, Schema schema) {
        this.type = type;
        this.schema = schema;
        SpecificData model = new SpecificData(type.getClassLoader());
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        knownWriters.put(fingerprint, schema);
    }

    /**
     * Classpath folder of the released schemas: {@code v1/}, {@code v2/}, ... each holding one
     * {@code <RecordName>.avsc} per record type, as that release wrote it.
     */
    public static final String RELEASED = "/dev/deltatok/schema/released/";

    /**
     * A codec for a generated Avro class, writing its current schema and reading it as well as
     * every released version of it (under {@link #RELEASED}), so a reader upgraded first still
     * reads what older writers put on a topic; fields they lack take their defaults.
     */
    public static <T extends SpecificRecord> AvroWireCodec<T> forType(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Schema schema = SpecificData.get().getSchema(type);
        AvroWireCodec<T> codec = new AvroWireCodec<>(type, schema);
        for (Schema released : releasedSchemas(schema.getName())) {
            if (SchemaNormalization.parsingFingerprint64(released) != codec.fingerprint) {
                codec.withWriterSchema(released);
            }
        }
        return codec;
    }

    /** The released versions of a record type's schema, oldest first. */
    static List<Schema> releasedSchemas(String recordName) {
        List<Schema> out = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = RELEASED + "v" + version + "/" + recordName + ".avsc";
            try (InputStream in = AvroWireCodec.class.getResourceAsStream(path)) {
                if (in == null) {
                    return out;
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the released schema " + path, e);
            }
        }
    }

    /** Also accept values written with an older (or newer) compatible schema. */
    public AvroWireCodec<T> withWriterSchema(Schema writer) {
        decoder.addSchema(writer);
        knownWriters.put(SchemaNormalization.parsingFingerprint64(writer), writer);
        return this;
    }

    public Schema schema() {
        return schema;
    }

    public Class<T> type() {
        return type;
    }

    /** The fingerprint written into every value, as the spec lays it out (little-endian). */
    public long fingerprint() {
        return fingerprint;
    }

    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + schema.getFullName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes one value.
     *
     * @throws WireFormatException with a problem and a message naming what was expected
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new WireFormatException(
                    WireFormatException.Problem.EMPTY,
                    "empty payload: expected " + describeExpected(),
                    null);
        }
        if (bytes.length < 2 || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            String seen = bytes.length < 2 ? hex(bytes, 0, bytes.length) : hex(bytes, 0, 2);
            throw new WireFormatException(
                    WireFormatException.Problem.BAD_MARKER,
                    "bad marker "
                            + seen
                            + " in a "
                            + bytes.length
                            + "-byte payload: expected C3 01, the Avro single-object marker, then "
                            + "the "
                            + schema.getName()
                            + " fingerprint",
                    null);
        }
        if (bytes.length < HEADER_BYTES) {
            throw new WireFormatException(
                    WireFormatException.Problem.TRUNCATED,
                    "truncated header: "
                            + bytes.length
                            + " bytes, but the single-object header alone is "
                            + HEADER_BYTES
                            + " bytes; expected "
                            + describeExpected(),
                    null);
        }
        long written =
                ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = knownWriters.get(written);
        if (writer == null) {
            throw new WireFormatException(
                    WireFormatException.Problem.UNKNOWN_FINGERPRINT,
                    "unknown schema fingerprint "
                            + fingerprintHex(written)
                            + ": not a "
                            + schema.getFullName()
                            + " schema this reader knows (known: "
                            + knownFingerprints()
                            + ")",
                    null);
        }
        try {
            AvroBodyCheck.check(writer, bytes, HEADER_BYTES);
        } catch (AvroBodyCheck.Refused e) {
            if (e.truncated()) {
                throw truncated(bytes.length, e);
            }
            throw new WireFormatException(
                    WireFormatException.Problem.CORRUPT,
                    "corrupt "
                            + schema.getName()
                            + " body ("
                            + bytes.length
                            + " bytes): "
                            + e.getMessage(),
                    e);
        }
        try {
            return decoder.decode(bytes);
        } catch (EOFException e) {
            throw truncated(bytes.length, e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            if (e.getCause() instanceof EOFException) {
                throw truncated(bytes.length, e);
            }
            throw new WireFormatException(
                    WireFormatException.Problem.CORRUPT,
                    "corrupt "
                            + schema.getName()
                            + " body ("
                            + bytes.length
                            + " bytes): "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            throw new WireFormatException(
                    WireFormatException.Problem.CORRUPT,
                    "corrupt " + schema.getName() + " body (" + bytes.length + " bytes): " + e,
                    e);
        }
    }

    private WireFormatException truncated(int length, Exception cause) {
        return new WireFormatException(
                WireFormatException.Problem.TRUNCATED,
                "truncated payload: "
                        + length
                        + " bytes end before the "
                        + schema.getName()
                        + " record does"
                        + (cause instanceof AvroBodyCheck.Refused
                                ? " (" + cause.getMessage() + ")"
                                : "")
                        + "; expected a complete "
                        + describeExpected(),
                cause);
    }

    /** Built only on error paths: the fingerprint is not cheap to compute per record. */
    private String describeExpected() {
        return "Avro single-object encoding of "
                + schema.getFullName()
                + " (C3 01, fingerprint "
                + fingerprintHex(fingerprint)
                + ", body)";
    }

    private String knownFingerprints() {
        StringBuilder out = new StringBuilder();
        for (Long known : knownWriters.keySet()) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(fingerprintHex(known));
        }
        return out.toString();
    }

    /** The fingerprint as the 8 bytes appear on the wire. */
    static String fingerprintHex(long fingerprint) {
        byte[] le =
                ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .putLong(fingerprint)
                        .array();
        return hex(le, 0, 8);
    }

    private static String hex(byte[] bytes, int from, int to) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes, from, to);
    }
}
