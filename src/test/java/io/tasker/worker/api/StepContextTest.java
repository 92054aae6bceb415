package io.tasker.worker.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepContextTest {

    private static final String EVENT = """
            {"event_id":"e1","task_uuid":"t1","step_uuid":"s1","correlation_id":"c1","task_correlation_id":"tc1",
             "task":{"task_uuid":"t1","name":"order","namespace":"shop","version":"1.0.0",
                     "context":{"value":3,"items":[{"sku":"a","qty":2}],"flag":null}},
             "workflow_step":{"workflow_step_uuid":"s1","name":"process_batch_001","template_step_name":"process_batch",
                     "attempts":1,"max_attempts":3,"inputs":{"cursor":{"start":0,"end":10}},
                     "checkpoint":{"cursor":5,"items_processed":5,"accumulated_results":{"sum":15}}},
             "step_definition":{"name":"process_batch","handler":{"callable":"batch.Process","method":"run",
                     "initialization":{"gateway":"stripe","limit":7}}},
             "dependency_results":{
                 "analyze":{"step_uuid":"x","success":true,"result":{"total":10,"nested":{"deep":[1,2]}},"status":"completed","error":null},
                 "process_batch_000":{"step_uuid":"y","success":true,"result":{"n":1},"status":"completed","error":null},
                 "process_batch_002":{"step_uuid":"z","success":true,"result":null,"status":"completed","error":null}}}
            """;

    record Item(String sku, int qty) {
    }

    @Test
    void identityAndNames() {
        StepContext ctx = StepContext.fromEventJson(EVENT);
        assertEquals("t1", ctx.getTaskUuid());
        assertEquals("s1", ctx.getStepUuid());
        assertEquals("c1", ctx.getCorrelationId());
        assertEquals("tc1", ctx.getTaskCorrelationId());
        assertEquals("batch.Process", ctx.getHandlerName());
        assertEquals("process_batch_001", ctx.getStepName());
        assertEquals("process_batch", ctx.getTemplateStepName());
        assertEquals("order", ctx.getTaskName());
        assertEquals("shop", ctx.getNamespace());
    }

    @Test
    void inputsAndConfig() {
        StepContext ctx = StepContext.fromEventJson(EVENT);
        assertEquals(3, ctx.getInput("value"));
        assertEquals(3L, ctx.getInput("value", Long.class));
        assertNull(ctx.getInput("missing"));
        assertEquals("d", ctx.getInputOr("missing", "d"));
        assertNull(ctx.getInputOr("flag", "d"), "present null is not absent");
        List<Item> items = ctx.getInput("items", new TypeRef<List<Item>>() { });
        assertEquals(new Item("a", 2), items.get(0));
        assertEquals("stripe", ctx.getConfig("gateway"));
        assertEquals(7, ctx.getConfig("limit", Integer.class));
        assertEquals(Map.of("start", 0, "end", 10), ctx.getStepInput("cursor"));
    }

    @Test
    void dependencies() {
        StepContext ctx = StepContext.fromEventJson(EVENT);
        assertEquals(10, ((Map<?, ?>) ctx.getDependencyResult("analyze")).get("total"));
        assertEquals(2, ctx.getDependencyField("analyze", "nested", "deep", "1"));
        assertNull(ctx.getDependencyField("analyze", "nope", "deeper"));
        assertNull(ctx.getDependencyResult("unknown"));
        assertEquals(List.of(Map.of("n", 1)), ctx.getAllDependencyResults("process_batch_"));
        assertTrue(ctx.getDependencyResultKeys().contains("process_batch_002"));
    }

    @Test
    void retriesAndCheckpoint() {
        StepContext ctx = StepContext.fromEventJson(EVENT);
        assertEquals(1, ctx.getRetryCount());
        assertEquals(3, ctx.getMaxRetries());
        assertTrue(ctx.isRetry());
        assertFalse(ctx.isLastRetry());
        assertTrue(ctx.hasCheckpoint());
        assertEquals(5, ctx.getCheckpointCursor());
        assertEquals(5, ctx.getCheckpointItemsProcessed());
        assertEquals(Map.of("sum", 15), ctx.getAccumulatedResults());
    }

    @Test
    void builderMatchesTheEventShape() {
        StepContext ctx = StepContext.builder().handlerName("h").input("value", 4).retryCount(2).maxRetries(3)
                .dependencyResult("parent", Map.of("result", 8)).build();
        assertEquals(4, ctx.getInput("value"));
        assertTrue(ctx.isLastRetry());
        assertEquals(8, ctx.getDependencyField("parent", "result"));
        assertFalse(ctx.hasCheckpoint());
        assertNull(ctx.getCheckpoint());
    }
}
