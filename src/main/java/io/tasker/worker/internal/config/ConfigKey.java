package io.tasker.worker.internal.config;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalogue of every setting the worker reads: MP Config key, type, default and constraint. Both
 * {@link WorkerSettings} and {@link TomlConfigSource} use it, so a key is known in one place only.
 * {@code META-INF/microprofile-config.properties} documents the same defaults (a unit test keeps them equal).
 */
public enum ConfigKey {
    BACKEND(
            "tasker.backend",
            Type.BACKEND,
            "embedded",
            "embedded (the bundled engine) or tasker-core (the bridge to a real tasker-core deployment)"),
    LIBRARY_PATH(
            "tasker.library.path",
            Type.STRING,
            null,
            "native library file; else TASKER_FFI_LIBRARY_PATH, else the library bundled for the backend"),
    LIBRARY_EXTENSIONS(
            "tasker.library.extensions",
            Type.BOOLEAN,
            "true",
            "use the library's optional ABI extensions (batch calls, waiting for the next ready step) when it exports them; false calls the 29 contract functions only"),
    CORE_CONFIG_PATH(
            "tasker.core.config-path",
            Type.STRING,
            null,
            "tasker-core backend: the foundation's own TOML (env TASKER_CORE_CONFIG_PATH); else the bundled tasker/tasker-core/worker.toml"),
    CORE_ORCHESTRATION_URL(
            "tasker.core.orchestration-url",
            Type.STRING,
            null,
            "tasker-core backend: the orchestration server's REST address (env TASKER_CORE_ORCHESTRATION_URL); else the foundation TOML's [worker.orchestration_client] base_url"),
    CORE_ORPHAN_LEASE_MS(
            "tasker.core.orphan-lease-ms",
            Type.LONG,
            "300000",
            "tasker-core backend: a step in progress this long is taken as orphaned by a dead worker and failed as retryable, so tasker-core retries it on a live worker"),
    MAX_CONCURRENCY(
            "tasker.worker.max-concurrency", Type.INT, "10", "handler executions in flight at once (execution slots)"),
    POLL_INTERVAL_MS(
            "tasker.worker.poll-interval-ms", Type.LONG, "10", "pause between poll ticks when no event is queued"),
    HANDLER_TIMEOUT_MS(
            "tasker.worker.handler-timeout-ms",
            Type.LONG,
            "25000",
            "handler run time before a retryable timeout failure; below the engine completion timeout"),
    SHUTDOWN_GRACE_MS(
            "tasker.worker.shutdown-grace-ms", Type.LONG, "30000", "how long a stop waits for in-flight handlers"),
    CLEANUP_INTERVAL_MS("tasker.worker.cleanup-interval-ms", Type.LONG, "5000", "period of cleanup_timeouts"),
    METRICS_INTERVAL_MS(
            "tasker.worker.metrics-interval-ms",
            Type.LONG,
            "1000",
            "period of the starvation check and dispatch metrics"),
    HANDLERS_VIRTUAL_THREADS(
            "tasker.handlers.virtual-threads",
            Type.BOOLEAN,
            "false",
            "run handlers on virtual threads (Java 21+); in Liberty from the ManagedThreadFactory at JNDI concurrent/taskerVirtualThreads, configured with virtual=\"true\""),
    NAMESPACE("tasker.worker.namespace", Type.STRING, "default", "namespace sent in the bootstrap config"),
    LOG_LEVEL("tasker.worker.log-level", Type.STRING, "info", "engine log level sent in the bootstrap config"),
    ENGINE_LOG(
            "tasker.worker.engine-log",
            Type.BOOLEAN,
            "true",
            "also send handler log lines (TaskerLog) to the engine's log"),
    TEMPLATE_PATH(
            "tasker.template.path",
            Type.STRING,
            null,
            "directory of task template YAML files (env TASKER_TEMPLATE_PATH); else the bundled examples"),
    DATA_DIR(
            "tasker.engine.data-dir",
            Type.STRING,
            null,
            "engine data directory; 'memory' for in-memory; default ${server.output.dir}/tasker-data"),
    COMPLETION_TIMEOUT_MS(
            "tasker.engine.completion-timeout-ms",
            Type.LONG,
            "30000",
            "engine gives up on a polled event after this long"),
    STARVATION_THRESHOLD_MS(
            "tasker.engine.starvation-threshold-ms",
            Type.LONG,
            "10000",
            "an event pending longer than this counts as starving in the dispatch metrics"),
    BACKOFF_BASE_MS("tasker.engine.backoff.base-ms", Type.LONG, "1000", "first retry delay"),
    BACKOFF_MAX_MS("tasker.engine.backoff.max-ms", Type.LONG, "60000", "retry delay cap"),
    BACKOFF_MULTIPLIER("tasker.engine.backoff.multiplier", Type.DOUBLE, "2.0", "retry delay growth factor"),
    BACKOFF_JITTER_PCT(
            "tasker.engine.backoff.jitter-pct", Type.FRACTION, "0.15", "random spread of a retry delay, 0..1"),
    RETENTION_KEEP_ALL(
            "tasker.engine.retention.keep-all",
            Type.BOOLEAN,
            "false",
            "keep every finished task in the data directory (overrides max-age-ms and max-count)"),
    RETENTION_MAX_AGE_MS(
            "tasker.engine.retention.max-age-ms",
            Type.LONG,
            "604800000",
            "finished tasks older than this (default 7 days) are deleted from the data directory, in small batches"),
    RETENTION_MAX_COUNT(
            "tasker.engine.retention.max-count",
            Type.LONG,
            null,
            "keep at most this many finished tasks (oldest deleted first); unset: no count limit"),
    WEB_ENABLED("tasker.web.enabled", Type.BOOLEAN, "true", "serve the /api endpoints; false answers 404 (headless)"),
    DOMAIN_EVENTS_ENABLED(
            "tasker.domain-events.enabled",
            Type.BOOLEAN,
            "true",
            "poll the engine's in-process (fast/broadcast) domain events and deliver them to subscriber beans"),
    DOMAIN_EVENTS_POLL_INTERVAL_MS(
            "tasker.domain-events.poll-interval-ms", Type.LONG, "10", "pause between in-process domain event polls");

