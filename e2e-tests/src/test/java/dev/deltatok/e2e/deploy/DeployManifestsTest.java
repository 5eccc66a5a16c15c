package dev.deltatok.e2e.deploy;

import static dev.deltatok.e2e.deploy.Manifests.DEPLOY;
import static dev.deltatok.e2e.deploy.Manifests.K8S;
import static dev.deltatok.e2e.deploy.Manifests.REPO;
import static dev.deltatok.e2e.deploy.Manifests.at;
import static dev.deltatok.e2e.deploy.Manifests.atOrNull;
import static dev.deltatok.e2e.deploy.Manifests.castMap;
import static dev.deltatok.e2e.deploy.Manifests.effectivePodTemplate;
import static dev.deltatok.e2e.deploy.Manifests.flinkConfiguration;
import static dev.deltatok.e2e.deploy.Manifests.flinkDeployment;
import static dev.deltatok.e2e.deploy.Manifests.listOf;
import static dev.deltatok.e2e.deploy.Manifests.mainContainer;
import static dev.deltatok.e2e.deploy.Manifests.map;
import static dev.deltatok.e2e.deploy.Manifests.num;
import static dev.deltatok.e2e.deploy.Manifests.ofKind;
import static dev.deltatok.e2e.deploy.Manifests.only;
import static dev.deltatok.e2e.deploy.Manifests.parseJobArgs;
import static dev.deltatok.e2e.deploy.Manifests.render;
import static dev.deltatok.e2e.deploy.Manifests.str;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks deploy/k8s without a cluster: every kustomize target is rendered by the real kustomize,
 * its custom resources are validated against the released CRDs (Flink Kubernetes Operator 1.15.0,
 * Prometheus Operator v0.93.0), and the rendered FlinkDeployment is checked against what the job,
 * the operator and a production cluster (Pod Security "restricted", disruptions, metrics, image
 * pinning, credentials) need.
 */
class DeployManifestsTest {

    private static final String USRLIB = "/opt/flink/usrlib/";
    private static final Pattern DIGEST = Pattern.compile(".+@sha256:[0-9a-f]{64}");

    static List<String> targets() throws IOException {
        return Manifests.deploymentTargets();
    }

    static List<String> productionTargets() {
        return List.of("overlays/prod", "overlays/gpu");
    }

    @Test
    void hasTheExpectedKustomizeTargets() throws IOException {
        assertThat(targets())
                .containsExactly("base", "overlays/dev", "overlays/gpu", "overlays/prod");
        assertThat(K8S.resolve("monitoring/kustomization.yaml")).exists();
    }

