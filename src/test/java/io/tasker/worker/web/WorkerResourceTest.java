package io.tasker.worker.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tasker.worker.internal.runtime.WorkerRuntime;
import io.tasker.worker.internal.runtime.WorkerState;
import io.tasker.worker.internal.runtime.WorkerStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/worker} renders the typed status with the keys clients read, each once. */
class WorkerResourceTest {

    @Test
    void theStatusKeepsItsJsonKeys() {
        WorkerStatus status = new WorkerStatus(
                WorkerState.RUNNING,
                "w-1",
                "/lib/libtasker_engine.so",
                "bundled",
                3,
                10,
                4,
                Map.of("slow", 4),
                Map.of("slow", Map.of("limit", 3, "running", 3, "waiting", 1)),
                new WorkerRuntime.DispatchMetrics(2, true, 1, 900L),
                50,
                20,
                29,
                1,
                15,
                2,
                false,
                false,
                7,
                false);
        Map<String, Object> json = WorkerResource.render(status, "0.1.0", 12);
        assertEquals(
                List.of(
                        "state",
                        "worker_id",
                        "library_path",
                        "library_origin",
                        "slots_used",
                        "slots_total",
                        "in_flight",
                        "handlers_in_flight",
                        "handler_limits",
                        "pending",
                        "starvation_detected",
                        "starving_events",
                        "polls",
                        "events_received",
                        "succeeded",
                        "failed",
                        "paused",
                        "draining",
                        "ms_since_last_tick",
                        "library_version",
                        "handler_count"),
                List.copyOf(json.keySet()));
        assertEquals("running", json.get("state"));
        assertEquals(3, json.get("slots_used"));
        assertEquals(10, json.get("slots_total"));
        assertEquals(2L, json.get("pending"));
        assertEquals(true, json.get("starvation_detected"));
        assertEquals(20L, json.get("events_received"));
        assertEquals(12, json.get("handler_count"));
    }
}
