package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The specialised handler examples through Liberty with CDI handlers, over HTTP: decision points that create only
 * the branches they choose, batch workers created from a template with cursor slices (and the no-batches
 * placeholder), retries that run out, an asynchronous handler, and a handler in the event form (a CDI observer). ExamplesIT covers the 7500 approval route and the checkpointing worker
 * that fails once and resumes.
 */
class HandlerWorkflowsIT {

    private static final ItClient client = new ItClient();
    private static final long TIMEOUT_MS = 30_000;

    @BeforeAll
    static void ready() throws InterruptedException {
        client.awaitReady(120_000);
    }

    // ---- decision point ----

    @Test
    void approvalRoutingCreatesOnlyTheBranchesChosenForTheAmount() throws Exception {
        Map<Integer, List<String>> expected = new LinkedHashMap<>();
        expected.put(250, List.of("auto_approve"));
        expected.put(999, List.of("auto_approve"));
        expected.put(1000, List.of("manager_approval"));
        expected.put(4999, List.of("manager_approval"));
        expected.put(5000, List.of("manager_approval", "finance_review"));
        expected.put(12000, List.of("manager_approval", "finance_review"));
        Map<Integer, String> tasks = new LinkedHashMap<>();
        for (int amount : expected.keySet()) {
            tasks.put(amount, client.createTask("approvals", "approval_routing", Map.of("amount", amount)));
        }
        for (Map.Entry<Integer, String> e : tasks.entrySet()) {
            int amount = e.getKey();
            String task = e.getValue();
            List<String> branches = expected.get(amount);
            JsonNode t = client.awaitTerminal(task, TIMEOUT_MS);
            assertEquals("complete", t.path("status").asText(), amount + ": " + t);

            Set<String> names = new LinkedHashSet<>();
            Map<String, JsonNode> byName = new LinkedHashMap<>();
            for (JsonNode s : client.steps(task)) {
                names.add(s.path("name").asText());
                byName.put(s.path("name").asText(), s);
                assertEquals("complete", s.path("current_state").asText(), amount + ": " + s);
                assertEquals(1, s.path("attempts").asInt(), amount + ": " + s);
            }
            Set<String> want = new LinkedHashSet<>(List.of("validate_request", "routing_decision"));
            want.addAll(branches);
            want.add("finalize_approval");
            assertEquals(want, names, amount + ": only the chosen branches are created");
            assertEquals(want.size(), t.path("total_steps").asInt(), amount + ": total_steps " + t);
            assertEquals(want.size(), t.path("completed_steps").asInt(), amount + ": completed_steps " + t);

            JsonNode decision = byName.get("routing_decision").path("results").path("result");
            assertEquals(
                    "create_steps",
                    decision.path("decision_point_outcome").path("type").asText(),
                    decision.toString());
            assertEquals(
                    branches, strings(decision.path("decision_point_outcome").path("step_names")));

            // The deferred convergence step saw exactly the created branches' results, and ran after all of them.
            JsonNode finalize = byName.get("finalize_approval");
            JsonNode result = finalize.path("results").path("result");
            assertEquals(branches, strings(result.path("approved_by")), amount + ": " + result);
            assertTrue(result.path("approved").asBoolean(), amount + ": " + result);
            Instant finalizedAt = Instant.parse(finalize.path("completed_at").asText());
            for (String branch : branches) {
                JsonNode b = byName.get(branch);
                assertTrue(b.path("results").path("result").path("approved").asBoolean(), b.toString());
                assertFalse(
                        Instant.parse(b.path("completed_at").asText()).isAfter(finalizedAt),
                        amount + ": finalize_approval completed before " + branch);
            }
            if (branches.contains("auto_approve")) {
                assertEquals(
                        amount,
                        byName.get("auto_approve")
                                .path("results")
                                .path("result")
                                .path("amount")
                                .asInt());
            }
            if (branches.contains("finance_review")) {
                assertEquals(
                        "finance",
                        byName.get("finance_review")
                                .path("results")
                                .path("result")
                                .path("reviewer")
                                .asText());
            }
        }
    }

