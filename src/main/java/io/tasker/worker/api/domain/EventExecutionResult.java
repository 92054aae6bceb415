package io.tasker.worker.api.domain;

import java.util.Map;

/**
 * The real outcome of the step that fired a domain event ({@code payload.execution_result}): unlike the TypeScript worker, a
 * failure event says it failed.
 *
 * @param success  whether the step succeeded
 * @param status   {@code completed}, {@code failed}, {@code error}, …
 * @param result   the handler's result, may be {@code null}
 * @param error    {@code {message, error_type, retryable, …}} for failures, else {@code null}
 * @param metadata the execution metadata, never {@code null}
 */
public record EventExecutionResult(
        boolean success, String status, Object result, Map<String, Object> error, Map<String, Object> metadata) {

    public EventExecutionResult {
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** {@code error.message}, or {@code null}. */
    public String errorMessage() {
        return error == null || error.get("message") == null
                ? null
                : error.get("message").toString();
    }

    /** {@code error.error_type}, else {@code metadata.error_type}, or {@code null}. */
    public String errorType() {
        Object t = error == null ? null : error.get("error_type");
        if (t == null) {
            t = metadata.get("error_type");
        }
        return t == null ? null : t.toString();
    }

    /** {@code metadata.retryable} (what the orchestrator reads). */
    public boolean retryable() {
        return Boolean.TRUE.equals(metadata.get("retryable"));
    }
}
