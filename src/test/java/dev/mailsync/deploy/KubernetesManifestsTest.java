package dev.mailsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.mailsync.outbox.OutboxConfig;
import dev.mailsync.sync.SyncConfig;
import dev.mailsync.sync.SyncScheduler;
import io.smallrye.config.WithDefault;

/**
 * Parses every manifest under {@code k8s/} and checks what a deployment relies on, against the application's
 * own configuration (ports, management interface, audience, shutdown times, egress ports).
 */
class KubernetesManifestsTest {

    static final Path K8S = Path.of("k8s");

    /**
     * The benchmarks run the service with the JVM options the image's run-java.sh gives it under the Deployment's
     * memory limit (src/bench/jvm.sh's CONTAINER_JAVA_OPTS): the heap ratio, the GC ergonomics and the memory
     * limit must be the Dockerfile's and the Deployment's, or the figures measure another service.
     */
    @Test
    void shouldBenchmarkWithTheContainersJvmOptions() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String lib = Files.readString(Path.of("src/bench/jvm.sh"));
        java.util.function.Function<String, String> env = name -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ENV " + name + "=(\\S+)$")
                    .matcher(dockerfile);
            assertThat(m.find()).as("ENV %s in the Dockerfile", name).isTrue();
            return m.group(1);
        };
        java.util.regex.Matcher opts = java.util.regex.Pattern.compile("CONTAINER_JAVA_OPTS=\"([^\"]+)\"",
                java.util.regex.Pattern.DOTALL).matcher(lib);
        assertThat(opts.find()).isTrue();
        List<String> bench = List.of(opts.group(1).replace("\\\n", " ").trim().split("\\s+"));
        String memory = String.valueOf(map(map(container().get("resources")).get("limits")).get("memory"));
        assertThat(memory).endsWith("Mi");
        assertThat(bench).contains("-XX:MaxRAM=" + memory.replace("Mi", "m"),
                "-XX:MaxRAMPercentage=" + env.apply("JAVA_MAX_MEM_RATIO") + ".0",
                "-XX:GCTimeRatio=" + env.apply("GC_TIME_RATIO"),
                "-XX:MinHeapFreeRatio=" + env.apply("GC_MIN_HEAP_FREE_RATIO"),
                "-XX:MaxHeapFreeRatio=" + env.apply("GC_MAX_HEAP_FREE_RATIO"), "-XX:+UseParallelGC",
                "-XX:+ExitOnOutOfMemoryError");
        assertThat(lib).contains("CONTAINER_MALLOC_ARENA_MAX=" + env.apply("MALLOC_ARENA_MAX") + " ");
    }

    @Test
    void shouldListEveryManifestButTheSecretTemplate() throws IOException {
        List<String> resources = list(load("kustomization.yaml").get("resources")).stream().map(String::valueOf)
                .toList();
        try (Stream<Path> files = Files.list(K8S)) {
            List<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList();
            assertThat(manifests).contains("secret.example.yaml");
            assertThat(resources).containsExactlyInAnyOrderElementsOf(
                    manifests.stream().filter(n -> !n.equals("secret.example.yaml")).toList());
        }
        assertThat(manifestsOfKind()).containsKeys("Deployment", "Service", "ConfigMap", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "NetworkPolicy", "Secret");
    }

    @Test
    void shouldProbeTheHealthEndpointsOnTheManagementPortAndServeTheApiOnly() throws IOException {
        Map<String, Object> container = container();
        Map<String, Object> http = port(container, "http");
        Map<String, Object> management = port(container, "management");
        assertThat(appConfig().getProperty("quarkus.management.enabled")).isEqualTo("true");
        assertThat(http.get("containerPort")).isEqualTo(Integer.parseInt(appConfig().getProperty("quarkus.http.port")));
        assertThat(management.get("containerPort")).isEqualTo(managementPort());
        assertThat(probe(container, "livenessProbe")).containsEntry("path", "/q/health/live")
                .containsEntry("port", "management");
        assertThat(probe(container, "readinessProbe")).containsEntry("path", "/q/health/ready")
                .containsEntry("port", "management");
        assertThat(probe(container, "startupProbe")).containsEntry("path", "/q/health/started")
                .containsEntry("port", "management");
        Map<String, Object> service = manifestsOfKind().get("Service");
        assertThat(list(map(service.get("spec")).get("ports"))).singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("targetPort", "http"));
        Map<String, Object> annotations = map(map(map(map(manifestsOfKind().get("Deployment").get("spec"))
                .get("template")).get("metadata")).get("annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", String.valueOf(managementPort()))
                .containsEntry("prometheus.io/path", "/q/metrics");
    }

    @Test
    void shouldExpectTheAudienceTheApplicationIsConfiguredFor() throws IOException {
        Map<String, Object> config = map(manifestsOfKind().get("ConfigMap").get("data"));
        assertThat(appConfig().getProperty("quarkus.oidc.token.audience")).isNotBlank();
        assertThat(config).containsEntry("QUARKUS_OIDC_TOKEN_AUDIENCE",
                appConfig().getProperty("quarkus.oidc.token.audience"))
                .containsEntry("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort()));
    }

    @Test
    void shouldRunTwoHardenedReplicasWithLimitsAndGracefulShutdown() throws IOException {
        Map<String, Object> deployment = manifestsOfKind().get("Deployment");
        Map<String, Object> spec = map(deployment.get("spec"));
        assertThat(spec.get("replicas")).isEqualTo(2);
        Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
        Map<String, Object> container = container();
        Map<String, Object> resources = map(container.get("resources"));
        assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
        assertThat(map(resources.get("limits"))).containsKeys("cpu", "memory");
        Map<String, Object> security = map(container.get("securityContext"));
        assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(container.get("volumeMounts"))).anySatisfy(m -> assertThat(map(m)).containsEntry("mountPath", "/tmp"));
        assertThat(list(pod.get("volumes"))).anySatisfy(v -> assertThat(map(v)).containsKey("emptyDir"));
        assertThat(list(container.get("envFrom"))).extracting(e -> map(e).keySet().iterator().next())
                .containsExactlyInAnyOrder("configMapRef", "secretRef");
        Map<String, Object> hpa = map(manifestsOfKind().get("HorizontalPodAutoscaler").get("spec"));
        assertThat(map(hpa.get("scaleTargetRef"))).containsEntry("name", map(deployment.get("metadata")).get("name"));
        assertThat((Integer) hpa.get("minReplicas")).isGreaterThanOrEqualTo(2);
        assertThat(map(manifestsOfKind().get("PodDisruptionBudget").get("spec"))).containsKey("minAvailable");
    }

    /**
     * SIGTERM runs these one after the other: the preStop sleep, the HTTP drain (quarkus.shutdown.timeout), the
     * sync passes' grace, closing the passes still running, the outbox's grace. The pod must not be killed first.
     */
    @Test
    void shouldGiveTheWorstCaseShutdownItsTime() throws Exception {
        Map<String, Object> pod = map(map(map(manifestsOfKind().get("Deployment").get("spec")).get("template"))
                .get("spec"));
        List<Object> preStop = list(map(map(map(container().get("lifecycle")).get("preStop")).get("exec"))
                .get("command"));
        assertThat(preStop.get(0)).isEqualTo("sleep");
        Duration worstCase = Duration.ofSeconds(Long.parseLong(String.valueOf(preStop.get(1))))
                .plus(duration(appConfig().getProperty("quarkus.shutdown.timeout")))
                .plus(setting(SyncConfig.class, "shutdownGrace", "MAILSYNC_SYNC_SHUTDOWN_GRACE"))
                .plus(SyncScheduler.ABORT_WAIT)
                .plus(setting(OutboxConfig.class, "shutdownGrace", "MAILSYNC_OUTBOX_SHUTDOWN_GRACE"));
        assertThat(worstCase).isEqualTo(Duration.ofSeconds(80)); // as docs/operations.md and deployment.yaml say
        assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                .isGreaterThanOrEqualTo((int) worstCase.toSeconds() + 10);
    }

    @Test
    void shouldKeepSecretsOutOfTheConfigMapAndTheTemplate() throws IOException {
        Map<String, Object> config = map(manifestsOfKind().get("ConfigMap").get("data"));
        assertThat(config.keySet()).allMatch(k -> k.matches("[A-Z0-9_]+"))
                .noneMatch(k -> k.contains("PASSWORD") || k.contains("SECRET") || k.contains("ENCRYPTION_KEY"));
        Map<String, Object> secret = map(manifestsOfKind().get("Secret").get("stringData"));
        assertThat(secret).containsOnlyKeys("MAILSYNC_ENCRYPTION_KEY", "QUARKUS_DATASOURCE_PASSWORD",
                "MAILSYNC_MICROSOFT_CLIENT_SECRET");
        assertThat(secret.values()).allMatch("REPLACE_ME"::equals);
        Map<String, Object> deployment = manifestsOfKind().get("Deployment");
        assertThat(Files.readString(K8S.resolve("deployment.yaml"))).doesNotContain("REPLACE_ME");
        assertThat(list(container().get("envFrom")).toString()).contains("mailsync-config", "mailsync-secrets");
        assertThat(map(deployment.get("metadata")).get("name")).isEqualTo("mailsync");
    }

    @Test
    void shouldAllowTheApiFromAnywhereAndManagementFromTheMonitoringNamespaceOnly() throws IOException {
        Map<String, Object> spec = map(networkPolicy("mailsync").get("spec"));
        assertThat(list(spec.get("policyTypes"))).containsExactly("Ingress");
        List<Object> rules = list(spec.get("ingress"));
        assertThat(rules).hasSize(2);
        Map<String, Object> api = map(rules.get(0));
        assertThat(api).doesNotContainKey("from");
        assertThat(list(api.get("ports"))).singleElement().satisfies(p -> assertThat(map(p))
                .containsEntry("port", Integer.parseInt(appConfig().getProperty("quarkus.http.port")))
                .containsEntry("protocol", "TCP"));
        Map<String, Object> monitoring = map(rules.get(1));
        assertThat(list(monitoring.get("from"))).singleElement().satisfies(f -> {
            assertThat(map(f)).containsOnlyKeys("namespaceSelector");
            assertThat(map(map(map(f).get("namespaceSelector")).get("matchLabels")))
                    .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
        });
        assertThat(list(monitoring.get("ports"))).singleElement().satisfies(p -> assertThat(map(p))
                .containsEntry("port", managementPort()).containsEntry("protocol", "TCP"));
    }

    @Test
    void shouldLetTrafficOutOnlyToDnsPostgresqlHttpsImapAndSmtp() throws IOException {
        Map<String, Object> spec = map(networkPolicy("mailsync-egress").get("spec"));
        assertThat(list(spec.get("policyTypes"))).containsExactly("Egress");
        assertThat(map(map(spec.get("podSelector")).get("matchLabels")))
                .containsEntry("app.kubernetes.io/name", "mailsync");
        List<String> allowed = list(spec.get("egress")).stream()
                .flatMap(rule -> list(map(rule).get("ports")).stream())
                .map(p -> map(p).get("protocol") + "/" + map(p).get("port")).toList();
        Map<String, Object> config = map(manifestsOfKind().get("ConfigMap").get("data"));
        java.util.regex.Matcher jdbc = java.util.regex.Pattern.compile("jdbc:postgresql://[^:/]+:(\\d+)/")
                .matcher(String.valueOf(config.get("QUARKUS_DATASOURCE_JDBC_URL")));
        assertThat(jdbc.find()).isTrue();
        assertThat(allowed).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/" + jdbc.group(1), "TCP/443",
                "TCP/" + config.get("MAILSYNC_MICROSOFT_IMAP_PORT"), "TCP/" + config.get("MAILSYNC_MICROSOFT_SMTP_PORT"));
        assertThat(appConfig().getProperty("mailsync.microsoft.imap.port")).isEqualTo("993");
        assertThat(appConfig().getProperty("mailsync.microsoft.smtp.port")).isEqualTo("587");
    }

    private static Map<String, Object> port(Map<String, Object> container, String name) {
        return list(container.get("ports")).stream().map(KubernetesManifestsTest::map)
                .filter(p -> name.equals(p.get("name"))).findFirst().orElseThrow();
    }

    private static int managementPort() throws IOException {
        return Integer.parseInt(appConfig().getProperty("quarkus.management.port"));
    }

    private static Duration duration(String value) {
        return Duration.parse("PT" + value.toUpperCase());
    }

    /** A setting's value: the ConfigMap's if it sets one, else the mapping's default. */
    private static Duration setting(Class<?> mapping, String method, String env) throws Exception {
        Object configured = map(manifestsOfKind().get("ConfigMap").get("data")).get(env);
        return duration(configured != null ? String.valueOf(configured)
                : mapping.getMethod(method).getAnnotation(WithDefault.class).value());
    }

    private static Map<String, Object> probe(Map<String, Object> container, String name) {
        return map(map(container.get(name)).get("httpGet"));
    }

    private static Map<String, Object> container() throws IOException {
        Map<String, Object> pod = map(map(map(manifestsOfKind().get("Deployment").get("spec")).get("template"))
                .get("spec"));
        return map(list(pod.get("containers")).get(0));
    }

    /** The one manifest of each kind (NetworkPolicy: the one named {@code mailsync}, the ingress policy). */
    private static Map<String, Map<String, Object>> manifestsOfKind() throws IOException {
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        for (Map<String, Object> manifest : manifests()) {
            byKind.merge(String.valueOf(manifest.get("kind")), manifest,
                    (a, b) -> "mailsync".equals(map(a.get("metadata")).get("name")) ? a : b);
        }
        return byKind;
    }

    private static List<Map<String, Object>> manifests() throws IOException {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                all.add(load(file.getFileName().toString()));
            }
        }
        return all;
    }

    private static Map<String, Object> networkPolicy(String name) throws IOException {
        return manifests().stream().filter(m -> "NetworkPolicy".equals(m.get("kind")))
                .filter(m -> name.equals(map(m.get("metadata")).get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> load(String name) throws IOException {
        try (Reader reader = Files.newBufferedReader(K8S.resolve(name))) {
            return new Yaml().load(reader);
        }
    }

    private static Properties appConfig() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
