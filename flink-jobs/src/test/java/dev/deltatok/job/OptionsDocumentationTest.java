package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OptionsDocumentationTest {

    @Test
    void readmeListsEveryOptionWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf(OptionsTable.START);
        int end = readme.indexOf(OptionsTable.END);
        assertThat(start).as("README has the options table markers").isNotNegative();
        assertThat(end).isGreaterThan(start);
        String table = readme.substring(start + OptionsTable.START.length(), end).strip();
        assertThat(table)
                .as(
                        "README's option table is out of date; regenerate it with"
                                + " OptionsTable.main (the expected table is below)")
                .isEqualTo(OptionsTable.markdown().strip());
    }

    @Test
    void everyOptionHasADescription() {
        assertThat(TokenizerOptions.all())
                .isNotEmpty()
                .allSatisfy(
                        o ->
                                assertThat(
                                                new org.apache.flink.configuration.description
                                                                .HtmlFormatter()
                                                        .format(o.description()))
                                        .isNotBlank());
    }
}
