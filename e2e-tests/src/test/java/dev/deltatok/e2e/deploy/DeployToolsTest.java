package dev.deltatok.e2e.deploy;

import static dev.deltatok.e2e.deploy.Manifests.DEPLOY;
import static dev.deltatok.e2e.deploy.Manifests.at;
import static dev.deltatok.e2e.deploy.Manifests.only;
import static dev.deltatok.e2e.deploy.Manifests.render;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/ checked by the tools their ecosystems use, installed from Debian and npm by .ci/run:
 * ShellCheck for the scripts, dockerfile-utils (the Dockerfile language service's linter) for the
 * Dockerfile, Prometheus's promtool for the alert rules. Each test also shows its tool rejects a
 * broken input, so a tool that silently accepts everything cannot pass it.
 */
class DeployToolsTest {

    private static final String INSTALL =
            " is needed (.ci/run installs it: apt-get install shellcheck prometheus;"
                    + " npm install -g dockerfile-utils@0.16.3)";

    @Test
    void shellScriptsPassShellCheck(@TempDir Path tmp) throws Exception {
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            walk.filter(p -> p.toString().endsWith(".sh"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .forEach(p -> scripts.add(p.toString()));
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(4);
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--severity=style"));
        cmd.addAll(scripts);
        Result ok = run(cmd);
        assertThat(ok.exitCode()).as(ok.output()).isZero();

        Path bad = Files.writeString(tmp.resolve("bad.sh"), "#!/bin/bash\nrm -rf $1/*\n");
        assertThat(run(List.of("shellcheck", bad.toString())).exitCode()).isNotZero();
    }

    @Test
    void dockerfilePassesTheDockerfileLinter(@TempDir Path tmp) throws Exception {
        Result ok =
                run(List.of("dockerfile-utils", "lint", DEPLOY.resolve("Dockerfile").toString()));
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).isBlank();

        Path bad =
                Files.writeString(tmp.resolve("Dockerfile"), "FROM debian AS a\nRUNN true\nUSER\n");
        Result r = run(List.of("dockerfile-utils", "lint", bad.toString()));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Unknown instruction");
    }

    @Test
    void alertRulesPassPromtool(@TempDir Path tmp) throws Exception {
        Map<String, Object> rule = only(render("monitoring"), "PrometheusRule", "monitoring");
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, new Yaml(options).dump(Map.of("groups", at(rule, "spec.groups"))));
        Result ok = run(List.of("promtool", "check", "rules", rules.toString()));
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("SUCCESS: 7 rules found");

        Path bad =
                Files.writeString(
                        tmp.resolve("bad.yaml"),
                        "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: rate(x[5m) > 1\n");
        assertThat(run(List.of("promtool", "check", "rules", bad.toString())).exitCode())
                .isNotZero();
    }

    /** The restart alert fires on a restarting job and stays quiet on a healthy one. */
    @Test
    void restartAlertFiresOnlyWhenTheJobRestarts(@TempDir Path tmp) throws Exception {
        Map<String, Object> rule = only(render("monitoring"), "PrometheusRule", "monitoring");
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, new Yaml().dump(Map.of("groups", at(rule, "spec.groups"))));
        String series = "flink_jobmanager_job_numRestarts{pod=\"deltatok-abc\"}";
        Files.writeString(
                tmp.resolve("test.yaml"),
                String.join(
                        "\n",
                        "rule_files: [rules.yaml]",
                        "evaluation_interval: 1m",
                        "tests:",
                        "  - interval: 1m",
                        "    input_series:",
                        "      - series: '" + series + "'",
                        "        values: '0 0 0 0 0 1 2 3 4 5 6 6 6 6 6 6'",
                        "    alert_rule_test:",
                        "      - eval_time: 4m",
                        "        alertname: DeltatokJobRestarting",
                        "        exp_alerts: []",
                        "      - eval_time: 10m",
                        "        alertname: DeltatokJobRestarting",
                        "        exp_alerts:",
                        "          - exp_labels: {severity: warning, pod: deltatok-abc}",
                        "            exp_annotations:",
                        "              summary: The deltatok job restarted 6 times in 15 minutes",
                        "              description: Read the JobManager log for the root exception."
                                + " After 20 failed attempts the job fails and the operator"
                                + " redeploys it from its last checkpoint.",
                        ""));
        Result r = run(List.of("promtool", "test", "rules", tmp.resolve("test.yaml").toString()));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + INSTALL, e);
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
