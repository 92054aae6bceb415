package io.tasker.worker.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TomlConfigSourceTest {

    private static TomlConfigSource toml(String text, String env, Map<String, String> vars) {
        return TomlConfigSource.of(text, "test.toml", env, vars::get);
    }

    @Test
    void tablePathAndKeyMapToMpConfigKeys() {
        TomlConfigSource s = toml("""
                [worker]
                max_concurrency = 4
                namespace = "payments"
                [engine]
                data_dir = "memory"
                [engine.backoff]
                base_ms = 50
                multiplier = 1.5
                jitter_pct = 0
                [web]
                enabled = false
                """, null, Map.of());
        assertNull(s.problem());
        assertEquals("4", s.getValue("tasker.worker.max-concurrency"));
        assertEquals("payments", s.getValue("tasker.worker.namespace"));
        assertEquals("memory", s.getValue("tasker.engine.data-dir"));
        assertEquals("50", s.getValue("tasker.engine.backoff.base-ms"));
        assertEquals("1.5", s.getValue("tasker.engine.backoff.multiplier"));
        assertEquals("0", s.getValue("tasker.engine.backoff.jitter-pct"));
        assertEquals("false", s.getValue("tasker.web.enabled"));
        assertEquals(TomlConfigSource.ORDINAL, s.getOrdinal());
        assertEquals(200, s.getOrdinal());
    }

    @Test
    void interpolationWithDefaults() {
        TomlConfigSource s = toml("""
                [engine]
                data_dir = "${DATA_ROOT}/tasker"
                [worker]
                namespace = "${NS:-fallback}"
                log_level = "${EMPTY:-warn}"
                max_concurrency = "${WORKERS:-3}"
                """, null, Map.of("DATA_ROOT", "/var/lib", "EMPTY", ""));
        assertNull(s.problem());
        assertEquals("/var/lib/tasker", s.getValue("tasker.engine.data-dir"));
        assertEquals("fallback", s.getValue("tasker.worker.namespace"));
        assertEquals("warn", s.getValue("tasker.worker.log-level"));
        assertEquals("3", s.getValue("tasker.worker.max-concurrency"));
    }

    @Test
    void undefinedVariableNamesKeyAndFile() {
        TomlConfigSource s = toml("[engine]\ndata_dir = \"${NOT_SET}\"\n", null, Map.of());
        assertTrue(s.problem().contains("engine.data_dir"), s.problem());
        assertTrue(s.problem().contains("test.toml"), s.problem());
        assertTrue(s.getProperties().isEmpty());
    }

    @Test
    void environmentTableOverridesTheBaseOnlyWhenSelected() {
        String text = """
                [worker]
                max_concurrency = 4
                poll_interval_ms = 20
                [environments.test.worker]
                max_concurrency = 2
                [environments.production.worker]
                max_concurrency = 50
                """;
        TomlConfigSource test = toml(text, "test", Map.of());
        assertEquals("2", test.getValue("tasker.worker.max-concurrency"));
        assertEquals("20", test.getValue("tasker.worker.poll-interval-ms"));
        assertEquals("4", toml(text, null, Map.of()).getValue("tasker.worker.max-concurrency"));
        assertEquals("50", toml(text, "production", Map.of()).getValue("tasker.worker.max-concurrency"));
    }

    @Test
    void unknownKeyIsAnErrorNamingKeyAndFile() {
        TomlConfigSource s = toml("[worker]\nmax_concurency = 4\n", null, Map.of());
        assertTrue(s.problem().contains("worker.max_concurency"), s.problem());
        assertTrue(s.problem().contains("test.toml"), s.problem());
        // also inside a non-selected environment table
        TomlConfigSource env = toml("[environments.other.engine]\nbogus = 1\n", "test", Map.of());
        assertTrue(env.problem().contains("environments.other.engine.bogus"), env.problem());
    }

    @Test
    void wrongTypeAndNegativeLimitAreErrors() {
        TomlConfigSource wrongType = toml("[worker]\nmax_concurrency = true\n", null, Map.of());
        assertTrue(wrongType.problem().contains("worker.max_concurrency"), wrongType.problem());
        assertTrue(wrongType.problem().contains("Wrong type"), wrongType.problem());
        TomlConfigSource stringForNumber = toml("[worker]\nhandler_timeout_ms = \"soon\"\n", null, Map.of());
        assertTrue(stringForNumber.problem().contains("worker.handler_timeout_ms"), stringForNumber.problem());
        TomlConfigSource negative = toml("[worker]\nshutdown_grace_ms = -5\n", null, Map.of());
        assertTrue(negative.problem().contains("worker.shutdown_grace_ms"), negative.problem());
        assertTrue(negative.problem().contains("positive"), negative.problem());
        TomlConfigSource numberForString = toml("[worker]\nnamespace = 5\n", null, Map.of());
        assertTrue(numberForString.problem().contains("worker.namespace"), numberForString.problem());
    }

    @Test
    void syntaxErrorNamesTheFile() {
        TomlConfigSource s = toml("[worker\nmax_concurrency = 4\n", null, Map.of());
        assertTrue(s.problem().contains("test.toml"), s.problem());
    }

    @Test
    void fileFromTaskerConfigPathAndPrecedence(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tasker.toml"), "[worker]\nmax_concurrency = 7\n");
        TomlConfigSource s = new TomlConfigSource(Map.of(TomlConfigSource.PATH_VARIABLE, file.toString())::get);
        assertNull(s.problem());
        assertEquals("7", s.getValue("tasker.worker.max-concurrency"));
        assertTrue(s.getName().contains(file.toString()));
        // Ordinal 200 sits between microprofile-config.properties (100) and environment variables (300).
        assertTrue(s.getOrdinal() > 100 && s.getOrdinal() < 300);
        TomlConfigSource missing = new TomlConfigSource(
                Map.of(TomlConfigSource.PATH_VARIABLE, dir.resolve("nope.toml").toString())::get);
        assertTrue(missing.problem().contains("nope.toml"), missing.problem());
    }

    @Test
    void bundledFileLoadsWithoutProblems() {
        TomlConfigSource s = new TomlConfigSource(k -> null);
        assertNull(s.problem());
        assertTrue(s.getName().contains(TomlConfigSource.BUNDLED_RESOURCE));
    }
}
