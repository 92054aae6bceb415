package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.util.concurrent.TimeUnit;

/**
 * The periodic engine calls of the poll tick: every {@code metrics-interval-ms} the starvation check and the
 * dispatch metrics read, every {@code cleanup-interval-ms} {@code cleanup_timeouts}. Runs on the poll thread only.
 */
final class MaintenanceTimers {

    private final TaskerFfi ffi;
    private final long metricsIntervalNanos;
    private final long cleanupIntervalNanos;
    private long nextMetricsNanos;
    private long nextCleanupNanos;
    private volatile WorkerRuntime.DispatchMetrics metrics = WorkerRuntime.DispatchMetrics.EMPTY;

    MaintenanceTimers(TaskerFfi ffi, long metricsIntervalMs, long cleanupIntervalMs) {
        this.ffi = ffi;
        this.metricsIntervalNanos = TimeUnit.MILLISECONDS.toNanos(metricsIntervalMs);
        this.cleanupIntervalNanos = TimeUnit.MILLISECONDS.toNanos(cleanupIntervalMs);
    }

    /** At start: metrics at the first tick, the first cleanup one interval later. */
    void reset(long now) {
        nextMetricsNanos = now;
        nextCleanupNanos = now + cleanupIntervalNanos;
    }

    /** Runs whichever calls are due. */
    void runDue(long now) {
        if (now - nextMetricsNanos >= 0) {
            nextMetricsNanos = now + metricsIntervalNanos;
            ffi.checkStarvationWarnings();
            readMetrics();
        }
        if (now - nextCleanupNanos >= 0) {
            nextCleanupNanos = now + cleanupIntervalNanos;
            ffi.cleanupTimeouts();
        }
    }

    WorkerRuntime.DispatchMetrics metrics() {
        return metrics;
    }

    private void readMetrics() {
        String json = ffi.dispatchMetrics();
        if (json == null) {
            return;
        }
        JsonNode m = Json.parse(json);
        if (!m.path("pending_count").isNumber()) {
            return; // error form {success:false,…}
        }
        JsonNode oldest = m.get("oldest_pending_age_ms");
        metrics = new WorkerRuntime.DispatchMetrics(
                m.path("pending_count").asLong(),
                m.path("starvation_detected").asBoolean(),
                m.path("starving_event_count").asLong(),
                oldest == null || oldest.isNull() ? null : oldest.asLong());
    }
}
