package io.tasker.worker.api.handler;

import java.util.Map;

/**
 * What the orchestrator gives a created batch worker in {@code workflow_step.inputs}.
 *
 * @param cursor        the slice to process ({@code null} only if the inputs are malformed)
 * @param batchMetadata {@code {cursor_field, failure_strategy}} from the template's {@code batch_config}
 * @param noOp          true for the placeholder created by {@code no_batches}: succeed without work
 * @param raw           every input, including the template's {@code handler.initialization}
 */
public record BatchWorkerInputs(
        CursorConfig cursor, Map<String, Object> batchMetadata, boolean noOp, Map<String, Object> raw) {

    /** {@code batch_metadata.cursor_field}, or {@code null}. */
    public String cursorField() {
        Object v = batchMetadata == null ? null : batchMetadata.get("cursor_field");
        return v == null ? null : v.toString();
    }

    /** {@code batch_metadata.failure_strategy}, or {@code null}. */
    public String failureStrategy() {
        Object v = batchMetadata == null ? null : batchMetadata.get("failure_strategy");
        return v == null ? null : v.toString();
    }
}
