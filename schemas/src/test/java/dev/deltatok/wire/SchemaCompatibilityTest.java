package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                            released.get(v), current)
                                    .getType())
                    .as("v%d reader of current %s data", v + 1, name)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
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
