package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.util.Map;
import java.util.Set;

/** Client-side helpers for tests that drive the real engine in-process. */
final class EngineHarness {

    static final Set<String> TERMINAL =
            Set.of("complete", "error", "blocked_by_failures", "cancelled", "resolved_manually");

    private final TaskerFfi ffi;

    EngineHarness(TaskerFfi ffi) {
        this.ffi = ffi;
    }

    String createTask(String namespace, String name, Map<String, ?> context) {
        String request = Json.write(Map.of(
                "name",
                name,
                "namespace",
                namespace,
                "version",
                "1.0.0",
                "context",
                context,
                "initiator",
                "test",
                "source_system",
                "unit-test",
                "reason",
                "test",
                "tags",
                java.util.List.of(),
                // identical contexts would collide on the engine's identity hash
                "idempotency_key",
                java.util.UUID.randomUUID().toString()));
        JsonNode r = data(ffi.clientCreateTask(request));
        return r.get("task_uuid").asText();
    }

    JsonNode task(String taskUuid) {
        return data(ffi.clientGetTask(taskUuid));
    }

    JsonNode steps(String taskUuid) {
        return data(ffi.clientListTaskSteps(taskUuid));
    }

    JsonNode step(String taskUuid, String name) {
        for (JsonNode s : steps(taskUuid)) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + steps(taskUuid));
    }

    /** Polls until the task reaches a terminal state; returns it. */
    JsonNode awaitTerminal(String taskUuid, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        JsonNode t = task(taskUuid);
        while (!TERMINAL.contains(t.path("status").asText()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
            t = task(taskUuid);
        }
        if (!TERMINAL.contains(t.path("status").asText())) {
            throw new AssertionError(
                    "task not terminal after " + timeoutMs + " ms: " + t + " steps " + steps(taskUuid));
        }
        return t;
    }

    /** The handler's {@code result} object as stored with the step. */
    static JsonNode handlerResult(JsonNode step) {
        JsonNode results = step.get("results");
        return results == null ? null : results.get("result");
    }

    private static JsonNode data(String envelope) {
        JsonNode n = Json.parse(envelope);
        if (!n.path("success").asBoolean()) {
            throw new AssertionError("engine call failed: " + envelope);
        }
        return n.get("data");
    }
}
