package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The handler-API examples in the deployed WAR on Liberty: CDI discovery of handlers, publishers and subscribers,
 * the domain event poller on the container's scheduler, and {@code GET /api/domain-events}.
 */
class ExamplesIT {

    private static final Set<String> TERMINAL = Set.of("complete", "error", "blocked_by_failures", "cancelled");
    private static final String BASE = "http://localhost:" + System.getProperty("http.port", "9080");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void awaitReady() throws Exception {
        // failsafe passes http.port; an explicit -Dtest=…examples.** run under surefire has no server to talk to
        Assumptions.assumeTrue(System.getProperty("http.port") != null, "needs the Liberty test server (failsafe)");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (send(HttpRequest.newBuilder(URI.create(BASE + "/health/ready"))
                                        .GET())
                                .statusCode()
                        == 200) {
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
        String token = System.getProperty("tasker.admin.user", "admin") + ":"
                + System.getProperty("tasker.admin.password", "tasker-dev");
        b.header(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r =
                send(HttpRequest.newBuilder(URI.create(BASE + path)).GET());
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return Json.parse(r.body());
    }

    private static String create(String namespace, String name, Map<String, ?> context) throws Exception {
        // A fresh it_run key: tasker-core's default task identity is the template plus the context.
        Map<String, Object> unique = new java.util.LinkedHashMap<>(context);
        unique.put("it_run", UUID.randomUUID().toString());
        String body = Json.write(Map.of(
                "name",
                name,
                "namespace",
                namespace,
                "version",
                "1.0.0",
                "context",
                unique,
                "idempotency_key",
                UUID.randomUUID().toString()));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(BASE + "/api/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(201, r.statusCode(), r.body());
        return Json.parse(r.body()).path("task_uuid").asText();
    }

    private static JsonNode awaitTerminal(String task) throws Exception {
        // The real tasker-core stack (-Preal-stack-it) crosses PGMQ and the orchestration server on every hop.
        long budget = "tasker-core".equals(System.getProperty("tasker.it.backend")) ? 180_000 : 30_000;
        long deadline = System.currentTimeMillis() + budget;
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
        JsonNode approvedBy =
                step(task, "finalize_approval").path("results").path("result").path("approved_by");
        assertEquals(List.of("manager_approval", "finance_review"), Json.MAPPER.convertValue(approvedBy, List.class));
    }

    @Test
    void checkpointedBatchResumesAndSums() throws Exception {
        // 100 items over 2 workers of 50; checkpoint every 10 items; the first attempt of the worker holding item 25
        // (checkpoint_batch_001: items 0..49) fails there, after its checkpoint at 20.
        String task = create("batch_examples", "checkpointed_batch_processing", Map.of("item_count", 100));
        assertEquals("complete", awaitTerminal(task).path("status").asText());
        assertEquals(
                5050,
                step(task, "aggregate_results")
                        .path("results")
                        .path("result")
                        .path("total_sum")
                        .asInt());
        JsonNode failed = step(task, "checkpoint_batch_001");
        assertEquals(2, failed.path("attempts").asInt());
        JsonNode outcome = failed.path("results").path("result").path("batch_worker_outcome");
        JsonNode meta = outcome.path("batch_metadata");
        assertEquals(2, meta.path("attempt").asInt(), meta.toString());
        assertEquals(20, meta.path("resumed_from").asInt(-1), "resumed from the last checkpoint, not from 0: " + meta);
        assertEquals(4, meta.path("checkpoints").asInt(), "checkpoints at 10, 20 (first attempt), 30, 40: " + meta);
        assertEquals(1275, outcome.path("results").get(0).path("sum").asLong(), "1..50: " + outcome);
        assertEquals(50, outcome.path("last_cursor").asLong());
        JsonNode clean = step(task, "checkpoint_batch_002");
        assertEquals(1, clean.path("attempts").asInt(), clean.toString());
        assertTrue(
                clean.path("results")
                        .path("result")
                        .path("batch_worker_outcome")
                        .path("batch_metadata")
                        .path("resumed_from")
                        .isNull(),
                clean.toString());

        // The audit history shows the failure, the wait for the retry and the second run.
        List<String> states = new java.util.ArrayList<>();
        JsonNode failure = null;
        for (JsonNode a :
                get("/api/tasks/" + task + "/steps/" + failed.path("step_uuid").asText() + "/audit")) {
            states.add(a.path("to_state").asText());
            if ("enqueued_as_error_for_orchestration".equals(a.path("to_state").asText())) {
                failure = a;
            }
        }
        if ("tasker-core".equals(System.getProperty("tasker.it.backend"))) {
            // tasker-core audits results only (newest first): one failed run and one successful run.
            List<String> sorted = new java.util.ArrayList<>(states);
            java.util.Collections.sort(sorted);
            assertEquals(List.of("enqueued_as_error_for_orchestration", "enqueued_for_orchestration"), sorted);
        } else {
            assertEquals(2, states.stream().filter("in_progress"::equals).count(), "two runs: " + states);
            assertEquals(1, states.stream().filter("waiting_for_retry"::equals).count(), "one retry: " + states);
            assertTrue(states.indexOf("waiting_for_retry") < states.lastIndexOf("in_progress"), states.toString());
            assertEquals("complete", states.get(states.size() - 1), states.toString());
        }
        assertTrue(failure != null && !failure.path("success").asBoolean(), "no failure transition: " + states);
        // The audited result: the step result itself (embedded), or wrapped as {"data": …} (tasker-core).
        JsonNode audited =
                failure.path("result").has("data") ? failure.path("result").path("data") : failure.path("result");
        assertTrue(
                audited.path("error").path("message").asText().contains("Simulated crash at item 25"),
                failure.toString());
    }

    @Test
    void fastDomainEventsReachTheSubscriberBeans() throws Exception {
        String task = create("event_examples", "order_events", Map.of("order_id", "ORD-IT", "amount", 3.25));
        assertEquals("complete", awaitTerminal(task).path("status").asText());
        JsonNode placed = null;
        long deadline = System.currentTimeMillis() + 5000;
        while (placed == null && System.currentTimeMillis() < deadline) {
            for (JsonNode e : get("/api/domain-events?limit=200").path("recent")) {
                if (task.equals(e.path("taskUuid").asText())
                        && "order.placed".equals(e.path("eventName").asText())) {
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
