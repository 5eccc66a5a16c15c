package dev.deltatok.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The core stays free of Flink and Kafka; only the Flink adapters touch them. */
@AnalyzeClasses(
        packages = "dev.deltatok",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreDoesNotDependOnFlinkOrKafka =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deltatok..")
                    .and()
                    .resideOutsideOfPackages("dev.deltatok.flink..", "dev.deltatok.wire..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..");
}
