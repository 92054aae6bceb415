package io.tasker.worker.api;

/**
 * Progress a batch worker saves before continuing (a checkpoint yield). The foundation stores it and runs the
 * handler again, in the same attempt, with {@link StepContext#getCheckpointCursor()} set to {@code cursor}.
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
}
