package dev.deltatok.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The CustomResourceDefinitions the manifests are validated against, as released upstream and
 * stored unchanged under {@code src/test/resources/crd/} (provenance and sha256 in the README
 * there; {@code DeployManifestsTest} checks the hashes, so nobody widens a schema by hand).
 */
final class CrdSchemas {

    /** A stored CRD: resource name, the group/kind it defines, its sha256 as released. */
    record Crd(String file, String apiVersion, String kind, String sha256) {}

    static final List<Crd> CRDS =
            List.of(
                    // apache/flink-kubernetes-operator, tag release-1.15.0,
                    // helm/flink-kubernetes-operator/crds/ (what the operator API jar ships).
                    new Crd(
                            "flinkdeployments.flink.apache.org-v1.yml",
                            "flink.apache.org/v1beta1",
                            "FlinkDeployment",
                            "7977265fc26d5e13e46ea5a18b18ce71dc1b93a7c750d781843a7af0d1d13e47"),
                    // prometheus-operator/prometheus-operator, tag v0.93.0,
                    // example/prometheus-operator-crd/.
                    new Crd(
                            "monitoring.coreos.com_podmonitors.yaml",
                            "monitoring.coreos.com/v1",
                            "PodMonitor",
                            "45a93443daa687d3654f7e9631909ff7edcdf3ec09c5e60251b74aa2722aee5d"),
                    new Crd(
                            "monitoring.coreos.com_prometheusrules.yaml",
                            "monitoring.coreos.com/v1",
                            "PrometheusRule",
                            "78be98554b9c8506ab2b4f4feb91c5f3a56e536a0a510f3a8e876a459970d56d"));

    private CrdSchemas() {}

    static byte[] bytes(Crd crd) throws IOException {
        try (InputStream in =
                CrdSchemas.class.getClassLoader().getResourceAsStream("crd/" + crd.file())) {
            assertThat(in).as("test resource crd/" + crd.file()).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The openAPIV3Schema of the CRD version that {@code apiVersion} names. */
    static Map<String, Object> schema(Crd crd) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(8 << 20);
        Map<String, Object> doc =
                Manifests.castMap(
                        new Yaml(new SafeConstructor(options)).load(new String(bytes(crd))));
        String version = crd.apiVersion().substring(crd.apiVersion().indexOf('/') + 1);
        Map<String, Object> v =
                Manifests.listOf(doc, "spec.versions").stream()
                        .map(Manifests::castMap)
                        .filter(x -> version.equals(x.get("name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(crd.file() + " has no " + version));
        return Manifests.map(Manifests.map(v, "schema"), "openAPIV3Schema");
    }

    static Crd forResource(Map<String, Object> resource) {
        return CRDS.stream()
                .filter(
                        c ->
                                c.kind().equals(resource.get("kind"))
                                        && c.apiVersion().equals(resource.get("apiVersion")))
                .findFirst()
                .orElse(null);
    }

    /** Violations of {@code schema} by {@code resource}; empty when it conforms. */
    static List<String> violations(Map<String, Object> resource, Map<String, Object> schema) {
        List<String> errors = new ArrayList<>();
        new Check(errors).validate(resource, schema, "", true);
        return errors;
    }

    /**
     * The subset of OpenAPI v3 these CRDs use, checked as the API server does with {@code kubectl
     * apply --validate=strict}: types, enums, patterns, required fields, and no field the schema
     * does not declare (the server would drop it silently).
     */
    private record Check(List<String> errors) {
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
                    new Check(sub).validate(value, Manifests.castMap(alt), path, false);
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
            if (value instanceof String s
                    && schema.get("pattern") instanceof String pattern
                    && !Pattern.compile(pattern).matcher(s).find()) {
                errors.add(path + ": '" + s + "' does not match " + pattern);
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
                        validate(e.getValue(), Manifests.castMap(properties.get(key)), at, false);
                    } else if (additional instanceof Map<?, ?> additionalSchema) {
                        validate(e.getValue(), Manifests.castMap(additionalSchema), at, false);
                    } else if (!preserve && !Boolean.TRUE.equals(additional)) {
                        errors.add(at + ": unknown field");
                    }
                }
            }
            if (value instanceof List<?> list && schema.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < list.size(); i++) {
                    validate(list.get(i), Manifests.castMap(items), path + "[" + i + "]", false);
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
}
