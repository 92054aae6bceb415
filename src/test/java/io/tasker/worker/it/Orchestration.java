package io.tasker.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The real tasker-core orchestration server's REST API ({@code POST /v1/tasks}, {@code GET /v1/tasks/{uuid}}), as a
 * client outside the worker would use it. The address comes from {@code tasker.it.orchestration-url} (default the
 * loopback address scripts/tasker-stack.sh binds).
 */
final class Orchestration {

    final String base = System.getProperty("tasker.it.orchestration-url", "http://127.0.0.1:8080");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Creates a task; tasker-core answers 200 (its OpenAPI says 201), so both count as created.
     *
     * <p>tasker-core 0.1.8 commits the task before it enqueues the first steps, and answers 500 when that second part
     * fails, so a 5xx does not say whether the task exists. Each request carries its own initiator; after a 5xx this
     * client looks the task up by it and only creates again (with the same idempotency key) when there is none.
     */
    String createTask(String namespace, String name, Map<String, ?> context) {
        String key = UUID.randomUUID().toString();
        String initiator = "it-" + key;
        String body = ItClient.json(Map.of(
                "name",
                name,
                "namespace",
                namespace,
                "version",
                "1.0.0",
                "context",
                ItClient.unique(context),
                "initiator",
                initiator,
                "source_system",
                "it",
                "reason",
                "scale-out test",
                "idempotency_key",
                key));
        for (int attempt = 1; ; attempt++) {
            ItClient.Reply r = send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            if (r.status() == 200 || r.status() == 201) {
                return r.json().path("task_uuid").asText();
            }
            if (r.status() < 500 || attempt == 3) {
                throw new AssertionError("POST /v1/tasks " + name + " -> " + r.status() + " " + r.body());
            }
            String existing = taskByInitiator(initiator);
            System.out.println("IT orchestration: POST /v1/tasks " + name + " -> " + r.status() + " " + r.body()
                    + (existing == null ? "; no such task, creating it again" : "; the task exists: " + existing));
            if (existing != null) {
                return existing;
            }
        }
    }

    /** The uuid of the one task with this initiator, or null when there is none. */
    private String taskByInitiator(String initiator) {
        ItClient.Reply r = send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks?per_page=2&initiator=" + initiator))
                .GET());
        if (r.status() != 200) {
            throw new AssertionError("GET /v1/tasks?initiator=" + initiator + " -> " + r.status() + " " + r.body());
        }
        JsonNode tasks = r.json().path("tasks");
        if (tasks.size() > 1) {
            throw new AssertionError("two tasks from one create request: " + tasks);
        }
        return tasks.isEmpty() ? null : tasks.get(0).path("task_uuid").asText();
    }

    JsonNode task(String uuid) {
        ItClient.Reply r = send(
                HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + uuid)).GET());
        if (r.status() != 200) {
            throw new AssertionError("GET /v1/tasks/" + uuid + " -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    JsonNode steps(String uuid) {
        ItClient.Reply r = send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + uuid + "/workflow_steps"))
                .GET());
        if (r.status() != 200) {
            throw new AssertionError("GET workflow_steps " + uuid + " -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    private ItClient.Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r =
                    http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new ItClient.Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError("orchestration at " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
