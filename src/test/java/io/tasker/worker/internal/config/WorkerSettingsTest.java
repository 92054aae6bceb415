package io.tasker.worker.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

    @Test
    void defaults() {
        WorkerSettings s = WorkerSettings.defaults();
        assertEquals(10, s.maxConcurrency());
        assertEquals(10, s.pollIntervalMs());
        assertEquals(25000, s.handlerTimeoutMs());
        assertEquals(30000, s.shutdownGraceMs());
        assertEquals(5000, s.cleanupIntervalMs());
        assertEquals(1000, s.metricsIntervalMs());
        assertEquals("default", s.namespace());
        assertEquals(30000, s.completionTimeoutMs());
        assertEquals(1000, s.backoffBaseMs());
        assertEquals(60000, s.backoffMaxMs());
        assertEquals(2.0, s.backoffMultiplier());
        assertEquals(0.15, s.backoffJitterPct());
        assertTrue(s.webEnabled());
        assertNull(s.libraryPath());
        assertNull(s.templatePath());
    }

    @Test
    void retentionSettingsReachTheEngineBootstrapConfig() throws Exception {
        WorkerSettings d = WorkerSettings.defaults();
        assertEquals(false, d.retentionKeepAll());
        assertEquals(7L * 24 * 3600 * 1000, d.retentionMaxAgeMs());
        assertNull(d.retentionMaxCount());
        var json = io.tasker.worker.internal.Json.parse(
                io.tasker.worker.internal.runtime.BootstrapConfig.json(d, "w", java.util.List.of()));
        assertTrue(json.path("engine").path("retention").path("max_count").isNull(), json.toString());
        WorkerSettings s = WorkerSettings.of(Map.of(
                "tasker.engine.retention.keep-all", "true",
                "tasker.engine.retention.max-age-ms", "3600000",
                "tasker.engine.retention.max-count", "5000"));
        var r = io.tasker.worker.internal.Json.parse(
                        io.tasker.worker.internal.runtime.BootstrapConfig.json(s, "w", java.util.List.of()))
                .path("engine")
                .path("retention");
        assertTrue(r.path("keep_all").asBoolean(), r.toString());
        assertEquals(3600000, r.path("max_age_ms").asLong());
        assertEquals(5000, r.path("max_count").asLong());
        ConfigurationException e = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.of(Map.of("tasker.engine.retention.max-count", "-1")));
        assertTrue(e.getMessage().contains("tasker.engine.retention.max-count"), e.getMessage());
    }

    @Test
    void zeroOrNegativeLimitsNameTheKey() {
        ConfigurationException e = assertThrows(
                ConfigurationException.class, () -> WorkerSettings.of(Map.of("tasker.worker.max-concurrency", "0")));
        assertTrue(e.getMessage().contains("tasker.worker.max-concurrency"), e.getMessage());
        e = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.of(
                        Map.of("tasker.worker.shutdown-grace-ms", "-1", "tasker.worker.poll-interval-ms", "x")));
        assertTrue(e.getMessage().contains("tasker.worker.shutdown-grace-ms"), e.getMessage());
        assertTrue(e.getMessage().contains("tasker.worker.poll-interval-ms"), e.getMessage());
        e = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.of(Map.of("tasker.engine.backoff.jitter-pct", "1.5")));
        assertTrue(e.getMessage().contains("tasker.engine.backoff.jitter-pct"), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> WorkerSettings.of(Map.of("tasker.web.enabled", "yes")));
        assertTrue(e.getMessage().contains("tasker.web.enabled"), e.getMessage());
    }

    @Test
    void handlerTimeoutMustStayBelowTheEngineTimeout() {
        ConfigurationException e = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.of(Map.of("tasker.worker.handler-timeout-ms", "30000")));
        assertTrue(e.getMessage().contains("tasker.worker.handler-timeout-ms"), e.getMessage());
        assertTrue(e.getMessage().contains("tasker.engine.completion-timeout-ms"), e.getMessage());
    }

    @Test
    void dataDirResolution() {
        assertNull(WorkerSettings.of(Map.of("tasker.engine.data-dir", "memory")).resolvedDataDir());
        assertTrue(WorkerSettings.of(Map.of("tasker.engine.data-dir", "rel/dir"))
                .resolvedDataDir()
                .endsWith("rel/dir"));
        String previous = System.getProperty("server.output.dir");
        try {
            System.setProperty("server.output.dir", "/srv/out");
            assertEquals("/srv/out/tasker-data", WorkerSettings.defaults().resolvedDataDir());
        } finally {
            if (previous == null) {
                System.clearProperty("server.output.dir");
            } else {
                System.setProperty("server.output.dir", previous);
            }
        }
    }

    @Test
    void unknownOverrideKeyIsRejected() {
        assertThrows(
                ConfigurationException.class, () -> WorkerSettings.of(Map.of("tasker.worker.max-concurency", "2")));
    }

    /** The documented defaults and the catalogue must not drift apart. */
    @Test
    void microprofileConfigPropertiesMatchTheCatalogue() throws Exception {
        Properties p = new Properties();
        try (InputStream in = WorkerSettingsTest.class
                .getClassLoader()
                .getResourceAsStream("META-INF/microprofile-config.properties")) {
            p.load(in);
        }
        for (ConfigKey key : ConfigKey.values()) {
            assertEquals(key.defaultValue(), p.getProperty(key.key()), key.key());
        }
        for (String name : p.stringPropertyNames()) {
            assertTrue(ConfigKey.byKey(name).isPresent(), "undocumented key " + name);
        }
    }
}
