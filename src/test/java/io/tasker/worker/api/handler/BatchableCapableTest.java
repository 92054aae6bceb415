package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import io.tasker.worker.testing.HandlerTester;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchableCapableTest {

    private final BatchableCapable batch = new BatchableCapable() {};

    @Test
    void cursorConfigsUseCeilingSplitAndPaddedIds() {
        List<BatchWorkerConfig> c = batch.createCursorConfigs(10, 3);
        assertEquals(3, c.size());
        assertEquals(new BatchWorkerConfig("001", 0, 4, 4, 0, 3), c.get(0));
        assertEquals(new BatchWorkerConfig("002", 4, 8, 4, 1, 3), c.get(1));
        assertEquals(new BatchWorkerConfig("003", 8, 10, 2, 2, 3), c.get(2));
        assertEquals(
                "{\"batch_id\":\"001\",\"cursor_start\":0,\"cursor_end\":4,\"row_count\":4,\"worker_index\":0,"
                        + "\"total_workers\":3}",
                Json.write(c.get(0)));
    }

    @Test
    void cursorConfigEdgeCases() {
        assertEquals(List.of(), batch.createCursorConfigs(0, 4));
        assertThrows(IllegalArgumentException.class, () -> batch.createCursorConfigs(10, 0));
        assertThrows(IllegalArgumentException.class, () -> batch.createCursorConfigs(10, -1));
        // fewer items than workers: one item each, no empty slices
        List<BatchWorkerConfig> few = batch.createCursorConfigs(3, 10);
        assertEquals(3, few.size());
        assertEquals("003", few.get(2).batchId());
        assertEquals(1, few.get(2).rowCount());
        // 1000 over 1000 workers: ids keep three digits up to 999, then grow
        assertEquals("1000", batch.createCursorConfigs(1000, 1000).get(999).batchId());
    }

    @Test
    void batchSuccessShape() {
        StepHandlerResult r =
                batch.batchSuccess("process_batch", batch.createCursorConfigs(10, 3), Map.of("source", "csv"));
        assertEquals(
                "{\"batch_processing_outcome\":{\"type\":\"create_batches\",\"worker_template_name\":\"process_batch\","
                        + "\"worker_count\":3,\"cursor_configs\":["
                        + "{\"batch_id\":\"001\",\"start_cursor\":0,\"end_cursor\":4,\"batch_size\":4},"
                        + "{\"batch_id\":\"002\",\"start_cursor\":4,\"end_cursor\":8,\"batch_size\":4},"
                        + "{\"batch_id\":\"003\",\"start_cursor\":8,\"end_cursor\":10,\"batch_size\":2}],"
                        + "\"total_items\":10},\"source\":\"csv\"}",
                Json.write(r.getResult()));
        assertEquals(Map.of("source", "csv"), r.getMetadata());
        assertFalse(Json.write(r.getResult()).contains("batch_analyzer_outcome"));
    }

    @Test
    void noBatchesShape() {
        StepHandlerResult r = batch.noBatchesResult("empty file", Map.of("file", "a.csv"));
        assertEquals(
                "{\"batch_processing_outcome\":{\"type\":\"no_batches\"},\"file\":\"a.csv\",\"reason\":\"empty file\"}",
                Json.write(r.getResult()));
        assertEquals(Map.of("file", "a.csv"), r.getMetadata());
        assertEquals(
                "{\"batch_processing_outcome\":{\"type\":\"no_batches\"}}",
                Json.write(batch.noBatchesResult(null, null).getResult()));
    }

    private static StepContext worker(Map<String, Object> cursor, boolean noOp) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("cursor", cursor);
        inputs.put("batch_metadata", Map.of("cursor_field", "id", "failure_strategy", "fail_fast"));
        inputs.put("is_no_op", noOp);
        inputs.put("__template_step_name", "process_batch");
        return HandlerTester.context().stepInputs(inputs).build();
    }

    @Test
    void workerInputs() {
        BatchWorkerInputs in = batch.getBatchWorkerInputs(
                worker(Map.of("batch_id", "002", "start_cursor", 100, "end_cursor", 200, "batch_size", 100), false));
        assertEquals("002", in.cursor().batchId());
        assertEquals(100, in.cursor().start());
        assertEquals(200, in.cursor().end());
        assertEquals(100, in.cursor().batchSize());
        assertEquals("id", in.cursorField());
        assertEquals("fail_fast", in.failureStrategy());
        assertFalse(in.noOp());
        assertEquals("process_batch", in.raw().get("__template_step_name"));
        assertNull(batch.getBatchWorkerInputs(HandlerTester.context().build()));
        assertEquals(
                Optional.empty(), batch.handleNoOpWorker(HandlerTester.context().build()));
    }

    @Test
    void noOpWorkerShortCircuits() {
        StepContext ctx = worker(Map.of("batch_id", "000", "start_cursor", 0, "end_cursor", 0, "batch_size", 0), true);
        StepHandlerResult r = batch.handleNoOpWorker(ctx).orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) r.getResult();
        assertEquals(
                List.of("batch_id", "no_op", "processed_count", "message", "processed_at"),
                List.copyOf(result.keySet()));
        assertEquals("000", result.get("batch_id"));
        assertEquals(true, result.get("no_op"));
        assertEquals(0, result.get("processed_count"));
        assertEquals("No batches to process", result.get("message"));
        assertTrue(java.time.Instant.parse((String) result.get("processed_at")) != null);
    }

    @Test
    void batchWorkerSuccessShape() {
        BatchWorkerOutcome o =
                new BatchWorkerOutcome(10, 0, 0, 1, List.of(Map.of("s", 1)), List.of(), 10, Map.of("k", "v"));
        assertEquals(
                "{\"batch_worker_outcome\":{\"items_processed\":10,\"items_succeeded\":10,\"items_failed\":0,"
                        + "\"items_skipped\":1,\"results\":[{\"s\":1}],\"errors\":[],\"last_cursor\":10,\"batch_metadata\":{\"k\":\"v\"}}}",
                Json.write(batch.batchWorkerSuccess(o).getResult()));
        assertEquals(7L, BatchWorkerOutcome.of(7, 7).toMap().get("items_succeeded"));
    }

    @Test
    void checkpointYieldShape() {
        StepHandlerResult r = batch.checkpointYield(40, 40, Map.of("sum", 820));
        assertTrue(r.isCheckpointYield());
        assertEquals(
                "{\"type\":\"checkpoint_yield\",\"cursor\":40,\"items_processed\":40,\"accumulated_results\":{\"sum\":820}}",
                Json.write(r.getResult()));
        assertEquals(Map.of("checkpoint_yield", true, "batch_worker", true), r.getMetadata());
        assertEquals(40, r.getCheckpoint().cursor());
        assertFalse(Json.write(batch.checkpointYield("k", 1, null).getResult()).contains("accumulated_results"));
    }

    private static Map<String, Object> dep(Object result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step_uuid", "u");
        m.put("success", true);
        m.put("result", result);
        m.put("status", "completed");
        return m;
    }

    @Test
    void aggregationScenarios() {
        Map<String, Object> created = Map.of("batch_processing_outcome", Map.of("type", "create_batches"));
        Map<String, Object> deps = new LinkedHashMap<>();
        deps.put("create_batches", dep(created));
        deps.put("process_batch_001", dep(Map.of("batch_worker_outcome", Map.of("items_processed", 4))));
        deps.put("process_batch_002", dep(Map.of("batch_worker_outcome", Map.of("items_processed", 2))));
        AggregationScenario s = batch.detectAggregationScenario(deps, "create_batches", "process_batch_");
        assertFalse(s.noBatches());
        assertEquals(2, s.workerCount());
        assertEquals(created, s.batchableResult());
        assertEquals(
                List.of("process_batch_001", "process_batch_002"),
                List.copyOf(s.batchResults().keySet()));

        Map<String, Object> none = Map.of(
                "create_batches",
                dep(Map.of("batch_processing_outcome", Map.of("type", "no_batches"))),
                "process_batch_000",
                dep(Map.of("no_op", true)));
        AggregationScenario n = batch.detectAggregationScenario(none, "create_batches", "process_batch_");
        assertTrue(n.noBatches());
        assertEquals(0, n.workerCount());
        assertEquals(Map.of(), n.batchResults());

        assertThrows(
                IllegalStateException.class, () -> batch.detectAggregationScenario(Map.of(), "create_batches", "p_"));
        assertThrows(
                IllegalStateException.class,
                () -> batch.detectAggregationScenario(Map.of("create_batches", dep(created)), "create_batches", "p_"));
    }

    @Test
    void aggregationResults() {
        assertEquals(
                "{\"worker_count\":0,\"scenario\":\"no_batches\",\"total\":0}",
                Json.write(batch.noBatchesAggregationResult(Map.of("total", 0)).getResult()));
        AggregationScenario s = new AggregationScenario(false, Map.of(), Map.of("w_001", Map.of("n", 1)), 1);
        assertEquals(
                "{\"batch_results\":{\"w_001\":{\"n\":1}},\"worker_count\":1,\"scenario\":\"with_batches\"}",
                Json.write(batch.aggregateBatchWorkerResults(s, null, null).getResult()));
        assertEquals(
                "{\"sum\":1,\"worker_count\":1,\"scenario\":\"with_batches\"}",
                Json.write(batch.aggregateBatchWorkerResults(s, null, r -> Map.of("sum", r.size()))
                        .getResult()));
        AggregationScenario none = new AggregationScenario(true, Map.of(), Map.of(), 0);
        assertEquals(
                "{\"worker_count\":0,\"scenario\":\"no_batches\",\"sum\":0}",
                Json.write(batch.aggregateBatchWorkerResults(none, Map.of("sum", 0), r -> Map.of("sum", 99))
                        .getResult()));
    }

    @Test
    void aggregateBatchResultsSumsOutcomes() {
        List<Object> results = List.of(
                Map.of(
                        "batch_worker_outcome",
                        Map.of(
                                "items_processed",
                                10,
                                "items_succeeded",
                                8,
                                "items_failed",
                                2,
                                "items_skipped",
                                0,
                                "errors",
                                List.of("e1", "e2"))),
                Map.of(
                        "items_processed",
                        5,
                        "items_succeeded",
                        5,
                        "items_failed",
                        0,
                        "items_skipped",
                        1,
                        "errors",
                        List.of("e3")),
                "not a map");
        Map<String, Object> agg = batch.aggregateBatchResults(results, 2);
        assertEquals(
                "{\"total_processed\":15,\"total_succeeded\":13,\"total_failed\":2,\"total_skipped\":1,"
                        + "\"batch_count\":2,\"success_rate\":" + (13.0 / 15)
                        + ",\"errors\":[\"e1\",\"e2\"],\"error_count\":3}",
                Json.write(agg));
        assertEquals(0.0, batch.aggregateBatchResults(List.of()).get("success_rate"));
    }
}
