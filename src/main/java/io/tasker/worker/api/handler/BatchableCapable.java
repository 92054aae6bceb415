package io.tasker.worker.api.handler;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Helpers for the three roles of a batch workflow (the TypeScript worker's {@code applyBatchable} mixin as a Java interface):
 * the {@code batchable} step that splits the work, the {@code batch_worker} steps that process one slice each, and
 * the {@code deferred_convergence} step that aggregates. Implement it next to
 * {@link io.tasker.worker.api.ExecutableHandler}, or extend {@link BatchableHandler}.
 *
 * <p>Shapes produced:
 * <pre>
 * batchSuccess("process_batch", configs, m) → {"batch_processing_outcome":{"type":"create_batches","worker_template_name":"process_batch",
 *                                               "worker_count":N,"cursor_configs":[{"batch_id":"001","start_cursor":0,"end_cursor":100,"batch_size":100},…],
 *                                               "total_items":T}, ...m}   (metadata m)
 * noBatchesResult("empty", m)              → {"batch_processing_outcome":{"type":"no_batches"}, ...m, "reason":"empty"}
 * handleNoOpWorker(ctx)                    → {"batch_id":"000","no_op":true,"processed_count":0,"message":"No batches to process","processed_at":ISO}
 * batchWorkerSuccess(outcome)              → {"batch_worker_outcome":{items_processed, items_succeeded, items_failed, items_skipped, results, errors, last_cursor, batch_metadata}}
 * checkpointYield(cursor, n, acc)          → {"type":"checkpoint_yield","cursor":…,"items_processed":n,"accumulated_results":acc}
 * noBatchesAggregationResult(z)            → {"worker_count":0,"scenario":"no_batches", ...z}
 * aggregateBatchWorkerResults(s, z, fn)    → {...fn(results) or "batch_results":{…}, "worker_count":N, "scenario":"with_batches"}
 * </pre>
 * The TypeScript worker's {@code batchAnalyzerSuccess} ({@code batch_analyzer_outcome}) is deliberately absent: the orchestrator
 * ignores that key.
 */
public interface BatchableCapable {

    // ---- the batchable step ----

    /**
     * The TypeScript worker's {@code createCursorConfigs}: {@code ceil(total / workerCount)} items per worker, batch ids
     * {@code "001"}, {@code "002"}, …; fewer configs than workers when there are fewer items.
     *
     * @return {@code []} when {@code totalItems} is 0
     * @throws IllegalArgumentException when {@code workerCount <= 0} or {@code totalItems < 0}
     */
    default List<BatchWorkerConfig> createCursorConfigs(long totalItems, int workerCount) {
        return BatchSupport.cursorConfigs(totalItems, workerCount);
    }

    /** The TypeScript worker's {@code batchSuccess}: ask the orchestrator to create one worker per config. */
    default StepHandlerResult batchSuccess(
            String workerTemplateName, List<BatchWorkerConfig> configs, Map<String, ?> metadata) {
        if (workerTemplateName == null || workerTemplateName.isEmpty()) {
            throw new IllegalArgumentException("workerTemplateName is required");
        }
        List<Map<String, Object>> cursors = new ArrayList<>();
        long total = 0;
        for (BatchWorkerConfig c : configs) {
            Map<String, Object> cursor = new LinkedHashMap<>();
            cursor.put("batch_id", c.batchId());
            cursor.put("start_cursor", c.cursorStart());
            cursor.put("end_cursor", c.cursorEnd());
            cursor.put("batch_size", c.rowCount());
            cursors.add(cursor);
            total += c.rowCount();
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("type", "create_batches");
        outcome.put("worker_template_name", workerTemplateName);
        outcome.put("worker_count", cursors.size());
        outcome.put("cursor_configs", cursors);
        outcome.put("total_items", total);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("batch_processing_outcome", outcome);
        if (metadata != null) {
            result.putAll(metadata);
        }
        return StepHandlerResult.success(result, metadata);
    }

    default StepHandlerResult batchSuccess(String workerTemplateName, List<BatchWorkerConfig> configs) {
        return batchSuccess(workerTemplateName, configs, null);
    }

    /**
     * The TypeScript worker's {@code noBatchesResult}. The orchestrator then creates one no-op placeholder worker
     * ({@code <template>_000}) when the batchable step's {@code handler.initialization} names the
     * {@code worker_template_name}.
     */
    default StepHandlerResult noBatchesResult(String reason, Map<String, ?> metadata) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("batch_processing_outcome", Map.of("type", "no_batches"));
        if (metadata != null) {
            result.putAll(metadata);
        }
        if (reason != null) {
            result.put("reason", reason);
        }
        return StepHandlerResult.success(result, metadata);
    }

    // ---- batch workers ----

    /** The TypeScript worker's {@code getBatchWorkerInputs}: the cursor and batch metadata, or {@code null} when there are none. */
    default BatchWorkerInputs getBatchWorkerInputs(StepContext ctx) {
        Map<String, Object> inputs = ctx.getStepInputs();
        if (inputs == null || inputs.isEmpty()) {
            return null;
        }
        Object cursor = inputs.get("cursor");
        @SuppressWarnings("unchecked")
        Map<String, Object> batchMetadata =
                inputs.get("batch_metadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        return new BatchWorkerInputs(
                cursor == null ? null : Json.MAPPER.convertValue(cursor, CursorConfig.class),
                batchMetadata,
                Boolean.TRUE.equals(inputs.get("is_no_op")),
                inputs);
    }

    /**
     * The TypeScript worker's {@code handleNoOpWorker}: for the {@code no_batches} placeholder, the immediate success
     * {@code {batch_id, no_op: true, processed_count: 0, message, processed_at}}; empty otherwise. Call it first.
     */
    default Optional<StepHandlerResult> handleNoOpWorker(StepContext ctx) {
        BatchWorkerInputs inputs = getBatchWorkerInputs(ctx);
        if (inputs == null || !inputs.noOp()) {
            return Optional.empty();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(
                "batch_id",
                inputs.cursor() != null && inputs.cursor().batchId() != null
                        ? inputs.cursor().batchId()
                        : "no_op");
        result.put("no_op", true);
        result.put("processed_count", 0);
        result.put("message", "No batches to process");
        result.put("processed_at", Instant.now().toString());
        return Optional.of(StepHandlerResult.success(result));
    }

    /** The TypeScript worker's {@code batchWorkerSuccess}: {@code {batch_worker_outcome: {…}}}. */
    default StepHandlerResult batchWorkerSuccess(BatchWorkerOutcome outcome, Map<String, ?> metadata) {
        return StepHandlerResult.success(Map.of("batch_worker_outcome", outcome.toMap()), metadata);
    }

    default StepHandlerResult batchWorkerSuccess(BatchWorkerOutcome outcome) {
        return batchWorkerSuccess(outcome, null);
    }

    /**
     * The TypeScript worker's {@code checkpointYield}: save progress and be called again, in the same attempt, with
     * {@link StepContext#checkpoint()} at {@code cursor}. A later retry also resumes from it.
     */
    default StepHandlerResult checkpointYield(Object cursor, long itemsProcessed, Object accumulatedResults) {
        return StepHandlerResult.checkpoint(cursor, itemsProcessed, accumulatedResults);
    }

    // ---- aggregation ----

    /** The TypeScript worker's {@code detectAggregationScenario} on a step context. */
    default AggregationScenario detectAggregationScenario(
            StepContext ctx, String batchableStepName, String workerPrefix) {
        return detectAggregationScenario(ctx.getDependencyResults(), batchableStepName, workerPrefix);
    }

    /**
     * The TypeScript worker's {@code detectAggregationScenario} on raw dependency results.
     *
     * @throws IllegalStateException when the batchable step's result is missing, or when it created batches but
     *                               no dependency name starts with {@code workerPrefix}
     */
    default AggregationScenario detectAggregationScenario(
            Map<String, Object> dependencyResults, String batchableStepName, String workerPrefix) {
        return BatchSupport.detect(dependencyResults, batchableStepName, workerPrefix);
    }

    /** The TypeScript worker's {@code noBatchesAggregationResult}: {@code {worker_count: 0, scenario: "no_batches", ...zero}}. */
    default StepHandlerResult noBatchesAggregationResult(Map<String, ?> zeroMetrics) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("worker_count", 0);
        result.put("scenario", "no_batches");
        if (zeroMetrics != null) {
            result.putAll(zeroMetrics);
        }
        return StepHandlerResult.success(result);
    }

    /**
     * The TypeScript worker's {@code aggregateBatchWorkerResults}: {@link #noBatchesAggregationResult} for {@code no_batches},
     * otherwise {@code {...aggregator(batchResults) or batch_results, worker_count, scenario: "with_batches"}}.
     *
     * @param aggregator may be {@code null}; receives worker step name → worker result
     */
    default StepHandlerResult aggregateBatchWorkerResults(
            AggregationScenario scenario,
            Map<String, ?> zeroMetrics,
            Function<Map<String, Object>, Map<String, ?>> aggregator) {
        if (scenario.noBatches()) {
            return noBatchesAggregationResult(zeroMetrics);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        if (aggregator != null) {
            Map<String, ?> aggregated = aggregator.apply(scenario.batchResults());
            if (aggregated != null) {
                result.putAll(aggregated);
            }
        } else {
            result.put("batch_results", scenario.batchResults());
        }
        result.put("worker_count", scenario.workerCount());
        result.put("scenario", "with_batches");
        return StepHandlerResult.success(result);
    }

    /** Detects the scenario and aggregates in one call. */
    default StepHandlerResult aggregateWorkerResults(
            StepContext ctx,
            String batchableStepName,
            String workerPrefix,
            Map<String, ?> zeroMetrics,
            Function<Map<String, Object>, Map<String, ?>> aggregator) {
        return aggregateBatchWorkerResults(
                detectAggregationScenario(ctx, batchableStepName, workerPrefix), zeroMetrics, aggregator);
    }

    /**
     * The TypeScript worker's {@code aggregateBatchResults}: sums worker outcomes (each a {@code batch_worker_outcome} wrapper
     * or the outcome map itself) into {@code {total_processed, total_succeeded, total_failed, total_skipped,
     * batch_count, success_rate, errors (first maxErrors), error_count}}.
     */
    default Map<String, Object> aggregateBatchResults(List<?> workerResults, int maxErrors) {
        return BatchSupport.aggregate(workerResults, maxErrors);
    }

    default Map<String, Object> aggregateBatchResults(List<?> workerResults) {
        return BatchSupport.aggregate(workerResults, 100);
    }
}
