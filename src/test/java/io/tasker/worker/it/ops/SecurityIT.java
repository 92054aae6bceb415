package io.tasker.worker.it.ops;

import static io.tasker.worker.it.ops.OpsHttp.basic;
import static io.tasker.worker.it.ops.OpsHttp.get;
import static io.tasker.worker.it.ops.OpsHttp.json;
import static io.tasker.worker.it.ops.OpsHttp.operatorAuth;
import static io.tasker.worker.it.ops.OpsHttp.post;
import static io.tasker.worker.it.ops.OpsHttp.send;
import static io.tasker.worker.it.ops.OpsHttp.taskRequest;
import static io.tasker.worker.it.ops.OpsHttp.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Access control as deployed: reads and health are open; creating, cancelling, pausing and resuming need an
 * authenticated user in the role {@code tasker-operator} (web.xml constraints, basic registry from ops.xml).
 */
class SecurityIT {

    @Test
    void unauthenticatedCreateIsRejectedAndCreatesNothing() throws Exception {
        String marker = OpsHttp.newMarker();
        HttpResponse<String> r = post("/api/tasks", taskRequest("linear_workflow", marker), null);
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                "401 must challenge for basic authentication: " + r.headers().map());
        Thread.sleep(300); // nothing may appear later either
        assertFalse(OpsHttp.anyTaskWithMarker(marker), "an unauthenticated create must not create a task");
    }

    @Test
    void wrongPasswordIsRejectedAndCreatesNothing() throws Exception {
        String marker = OpsHttp.newMarker();
        HttpResponse<String> r = post(
                "/api/tasks", taskRequest("linear_workflow", marker), basic(OpsHttp.USER, OpsHttp.PASSWORD + "-wrong"));
        assertEquals(401, r.statusCode(), r.body());
        assertFalse(OpsHttp.anyTaskWithMarker(marker));
    }

    @Test
    void authenticatedCreateRunsTheTask() throws Exception {
        String marker = OpsHttp.newMarker();
        HttpResponse<String> r = post("/api/tasks", taskRequest("linear_workflow", marker), operatorAuth());
        assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.statusCode() + " " + r.body());
        String uuid = json(r).path("task_uuid").asText();
        assertFalse(uuid.isEmpty(), r.body());
        JsonNode done = OpsHttp.awaitTask(uuid, OpsHttp::isComplete, Duration.ofSeconds(30));
        assertEquals(marker, done.path("context").path("ops_test_run").asText());
        assertTrue(OpsHttp.anyTaskWithMarker(marker));
    }

    @Test
    void cancelNeedsTheOperatorRole() throws Exception {
        HttpRequest anonymous = HttpRequest.newBuilder(uri("/api/tasks/00000000-0000-0000-0000-000000000000"))
                .timeout(Duration.ofSeconds(15))
                .DELETE()
                .build();
        assertEquals(401, send(anonymous).statusCode());
        HttpRequest operator = HttpRequest.newBuilder(uri("/api/tasks/00000000-0000-0000-0000-000000000000"))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", operatorAuth())
                .DELETE()
                .build();
        int status = send(operator).statusCode();
        assertTrue(
                status != 401 && status != 403,
                "the operator passes the constraint (then: unknown task), got " + status);
    }

    @Test
    void pauseAndResumeNeedTheOperatorRole() throws Exception {
        assertEquals(401, post("/api/worker/pause", null, null).statusCode());
        assertEquals(401, post("/api/worker/resume", null, null).statusCode());
        assertFalse(get("/api/worker").body().contains("\"paused\":true"), "a rejected pause must not pause");
        try {
            HttpResponse<String> paused = post("/api/worker/pause", null, operatorAuth());
            assertTrue(paused.statusCode() / 100 == 2, paused.statusCode() + " " + paused.body());
            assertTrue(json(get("/api/worker")).path("paused").asBoolean(), "pause must take effect");
        } finally {
            HttpResponse<String> resumed = post("/api/worker/resume", null, operatorAuth());
            assertTrue(resumed.statusCode() / 100 == 2, resumed.statusCode() + " " + resumed.body());
        }
        assertFalse(json(get("/api/worker")).path("paused").asBoolean());
    }

    @Test
    void readsHealthAndDashboardStayOpen() throws Exception {
        for (String path : new String[] {
            "/api/worker",
            "/api/worker/handlers",
            "/api/tasks?limit=5",
            "/api/domain-events",
            "/health",
            "/health/started",
            "/health/live",
            "/health/ready",
            "/",
            "/index.html",
            "/dashboard.js",
            "/dashboard.css"
        }) {
            int status = get(path).statusCode();
            assertTrue(status == 200 || status == 204, path + " -> " + status);
        }
    }

    @Test
    void developmentStartWarnsAboutTheDefaultAccount() throws Exception {
        // The test server runs without TASKER_ENV (development) and with ops.xml's default password.
        java.nio.file.Path log = OpsHttp.serverDir().resolve("logs/messages.log");
        String text = java.nio.file.Files.readString(log);
        assertTrue(
                text.contains("The operator account '" + OpsHttp.USER + "' has the published development password"),
                "no startup warning naming the default account in " + log);
        assertTrue(text.contains("TASKER_ADMIN_PASSWORD"), "the warning names the variable to set");
    }

    @Test
    void pagesAndApiAnswersCarryTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"/", "/dashboard.js", "/api/worker", "/api/tasks?limit=1"}) {
            HttpResponse<String> r = get(path);
            assertEquals(
                    io.tasker.worker.security.SecurityHeaders.CONTENT_SECURITY_POLICY,
                    r.headers().firstValue("Content-Security-Policy").orElse(null),
                    path);
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
        }
        HttpResponse<String> refused = post("/api/worker/pause", null, null);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("Content-Security-Policy").isPresent(), "the 401 carries them too");
    }
}
