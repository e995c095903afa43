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

/**
 * Parses every manifest under {@code k8s/} and checks what a deployment relies on, against the application's
 * own configuration (port, health paths, shutdown timeout).
 */
class KubernetesManifestsTest {

    static final Path K8S = Path.of("k8s");

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
    void shouldProbeTheApplicationsHealthEndpointsOnItsPort() throws IOException {
        Map<String, Object> container = container();
        Map<String, Object> port = map(list(container.get("ports")).get(0));
        assertThat(port.get("containerPort")).isEqualTo(Integer.parseInt(appConfig().getProperty("quarkus.http.port")));
        assertThat(probe(container, "livenessProbe")).containsEntry("path", "/q/health/live")
                .containsEntry("port", port.get("name"));
        assertThat(probe(container, "readinessProbe")).containsEntry("path", "/q/health/ready")
                .containsEntry("port", port.get("name"));
        assertThat(probe(container, "startupProbe")).containsEntry("path", "/q/health/started")
                .containsEntry("port", port.get("name"));
        Map<String, Object> service = manifestsOfKind().get("Service");
        assertThat(map(list(map(service.get("spec")).get("ports")).get(0))).containsEntry("targetPort", port.get("name"));
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
        Duration shutdown = Duration.parse("PT" + appConfig().getProperty("quarkus.shutdown.timeout").toUpperCase());
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan((int) shutdown.toSeconds() + 5);
        assertThat(list(container.get("envFrom"))).extracting(e -> map(e).keySet().iterator().next())
                .containsExactlyInAnyOrder("configMapRef", "secretRef");
        Map<String, Object> hpa = map(manifestsOfKind().get("HorizontalPodAutoscaler").get("spec"));
        assertThat(map(hpa.get("scaleTargetRef"))).containsEntry("name", map(deployment.get("metadata")).get("name"));
        assertThat((Integer) hpa.get("minReplicas")).isGreaterThanOrEqualTo(2);
        assertThat(map(manifestsOfKind().get("PodDisruptionBudget").get("spec"))).containsKey("minAvailable");
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
    void shouldAllowIngressToTheHttpPortOnly() throws IOException {
        Map<String, Object> spec = map(manifestsOfKind().get("NetworkPolicy").get("spec"));
        assertThat(list(spec.get("policyTypes"))).containsExactly("Ingress");
        List<Object> rules = list(spec.get("ingress"));
        assertThat(rules).hasSize(1);
        assertThat(list(map(rules.get(0)).get("ports"))).singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("port", 8080).containsEntry("protocol", "TCP"));
    }

    private static Map<String, Object> probe(Map<String, Object> container, String name) {
        return map(map(container.get(name)).get("httpGet"));
    }

    private static Map<String, Object> container() throws IOException {
        Map<String, Object> pod = map(map(map(manifestsOfKind().get("Deployment").get("spec")).get("template"))
                .get("spec"));
        return map(list(pod.get("containers")).get(0));
    }

    private static Map<String, Map<String, Object>> manifestsOfKind() throws IOException {
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Map<String, Object> manifest = load(file.getFileName().toString());
                byKind.put(String.valueOf(manifest.get("kind")), manifest);
            }
        }
        return byKind;
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
