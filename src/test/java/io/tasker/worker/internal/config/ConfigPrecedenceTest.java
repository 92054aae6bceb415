package io.tasker.worker.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three layers resolved by a real MicroProfile Config implementation, as on Liberty: the bundled defaults
 * (ordinal 100), the TOML file (200) and environment variables (300, with MicroProfile's name mapping).
 */
class ConfigPrecedenceTest {

    @Test
    void tomlBeatsTheDefaultsAndTheEnvironmentBeatsTheToml(@TempDir Path dir) throws Exception {
        Path toml = Files.writeString(dir.resolve("tasker.toml"), """
                [worker]
                max_concurrency = 7
                handler_timeout_ms = 9000
                """);
        URL defaults = getClass().getClassLoader().getResource("META-INF/microprofile-config.properties");
        assertNotNull(defaults);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(defaults, 100))
                .withSources(new TomlConfigSource(Map.of(TomlConfigSource.PATH_VARIABLE, toml.toString())::get))
                .withSources(new EnvConfigSource(Map.of("TASKER_WORKER_HANDLER_TIMEOUT_MS", "5000"), 300))
                .build();

        assertEquals("10", config.getRawValue("tasker.worker.poll-interval-ms"), "default only");
        assertEquals("7", config.getRawValue("tasker.worker.max-concurrency"), "TOML over the default");
        assertEquals("5000", config.getRawValue("tasker.worker.handler-timeout-ms"), "environment over the TOML");

        WorkerSettings settings = WorkerSettings.fromConfig(config);
        assertEquals(7, settings.maxConcurrency());
        assertEquals(5000, settings.handlerTimeoutMs());
        assertEquals(10, settings.pollIntervalMs());
    }
}
