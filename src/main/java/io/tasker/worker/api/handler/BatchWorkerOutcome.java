package io.tasker.worker.api.handler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch worker's final tally (the TypeScript worker's {@code createWorkerOutcome}), sent by
 * {@link BatchableCapable#batchWorkerSuccess} as {@code result.batch_worker_outcome} and summed by
 * {@link BatchableCapable#aggregateBatchResults}.
 *
 * @param itemsProcessed items looked at
 * @param itemsSucceeded items that succeeded; 0 means "all processed" (as in the TypeScript worker)
 * @param itemsFailed    items that failed
 * @param itemsSkipped   items skipped
 * @param results        per-item or summary results, may be {@code null}
 * @param errors         per-item errors, may be {@code null}
 * @param lastCursor     where the worker stopped, may be {@code null}
 * @param batchMetadata  extra data, may be {@code null}
 */
public record BatchWorkerOutcome(
        long itemsProcessed,
        long itemsSucceeded,
        long itemsFailed,
        long itemsSkipped,
        List<?> results,
        List<?> errors,
        Object lastCursor,
        Map<String, ?> batchMetadata) {

    /** Everything processed succeeded. */
    public static BatchWorkerOutcome of(long itemsProcessed, Object lastCursor) {
        return new BatchWorkerOutcome(itemsProcessed, itemsProcessed, 0, 0, List.of(), List.of(), lastCursor, Map.of());
    }

    /** The wire map {@code {items_processed, items_succeeded, items_failed, items_skipped, results, errors, last_cursor, batch_metadata}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items_processed", itemsProcessed);
        m.put("items_succeeded", itemsSucceeded == 0 ? itemsProcessed : itemsSucceeded);
        m.put("items_failed", itemsFailed);
        m.put("items_skipped", itemsSkipped);
        m.put("results", results == null ? List.of() : results);
        m.put("errors", errors == null ? List.of() : errors);
        m.put("last_cursor", lastCursor);
        m.put("batch_metadata", batchMetadata == null ? Map.of() : batchMetadata);
        return m;
    }
}
