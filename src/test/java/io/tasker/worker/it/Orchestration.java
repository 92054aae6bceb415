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

    /** Creates a task; tasker-core answers 200 (its OpenAPI says 201), so both count as created. */
    String createTask(String namespace, String name, Map<String, ?> context) {
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
                "it",
                "source_system",
                "it",
                "reason",
                "scale-out test",
                "idempotency_key",
                UUID.randomUUID().toString()));
        ItClient.Reply r = send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r.status() != 200 && r.status() != 201) {
            throw new AssertionError("POST /v1/tasks " + name + " -> " + r.status() + " " + r.body());
        }
        return r.json().path("task_uuid").asText();
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
