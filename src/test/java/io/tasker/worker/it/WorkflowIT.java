package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example workflows end to end: HTTP → engine → CDI handlers on Liberty → engine → HTTP. */
class WorkflowIT {

    private static final ItClient client = new ItClient();

    @BeforeAll
    static void ready() throws InterruptedException {
        client.awaitReady(120_000);
    }

    @Test
    void linearWorkflow() throws Exception {
        String task = client.createTask("linear_workflow", Map.of("value", 3));
        assertEquals(
                "complete", client.awaitTerminal(task, 10_000).path("status").asText());
        assertEquals(6, ItClient.resultOf(client.step(task, "double_value")));
        assertEquals(16, ItClient.resultOf(client.step(task, "add_constant")));
    }

    @Test
    void diamondCreatedOverTheOrchestrationsRestApiCompletesOnThisWorker() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ItClient.REAL_STACK, "the orchestration server is tasker-core's");
        // POST /v1/tasks on tasker-core's orchestration server, as any client outside the worker would.
        String task = new Orchestration().createTask("examples", "diamond_workflow", Map.of("value", 3));
        JsonNode done = client.awaitTerminal(task, ItClient.budget(10_000));
        assertEquals("complete", done.path("status").asText());
        assertEquals(26, ItClient.resultOf(client.step(task, "diamond_end")));
    }

    @Test
    void diamondWorkflowCompletesWellUnderASecond() throws Exception {
        // Warm-up run so class loading and JIT do not count against the latency budget.
        client.awaitTerminal(client.createTask("diamond_workflow", Map.of("value", 1)), 10_000);
        long start = System.nanoTime();
        String task = client.createTask("diamond_workflow", Map.of("value", 3));
        JsonNode done = client.awaitTerminal(task, 10_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("complete", done.path("status").asText());
        assertEquals(9, ItClient.resultOf(client.step(task, "diamond_start")));
        assertEquals(34, ItClient.resultOf(client.step(task, "branch_b")));
        assertEquals(18, ItClient.resultOf(client.step(task, "branch_c")));
        assertEquals(26, ItClient.resultOf(client.step(task, "diamond_end")));
        System.out.println("IT diamond create->complete over HTTP: " + ms + " ms");
        assertTrue(ms < ItClient.budget(1000), "diamond took " + ms + " ms");
    }

    @Test
    void permanentFailure() throws Exception {
        String task = client.createTask("permanent_failure_workflow", Map.of());
        String status = client.awaitTerminal(task, 10_000).path("status").asText();
        assertTrue(status.equals("error") || status.equals("blocked_by_failures"), status);
        JsonNode step = client.step(task, "permanent_failure");
        assertEquals("error", step.path("current_state").asText());
        assertEquals(1, step.path("attempts").asInt());
        assertEquals(
                "permanent_error",
                step.path("results").path("error").path("error_type").asText());
        assertFalse(step.path("results").path("metadata").path("retryable").asBoolean());
    }

    @Test
    void retryableFailureSucceedsOnThirdAttempt() throws Exception {
        long start = System.nanoTime();
        String task = client.createTask("retry_workflow", Map.of());
        assertEquals(
                "complete", client.awaitTerminal(task, 10_000).path("status").asText());
        long ms = (System.nanoTime() - start) / 1_000_000;
        JsonNode step = client.step(task, "succeed_on_third_attempt");
        assertEquals(3, step.path("attempts").asInt());
        assertEquals(3, step.path("results").path("result").path("attempt").asInt());
        System.out.println("IT retry workflow (3 attempts): " + ms + " ms");
        assertTrue(ms < ItClient.budget(5000), "retries took " + ms + " ms");
    }
}
