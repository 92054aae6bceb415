package io.tasker.worker.internal.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Every worker setting, read once and validated. Built from MP Config in the container ({@link #fromConfig}) or
 * from any key lookup in a plain JVM ({@link #from}); keys, defaults and constraints come from {@link ConfigKey}.
 */
public record WorkerSettings(
        String backend,
        String libraryPath,
        String coreConfigPath,
        String coreOrchestrationUrl,
        long coreOrphanLeaseMs,
        int maxConcurrency,
        long pollIntervalMs,
        long handlerTimeoutMs,
        long shutdownGraceMs,
        long cleanupIntervalMs,
        long metricsIntervalMs,
        String namespace,
        String logLevel,
        boolean engineLog,
        String templatePath,
        String dataDir,
        long completionTimeoutMs,
        long starvationThresholdMs,
        long backoffBaseMs,
        long backoffMaxMs,
        double backoffMultiplier,
        double backoffJitterPct,
        boolean retentionKeepAll,
        long retentionMaxAgeMs,
        Long retentionMaxCount,
        boolean webEnabled,
        Map<String, Integer> handlerConcurrency,
        boolean libraryExtensions,
        boolean virtualThreads) {

    public WorkerSettings {
        handlerConcurrency = handlerConcurrency == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(handlerConcurrency));
    }

    /** The value of {@code tasker.engine.data-dir} that selects the in-memory store. */
    public static final String IN_MEMORY = "memory";

    /** All defaults (no data dir: in-memory outside Liberty). */
    public static WorkerSettings defaults() {
        return from(key -> Optional.empty());
    }

    /** Reads the container's MP Config; a broken TOML file surfaces here as a startup error. */
    public static WorkerSettings fromConfig(Config config) {
        for (ConfigSource source : config.getConfigSources()) {
            if (source instanceof TomlConfigSource toml && toml.problem() != null) {
                throw new ConfigurationException(toml.problem());
            }
        }
        List<String> names = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            names.add(name);
        }
        return from(key -> config.getOptionalValue(key, String.class), names);
    }

    /** Overrides on top of the defaults, e.g. for tests: {@code of(Map.of("tasker.worker.max-concurrency", "2"))}; unknown keys are refused. */
    public static WorkerSettings of(Map<String, String> values) {
        Map<String, String> copy = new HashMap<>(values);
        for (String key : copy.keySet()) {
            if (ConfigKey.byKey(key).isEmpty() && !ConfigKey.isHandlerConcurrency(key)) {
                throw new ConfigurationException("Unknown setting " + key);
            }
        }
        return from(key -> Optional.ofNullable(copy.get(key)), copy.keySet());
    }

    /**
     * Builds and validates. Every problem is collected so one startup error lists them all, each naming its key.
     */
    public static WorkerSettings from(Function<String, Optional<String>> lookup) {
        return from(lookup, List.of());
    }

    /**
     * As {@link #from(Function)}, also reading the per-handler limits among {@code propertyNames} (the
     * {@code tasker.worker.handler-concurrency.<callable>} family cannot be looked up key by key).
     */
    public static WorkerSettings from(Function<String, Optional<String>> lookup, Iterable<String> propertyNames) {
        Map<ConfigKey, String> raw = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> handlerLimits = new TreeMap<>();
        for (String name : propertyNames) {
            if (!name.startsWith(ConfigKey.HANDLER_CONCURRENCY_PREFIX)) {
                continue;
            }
            if (!ConfigKey.isHandlerConcurrency(name)) {
                problems.add(
                        name + " must name a handler callable after '" + ConfigKey.HANDLER_CONCURRENCY_PREFIX + "'");
                continue;
            }
            String value = lookup.apply(name).orElse("").trim();
            String problem = ConfigKey.problemWithDynamic(value);
            if (problem != null) {
                problems.add(name + " " + problem);
            } else {
                handlerLimits.put(
                        name.substring(ConfigKey.HANDLER_CONCURRENCY_PREFIX.length()), Integer.parseInt(value));
            }
        }
        for (ConfigKey key : ConfigKey.values()) {
            String value = lookup.apply(key.key()).filter(v -> !v.isBlank()).orElse(key.defaultValue());
            if (value != null) {
                String problem = key.problemWith(value);
                if (problem != null) {
                    problems.add(key.key() + " " + problem);
                    value = key.defaultValue();
                }
            }
            raw.put(key, value == null ? null : value.trim());
        }
        long handlerTimeout = Long.parseLong(raw.get(ConfigKey.HANDLER_TIMEOUT_MS));
        long completionTimeout = Long.parseLong(raw.get(ConfigKey.COMPLETION_TIMEOUT_MS));
        if (problems.isEmpty() && handlerTimeout >= completionTimeout) {
            // A result that arrives after the engine's completion timeout is rejected, so the local limit must be
            // lower.
            problems.add(ConfigKey.HANDLER_TIMEOUT_MS.key() + " (" + handlerTimeout + ") must be below "
                    + ConfigKey.COMPLETION_TIMEOUT_MS.key() + " (" + completionTimeout + ")");
        }
        long base = Long.parseLong(raw.get(ConfigKey.BACKOFF_BASE_MS));
        long max = Long.parseLong(raw.get(ConfigKey.BACKOFF_MAX_MS));
        if (problems.isEmpty() && base > max) {
            problems.add(ConfigKey.BACKOFF_BASE_MS.key() + " (" + base + ") must not exceed "
                    + ConfigKey.BACKOFF_MAX_MS.key() + " (" + max + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid Tasker worker configuration: " + String.join("; ", problems));
        }
        return new WorkerSettings(
                raw.get(ConfigKey.BACKEND),
                raw.get(ConfigKey.LIBRARY_PATH),
                raw.get(ConfigKey.CORE_CONFIG_PATH),
                raw.get(ConfigKey.CORE_ORCHESTRATION_URL),
                Long.parseLong(raw.get(ConfigKey.CORE_ORPHAN_LEASE_MS)),
                Integer.parseInt(raw.get(ConfigKey.MAX_CONCURRENCY)),
                Long.parseLong(raw.get(ConfigKey.POLL_INTERVAL_MS)),
                handlerTimeout,
                Long.parseLong(raw.get(ConfigKey.SHUTDOWN_GRACE_MS)),
                Long.parseLong(raw.get(ConfigKey.CLEANUP_INTERVAL_MS)),
                Long.parseLong(raw.get(ConfigKey.METRICS_INTERVAL_MS)),
                raw.get(ConfigKey.NAMESPACE),
                raw.get(ConfigKey.LOG_LEVEL),
                Boolean.parseBoolean(raw.get(ConfigKey.ENGINE_LOG)),
                raw.get(ConfigKey.TEMPLATE_PATH),
                raw.get(ConfigKey.DATA_DIR),
                completionTimeout,
                Long.parseLong(raw.get(ConfigKey.STARVATION_THRESHOLD_MS)),
                base,
                max,
                Double.parseDouble(raw.get(ConfigKey.BACKOFF_MULTIPLIER)),
                Double.parseDouble(raw.get(ConfigKey.BACKOFF_JITTER_PCT)),
                Boolean.parseBoolean(raw.get(ConfigKey.RETENTION_KEEP_ALL)),
                Long.parseLong(raw.get(ConfigKey.RETENTION_MAX_AGE_MS)),
                raw.get(ConfigKey.RETENTION_MAX_COUNT) == null
                        ? null
                        : Long.valueOf(raw.get(ConfigKey.RETENTION_MAX_COUNT)),
                Boolean.parseBoolean(raw.get(ConfigKey.WEB_ENABLED)),
                handlerLimits,
                Boolean.parseBoolean(raw.get(ConfigKey.LIBRARY_EXTENSIONS)),
                Boolean.parseBoolean(raw.get(ConfigKey.HANDLERS_VIRTUAL_THREADS)));
    }

    /** True when the worker runs against a real tasker-core deployment through the bridge library. */
    public boolean taskerCore() {
        return ConfigKey.TASKER_CORE.equals(backend);
    }

    /**
     * The engine data directory as sent in the bootstrap config: {@code null} for in-memory, else an absolute path.
     * Unset means {@code ${server.output.dir}/tasker-data} on Liberty and in-memory elsewhere.
     */
    public String resolvedDataDir() {
        if (dataDir != null) {
            return IN_MEMORY.equalsIgnoreCase(dataDir)
                    ? null
                    : Path.of(dataDir).toAbsolutePath().toString();
        }
        String serverOutput = System.getProperty("server.output.dir");
        return serverOutput == null
                ? null
                : Path.of(serverOutput, "tasker-data").toAbsolutePath().toString();
    }
}