    /**
     * The one dynamic family: {@code tasker.worker.handler-concurrency.<callable>}, a positive int capping the
     * executions of one handler within the global slots. The suffix is the callable verbatim (underscores kept),
     * so it is not an enum constant; {@link #problemWithDynamic} validates it.
     */
    public static final String HANDLER_CONCURRENCY_PREFIX = "tasker.worker.handler-concurrency.";

    /** True for a well-formed key of the per-handler family (a non-blank callable after the prefix). */
    public static boolean isHandlerConcurrency(String key) {
        return key.startsWith(HANDLER_CONCURRENCY_PREFIX)
                && !key.substring(HANDLER_CONCURRENCY_PREFIX.length()).isBlank();
    }

    /** Validates a value of the per-handler family (same rule as {@code max-concurrency}). */
    public static String problemWithDynamic(String raw) {
        return MAX_CONCURRENCY.problemWith(raw);
    }

    /** Value types; positive numbers only for INT/LONG/DOUBLE, 0..1 for FRACTION. */
    public enum Type {
        STRING,
        INT,
        LONG,
        DOUBLE,
        FRACTION,
        BOOLEAN,
        BACKEND
    }

    /** The values of {@link #BACKEND}. */
    public static final String EMBEDDED = "embedded";

    public static final String TASKER_CORE = "tasker-core";

    private static final Map<String, ConfigKey> BY_KEY =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ConfigKey::key, Function.identity()));

    private final String key;
    private final Type type;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, Type type, String defaultValue, String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    /** The default, or {@code null} when the setting is optional. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public static Optional<ConfigKey> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /**
     * Checks a raw value against the type and constraint; returns the error text (without the key) or
     * {@code null} when valid.
     */
    public String problemWith(String raw) {
        String v = raw.trim();
        try {
            switch (type) {
                case INT -> {
                    if (Integer.parseInt(v) <= 0) {
                        return "must be a positive integer, got " + v;
                    }
                }
                case LONG -> {
                    if (Long.parseLong(v) <= 0) {
                        return "must be a positive integer, got " + v;
                    }
                }
                case DOUBLE -> {
                    double d = Double.parseDouble(v);
                    if (!(d > 0) || Double.isInfinite(d)) {
                        return "must be a positive number, got " + v;
                    }
                }
                case FRACTION -> {
                    double d = Double.parseDouble(v);
                    if (!(d >= 0 && d <= 1)) {
                        return "must be a number between 0 and 1, got " + v;
                    }
                }
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        return "must be true or false, got " + v;
                    }
                }
                case BACKEND -> {
                    if (!v.equals(EMBEDDED) && !v.equals(TASKER_CORE)) {
                        return "must be " + EMBEDDED + " or " + TASKER_CORE + ", got '" + v + "'";
                    }
                }
                case STRING -> {
                    // any text
                }
            }
        } catch (NumberFormatException e) {
            return "must be " + (type == Type.INT || type == Type.LONG ? "an integer" : "a number") + ", got '" + v
                    + "'";
        }
        return null;
    }
}
