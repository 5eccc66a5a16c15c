package dev.deltatok.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectedFrame;
import dev.deltatok.schema.TokenDelta;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema must stay readable by the previous released version and read what it wrote. The
 * released copies live in {@code src/main/resources/dev/deltatok/schema/released/vN/}, where the
 * codecs also find them to read what older writers wrote.
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
    void currentReadsWhatPreviousReleaseWrote(String name, Schema current) throws IOException {
        Schema released = released(name);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType())
                .as("current %s reading v1 data", name)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void previousReleaseReadsWhatCurrentWrites(String name, Schema current) throws IOException {
        Schema released = released(name);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released, current).getType())
                .as("v1 reader of current %s data", name)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
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

    private static Schema released(String name) throws IOException {
        try (InputStream in =
                SchemaCompatibilityTest.class.getResourceAsStream(
                        AvroWireCodec.RELEASED + "v1/" + name + ".avsc")) {
            assertThat(in).as("%sv1/%s.avsc", AvroWireCodec.RELEASED, name).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }
}
