package io.tasker.worker.api.handler;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One worker's slice of a batch (the TypeScript worker's {@code BatchWorkerConfig}); {@link BatchableCapable#batchSuccess} turns
 * it into the orchestrator's cursor config {@code {batch_id, start_cursor, end_cursor, batch_size}}.
 *
 * @param batchId      {@code "001"}, {@code "002"}, …: the created step is {@code <worker template>_<batchId>}
 * @param cursorStart  first item (inclusive)
 * @param cursorEnd    end (exclusive)
 * @param rowCount     items in the slice ({@code batch_size})
 * @param workerIndex  0-based position
 * @param totalWorkers number of slices
 * @param metadata     optional extra data, may be {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchWorkerConfig(
        @JsonProperty("batch_id") String batchId,
        @JsonProperty("cursor_start") long cursorStart,
        @JsonProperty("cursor_end") long cursorEnd,
        @JsonProperty("row_count") long rowCount,
        @JsonProperty("worker_index") int workerIndex,
        @JsonProperty("total_workers") int totalWorkers,
        @JsonProperty("metadata") Map<String, Object> metadata) {

    public BatchWorkerConfig(
            String batchId, long cursorStart, long cursorEnd, long rowCount, int workerIndex, int totalWorkers) {
        this(batchId, cursorStart, cursorEnd, rowCount, workerIndex, totalWorkers, null);
    }
}