    // ---- batch ----

    @Test
    void batchWorkersGetCursorSlicesAndTheAggregateSeesThemAll() throws Exception {
        assertBatchRun(1000, 4);
        assertBatchRun(10, 3); // uneven slices
    }

    private static void assertBatchRun(int items, int workers) throws Exception {
        String task = client.createTask(
                "batch_examples", "number_batch_processing", Map.of("item_count", items, "worker_count", workers));
        JsonNode t = client.awaitTerminal(task, TIMEOUT_MS);
        assertEquals("complete", t.path("status").asText(), t.toString());
        Map<String, JsonNode> byName = byName(client.steps(task));

        JsonNode outcome =
                byName.get("create_batches").path("results").path("result").path("batch_processing_outcome");
        assertEquals("create_batches", outcome.path("type").asText(), outcome.toString());
        assertEquals("process_batch", outcome.path("worker_template_name").asText());
        JsonNode cursors = outcome.path("cursor_configs");
        assertEquals(workers, cursors.size(), outcome.toString());

        Set<String> want = new LinkedHashSet<>(List.of("analyze_dataset", "create_batches", "aggregate_results"));
        long expectedStart = 0;
        long total = 0;
        for (JsonNode c : cursors) {
            String batchId = c.path("batch_id").asText();
            long start = c.path("start_cursor").asLong();
            long end = c.path("end_cursor").asLong();
            assertEquals(expectedStart, start, "slices are contiguous: " + cursors);
            expectedStart = end;
            String name = "process_batch_" + batchId;
            want.add(name);
            JsonNode worker = byName.get(name);
            assertNotNull(worker, "no worker " + name + " in " + byName.keySet());
            assertEquals("complete", worker.path("current_state").asText(), worker.toString());
            // The worker read its cursor from its inputs: it echoes the batch id, stops at end_cursor, and sums
            // exactly its slice (items start+1 .. end).
            JsonNode wo = worker.path("results").path("result").path("batch_worker_outcome");
            long slice = (end * (end + 1) - start * (start + 1)) / 2;
            assertEquals(batchId, wo.path("results").get(0).path("batch_id").asText(), wo.toString());
            assertEquals(slice, wo.path("results").get(0).path("sum").asLong(), name + ": " + wo);
            assertEquals(end, wo.path("last_cursor").asLong(), wo.toString());
            assertEquals(end - start, wo.path("items_processed").asLong(), wo.toString());
            assertEquals(
                    "item_index", wo.path("batch_metadata").path("cursor_field").asText(), wo.toString());
            total += slice;
        }
        assertEquals(items, expectedStart, "slices cover every item: " + cursors);
        assertEquals(want, byName.keySet(), "steps");
        assertEquals(want.size(), t.path("total_steps").asInt(), t.toString());

        JsonNode agg = byName.get("aggregate_results").path("results").path("result");
        long n = items;
        assertEquals(n * (n + 1) / 2, total);
        assertEquals(n * (n + 1) / 2, agg.path("total_sum").asLong(), agg.toString());
        assertEquals(workers, agg.path("worker_count").asInt(), agg.toString());
        assertEquals(workers, agg.path("batch_count").asInt(), agg.toString());
        assertEquals(items, agg.path("total_processed").asInt(), agg.toString());
        assertEquals("with_batches", agg.path("scenario").asText(), agg.toString());
    }

