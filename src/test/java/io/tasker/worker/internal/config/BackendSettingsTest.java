package io.tasker.worker.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.runtime.BootstrapConfig;
import io.tasker.worker.internal.runtime.TemplateSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selecting the backend, and what the bootstrap JSON carries for each. */
class BackendSettingsTest {

    private static final List<TemplateSource> TEMPLATES = List.of(new TemplateSource("t.yaml", "name: t"));

    @Test
    void embeddedIsTheDefaultAndSendsNoTaskerCoreObject() {
        WorkerSettings s = WorkerSettings.defaults();
        assertEquals("embedded", s.backend());
        assertFalse(s.taskerCore());
        JsonNode json = Json.parse(BootstrapConfig.json(s, "w-1", TEMPLATES));
        assertTrue(json.path("tasker_core").isMissingNode(), json.toString());
        assertEquals(10000, json.path("engine").path("starvation_threshold_ms").asLong());
        assertEquals(30000, json.path("engine").path("completion_timeout_ms").asLong());
        assertEquals("w-1", json.path("worker_id").asText());
    }

    @Test
    void anUnknownBackendNamesTheKeyAndTheChoices() {
        ConfigurationException e = assertThrows(
                ConfigurationException.class, () -> WorkerSettings.of(Map.of("tasker.backend", "postgres")));
        assertTrue(
                e.getMessage().contains("tasker.backend")
                        && e.getMessage().contains("tasker-core")
                        && e.getMessage().contains("postgres"),
                e.getMessage());
    }

    @Test
    void taskerCoreSendsTheFoundationTomlAndTheTemplateDirectory(@TempDir Path dir) throws Exception {
        Path toml = Files.writeString(dir.resolve("worker.toml"), "[common]\n");
        Path templates = Files.createDirectory(dir.resolve("templates"));
        WorkerSettings s = WorkerSettings.of(Map.of(
                "tasker.backend",
                "tasker-core",
                "tasker.core.config-path",
                toml.toString(),
                "tasker.template.path",
                templates.toString(),
                "tasker.engine.starvation-threshold-ms",
                "2500",
                "tasker.core.orchestration-url",
                "http://orchestration.internal:8080"));
        assertTrue(s.taskerCore());
        JsonNode json = Json.parse(BootstrapConfig.json(s, "w-2", TEMPLATES));
        assertEquals(
                toml.toAbsolutePath().toString(),
                json.path("tasker_core").path("config_path").asText());
        assertEquals(
                templates.toAbsolutePath().toString(),
                json.path("tasker_core").path("template_path").asText());
        assertEquals(2500, json.path("engine").path("starvation_threshold_ms").asLong());
        assertEquals(
                "http://orchestration.internal:8080",
                json.path("tasker_core").path("orchestration_url").asText());
        assertEquals("t.yaml", json.path("templates").get(0).path("source").asText());
    }

    @Test
    void aMissingFoundationTomlIsAStartupErrorNamingTheSetting(@TempDir Path dir) {
        WorkerSettings s = WorkerSettings.of(Map.of(
                "tasker.backend",
                "tasker-core",
                "tasker.core.config-path",
                dir.resolve("nope.toml").toString()));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> CoreConfigFile.resolve(s));
        assertTrue(
                e.getMessage().contains("TASKER_CORE_CONFIG_PATH")
                        && e.getMessage().contains("nope.toml"),
                e.getMessage());
    }

    @Test
    void withoutAPathTheBundledWorkerTomlIsExtractedPrivately() throws Exception {
        WorkerSettings s = WorkerSettings.of(Map.of("tasker.backend", "tasker-core"));
        Path file = Path.of(CoreConfigFile.resolve(s));
        String text = Files.readString(file);
        assertTrue(text.contains("[worker"), "the bundled foundation TOML has a [worker] table: " + file);
        assertEquals(
                "rwx------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    }
}
