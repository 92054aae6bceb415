package io.tasker.worker.api.handler;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The cursor a batch worker receives in {@code workflow_step.inputs.cursor}. Start is inclusive, end exclusive;
 * both may be any JSON value (numbers for the built-in helpers).
 *
 * @param batchId     {@code "001"}…, or {@code "000"} for the no-op placeholder
 * @param startCursor where to start
 * @param endCursor   where to stop (exclusive)
 * @param batchSize   items in the slice
 */
public record CursorConfig(
        @JsonProperty("batch_id") String batchId,
        @JsonProperty("start_cursor") Object startCursor,
        @JsonProperty("end_cursor") Object endCursor,
        @JsonProperty("batch_size") long batchSize) {

    /** {@link #startCursor()} as a number (0 when absent). */
    public long start() {
        return startCursor instanceof Number n
                ? n.longValue()
                : startCursor == null ? 0 : Long.parseLong(startCursor.toString());
    }

    /** {@link #endCursor()} as a number (0 when absent). */
    public long end() {
        return endCursor instanceof Number n
                ? n.longValue()
                : endCursor == null ? 0 : Long.parseLong(endCursor.toString());
    }
}