    @Test
    void noItemsCreatesTheZeroPlaceholderWorkerOnly() throws Exception {
        String task = client.createTask("batch_examples", "number_batch_processing", Map.of("item_count", 0));
        JsonNode t = client.awaitTerminal(task, TIMEOUT_MS);
        assertEquals("complete", t.path("status").asText(), t.toString());
        Map<String, JsonNode> byName = byName(client.steps(task));
        // no_batches + worker_template_name in the batchable step's initialization → one placeholder <template>_000
        assertEquals(
                List.of("analyze_dataset", "create_batches", "process_batch_000", "aggregate_results"),
                new ArrayList<>(byName.keySet()));
        assertEquals(4, t.path("total_steps").asInt());
        assertEquals(
                "no_batches",
                byName.get("create_batches")
                        .path("results")
                        .path("result")
                        .path("batch_processing_outcome")
                        .path("type")
                        .asText());
        JsonNode placeholder = byName.get("process_batch_000").path("results").path("result");
        assertEquals("000", placeholder.path("batch_id").asText(), placeholder.toString());
        assertTrue(placeholder.path("no_op").asBoolean(), placeholder.toString());
        assertEquals(0, placeholder.path("processed_count").asInt());
        JsonNode agg = byName.get("aggregate_results").path("results").path("result");
        assertEquals("no_batches", agg.path("scenario").asText(), agg.toString());
        assertEquals(0, agg.path("worker_count").asInt(), agg.toString());
        assertEquals(0, agg.path("total_sum").asInt(), agg.toString());
    }

    // ---- retry exhaustion ----

    @Test
    void retryableFailuresStopAfterMaxAttempts() throws Exception {
        String task = client.createTask("error_examples", "retry_exhaustion", Map.of());
        JsonNode t = client.awaitTerminal(task, TIMEOUT_MS);
        String status = t.path("status").asText();
        assertTrue(status.equals("error") || status.equals("blocked_by_failures"), t.toString());

        JsonNode step = client.step(task, "reserve_inventory");
        assertEquals("error", step.path("current_state").asText(), step.toString());
        assertEquals(3, step.path("attempts").asInt(), step.toString());
        assertEquals(3, step.path("max_attempts").asInt(), step.toString());
        JsonNode results = step.path("results");
        assertEquals("retryable_error", results.path("error").path("error_type").asText(), results.toString());
        assertTrue(results.path("error").path("message").asText().contains("attempt 3 of 3"), results.toString());
        assertTrue(results.path("metadata").path("retryable").asBoolean(), "the failure itself was retryable");

        List<String> states = new ArrayList<>();
        for (JsonNode a : client.audit(task, step.path("step_uuid").asText())) {
            states.add(a.path("to_state").asText());
        }
        assertEquals(3, ItClient.runs(states), "exactly 3 runs: " + states);
        if (ItClient.REAL_STACK) {
            // tasker-core audits results only: one failed result per run, no state transitions in between.
            assertEquals(
                    List.of(
                            "enqueued_as_error_for_orchestration",
                            "enqueued_as_error_for_orchestration",
                            "enqueued_as_error_for_orchestration"),
                    states);
        } else {
            assertEquals(2, states.stream().filter("waiting_for_retry"::equals).count(), "2 retries: " + states);
            assertEquals("error", states.get(states.size() - 1), states.toString());
        }

        // The step after it never ran; the task stays failed.
        JsonNode next = client.step(task, "charge_payment");
        assertEquals("pending", next.path("current_state").asText(), next.toString());
        assertEquals(0, next.path("attempts").asInt(), next.toString());
        assertTrue(next.path("results").isNull() || next.path("results").isMissingNode(), next.toString());
        for (JsonNode a : client.audit(task, next.path("step_uuid").asText())) {
            assertFalse("in_progress".equals(a.path("to_state").asText()), "charge_payment ran: " + a);
        }
        assertEquals(status, client.task(task).path("status").asText());
        assertEquals(1, client.task(task).path("failed_steps").asInt());
    }

    // ---- asynchronous handler ----