    @Test
    void everyYamlFileUnderK8sParsesIntoResourcesWithKindAndName() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(12);
        for (Path file : files) {
            List<Map<String, Object>> docs = Manifests.loadAll(file);
            assertThat(docs).as(file.toString()).isNotEmpty();
            for (Map<String, Object> doc : docs) {
                if (file.getFileName().toString().equals("kustomizeconfig.yaml")) {
                    continue;
                }
                assertThat(doc).as(file.toString()).containsKeys("apiVersion", "kind");
                if (!"Kustomization".equals(doc.get("kind"))) {
                    assertThat(str(doc, "metadata.name")).as(file + " metadata.name").isNotBlank();
                }
            }
        }
    }

    @Test
    void storedCrdsAreTheReleasedFilesUnchanged() throws Exception {
        for (CrdSchemas.Crd crd : CrdSchemas.CRDS) {
            assertThat(sha256(CrdSchemas.bytes(crd))).as(crd.file()).isEqualTo(crd.sha256());
        }
        // The operator's CRD knows the Flink generation this image runs.
        List<Object> versions =
                listOf(
                        castMap(
                                atOrNull(
                                        CrdSchemas.schema(CrdSchemas.CRDS.get(0)),
                                        "properties.spec.properties.flinkVersion")),
                        "enum");
        assertThat(versions).contains("v2_0", "v2_2");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void everyCustomResourceConformsToItsReleasedCrd(String target) throws IOException {
        assertCustomResourcesConform(render(target), target);
    }

    @Test
    void monitoringResourcesConformToThePrometheusOperatorCrds() throws IOException {
        List<Map<String, Object>> resources = render("monitoring");
        assertThat(resources)
                .extracting(r -> r.get("kind"))
                .containsExactlyInAnyOrder("PodMonitor", "PrometheusRule");
        assertCustomResourcesConform(resources, "monitoring");
    }

    private static void assertCustomResourcesConform(
            List<Map<String, Object>> resources, String target) throws IOException {
        for (Map<String, Object> r : resources) {
            String kind = (String) r.get("kind");
            if (List.of("Secret", "PersistentVolumeClaim", "PodDisruptionBudget").contains(kind)) {
                continue; // core kinds: checked field by field below
            }
            CrdSchemas.Crd crd = CrdSchemas.forResource(r);
            assertThat(crd)
                    .as("stored CRD for %s %s in %s", r.get("apiVersion"), kind, target)
                    .isNotNull();
            assertThat(CrdSchemas.violations(r, CrdSchemas.schema(crd)))
                    .as("CRD schema violations of %s in %s", kind, target)
                    .isEmpty();
        }
    }

    @Test
    void schemaCheckReportsUnknownFieldsWrongTypesEnumValuesAndPodFields() throws IOException {
        Map<String, Object> fd = flinkDeployment("overlays/prod");
        Map<String, Object> spec = map(fd, "spec");
        spec.put("jobManger", Map.of("replicas", 1));
        map(spec, "job").put("upgradeMode", "last_state");
        map(spec, "jobManager").put("replicas", "2");
        castMap(listOf(spec, "podTemplate.spec.containers").get(0))
                .put("securityContxt", Map.of("runAsNonRoot", true));

        List<String> errors = CrdSchemas.violations(fd, CrdSchemas.schema(CrdSchemas.CRDS.get(0)));

        assertThat(errors)
                .anyMatch(e -> e.contains(".spec.jobManger") && e.contains("unknown field"))
                .anyMatch(e -> e.contains(".spec.job.upgradeMode") && e.contains("last_state"))
                .anyMatch(e -> e.contains(".spec.jobManager.replicas") && e.contains("integer"))
                .anyMatch(e -> e.contains("containers[0].securityContxt") && e.contains("unknown"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void flinkDeploymentHasWhatTheOperatorAndTheJobNeed(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        Map<String, String> conf = flinkConfiguration(fd);

        assertThat(fd.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(str(fd, "spec.image")).isNotBlank().doesNotEndWith(":latest");
        assertThat(str(fd, "spec.imagePullPolicy")).isEqualTo("IfNotPresent");
        assertThat(str(fd, "spec.flinkVersion")).startsWith("v2_");
        assertThat(str(fd, "spec.job.jarURI")).startsWith("local://" + USRLIB).endsWith(".jar");
        assertThat(str(fd, "spec.job.upgradeMode")).isEqualTo("savepoint");
        assertThat(str(fd, "spec.job.state")).isEqualTo("running");

        assertThat(conf.get("execution.checkpointing.dir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("execution.checkpointing.savepoint-dir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(conf.get("high-availability.storageDir"))
                .matches("(s3|gs|abfss?|hdfs|file)://.+");
        assertThat(conf.get("state.backend.type")).isEqualTo("rocksdb");
        assertThat(conf.get("pipeline.generic-types")).isEqualTo("false");
        assertThat(conf.get("classloader.parent-first-patterns.additional"))
                .contains("ai.onnxruntime.");
        assertThat(conf.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(Integer.parseInt(conf.get("pipeline.max-parallelism")))
                .as("pipeline.max-parallelism, fixed across every target")
                .isEqualTo(720);
        assertThat(str(fd, "spec.jobManager.resource.memory")).matches("\\d+[mg]");
        assertThat(str(fd, "spec.taskManager.resource.memory")).matches("\\d+[mg]");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void parallelismComesOnlyFromTaskManagerReplicasAndSlots(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        Map<String, String> conf = flinkConfiguration(fd);
        // The operator sets parallelism.default = replicas x slots and ignores job.parallelism
        // when replicas are set; the job's --parallelism would override both.
        assertThat(atOrNull(fd, "spec.job.parallelism")).as("spec.job.parallelism").isNull();
        assertThat(parseJobArgs(listOf(fd, "spec.job.args"))).doesNotContainKey("parallelism");
        assertThat(conf).doesNotContainKey("parallelism.default");
        int parallelism =
                num(fd, "spec.taskManager.replicas")
                        * Integer.parseInt(conf.get("taskmanager.numberOfTaskSlots"));
        assertThat(parallelism).isBetween(1, 720);
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
        // Checkpoint storage is set in one place, flinkConfiguration.
        assertThat(args).doesNotContainKey("checkpoint.dir");
        // The job always applies these itself, overriding flinkConfiguration.
        assertThat(args.get("state.backend")).isEqualTo("ROCKSDB");
        assertThat(args.get("checkpoint.interval"))
                .isEqualTo(conf.get("execution.checkpointing.interval"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void everyArgumentOfTheBaseSurvivesInTheTarget(String target) throws IOException {
        Map<String, String> base = parseJobArgs(listOf(flinkDeployment("base"), "spec.job.args"));
        Map<String, String> rendered =
                parseJobArgs(listOf(flinkDeployment(target), "spec.job.args"));
        assertThat(rendered.keySet()).as("job.args of " + target).containsAll(base.keySet());
    }

    /**
     * The mechanism, not only today's files: an argument added to the base reaches every overlay,
     * and an overlay patch whose position no longer matches fails the render instead of silently
     * replacing the wrong argument.
     */
    @Test
    void argumentsAddedToTheBaseReachEveryOverlayAndMisalignedPatchesFail(@TempDir Path tmp)
            throws IOException {
        Path k8s = tmp.resolve("k8s");
        copyTree(K8S, k8s);
        Path base = k8s.resolve("base/flinkdeployment.yaml");
        String yaml = Files.readString(base);
        String appended =
                yaml.replace(
                        "      - --model.intra-op-threads\n      - \"1\"\n",
                        "      - --model.intra-op-threads\n      - \"1\"\n"
                                + "      - --state.camera-ttl\n      - 30min\n");
        assertThat(appended).isNotEqualTo(yaml);
        Files.writeString(base, appended);
        for (String target : targets()) {
            Map<String, String> args =
                    parseJobArgs(
                            listOf(
                                    only(render(k8s.resolve(target)), "FlinkDeployment", target),
                                    "spec.job.args"));
            assertThat(args).as(target).containsEntry("state.camera-ttl", "30min");
        }

        String prepended =
                yaml.replace(
                        "    args:\n", "    args:\n      - --state.camera-ttl\n      - 30min\n");
        assertThat(prepended).isNotEqualTo(yaml);
        Files.writeString(base, prepended);
        for (String overlay : List.of("overlays/dev", "overlays/prod", "overlays/gpu")) {
            Manifests.Rendered r = Manifests.tryRender(k8s.resolve(overlay));
            assertThat(r.exitCode()).as("render of %s with shifted base args", overlay).isNotZero();
            assertThat(r.output()).contains("test");
        }
    }

    @ParameterizedTest
    @MethodSource("productionTargets")
    void productionPinsTheImageByDigest(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        assertThat(str(fd, "spec.image")).matches(DIGEST);
        assertThat(str(fd, "spec.imagePullPolicy")).isEqualTo("IfNotPresent");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void podsMeetThePodSecurityRestrictedLevelWithAReadOnlyRoot(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        for (String role : List.of("jobManager", "taskManager")) {
            Map<String, Object> pod = effectivePodTemplate(fd, role);
            Map<String, Object> spec = map(pod, "spec");
            String what = target + " " + role;
            assertThat(atOrNull(spec, "hostNetwork")).as(what).isNotEqualTo(true);
            assertThat(atOrNull(spec, "hostPID")).as(what).isNotEqualTo(true);
            assertThat(atOrNull(spec, "securityContext.runAsNonRoot")).as(what).isEqualTo(true);
            assertThat(atOrNull(spec, "securityContext.runAsUser")).as(what).isEqualTo(9999);
            assertThat(atOrNull(spec, "securityContext.seccompProfile.type"))
                    .as(what)
                    .isEqualTo("RuntimeDefault");

            Map<String, Object> c = mainContainer(pod);
            assertThat(atOrNull(c, "securityContext.allowPrivilegeEscalation"))
                    .as(what)
                    .isEqualTo(false);
            assertThat(atOrNull(c, "securityContext.privileged")).as(what).isNotEqualTo(true);
            assertThat(listOf(c, "securityContext.capabilities.drop"))
                    .as(what)
                    .containsExactly("ALL");
            assertThat(atOrNull(c, "securityContext.capabilities.add")).as(what).isNull();
            assertThat(atOrNull(c, "securityContext.readOnlyRootFilesystem"))
                    .as(what)
                    .isEqualTo(true);

            Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
            for (Object v : listOf(spec, "volumes")) {
                Map<String, Object> volume = castMap(v);
                assertThat(volume).as(what + " volume").doesNotContainKey("hostPath");
                assertThat(volumes.put((String) volume.get("name"), volume))
                        .as(what + " volume names are unique")
                        .isNull();
            }
            Map<String, String> mounts = new LinkedHashMap<>();
            for (Object m : listOf(c, "volumeMounts")) {
                Map<String, Object> mount = castMap(m);
                assertThat(volumes)
                        .as(what + " mount " + mount)
                        .containsKey((String) mount.get("name"));
                mounts.put((String) mount.get("mountPath"), (String) mount.get("name"));
            }
            // Writable places under a read-only root: java.io.tmpdir (ONNX Runtime's natives,
            // RocksDB's default folder, blobs) and Flink's log folder.
            for (String writable : List.of("/tmp", "/opt/flink/log")) {
                assertThat(mounts).as(what).containsKey(writable);
                assertThat(volumes.get(mounts.get(writable))).as(what).containsKey("emptyDir");
            }
            String rocksdb = flinkConfiguration(fd).get("state.backend.rocksdb.localdir");
            assertThat(mounts.keySet())
                    .as(
                            what + ": state.backend.rocksdb.localdir %s is on a mounted volume",
                            rocksdb)
                    .anyMatch(p -> rocksdb.startsWith(p + "/"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void kafkaClientSettingsComeFromTheMountedSecret(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        String file = parseJobArgs(listOf(fd, "spec.job.args")).get("kafka.properties-file");
        assertThat(file).isNotNull();
        for (String role : List.of("jobManager", "taskManager")) {
            Map<String, Object> pod = effectivePodTemplate(fd, role);
            Map<String, Object> mount =
                    listOf(mainContainer(pod), "volumeMounts").stream()
                            .map(Manifests::castMap)
                            .filter(m -> file.startsWith(m.get("mountPath") + "/"))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError(file + " is not mounted"));
            assertThat(mount.get("readOnly")).isEqualTo(true);
            Map<String, Object> volume =
                    listOf(pod, "spec.volumes").stream()
                            .map(Manifests::castMap)
                            .filter(v -> mount.get("name").equals(v.get("name")))
                            .findFirst()
                            .orElseThrow();
            assertThat(str(volume, "secret.secretName")).isEqualTo("deltatok-kafka-client");
        }
    }

    @Test
    void devGeneratesAPlaintextKafkaClientSecretAndProdLeavesItToTheOperator() throws IOException {
        Map<String, Object> secret = only(render("overlays/dev"), "Secret", "overlays/dev");
        assertThat(str(secret, "metadata.name")).isEqualTo("deltatok-kafka-client");
        Object encoded = map(secret, "data").get("client.properties");
        assertThat(encoded).as("client.properties in the Secret").isInstanceOf(String.class);
        String props =
                new String(
                        Base64.getMimeDecoder().decode((String) encoded), StandardCharsets.UTF_8);
        assertThat(props).contains("security.protocol=PLAINTEXT");
        for (String target : productionTargets()) {
            assertThat(ofKind(render(target), "Secret"))
                    .as("%s must not overwrite the Secret with the real credentials", target)
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void noCredentialInThePlainConfiguration(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        assertThat(flinkConfiguration(fd).keySet())
                .noneMatch(k -> k.matches("(?i).*(access-key|secret-key|password|jaas).*"));
        assertThat(
                        String.join(
                                " ",
                                listOf(fd, "spec.job.args").stream().map(String::valueOf).toList()))
                .doesNotContainIgnoringCase("password")
                .doesNotContainIgnoringCase("sasl");
        for (String role : List.of("jobManager", "taskManager")) {
            Object env = atOrNull(mainContainer(effectivePodTemplate(fd, role)), "env");
            for (Object e : env == null ? List.of() : (List<?>) env) {
                Map<String, Object> var = castMap(e);
                if (String.valueOf(var.get("name")).matches("(?i).*(KEY|SECRET|PASSWORD).*")) {
                    assertThat(var)
                            .as(target + " env " + var.get("name"))
                            .doesNotContainKey("value");
                    assertThat(atOrNull(var, "valueFrom.secretKeyRef.name")).isNotNull();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void jobManagersAndTaskManagersBothExposeMetrics(String target) throws IOException {
        Map<String, Object> fd = flinkDeployment(target);
        String port = flinkConfiguration(fd).get("metrics.reporter.prom.port");
        assertThat(port).matches("\\d+");
        for (String role : List.of("jobManager", "taskManager")) {
            Map<String, Object> pod = effectivePodTemplate(fd, role);
            Map<String, Object> annotations = map(pod, "metadata.annotations");
            assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
            assertThat(annotations.get("prometheus.io/port"))
                    .as(target + " " + role)
                    .isEqualTo(port);
            assertThat(listOf(mainContainer(pod), "ports"))
                    .as(target + " " + role)
                    .anyMatch(
                            p ->
                                    "metrics".equals(castMap(p).get("name"))
                                            && Integer.parseInt(port)
                                                    == (Integer) castMap(p).get("containerPort"));
        }
    }

    @ParameterizedTest
    @MethodSource("productionTargets")
    void productionSurvivesDisruptions(String target) throws IOException {
        List<Map<String, Object>> resources = render(target);
        Map<String, Object> fd = only(resources, "FlinkDeployment", target);
        String app = str(fd, "metadata.name");
        int jobManagers = num(fd, "spec.jobManager.replicas");
        assertThat(jobManagers).as("a standby JobManager").isGreaterThanOrEqualTo(2);

        Map<String, Map<String, Object>> pdbs = new LinkedHashMap<>();
        for (Map<String, Object> pdb : ofKind(resources, "PodDisruptionBudget")) {
            assertThat(pdb.get("apiVersion")).isEqualTo("policy/v1");
            assertThat(map(pdb, "spec").keySet())
                    .isSubsetOf("minAvailable", "maxUnavailable", "selector");
            pdbs.put(str(pdb, "spec.selector.matchLabels.component"), pdb);
            assertThat(str(pdb, "spec.selector.matchLabels.app")).isEqualTo(app);
        }
        assertThat(pdbs).containsOnlyKeys("jobmanager", "taskmanager");
        // minAvailable below the replicas, or a drain could never proceed.
        assertThat(num(pdbs.get("jobmanager"), "spec.minAvailable")).isBetween(1, jobManagers - 1);
        assertThat(num(pdbs.get("taskmanager"), "spec.maxUnavailable")).isEqualTo(1);

        Map<String, Object> jm = effectivePodTemplate(fd, "jobManager");
        List<Object> antiAffinity =
                listOf(
                        jm,
                        "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution");
        assertThat(antiAffinity)
                .anyMatch(
                        t ->
                                "kubernetes.io/hostname".equals(castMap(t).get("topologyKey"))
                                        && Map.of("app", app, "component", "jobmanager")
                                                .equals(
                                                        at(
                                                                castMap(t),
                                                                "labelSelector.matchLabels")));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void failuresAreNoticedAndRetentionIsBounded(String target) throws IOException {
        Map<String, String> conf = flinkConfiguration(flinkDeployment(target));
        assertThat(conf)
                .containsEntry("kubernetes.operator.cluster.health-check.enabled", "true")
                .containsEntry("kubernetes.operator.job.restart.failed", "true")
                .containsEntry("kubernetes.operator.savepoint.dispose-on-delete", "true")
                .containsEntry("kubernetes.operator.pod-template.merge-arrays-by-name", "true");
        assertThat(conf.get("restart-strategy.type")).isEqualTo("exponential-delay");
        assertThat(
                        Integer.parseInt(
                                conf.get(
                                        "restart-strategy.exponential-delay.attempts-before-reset-backoff")))
                .as("the restart strategy gives up at some point")
                .isBetween(1, 1000);
        assertThat(Integer.parseInt(conf.get("kubernetes.operator.savepoint.history.max.count")))
                .isBetween(1, 20);
        assertThat(conf.get("kubernetes.operator.savepoint.history.max.age")).isNotBlank();
        assertThat(Integer.parseInt(conf.get("execution.checkpointing.num-retained")))
                .isBetween(1, 5);
    }

    @Test
    void podMonitorScrapesThePodsPortAndAlertsUseJobManagerMetrics() throws IOException {
        List<Map<String, Object>> monitoring = render("monitoring");
        Map<String, Object> podMonitor = only(monitoring, "PodMonitor", "monitoring");
        Map<String, Object> fd = flinkDeployment("overlays/prod");
        assertThat(str(podMonitor, "spec.selector.matchLabels.app"))
                .isEqualTo(str(fd, "metadata.name"));
        assertThat(listOf(podMonitor, "spec.podMetricsEndpoints"))
                .allMatch(e -> "metrics".equals(castMap(e).get("port")));

        String rules = String.valueOf(at(only(monitoring, "PrometheusRule", "monitoring"), "spec"));
        assertThat(rules)
                .contains("flink_jobmanager_job_numRestarts")
                .contains("flink_jobmanager_job_numberOfFailedCheckpoints")
                .contains("flink_jobmanager_job_numberOfCompletedCheckpoints")
                .contains("flink_jobmanager_numRunningJobs");
    }

    // ---------------------------------------------------------------------------------------
    // Dockerfile, standalone configuration, topics

    @Test
    void dockerfileCopiesTheJobJarWhereJarUriPointsAndOnnxRuntimeIntoLib() throws IOException {
        Dockerfile dockerfile = Dockerfile.read();
        String jarPath =
                str(flinkDeployment("base"), "spec.job.jarURI").substring("local://".length());
        assertThat(dockerfile.copies())
                .anyMatch(c -> c[0].equals("deltatok-job.jar") && c[1].equals(jarPath));
        assertThat(dockerfile.copies())
                .anyMatch(
                        c ->
                                c[0].equals("models/default/")
                                        && c[1].equals("/opt/deltatok/models/default/"));
        String ort = pomProperty("onnxruntime.version");
        assertThat(dockerfile.copies())
                .anyMatch(
                        c ->
                                c[0].equals("lib/onnxruntime-" + ort + ".jar")
                                        && c[1].startsWith("/opt/flink/lib/"));
        assertThat(Files.readString(DEPLOY.resolve("build-image.sh")))
                .contains("ORT_VERSION=" + ort)
                .contains("flink-jobs/target/deltatok-job.jar")
                .contains("-pl flink-jobs -am");
        assertThat(dockerfile.text())
                .contains("ARG FLINK_IMAGE=flink:" + pomProperty("flink.version") + "-")
                .contains("-java17");
        assertThat(dockerfile.stageNames())
                .as("the default (last) stage is the CPU image")
                .endsWith("cpu")
                .contains("gpu");
    }

    @Test
    void standaloneConfigLoadsOnnxRuntimeFromLibAndDisablesGenericTypes() throws IOException {
        Map<String, Object> config =
                Manifests.flatten(
                        Manifests.loadAll(DEPLOY.resolve("standalone/config.yaml")).get(0));
        assertThat(String.valueOf(config.get("classloader.parent-first-patterns.additional")))
                .contains("ai.onnxruntime.");
        assertThat(String.valueOf(config.get("pipeline.generic-types"))).isEqualTo("false");
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
    // helpers

    /** Option key (without --) to default, from README.md's generated option table. */
    static Map<String, String> readmeOptions() throws IOException {
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

    static String pomProperty(String name) throws IOException {
        Matcher m =
                Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                        .matcher(Files.readString(REPO.resolve("pom.xml")));
        assertThat(m.find()).as("property " + name + " in pom.xml").isTrue();
        return m.group(1).trim();
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = new ArrayList<>(walk.toList());
        }
        for (Path p : paths) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target);
            }
        }
    }
}
