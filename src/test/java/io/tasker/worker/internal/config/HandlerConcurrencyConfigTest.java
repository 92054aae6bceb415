package io.tasker.worker.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dynamic {@code tasker.worker.handler-concurrency.<callable>} family, from TOML and from MP Config names. */
class HandlerConcurrencyConfigTest {

    private static TomlConfigSource toml(String text, String env) {
        return TomlConfigSource.of(text, "test.toml", env, name -> null);
    }

    @Test
    void tomlTableMapsToTheFamilyKeepingTheCallableVerbatim() {
        TomlConfigSource s = toml("""
                [worker]
                max_concurrency = 6
                [worker.handler_concurrency]
                slow_report = 2
                "billing.Charge" = 1
                """, null);
        assertNull(s.problem());
        assertEquals("2", s.getValue("tasker.worker.handler-concurrency.slow_report"));
        assertEquals("1", s.getValue("tasker.worker.handler-concurrency.billing.Charge"));
        WorkerSettings settings = WorkerSettings.from(k -> Optional.ofNullable(s.getValue(k)), s.getPropertyNames());
        assertEquals(Map.of("slow_report", 2, "billing.Charge", 1), settings.handlerConcurrency());
        assertEquals(6, settings.maxConcurrency());
    }

    @Test
    void environmentTablesOverrideALimit() {
        TomlConfigSource s = toml("""
                [worker.handler_concurrency]
                slow_report = 2
                [environments.production.worker.handler_concurrency]
                slow_report = 5
                """, "production");
        assertNull(s.problem());
        assertEquals("5", s.getValue("tasker.worker.handler-concurrency.slow_report"));
    }

    @Test
    void badTomlValuesNameTheKeyAndFile() {
        String zero =
                toml("[worker.handler_concurrency]\nslow_report = 0\n", null).problem();
        assertTrue(
                zero.contains("worker.handler_concurrency.slow_report")
                        && zero.contains("test.toml")
                        && zero.contains("positive"),
                zero);
        String text = toml("[worker.handler_concurrency]\nslow_report = \"two\"\n", null)
                .problem();
        assertTrue(
                text.contains("tasker.worker.handler-concurrency.slow_report") && text.contains("expected int"), text);
        String nested =
                toml("[worker.handler_concurrency.slow_report]\nx = 1\n", null).problem();
        assertTrue(nested != null && nested.contains("slow_report"), nested);
    }

    @Test
    void mpConfigNamesAreScannedAndValidated() {
        WorkerSettings s = WorkerSettings.of(Map.of("tasker.worker.handler-concurrency.a_b", "3"));
        assertEquals(Map.of("a_b", 3), s.handlerConcurrency());
        assertEquals(Map.of(), WorkerSettings.defaults().handlerConcurrency());
        ConfigurationException bad = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.of(Map.of("tasker.worker.handler-concurrency.a_b", "-1")));
        assertTrue(bad.getMessage().contains("tasker.worker.handler-concurrency.a_b"), bad.getMessage());
        ConfigurationException empty = assertThrows(
                ConfigurationException.class,
                () -> WorkerSettings.from(k -> Optional.of("2"), List.of("tasker.worker.handler-concurrency.")));
        assertTrue(empty.getMessage().contains("must name a handler callable"), empty.getMessage());
    }
}