    /**
     * {@code http_examples.fetch_user_async} (an {@code AsyncStepHandler}) calls an API served by this test, which
     * answers after 100 ms: the answer reaches the next step, and a 404 fails the step permanently, as with the
     * blocking handler.
     */
    @Test
    void anAsynchronousHandlerCompletesAndFailsLikeABlockingOne() throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/users/", ex -> {
            boolean missing = ex.getRequestURI().getPath().endsWith("/404");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = (missing ? "{\"error\":\"user not found\"}" : "{\"id\":5,\"name\":\"grace\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(missing ? 404 : 200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        api.start();
        try {
            String base = "http://127.0.0.1:" + api.getAddress().getPort();
            String found = client.createTask(
                    "http_examples", "user_profile_sync_async", Map.of("api_base_url", base, "user_id", 5));
            String missing = client.createTask(
                    "http_examples", "user_profile_sync_async", Map.of("api_base_url", base, "user_id", 404));

            JsonNode done = client.awaitTerminal(found, TIMEOUT_MS);
            assertEquals("complete", done.path("status").asText(), done.toString());
            JsonNode fetch = client.step(found, "fetch_user");
            assertEquals(
                    "grace",
                    fetch.path("results")
                            .path("result")
                            .path("user")
                            .path("name")
                            .asText(),
                    fetch.toString());
            JsonNode profile = client.step(found, "build_profile");
            assertEquals(
                    "GRACE",
                    profile.path("results").path("result").path("display_name").asText(),
                    profile.toString());

            JsonNode failed = client.awaitTerminal(missing, TIMEOUT_MS);
            assertFalse("complete".equals(failed.path("status").asText()), failed.toString());
            JsonNode step = client.step(missing, "fetch_user");
            assertEquals(1, step.path("attempts").asInt(), step.toString());
            assertEquals(
                    "not_found",
                    step.path("results").path("error").path("error_type").asText(),
                    step.toString());
        } finally {
            api.stop(0);
        }
    }

    // ---- event form ----

    @Test
    void anObserverHandlerCompletesAndFailsStepsLikeABean() throws Exception {
        // charge_payment is handled by Payments.charge(@Observes @StepHandler(...) StepExecution).
        String charged = client.createTask(
                "error_examples", "order_with_errors", Map.of("quantity", 2, "succeed_on_attempt", 1));
        String declined = client.createTask(
                "error_examples",
                "order_with_errors",
                Map.of("quantity", 1, "succeed_on_attempt", 1, "payment_outcome", "declined"));

        JsonNode t = client.awaitTerminal(charged, ItClient.budget(TIMEOUT_MS));
        assertEquals("complete", t.path("status").asText(), t.toString());
        JsonNode charge = client.step(charged, "charge_payment");
        assertEquals("complete", charge.path("current_state").asText(), charge.toString());
        assertEquals(1, charge.path("attempts").asInt(), charge.toString());
        JsonNode result = charge.path("results").path("result");
        assertTrue(result.path("charged").asBoolean(), result.toString());
        assertEquals(2, result.path("reserved").asInt(), "the observer read its dependency's result: " + result);

        JsonNode d = client.awaitTerminal(declined, ItClient.budget(TIMEOUT_MS));
        String status = d.path("status").asText();
        assertTrue(status.equals("error") || status.equals("blocked_by_failures"), d.toString());
        JsonNode failed = client.step(declined, "charge_payment");
        assertEquals("error", failed.path("current_state").asText(), failed.toString());
        assertEquals(1, failed.path("attempts").asInt(), "a permanent failure is not retried: " + failed);
        JsonNode error = failed.path("results").path("error");
        assertEquals("permanent_error", error.path("error_type").asText(), failed.toString());
        assertEquals("Card declined", error.path("message").asText(), failed.toString());

        JsonNode handlers = client.get("/api/worker/handlers").json();
        boolean listed = false;
        for (JsonNode h : handlers) {
            if (h.path("name").asText().equals("error_examples.charge_payment")) {
                assertEquals("cdi-observer", h.path("source").asText(), h.toString());
                assertEquals(
                        "io.tasker.worker.examples.errors.Payments",
                        h.path("className").asText(),
                        h.toString());
                listed = true;
            }
        }
        assertTrue(listed, "the observer is a registered handler: " + handlers);
    }

    private static Map<String, JsonNode> byName(JsonNode steps) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode s : steps) {
            out.put(s.path("name").asText(), s);
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
