package io.tasker.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * HTTP access to the Liberty test server. Every request carries the operator's Basic credentials (writes need the
 * role {@code tasker-operator}): system properties {@code tasker.admin.user}/{@code tasker.admin.password}, by
 * default the development account of {@code ops.xml}.
 */
final class ItClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> TERMINAL =
            Set.of("complete", "error", "blocked_by_failures", "cancelled", "resolved_manually");

    /** True when the suite runs against the real tasker-core stack ({@code -Preal-stack-it}). */
    static final boolean REAL_STACK = "tasker-core".equals(System.getProperty("tasker.it.backend"));
    /** The native library the server under test loads: the engine, or the bridge to tasker-core. */
    static final String LIBRARY = REAL_STACK ? "libtasker_bridge.so" : "libtasker_engine.so";

    final String base;

    ItClient() {
        this(Integer.parseInt(System.getProperty("http.port", "9080")));
    }

    ItClient(int port) {
        base = "http://localhost:" + port;
    }

    /**
     * A wait budget: as given on the embedded engine; on the real stack, where every hop crosses PGMQ and the
     * orchestration server, six times longer and at least a minute.
     */
    static long budget(long embeddedMs) {
        return REAL_STACK ? Math.max(60_000, embeddedMs * 6) : embeddedMs;
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    Reply post(String path, String body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body)));
    }

    /** POST as the operator with any Content-Type (null: none), answering the whole response, headers included. */
    HttpResponse<String> postAs(String path, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Reply delete(String path) {
        return send(request(path).DELETE());
    }

    String createTask(String name, Map<String, ?> context) {
        return createTask("examples", name, context);
    }

    String createTask(String namespace, String name, Map<String, ?> context) {
        // A fresh idempotency key: identical contexts (also across runs on the persistent data dir) would collide.
        Reply r = post(
                "/api/tasks",
                json(Map.of(
                        "name",
                        name,
                        "namespace",
                        namespace,
                        "version",
                        "1.0.0",
                        "context",
                        unique(context),
                        "idempotency_key",
                        java.util.UUID.randomUUID().toString())));
        if (r.status() != 201) {
            throw new AssertionError("create " + name + " -> " + r.status() + " " + r.body());
        }
        return r.json().get("task_uuid").asText();
    }

    JsonNode task(String uuid) {
        Reply r = get("/api/tasks/" + uuid);
        if (r.status() != 200) {
            throw new AssertionError("get task -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    /** The task's steps ({@code GET /api/tasks/{uuid}/steps}). */
    JsonNode steps(String taskUuid) {
        Reply r = get("/api/tasks/" + taskUuid + "/steps");
        if (r.status() != 200) {
            throw new AssertionError("get steps -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    /** The step's transitions ({@code GET /api/tasks/{uuid}/steps/{stepUuid}/audit}). */
    JsonNode audit(String taskUuid, String stepUuid) {
        Reply r = get("/api/tasks/" + taskUuid + "/steps/" + stepUuid + "/audit");
        if (r.status() != 200) {
            throw new AssertionError("get audit -> " + r.status() + " " + r.body());
        }
        return r.json();
    }

    JsonNode step(String taskUuid, String name) {
        for (JsonNode s : steps(taskUuid)) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no step " + name);
    }

    JsonNode awaitTerminal(String uuid, long timeoutMs) throws InterruptedException {
        timeoutMs = budget(timeoutMs);
        long deadline = System.currentTimeMillis() + timeoutMs;
        JsonNode t = task(uuid);
        while (!TERMINAL.contains(t.path("status").asText()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
            t = task(uuid);
        }
        if (!TERMINAL.contains(t.path("status").asText())) {
            throw new AssertionError("not terminal after " + timeoutMs + " ms: " + t);
        }
        return t;
    }

    /** Waits until {@code /health/ready} answers 200. */
    void awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not ready after " + timeoutMs + " ms");
    }

    /**
     * The context plus a fresh {@code it_run} key. Identical contexts would collide with earlier runs: the embedded
     * engine keys identity on the idempotency key when given, but tasker-core's default identity is the template
     * plus the context and ignores that key. Handlers ignore the extra key.
     */
    static Map<String, Object> unique(Map<String, ?> context) {
        Map<String, Object> c = new java.util.LinkedHashMap<>(context);
        c.put("it_run", java.util.UUID.randomUUID().toString());
        return c;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * How many times a step ran, from its audit states. The embedded engine audits every transition (a run is an
     * {@code in_progress}); tasker-core audits results only (a run is one {@code enqueued_for_orchestration} or
     * {@code enqueued_as_error_for_orchestration}).
     */
    static long runs(java.util.List<String> states) {
        return REAL_STACK
                ? states.stream()
                        .filter(s -> s.startsWith("enqueued_") && s.endsWith("_for_orchestration"))
                        .count()
                : states.stream().filter("in_progress"::equals).count();
    }

    static long resultOf(JsonNode step) {
        return step.path("results").path("result").path("result").asLong(Long.MIN_VALUE);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        String token = System.getProperty("tasker.admin.user", "admin") + ":"
                + System.getProperty("tasker.admin.password", "tasker-dev");
        b.header(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        return b;
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError("HTTP failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
