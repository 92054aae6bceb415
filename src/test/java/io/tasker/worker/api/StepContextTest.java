package io.tasker.worker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.internal.context.StepContexts;
import io.tasker.worker.testing.HandlerTester;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

    record Item(String sku, int qty) {}

    @Test
    void identityAndNames() {
        StepContext ctx = StepContexts.fromEventJson(EVENT);
        assertEquals("t1", ctx.info().getTaskUuid());
        assertEquals("s1", ctx.info().getStepUuid());
        assertEquals("c1", ctx.info().getCorrelationId());
        assertEquals("tc1", ctx.info().getTaskCorrelationId());
        assertEquals("batch.Process", ctx.info().getHandlerName());
        assertEquals("process_batch_001", ctx.info().getStepName());
        assertEquals("process_batch", ctx.info().getTemplateStepName());
        assertEquals("order", ctx.info().getTaskName());
        assertEquals("shop", ctx.info().getNamespace());
    }

    @Test
    void inputsAndConfig() {
        StepContext ctx = StepContexts.fromEventJson(EVENT);
        assertEquals(3, ctx.getInput("value"));
        assertEquals(3L, ctx.getInput("value", Long.class));
        assertNull(ctx.getInput("missing"));
        assertEquals("d", ctx.getInputOr("missing", "d"));
        assertNull(ctx.getInputOr("flag", "d"), "present null is not absent");
        List<Item> items = ctx.getInput("items", new TypeRef<List<Item>>() {});
        assertEquals(new Item("a", 2), items.get(0));
        assertEquals("stripe", ctx.getConfig("gateway"));
        assertEquals(7, ctx.getConfig("limit", Integer.class));
        assertEquals(Map.of("start", 0, "end", 10), ctx.getStepInput("cursor"));
    }

    @Test
    void dependencies() {
        StepContext ctx = StepContexts.fromEventJson(EVENT);
        assertEquals(10, ((Map<?, ?>) ctx.getDependencyResult("analyze")).get("total"));
        assertEquals(2, ctx.getDependencyField("analyze", "nested", "deep", "1"));
        assertNull(ctx.getDependencyField("analyze", "nope", "deeper"));
        assertNull(ctx.getDependencyResult("unknown"));
        assertEquals(List.of(Map.of("n", 1)), ctx.getAllDependencyResults("process_batch_"));
        assertTrue(ctx.getDependencyResultKeys().contains("process_batch_002"));
    }

    @Test
    void retriesAndCheckpoint() {
        StepContext ctx = StepContexts.fromEventJson(EVENT);
        assertEquals(1, ctx.info().getRetryCount());
        assertEquals(3, ctx.info().getMaxRetries());
        assertTrue(ctx.info().isRetry());
        assertFalse(ctx.info().isLastRetry());
        Checkpoint saved = ctx.checkpoint().orElseThrow();
        assertEquals(5, saved.cursor());
        assertEquals(5L, saved.cursorAs(Long.class));
        assertEquals(5, saved.itemsProcessed());
        assertEquals(Map.of("sum", 15), saved.accumulatedResults());
    }

    @Test
    void builderMatchesTheEventShape() {
        StepContext ctx = HandlerTester.context()
                .handlerName("h")
                .input("value", 4)
                .retryCount(2)
                .maxRetries(3)
                .dependencyResult("parent", Map.of("result", 8))
                .build();
        assertEquals(4, ctx.getInput("value"));
        assertTrue(ctx.info().isLastRetry());
        assertEquals(8, ctx.getDependencyField("parent", "result"));
        assertTrue(ctx.checkpoint().isEmpty());
        StepContext resumed = HandlerTester.context().checkpoint(null, 3, null).build();
        assertEquals(
                3, resumed.checkpoint().orElseThrow().itemsProcessed(), "a checkpoint without a cursor is still one");
        assertNull(resumed.checkpoint().orElseThrow().cursorAs(Long.class));
    }
}
