package dev.deltatok.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks the deploy/ folder without Docker or Kubernetes: every kustomize target under deploy/k8s
 * is rendered the way kustomize merges patches into a custom resource, and its FlinkDeployment is
 * checked field by field, against the README's option table and against the FlinkDeployment CRD
 * schema shipped in the operator's API jar; the Dockerfile and the topic definitions are checked
 * against what the manifests and the job expect.
 */
class DeployManifestsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = REPO.resolve("deploy");
    private static final Path K8S = DEPLOY.resolve("k8s");
    private static final String CRD_RESOURCE =
            "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    private static final String USRLIB = "/opt/flink/usrlib/";

    static Stream<String> targets() throws IOException {
        List<String> targets = new ArrayList<>();
        targets.add("base");
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            overlays.filter(Files::isDirectory)
                    .map(p -> "overlays/" + p.getFileName())
                    .sorted()
                    .forEach(targets::add);
        }
        return targets.stream();
    }

    @Test
    void hasTheExpectedKustomizeTargets() throws IOException {
        assertThat(targets())
                .containsExactly("base", "overlays/dev", "overlays/gpu", "overlays/prod");
    }

    @Test
    void everyYamlFileUnderK8sParsesIntoResourcesWithKindAndName() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path file : files) {
            List<Map<String, Object>> docs = loadAll(file);
            assertThat(docs).as(file.toString()).isNotEmpty();
            for (Map<String, Object> doc : docs) {
                assertThat(doc).as(file.toString()).containsKeys("apiVersion", "kind");
                if (!"Kustomization".equals(doc.get("kind"))) {
                    assertThat(str(doc, "metadata.name")).as(file + " metadata.name").isNotBlank();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void flinkDeploymentHasWhatTheOperatorAndTheJobNeed(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        Map<String, String> conf = flinkConfiguration(fd);

        assertThat(fd.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(str(fd, "spec.image")).isNotBlank().doesNotEndWith(":latest");
        assertThat(str(fd, "spec.flinkVersion")).startsWith("v2_");
        assertThat(str(fd, "spec.job.jarURI")).startsWith("local://" + USRLIB).endsWith(".jar");
        assertThat(str(fd, "spec.job.upgradeMode")).isEqualTo("savepoint");
        assertThat(str(fd, "spec.job.state")).isEqualTo("running");

        assertThat(conf.get("execution.checkpointing.dir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("execution.checkpointing.savepoint-dir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("execution.checkpointing.interval")).isNotBlank();
        assertThat(conf.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(conf.get("high-availability.storageDir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("state.backend.type")).isEqualTo("rocksdb");
        assertThat(conf.get("pipeline.generic-types")).isEqualTo("false");
        assertThat(conf.get("classloader.parent-first-patterns.additional"))
                .contains("ai.onnxruntime.");
        assertThat(conf.get("restart-strategy.type")).isNotBlank();
        assertThat(conf.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(conf.get("metrics.reporter.prom.port")).matches("\\d+(-\\d+)?");

        int parallelism = num(fd, "spec.job.parallelism");
        int slots = Integer.parseInt(conf.get("taskmanager.numberOfTaskSlots"));
        int taskManagers = num(fd, "spec.taskManager.replicas");
        assertThat(parallelism).isPositive();
        assertThat(parallelism)
                .as("parallelism fits in %d TaskManagers x %d slots", taskManagers, slots)
                .isLessThanOrEqualTo(taskManagers * slots);
        assertThat(Integer.parseInt(conf.get("pipeline.max-parallelism")))
                .as("pipeline.max-parallelism, fixed across every target")
                .isEqualTo(720)
                .isGreaterThanOrEqualTo(parallelism);
        assertThat(str(fd, "spec.jobManager.resource.memory")).matches("\\d+[mg]");
        assertThat(str(fd, "spec.taskManager.resource.memory")).matches("\\d+[mg]");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void jobArgsAreOptionsOfTheJobAndAgreeWithTheFlinkConfiguration(String target)
            throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        Map<String, String> conf = flinkConfiguration(fd);
        Map<String, String> args = parseJobArgs(listOf(fd, "spec.job.args"));

        assertThat(readmeOptions().keySet()).as("options in README.md").containsAll(args.keySet());
        assertThat(args).containsKey("kafka.bootstrap-servers");
        // The job sets these Flink options itself from its arguments, overriding
        // flinkConfiguration.
        assertThat(args.get("state.backend")).isEqualTo("ROCKSDB");
        assertThat(args.get("checkpoint.dir")).isEqualTo(conf.get("execution.checkpointing.dir"));
        assertThat(args.get("checkpoint.interval"))
                .isEqualTo(conf.get("execution.checkpointing.interval"));
        assertThat(args.get("parallelism"))
                .isEqualTo(String.valueOf(num(fd, "spec.job.parallelism")));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void flinkDeploymentConformsToTheOperatorCrdSchema(String target) throws IOException {
        Map<String, Object> schema = crdSchema();
        List<String> errors = new ArrayList<>();
        new SchemaCheck(errors).validate(flinkDeployment(target), schema, "", true);
        assertThat(errors).as("CRD schema violations in " + target).isEmpty();
    }

    @Test
    void schemaCheckReportsUnknownFieldsWrongTypesAndEnumValues() throws IOException {
        Map<String, Object> fd = flinkDeployment("base");
        Map<String, Object> spec = map(fd, "spec");
        spec.put("jobManger", Map.of("replicas", 1));
        map(spec, "job").put("upgradeMode", "last_state");
        map(spec, "job").put("parallelism", "4");
        map(spec, "flinkConfiguration").put("taskmanager.numberOfTaskSlots", 2);

        List<String> errors = new ArrayList<>();
        new SchemaCheck(errors).validate(fd, crdSchema(), "", true);

        assertThat(errors)
                .anyMatch(e -> e.contains(".spec.jobManger") && e.contains("unknown field"))
                .anyMatch(e -> e.contains(".spec.job.upgradeMode") && e.contains("last_state"))
                .anyMatch(e -> e.contains(".spec.job.parallelism") && e.contains("integer"))
                .anyMatch(e -> e.contains("taskmanager.numberOfTaskSlots") && e.contains("string"));
    }

    @Test
    void dockerfileCopiesTheJobJarWhereJarUriPointsAndOnnxRuntimeIntoLib() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        String jarPath =
                str(flinkDeployment("base"), "spec.job.jarURI").substring("local://".length());
        List<String[]> copies = new ArrayList<>();
        Matcher m =
                Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$")
                        .matcher(dockerfile.replace("\\\n", " "));
        while (m.find()) {
            copies.add(new String[] {m.group(1), m.group(2)});
        }
        assertThat(copies).anyMatch(c -> c[0].equals("deltatok-job.jar") && c[1].equals(jarPath));
        assertThat(copies)
                .anyMatch(
                        c ->
                                c[0].equals("models/default/")
                                        && c[1].equals("/opt/deltatok/models/default/"));

        String ort = pomProperty("onnxruntime.version");
        assertThat(copies)
                .anyMatch(
                        c ->
                                c[0].equals("lib/onnxruntime-" + ort + ".jar")
                                        && c[1].startsWith("/opt/flink/lib/"));
        assertThat(Files.readString(DEPLOY.resolve("build-image.sh")))
                .contains("ORT_VERSION=" + ort)
                .contains("flink-jobs/target/deltatok-job.jar")
                .contains("-pl flink-jobs -am");

        assertThat(dockerfile)
                .contains("ARG FLINK_IMAGE=flink:" + pomProperty("flink.version") + "-")
                .contains("-java17");
        List<String> stages = new ArrayList<>();
        Matcher from = Pattern.compile("(?m)^FROM\\s+\\S+\\s+AS\\s+(\\S+)").matcher(dockerfile);
        while (from.find()) {
            stages.add(from.group(1));
        }
        assertThat(stages)
                .as("the default (last) stage is the CPU image")
                .endsWith("cpu")
                .contains("gpu");
    }

    @Test
    void standaloneConfigLoadsOnnxRuntimeFromLibAndDisablesGenericTypes() throws IOException {
        Map<String, Object> config = loadAll(DEPLOY.resolve("standalone/config.yaml")).get(0);
        assertThat(
                        String.valueOf(
                                flatten(config)
                                        .get("classloader.parent-first-patterns.additional")))
                .contains("ai.onnxruntime.");
        assertThat(String.valueOf(flatten(config).get("pipeline.generic-types")))
                .isEqualTo("false");
    }

    @Test
    void topicDefinitionsCoverTheJobsThreeTopics() throws IOException {
        Properties topics = new Properties();
        try (InputStream in = Files.newInputStream(DEPLOY.resolve("topics/topics.properties"))) {
            topics.load(in);
        }
        Map<String, String> options = readmeOptions();
        Map<String, String> expected =
                Map.of(
                        "frames", options.get("kafka.frames-topic"),
                        "deltas", options.get("kafka.deltas-topic"),
                        "rejected", options.get("kafka.rejected-topic"));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String id = e.getKey();
            assertThat(topics.getProperty(id + ".name")).isEqualTo(e.getValue());
            assertThat(Integer.parseInt(topics.getProperty(id + ".partitions"))).isPositive();
            assertThat(Long.parseLong(topics.getProperty(id + ".config.retention.ms")))
                    .isPositive();
            assertThat(topics.getProperty(id + ".config.cleanup.policy")).isEqualTo("delete");
            assertThat(Long.parseLong(topics.getProperty(id + ".config.max.message.bytes")))
                    .isPositive();
        }
        // The job's and deltatok produce's producers send records up to max.request.size 32 MiB.
        assertThat(Long.parseLong(topics.getProperty("frames.config.max.message.bytes")))
                .isGreaterThanOrEqualTo(32L << 20);
    }

    @Test
    void topicsScriptCreatesEveryTopicIdempotently() throws Exception {
        Process p =
                new ProcessBuilder(
                                "bash",
                                DEPLOY.resolve("topics.sh").toString(),
                                "--dry-run",
                                "--bootstrap",
                                "broker:9092",
                                "--replication-factor",
                                "3")
                        .redirectErrorStream(true)
                        .start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        for (String topic : List.of("deltatok.frames", "deltatok.deltas", "deltatok.rejected")) {
            assertThat(lines)
                    .anyMatch(
                            l ->
                                    l.contains("--create --if-not-exists --topic " + topic + " ")
                                            && l.contains("--bootstrap-server broker:9092")
                                            && l.contains("--replication-factor 3")
                                            && l.contains("--config min.insync.replicas=2"));
        }
        assertThat(out).contains("--config max.message.bytes=33554432");
    }

    // ---------------------------------------------------------------------------------------
    // kustomize rendering, restricted to what deploy/k8s uses

    private static Map<String, Object> flinkDeployment(String target) throws IOException {
        List<Map<String, Object>> resources = render(K8S.resolve(target));
        List<Map<String, Object>> fds =
                resources.stream().filter(r -> "FlinkDeployment".equals(r.get("kind"))).toList();
        assertThat(fds).as("FlinkDeployments in " + target).hasSize(1);
        return fds.get(0);
    }

    /**
     * Renders a kustomization: its resources (files, or folders with their own kustomization) and
     * its patches, applied as kustomize applies a strategic-merge patch to a custom resource it has
     * no schema for (maps merge, null deletes, lists of maps that all carry a key such as {@code
     * name} merge element by element, other lists are replaced). Fields of the kustomization this
     * renderer does not implement fail the test rather than being skipped.
     */
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Map<String, Object> k = loadAll(dir.resolve("kustomization.yaml")).get(0);
        assertThat(k.keySet())
                .as("kustomization fields understood by this test, in " + dir)
                .isSubsetOf("apiVersion", "kind", "resources", "patches");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : listOf(k, "resources")) {
            Path p = dir.resolve(String.valueOf(r)).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                out.addAll(loadAll(p));
            }
        }
        Object patches = k.get("patches");
        for (Object entry : patches == null ? List.of() : (List<?>) patches) {
            Map<?, ?> e = (Map<?, ?>) entry;
            assertThat(e.keySet().stream().map(String::valueOf).toList())
                    .as("patch entry in " + dir)
                    .containsExactly("path");
            Map<String, Object> patch = loadAll(dir.resolve(String.valueOf(e.get("path")))).get(0);
            List<Map<String, Object>> matching =
                    out.stream()
                            .filter(
                                    r ->
                                            r.get("kind").equals(patch.get("kind"))
                                                    && str(r, "metadata.name")
                                                            .equals(str(patch, "metadata.name")))
                            .toList();
            assertThat(matching).as("resources matched by patch " + e.get("path")).hasSize(1);
            out.set(out.indexOf(matching.get(0)), castMap(merge(matching.get(0), patch)));
        }
        return out;
    }

    private static final List<String> ASSOCIATIVE_KEYS =
            List.of(
                    "mountPath",
                    "devicePath",
                    "ip",
                    "type",
                    "topologyKey",
                    "name",
                    "containerPort");

    private static Object merge(Object base, Object patch) {
        if (base instanceof Map<?, ?> b && patch instanceof Map<?, ?> p) {
            Map<String, Object> out = new LinkedHashMap<>(castMap(b));
            for (Map.Entry<?, ?> e : p.entrySet()) {
                String key = String.valueOf(e.getKey());
                assertThat(key).as("patch directives are not used").doesNotStartWith("$");
                if (e.getValue() == null) {
                    out.remove(key);
                } else {
                    out.put(
                            key,
                            out.containsKey(key)
                                    ? merge(out.get(key), e.getValue())
                                    : e.getValue());
                }
            }
            return out;
        }
        if (base instanceof List<?> b && patch instanceof List<?> p) {
            String key = associativeKey(b, p);
            if (key == null) {
                return p;
            }
            List<Object> out = new ArrayList<>(b);
            for (Object item : p) {
                Object id = ((Map<?, ?>) item).get(key);
                int at = -1;
                for (int i = 0; i < out.size(); i++) {
                    if (id.equals(((Map<?, ?>) out.get(i)).get(key))) {
                        at = i;
                    }
                }
                if (at < 0) {
                    out.add(item);
                } else {
                    out.set(at, merge(out.get(at), item));
                }
            }
            return out;
        }
        return patch;
    }

    private static String associativeKey(List<?> a, List<?> b) {
        List<Object> all = new ArrayList<>(a);
        all.addAll(b);
        if (all.isEmpty() || !all.stream().allMatch(o -> o instanceof Map)) {
            return null;
        }
        for (String key : ASSOCIATIVE_KEYS) {
            if (all.stream().allMatch(o -> ((Map<?, ?>) o).containsKey(key))) {
                return key;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------
    // the CRD's openAPIV3Schema

    private static Map<String, Object> crdSchema() throws IOException {
        Map<String, Object> crd;
        try (InputStream in =
                DeployManifestsTest.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
            assertThat(in)
                    .as("CRD from org.apache.flink:flink-kubernetes-operator-api")
                    .isNotNull();
            crd = castMap(new Yaml(new SafeConstructor(new LoaderOptions())).load(in));
        }
        Map<String, Object> version =
                listOf(crd, "spec.versions").stream()
                        .map(DeployManifestsTest::castMap)
                        .filter(v -> "v1beta1".equals(v.get("name")))
                        .findFirst()
                        .orElseThrow();
        Map<String, Object> schema = map(map(version, "schema"), "openAPIV3Schema");
        // The newest operator API jar on Maven Central (1.10.0) predates Flink 2.x: its enum stops
        // at v1_20. Operators 1.11+ accept v2_0 and 1.13+ v2_1; nothing else is relaxed.
        List<Object> versions =
                new ArrayList<>(
                        listOf(
                                map(map(schema, "properties"), "spec"),
                                "properties.flinkVersion.enum"));
        versions.addAll(List.of("v2_0", "v2_1"));
        map(map(map(map(schema, "properties"), "spec"), "properties"), "flinkVersion")
                .put("enum", versions);
        return schema;
    }

    /**
     * The subset of OpenAPI v3 that the CRD uses, checked the way {@code kubectl apply
     * --validate=strict} does: types, enums, required fields, and no field the schema does not
     * declare (the API server would silently drop it).
     */
    private record SchemaCheck(List<String> errors) {
        void validate(Object value, Map<String, Object> schema, String path, boolean root) {
            if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
                if (!(value instanceof Integer
                        || value instanceof Long
                        || value instanceof String)) {
                    errors.add(path + ": expected integer or string, got " + describe(value));
                }
                return;
            }
            if (schema.get("anyOf") instanceof List<?> alternatives) {
                boolean ok = false;
                for (Object alt : alternatives) {
                    List<String> sub = new ArrayList<>();
                    new SchemaCheck(sub).validate(value, castMap(alt), path, false);
                    ok |= sub.isEmpty();
                }
                if (!ok) {
                    errors.add(path + ": matches none of " + alternatives);
                }
            }
            if (schema.get("enum") instanceof List<?> values && !values.contains(value)) {
                errors.add(path + ": '" + value + "' is not one of " + values);
            }
            String type = (String) schema.get("type");
            if (type != null && !hasType(value, type)) {
                errors.add(path + ": expected " + type + ", got " + describe(value));
                return;
            }
            if (value instanceof Map<?, ?> object) {
                Map<?, ?> properties = (Map<?, ?>) schema.get("properties");
                Object additional = schema.get("additionalProperties");
                boolean preserve =
                        Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
                if (schema.get("required") instanceof List<?> required) {
                    for (Object r : required) {
                        if (!object.containsKey(r)) {
                            errors.add(path + "." + r + ": required");
                        }
                    }
                }
                for (Map.Entry<?, ?> e : object.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    String at = path + "." + key;
                    if (root && Set.of("apiVersion", "kind", "metadata").contains(key)) {
                        continue;
                    }
                    if (properties != null && properties.containsKey(key)) {
                        validate(e.getValue(), castMap(properties.get(key)), at, false);
                    } else if (additional instanceof Map<?, ?> additionalSchema) {
                        validate(e.getValue(), castMap(additionalSchema), at, false);
                    } else if (!preserve && !Boolean.TRUE.equals(additional)) {
                        errors.add(at + ": unknown field");
                    }
                }
            }
            if (value instanceof List<?> list && schema.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < list.size(); i++) {
                    validate(list.get(i), castMap(items), path + "[" + i + "]", false);
                }
            }
        }

        private static boolean hasType(Object value, String type) {
            return switch (type) {
                case "object" -> value instanceof Map;
                case "array" -> value instanceof List;
                case "string" -> value instanceof String;
                case "integer" -> value instanceof Integer || value instanceof Long;
                case "number" -> value instanceof Number;
                case "boolean" -> value instanceof Boolean;
                default -> false;
            };
        }

        private static String describe(Object value) {
            return value == null ? "null" : value.getClass().getSimpleName() + " '" + value + "'";
        }
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    /** {@code --key value} and {@code --key=value} pairs, the forms TokenizerJob accepts. */
    private static Map<String, String> parseJobArgs(List<Object> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            assertThat(arg).as("job.args[%d] is a string", i).isInstanceOf(String.class);
            String s = (String) arg;
            assertThat(s).as("job.args[%d]", i).startsWith("--");
            int eq = s.indexOf('=');
            if (eq > 0) {
                out.put(s.substring(2, eq), s.substring(eq + 1));
            } else {
                assertThat(i + 1).as("value of " + s).isLessThan(args.size());
                Object value = args.get(++i);
                assertThat(value).as("value of " + s + " is a string").isInstanceOf(String.class);
                assertThat(out.put(s.substring(2), (String) value)).as("repeated " + s).isNull();
            }
        }
        return out;
    }

    /** Option key (without --) to default, from README.md's generated option table. */
    private static Map<String, String> readmeOptions() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        int start = readme.indexOf("<!-- options:start");
        int end = readme.indexOf("<!-- options:end -->");
        assertThat(start).as("options:start marker in README.md").isNotNegative();
        assertThat(end).as("options:end marker in README.md").isGreaterThan(start);
        Map<String, String> options = new LinkedHashMap<>();
        Matcher m =
                Pattern.compile("(?m)^\\| `--([a-z0-9.-]+)` \\| ([^|]*) \\|")
                        .matcher(readme.substring(start, end));
        while (m.find()) {
            options.put(m.group(1), m.group(2).trim().replace("`", ""));
        }
        assertThat(options).hasSizeGreaterThan(10);
        return options;
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m =
                Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                        .matcher(Files.readString(REPO.resolve("pom.xml")));
        if (!m.find()) {
            fail("property " + name + " not in pom.xml");
        }
        return m.group(1).trim();
    }

    private static List<Map<String, Object>> loadAll(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc :
                new Yaml(new SafeConstructor(options))
                        .loadAll(Files.readString(file, StandardCharsets.UTF_8))) {
            if (doc != null) {
                assertThat(doc).as(file.toString()).isInstanceOf(Map.class);
                docs.add(castMap(doc));
            }
        }
        return docs;
    }

    private static Map<String, String> flinkConfiguration(Map<String, Object> fd) {
        Map<String, String> conf = new LinkedHashMap<>();
        map(map(fd, "spec"), "flinkConfiguration")
                .forEach(
                        (k, v) -> {
                            assertThat(v)
                                    .as("flinkConfiguration " + k + " is a string")
                                    .isInstanceOf(String.class);
                            conf.put(k, (String) v);
                        });
        return conf;
    }

    /** Nested YAML maps as dotted keys, as Flink reads its config.yaml. */
    private static Map<String, Object> flatten(Map<String, Object> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach(
                (k, v) -> {
                    if (v instanceof Map<?, ?> m) {
                        flatten(castMap(m)).forEach((k2, v2) -> out.put(k + "." + k2, v2));
                    } else {
                        out.put(k, v);
                    }
                });
        return out;
    }

    private static Object at(Map<String, Object> root, String dotted) {
        Object node = root;
        for (String part : dotted.split("\\.")) {
            assertThat(node).as(dotted + " (at " + part + ")").isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(part);
            assertThat(node).as(dotted + " is set").isNotNull();
        }
        return node;
    }

    private static String str(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is a string").isInstanceOf(String.class);
        return (String) v;
    }

    private static int num(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is an integer").isInstanceOf(Integer.class);
        return (Integer) v;
    }

    private static List<Object> listOf(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is a list").isInstanceOf(List.class);
        return new ArrayList<>((List<?>) v);
    }

    private static Map<String, Object> map(Map<String, Object> root, String key) {
        return castMap(at(root, key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
