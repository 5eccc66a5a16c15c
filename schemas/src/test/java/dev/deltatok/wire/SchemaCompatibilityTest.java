package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema must stay readable by every released version and read what each wrote. The released
 * copies live in {@code src/main/resources/dev/deltatok/schema/released/vN/}, where the codecs also
 * find them to read what older writers wrote.
 */
class SchemaCompatibilityTest {

    static Stream<Arguments> schemas() {
        return Stream.of(
                Arguments.of("Frame", Frame.getClassSchema()),
                Arguments.of("TokenDelta", TokenDelta.getClassSchema()),
                Arguments.of("RejectedFrame", RejectedFrame.getClassSchema()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void currentReadsWhatEveryReleaseWrote(String name, Schema current) {
        List<Schema> released = AvroWireCodec.releasedSchemas(name);
        assertThat(released).as("released versions of %s", name).hasSizeGreaterThanOrEqualTo(2);
        for (int v = 0; v < released.size(); v++) {
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                            current, released.get(v))
                                    .getType())
                    .as("current %s reading v%d data", name, v + 1)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void everyReleaseReadsWhatCurrentWrites(String name, Schema current) {
        List<Schema> released = AvroWireCodec.releasedSchemas(name);
        for (int v = 0; v < released.size(); v++) {
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(released.get(v), current);
            if (name.equals("TokenDelta") && v < 2) {
                // On purpose: v1 and v2 readers do not know the MOVED kind and must refuse such a
                // delta (theMovedKindIsRefusedByReadersOlderThanIt); nothing else may differ.
                assertThat(result.getResult().getIncompatibilities())
                        .as("v%d reader of current %s data", v + 1, name)
                        .singleElement()
                        .satisfies(
                                i -> {
                                    assertThat(i.getType())
                                            .isEqualTo(
                                                    SchemaCompatibility.SchemaIncompatibilityType
                                                            .MISSING_ENUM_SYMBOLS);
                                    assertThat(i.getMessage()).isEqualTo("[MOVED]");
                                    assertThat(i.getLocation()).isEqualTo("/fields/5/type/symbols");
                                });
                continue;
            }
            assertThat(result.getType())
                    .as("v%d reader of current %s data", v + 1, name)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    /**
     * A reader older than global motion (v1, v2) still reads every KEYFRAME and DELTA the current
     * writer writes, and refuses a MOVED delta with an error that names the kind: it never applies
     * a delta without the key-map shift that the delta depends on.
     */
    @org.junit.jupiter.api.Test
    void theMovedKindIsRefusedByReadersOlderThanIt() throws Exception {
        Schema current = TokenDelta.getClassSchema();
        TokenDelta still = TestRecords.delta("cam-1", 5);
        TokenDelta moved =
                TokenDelta.newBuilder(still)
                        .setKind(dev.deltatok.schema.DeltaKind.MOVED)
                        .setShiftCols(-1)
                        .setOffsetX(6)
                        .build();
        for (int v = 0; v < 2; v++) {
            Schema old = AvroWireCodec.releasedSchemas("TokenDelta").get(v);
            org.apache.avro.generic.GenericRecord read = readAs(old, current, still);
            assertThat(read.get("kind").toString()).isEqualTo("DELTA");
            assertThat(read.getSchema().getField("shiftCols")).isNull();
            assertThatThrownBy(() -> readAs(old, current, moved))
                    .as("v%d reader of a MOVED delta", v + 1)
                    .isInstanceOf(org.apache.avro.AvroTypeException.class)
                    .hasMessageContaining("MOVED");
        }
        org.apache.avro.generic.GenericRecord v3 =
                readAs(AvroWireCodec.releasedSchemas("TokenDelta").get(2), current, moved);
        assertThat(v3.get("kind").toString()).isEqualTo("MOVED");
        assertThat(v3.get("shiftCols")).isEqualTo(-1);
        assertThat(v3.get("offsetX")).isEqualTo(6);
    }

    @org.junit.jupiter.api.Test
    void motionFieldsDefaultToNoMotion() {
        Schema current = TokenDelta.getClassSchema();
        for (String field : List.of("shiftRows", "shiftCols", "offsetX", "offsetY")) {
            assertThat(current.getField(field).defaultVal()).as(field).isEqualTo(0);
        }
        assertThat(TestRecords.delta("cam-1", 5).getKind())
                .isNotEqualTo(dev.deltatok.schema.DeltaKind.MOVED);
    }

    private static org.apache.avro.generic.GenericRecord readAs(
            Schema reader, Schema writer, TokenDelta value) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder enc =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<TokenDelta>(writer).write(value, enc);
        enc.flush();
        return new org.apache.avro.generic.GenericDatumReader<
                        org.apache.avro.generic.GenericRecord>(writer, reader)
                .read(
                        null,
                        org.apache.avro.io.DecoderFactory.get()
                                .binaryDecoder(bytes.toByteArray(), null));
    }

    @org.junit.jupiter.api.Test
    void theLatestReleaseOfTokenDeltaLacksOnlyTheOverloadStats() {
        Schema v2 = AvroWireCodec.releasedSchemas("TokenDelta").get(1);
        Schema currentStats = TokenDelta.getClassSchema().getField("stats").schema();
        Schema releasedStats = v2.getField("stats").schema();
        assertThat(currentStats.getFields())
                .extracting(Schema.Field::name)
                .containsSubsequence("keyframeReason", "skippedFrames", "budgetScale");
        assertThat(releasedStats.getField("skippedFrames")).isNull();
        assertThat(releasedStats.getField("budgetScale")).isNull();
        assertThat(currentStats.getField("skippedFrames").defaultVal()).isEqualTo(0);
        assertThat(currentStats.getField("budgetScale").defaultVal()).isEqualTo(1.0f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void everyEnumHasADefaultOrIsClosed(String name, Schema current) {
        for (Schema.Field field : current.getFields()) {
            Schema schema = field.schema();
            if (schema.getType() == Schema.Type.ENUM && !schema.getName().equals("DeltaKind")) {
                assertThat(schema.getEnumDefault())
                        .as("%s.%s needs a default symbol", name, field.name())
                        .isNotNull();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void detectsAnIncompatibleChange() {
        Schema broken =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Frame\",\"namespace\":\"dev.deltatok.schema\","
                                        + "\"fields\":[{\"name\":\"cameraId\",\"type\":\"int\"}]}");
        assertThat(
                        SchemaCompatibility.checkReaderWriterCompatibility(
                                        broken, Frame.getClassSchema())
                                .getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
