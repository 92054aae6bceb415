package io.tasker.worker.testing;

import java.util.Map;

/**
 * One step of a finished task as the engine stored it.
 *
 * @param name     the concrete step name (e.g. {@code process_batch_002})
 * @param stepUuid the step's id
 * @param state    {@code complete}, {@code error}, {@code waiting_for_retry}, …
 * @param attempts executions so far
 * @param results  the stored execution result ({@code {success, result, metadata, error?, …}}), or {@code null}
 *                 when the step never ran
 * @param raw      the engine's whole step record
 */
public record StepRun(
        String name,
        String stepUuid,
        String state,
        int attempts,
        Map<String, Object> results,
        Map<String, Object> raw) {

    /** The handler's {@code result}, or {@code null}. */
    public Object result() {
        return results == null ? null : results.get("result");
    }

    /** The handler's result as a map ({@code {}} when absent or not an object). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> resultMap() {
        return result() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The value at a dot path in the handler's result (see {@link ResultAssert#at}). */
    public Object resultAt(String path) {
        return ResultAssert.at(result(), path);
    }

    public boolean isComplete() {
        return "complete".equals(state);
    }

    public boolean succeeded() {
        return results != null && Boolean.TRUE.equals(results.get("success"));
    }

    /** {@code error.error_type}, or {@code null}. */
    public String errorType() {
        Object v = ResultAssert.at(results, "error.error_type");
        return v == null ? null : v.toString();
    }

    /** {@code error.message}, or {@code null}. */
    public String errorMessage() {
        Object v = ResultAssert.at(results, "error.message");
        return v == null ? null : v.toString();
    }

    /** A value of the stored result metadata, e.g. {@code retryable} or {@code custom.error_code}. */
    public Object metadataAt(String path) {
        return ResultAssert.at(results == null ? null : results.get("metadata"), path);
    }
}
