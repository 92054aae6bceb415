package io.tasker.worker.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * HTTP helpers for the operations integration tests, run by failsafe against the Liberty test server.
 * The port comes from the system property {@code http.port}; the operator account from
 * {@code tasker.admin.user}/{@code tasker.admin.password}, defaulting to the development account in {@code ops.xml}.
 */
final class OpsHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String USER = System.getProperty("tasker.admin.user", "admin");
    static final String PASSWORD = System.getProperty("tasker.admin.password", "tasker-dev");

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OpsHttp() {}

    static String baseUrl() {
        return "http://localhost:" + System.getProperty("http.port", "9080");
    }

    static URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** Timeouts scale in CI, as the engine's own e2e suite does. */
    static Duration scaled(Duration d) {
        return System.getenv("CI") == null ? d : d.multipliedBy(2);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String operatorAuth() {
        return basic(USER, PASSWORD);
    }

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json")
                .GET()
                .build());
    }

    /** POST with a JSON body; {@code authorization} may be null (no credentials). */
    static HttpResponse<String> post(String path, Object body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : JSON.writeValueAsString(body)));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** A create-task body whose context is unique, so the engine's identity check never answers 409. */
    static ObjectNode taskRequest(String template, String marker) {
        ObjectNode body = taskRequest("examples", template, marker);
        ((ObjectNode) body.get("context")).put("value", 3);
        return body;
    }

    /** A create-task body for any bundled template (version 1.0.0) with just the marker in its context. */
    static ObjectNode taskRequest(String namespace, String template, String marker) {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", template);
        body.put("namespace", namespace);
        body.put("version", "1.0.0");
        body.putObject("context").put("ops_test_run", marker);
        return body;
    }

    static String newMarker() {
        return UUID.randomUUID().toString();
    }

    /** Creates a task as the operator and returns its UUID; fails on any status but 200/201. */
    static String createTask(String template, String marker) throws IOException, InterruptedException {
        return createTask(taskRequest(template, marker));
    }

    static String createTask(ObjectNode request) throws IOException, InterruptedException {
        String template = request.path("name").asText();
        HttpResponse<String> r = post("/api/tasks", request, operatorAuth());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new AssertionError("create " + template + " -> " + r.statusCode() + ": " + r.body());
        }
        return json(r).path("task_uuid").asText();
    }

    static JsonNode task(String uuid) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/tasks/" + uuid);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET task " + uuid + " -> " + r.statusCode() + ": " + r.body());
        }
        return json(r);
    }

    /** Polls the task until the predicate holds; returns the last read. */
    static JsonNode awaitTask(String uuid, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + scaled(timeout).toNanos();
        JsonNode last = null;
        while (System.nanoTime() - deadline < 0) {
            last = task(uuid);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("task " + uuid + " did not reach the expected state in " + timeout + ": " + last);
    }

    static boolean isComplete(JsonNode task) {
        return "complete".equals(task.path("status").asText());
    }

    static boolean isBlocked(JsonNode task) {
        String s = task.path("status").asText();
        return "blocked_by_failures".equals(task.path("execution_status").asText())
                || "error".equals(s)
                || "blocked_by_failures".equals(s);
    }

    /** Whether any of the most recent tasks carries this marker in its context. */
    static boolean anyTaskWithMarker(String marker) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/tasks?limit=100");
        JsonNode body = json(r);
        JsonNode tasks = body.isArray() ? body : body.path("tasks");
        for (JsonNode t : tasks) {
            if (marker.equals(t.path("context").path("ops_test_run").asText(null))) {
                return true;
            }
        }
        return false;
    }

    /** The project directory (failsafe runs in it). */
    static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** The Liberty server directory of the test server ({@code wlp.server.dir}, set by the pom). */
    static Path serverDir() {
        String dir = System.getProperty("wlp.server.dir");
        return dir != null ? Path.of(dir) : projectDir().resolve("target/liberty/wlp/usr/servers/defaultServer");
    }
}
