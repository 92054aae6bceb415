package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handler-API examples in the deployed WAR on Liberty: CDI discovery of handlers, publishers and subscribers,
 * the domain event poller on the container's scheduler, and {@code GET /api/domain-events}.
 */
class ExamplesIT {

    private static final Set<String> TERMINAL = Set.of("complete", "error", "blocked_by_failures", "cancelled");
    private static final String BASE = "http://localhost:" + System.getProperty("http.port", "9080");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void awaitReady() throws Exception {
        // failsafe passes http.port; an explicit -Dtest=…examples.** run under surefire has no server to talk to
        Assumptions.assumeTrue(System.getProperty("http.port") != null, "needs the Liberty test server (failsafe)");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (send(HttpRequest.newBuilder(URI.create(BASE + "/health/ready")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not ready");
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        String token = System.getProperty("tasker.admin.user", "admin") + ":" + System.getProperty("tasker.admin.password", "tasker-dev");
        b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(BASE + path)).GET());
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return Json.parse(r.body());
    }

    private static String create(String namespace, String name, Map<String, ?> context) throws Exception {
        String body = Json.write(Map.of("name", name, "namespace", namespace, "version", "1.0.0", "context", context,
                "idempotency_key", UUID.randomUUID().toString()));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(BASE + "/api/tasks"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(201, r.statusCode(), r.body());
        return Json.parse(r.body()).path("task_uuid").asText();
    }

    private static JsonNode awaitTerminal(String task) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode t = get("/api/tasks/" + task);
        while (!TERMINAL.contains(t.path("status").asText()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            t = get("/api/tasks/" + task);
        }
        return t;
    }

    private static JsonNode step(String task, String name) throws Exception {
        for (JsonNode s : get("/api/tasks/" + task + "/steps")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no step " + name);
    }

    @Test
    void decisionWorkflowRoutesLargeAmountsToManagerAndFinance() throws Exception {
        String task = create("approvals", "approval_routing", Map.of("amount", 7500));
        assertEquals("complete", awaitTerminal(task).path("status").asText());
        JsonNode approvedBy = step(task, "finalize_approval").path("results").path("result").path("approved_by");
        assertEquals(List.of("manager_approval", "finance_review"), Json.MAPPER.convertValue(approvedBy, List.class));
    }

    @Test
    void checkpointedBatchResumesAndSums() throws Exception {
        String task = create("batch_examples", "checkpointed_batch_processing", Map.of("item_count", 100));
        assertEquals("complete", awaitTerminal(task).path("status").asText());
        assertEquals(5050, step(task, "aggregate_results").path("results").path("result").path("total_sum").asInt());
        assertEquals(2, step(task, "checkpoint_batch_001").path("attempts").asInt());
    }

    @Test
    void fastDomainEventsReachTheSubscriberBeans() throws Exception {
        String task = create("event_examples", "order_events", Map.of("order_id", "ORD-IT", "amount", 3.25));
        assertEquals("complete", awaitTerminal(task).path("status").asText());
        JsonNode placed = null;
        long deadline = System.currentTimeMillis() + 5000;
        while (placed == null && System.currentTimeMillis() < deadline) {
            for (JsonNode e : get("/api/domain-events?limit=200").path("recent")) {
                if (task.equals(e.path("taskUuid").asText()) && "order.placed".equals(e.path("eventName").asText())) {
                    placed = e;
                }
            }
            Thread.sleep(20);
        }
        assertTrue(placed != null, "order.placed not delivered");
        assertEquals("event_examples.order_publisher", placed.path("publisher").asText());
        assertEquals(325, placed.path("payload").path("amount_cents").asInt());
        assertEquals("delivered", placed.path("outcome").asText());
        assertTrue(placed.path("subscribers").asInt() >= 1);
        JsonNode snapshot = get("/api/domain-events");
        assertTrue(snapshot.path("stats").path("running").asBoolean(), snapshot.toString());
        assertTrue(snapshot.path("publishers").toString().contains("event_examples.order_publisher"));
        assertTrue(snapshot.path("subscribers").path("subscriberCount").asInt() >= 1);
    }
}
