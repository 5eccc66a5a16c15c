package dev.deltatok.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deploy/ folder as the tests read it: kustomize targets rendered by the real kustomize ({@code
 * kubectl kustomize}, no cluster needed), YAML loading, and the pod templates the Flink Kubernetes
 * Operator derives from a FlinkDeployment.
 */
final class Manifests {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = REPO.resolve("deploy");
    static final Path K8S = DEPLOY.resolve("k8s");

    private Manifests() {}

    /** base and every overlay: the targets that hold the FlinkDeployment. */
    static List<String> deploymentTargets() throws IOException {
        List<String> targets = new ArrayList<>();
        targets.add("base");
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            overlays.filter(Files::isDirectory)
                    .map(p -> "overlays/" + p.getFileName())
                    .sorted()
                    .forEach(targets::add);
        }
        return targets;
    }

    /** Renders deploy/k8s/TARGET. */
    static List<Map<String, Object>> render(String target) throws IOException {
        return render(K8S.resolve(target));
    }

    /**
     * Renders a kustomization folder with {@code kubectl kustomize} (kustomize v5, part of the
     * kubectl client); a failing render fails the test with kustomize's message.
     */
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Rendered r = tryRender(dir);
        assertThat(r.exitCode()).as("kubectl kustomize %s:%n%s", dir, r.output()).isZero();
        return loadAllString(r.output(), dir.toString());
    }

    record Rendered(int exitCode, String output) {}

    static Rendered tryRender(Path dir) throws IOException {
        Process p;
        try {
            p =
                    new ProcessBuilder("kubectl", "kustomize", dir.toString())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "kubectl (with its built-in kustomize) is needed to render deploy/k8s;"
                            + " it is on this project's machines, see .ci/run",
                    e);
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Rendered(p.exitValue(), out);
    }

    static Map<String, Object> flinkDeployment(String target) throws IOException {
        return only(render(target), "FlinkDeployment", target);
    }

    static Map<String, Object> only(List<Map<String, Object>> resources, String kind, String in) {
        List<Map<String, Object>> found = ofKind(resources, kind);
        assertThat(found).as(kind + " in " + in).hasSize(1);
        return found.get(0);
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> resources, String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    /**
     * The JobManager's or TaskManager's pod template as the operator builds it: {@code
     * spec.podTemplate} with {@code spec.jobManager.podTemplate} (or taskManager's) merged in, maps
     * key by key and, with {@code kubernetes.operator.pod-template.merge-arrays-by-name}, lists of
     * named items by name (otherwise by position), as {@code FlinkUtils.mergePodTemplates} of
     * operator 1.15 does.
     */
    static Map<String, Object> effectivePodTemplate(Map<String, Object> fd, String role) {
        Map<String, Object> spec = map(fd, "spec");
        boolean byName =
                "true"
                        .equals(
                                String.valueOf(
                                        map(spec, "flinkConfiguration")
                                                .get(
                                                        "kubernetes.operator.pod-template"
                                                                + ".merge-arrays-by-name")));
        Object common = deepCopy(spec.get("podTemplate"));
        Object specific =
                spec.get(role) instanceof Map<?, ?> r ? deepCopy(r.get("podTemplate")) : null;
        if (common == null) {
            return specific == null ? new LinkedHashMap<>() : castMap(specific);
        }
        if (specific != null) {
            mergeInto(castMap(common), castMap(specific), byName);
        }
        return castMap(common);
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(
            Map<String, Object> to, Map<String, Object> from, boolean byName) {
        for (Map.Entry<String, Object> e : from.entrySet()) {
            Object toChild = to.get(e.getKey());
            Object fromChild = e.getValue();
            if (toChild instanceof List<?> a && fromChild instanceof List<?> b) {
                to.put(e.getKey(), mergeArray((List<Object>) a, (List<Object>) b, byName));
            } else if (toChild instanceof Map<?, ?> m && fromChild instanceof Map<?, ?> f) {
                mergeInto(castMap(m), castMap(f), byName);
            } else {
                to.put(e.getKey(), fromChild);
            }
        }
    }

    private static List<Object> mergeArray(List<Object> to, List<Object> from, boolean byName) {
        List<Object> out = new ArrayList<>(to);
        if (byName && named(to) && named(from)) {
            for (Object f : from) {
                Object name = ((Map<?, ?>) f).get("name");
                Map<String, Object> match = null;
                for (Object t : out) {
                    if (name.equals(((Map<?, ?>) t).get("name"))) {
                        match = castMap(t);
                    }
                }
                if (match == null) {
                    out.add(f);
                } else {
                    mergeInto(match, castMap(f), true);
                }
            }
            return out;
        }
        for (int i = 0; i < from.size(); i++) {
            if (out.size() <= i) {
                out.add(from.get(i));
            } else if (out.get(i) instanceof Map<?, ?> t && from.get(i) instanceof Map<?, ?> f) {
                mergeInto(castMap(t), castMap(f), byName);
            } else {
                out.set(i, from.get(i));
            }
        }
        return out;
    }

    private static boolean named(List<Object> list) {
        return list.stream().allMatch(o -> o instanceof Map<?, ?> m && m.containsKey("name"));
    }

    /** The container Flink runs in, from a pod template. */
    static Map<String, Object> mainContainer(Map<String, Object> podTemplate) {
        List<Object> containers = listOf(podTemplate, "spec.containers");
        List<Map<String, Object>> main =
                containers.stream()
                        .map(Manifests::castMap)
                        .filter(c -> "flink-main-container".equals(c.get("name")))
                        .toList();
        assertThat(main).as("flink-main-container").hasSize(1);
        return main.get(0);
    }

    /** {@code --key value} and {@code --key=value} pairs, the forms TokenizerJob accepts. */
    static Map<String, String> parseJobArgs(List<Object> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            assertThat(arg).as("job.args[%d] is a string", i).isInstanceOf(String.class);
            String s = (String) arg;
            assertThat(s).as("job.args[%d]", i).startsWith("--");
            String key;
            String value;
            int eq = s.indexOf('=');
            if (eq > 0) {
                key = s.substring(2, eq);
                value = s.substring(eq + 1);
            } else {
                assertThat(i + 1).as("value of " + s).isLessThan(args.size());
                Object v = args.get(++i);
                assertThat(v).as("value of " + s + " is a string").isInstanceOf(String.class);
                key = s.substring(2);
                value = (String) v;
            }
            assertThat(out.put(key, value)).as("repeated --" + key).isNull();
        }
        return out;
    }

    static List<Map<String, Object>> loadAll(Path file) throws IOException {
        return loadAllString(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static List<Map<String, Object>> loadAllString(String yaml, String what) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Map<String, Object>> docs = new ArrayList<>();
        Iterator<Object> it = new Yaml(new SafeConstructor(options)).loadAll(yaml).iterator();
        while (it.hasNext()) {
            Object doc = it.next();
            if (doc != null) {
                assertThat(doc).as(what).isInstanceOf(Map.class);
                docs.add(castMap(doc));
            }
        }
        return docs;
    }

    static Map<String, String> flinkConfiguration(Map<String, Object> fd) {
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
    static Map<String, Object> flatten(Map<String, Object> config) {
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

    static Object at(Map<String, Object> root, String dotted) {
        Object node = root;
        for (String part : dotted.split("\\.")) {
            assertThat(node).as(dotted + " (at " + part + ")").isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(part);
            assertThat(node).as(dotted + " is set").isNotNull();
        }
        return node;
    }

    static Object atOrNull(Map<String, Object> root, String dotted) {
        Object node = root;
        for (String part : dotted.split("\\.")) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(part);
        }
        return node;
    }

    static String str(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is a string").isInstanceOf(String.class);
        return (String) v;
    }

    static int num(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is an integer").isInstanceOf(Integer.class);
        return (Integer) v;
    }

    static List<Object> listOf(Map<String, Object> root, String dotted) {
        Object v = at(root, dotted);
        assertThat(v).as(dotted + " is a list").isInstanceOf(List.class);
        return new ArrayList<>((List<?>) v);
    }

    static Map<String, Object> map(Map<String, Object> root, String key) {
        return castMap(at(root, key));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, deepCopy(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(deepCopy(v)));
            return out;
        }
        return o;
    }
}
