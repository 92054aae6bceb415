package io.tasker.worker.api;

import io.tasker.worker.internal.Json;

/**
 * Progress a batch worker saves before continuing: what a checkpoint yield sends ({@link
 * StepHandlerResult#checkpoint}) and what the next run of the step reads back ({@link StepContext#checkpoint()}).
 * The foundation stores it and runs the handler again, in the same attempt, from {@code cursor}.
 *
 * @param cursor             where to resume; any JSON-mappable value, may be {@code null}
 * @param itemsProcessed     items processed so far (non-negative)
 * @param accumulatedResults partial aggregates carried forward, may be {@code null}
 */
public record Checkpoint(Object cursor, long itemsProcessed, Object accumulatedResults) {
    public Checkpoint {
        if (itemsProcessed < 0) {
            throw new IllegalArgumentException("itemsProcessed must be >= 0");
        }
    }

    /** The cursor bound to {@code type} (e.g. {@code Long.class}, a record), or {@code null}. */
    public <T> T cursorAs(Class<T> type) {
        return cursor == null ? null : Json.MAPPER.convertValue(cursor, type);
    }

    /** The accumulated results bound to {@code type}, or {@code null}. */
    public <T> T accumulatedResultsAs(Class<T> type) {
        return accumulatedResults == null ? null : Json.MAPPER.convertValue(accumulatedResults, type);
    }
}
