package io.tasker.worker.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one step execution: a success with a result, a failure, or a checkpoint yield.
 *
 * <p>Instances are immutable; the {@code with…} methods return copies. {@code result} may be any value Jackson
 * can serialise (a {@code Map}, a record, a POJO, a list); handler {@code metadata} is sent under
 * {@code metadata.custom}, never spread over the foundation's own keys.
 */
public final class StepHandlerResult {

    private final boolean success;
    private final Object result;
    private final String errorMessage;
    private final String errorType;
    private final String errorCode;
    private final boolean retryable;
    private final Map<String, Object> metadata;
    private final Integer statusCode;
    private final List<String> backtrace;
    private final Map<String, String> headers;
    private final BackoffHint backoffHint;
    private final Checkpoint checkpoint;

    private StepHandlerResult(Builder b) {
        this.success = b.success;
        this.result = b.result;
        this.errorMessage = b.errorMessage;
        this.errorType = b.errorType;
        this.errorCode = b.errorCode;
        this.retryable = b.retryable;
        this.metadata = b.metadata == null ? Map.of() : b.metadata;
        this.statusCode = b.statusCode;
        this.backtrace = b.backtrace;
        this.headers = b.headers == null ? Map.of() : b.headers;
        this.backoffHint = b.backoffHint;
        this.checkpoint = b.checkpoint;
    }

    // ---- factories (the TypeScript worker's success/failure) ----

    public static StepHandlerResult success(Object result) {
        return success(result, Map.of());
    }

    public static StepHandlerResult success(Object result, Map<String, ?> metadata) {
        Builder b = new Builder();
        b.success = true;
        b.result = result;
        b.retryable = false;
        b.metadata = copy(metadata);
        return new StepHandlerResult(b);
    }

    /** A retryable {@code handler_error} failure. */
    public static StepHandlerResult failure(String message) {
        return failure(message, ErrorType.HANDLER_ERROR, true);
    }

    public static StepHandlerResult failure(String message, ErrorType errorType, boolean retryable) {
        return failure(message, errorType.value(), retryable, Map.of(), null);
    }

    public static StepHandlerResult failure(
            String message, ErrorType errorType, boolean retryable, Map<String, ?> metadata) {
        return failure(message, errorType.value(), retryable, metadata, null);
    }

    /**
     * The TypeScript worker's {@code failure(message, errorType, retryable, metadata, errorCode)}; {@code errorType} may be
     * any string (for example an HTTP classification such as {@code rate_limited}).
     */
    public static StepHandlerResult failure(
            String message, String errorType, boolean retryable, Map<String, ?> metadata, String errorCode) {
        Builder b = new Builder();
        b.success = false;
        b.errorMessage = message == null ? "Unknown error" : message;
        b.errorType = errorType == null ? ErrorType.HANDLER_ERROR.value() : errorType;
        b.retryable = retryable;
        b.metadata = copy(metadata);
        b.errorCode = errorCode;
        return new StepHandlerResult(b);
    }

    /** A checkpoint yield: save progress and be called again with the cursor (batch workers). */
    public static StepHandlerResult checkpoint(Object cursor, long itemsProcessed, Object accumulatedResults) {
        Checkpoint cp = new Checkpoint(cursor, itemsProcessed, accumulatedResults);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "checkpoint_yield");
        body.put("cursor", cursor);
        body.put("items_processed", itemsProcessed);
        if (accumulatedResults != null) {
            body.put("accumulated_results", accumulatedResults);
        }
        Builder b = new Builder();
        b.success = true;
        b.result = body;
        b.metadata = Map.of("checkpoint_yield", true, "batch_worker", true);
        b.checkpoint = cp;
        return new StepHandlerResult(b);
    }

    // ---- copies ----

    public StepHandlerResult withErrorCode(String code) {
        Builder b = toBuilder();
        b.errorCode = code;
        return new StepHandlerResult(b);
    }

    /** The HTTP status that caused a failure ({@code error.status_code}). */
    public StepHandlerResult withStatusCode(Integer code) {
        Builder b = toBuilder();
        b.statusCode = code;
        return new StepHandlerResult(b);
    }

    public StepHandlerResult withBacktrace(List<String> lines) {
        Builder b = toBuilder();
        b.backtrace = lines == null ? null : List.copyOf(lines);
        return new StepHandlerResult(b);
    }

    /** Adds entries to the handler metadata (sent under {@code metadata.custom}). */
    public StepHandlerResult withMetadata(Map<String, ?> extra) {
        Builder b = toBuilder();
        Map<String, Object> merged = new LinkedHashMap<>(metadata);
        merged.putAll(copy(extra));
        b.metadata = copy(merged);
        return new StepHandlerResult(b);
    }

    /** Response headers passed to the orchestrator ({@code orchestration_metadata.headers}), e.g. Retry-After. */
    public StepHandlerResult withHeaders(Map<String, String> extra) {
        Builder b = toBuilder();
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(extra);
        b.headers = Map.copyOf(merged);
        return new StepHandlerResult(b);
    }

    public StepHandlerResult withBackoffHint(BackoffHint hint) {
        Builder b = toBuilder();
        b.backoffHint = hint;
        return new StepHandlerResult(b);
    }

    /** A server-requested retry delay: sends both the {@code Retry-After} header and a backoff hint. */
    public StepHandlerResult withRetryAfter(Duration delay) {
        int seconds = (int) Math.max(0, Math.min(Integer.MAX_VALUE, delay.toSeconds()));
        return withHeaders(Map.of("Retry-After", Integer.toString(seconds)))
                .withBackoffHint(new BackoffHint(BackoffHint.Type.SERVER_REQUESTED, seconds, null));
    }

    // ---- accessors ----

    public boolean isSuccess() {
        return success;
    }

    public boolean isFailure() {
        return !success;
    }

    public boolean isCheckpointYield() {
        return checkpoint != null;
    }

    public Object getResult() {
        return result;
    }

    public String getErrorMessage() {
        return errorMessage;
    }

    public String getErrorType() {
        return errorType;
    }

    public String getErrorCode() {
        return errorCode;
    }

    /** Whether a failure may be retried. Meaningless for successes. */
    public boolean isRetryable() {
        return retryable;
    }

    public Map<String, Object> getMetadata() {
        return metadata;
    }

    public Integer getStatusCode() {
        return statusCode;
    }

    public List<String> getBacktrace() {
        return backtrace;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }

    public BackoffHint getBackoffHint() {
        return backoffHint;
    }

    public Checkpoint getCheckpoint() {
        return checkpoint;
    }

    /** The TypeScript worker's display shape ({@code toJSON}); not the wire format. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", success);
        m.put("result", result);
        m.put("error_message", errorMessage);
        m.put("error_type", errorType);
        m.put("error_code", errorCode);
        m.put("retryable", retryable);
        m.put("metadata", metadata);
        return m;
    }

    @Override
    public String toString() {
        return success
                ? "StepHandlerResult[success, result=" + result + "]"
                : "StepHandlerResult[failure, type=" + errorType + ", retryable=" + retryable + ", message="
                        + errorMessage + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StepHandlerResult r)) {
            return false;
        }
        return success == r.success
                && retryable == r.retryable
                && Objects.equals(result, r.result)
                && Objects.equals(errorMessage, r.errorMessage)
                && Objects.equals(errorType, r.errorType)
                && Objects.equals(errorCode, r.errorCode)
                && metadata.equals(r.metadata)
                && Objects.equals(statusCode, r.statusCode)
                && Objects.equals(backtrace, r.backtrace)
                && headers.equals(r.headers)
                && Objects.equals(backoffHint, r.backoffHint)
                && Objects.equals(checkpoint, r.checkpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(success, result, errorMessage, errorType, retryable);
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.success = success;
        b.result = result;
        b.errorMessage = errorMessage;
        b.errorType = errorType;
        b.errorCode = errorCode;
        b.retryable = retryable;
        b.metadata = metadata;
        b.statusCode = statusCode;
        b.backtrace = backtrace;
        b.headers = headers;
        b.backoffHint = backoffHint;
        b.checkpoint = checkpoint;
        return b;
    }

    private static Map<String, Object> copy(Map<String, ?> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        // LinkedHashMap keeps order and tolerates null values, which Map.copyOf does not.
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(source));
    }

    private static final class Builder {
        boolean success;
        Object result;
        String errorMessage;
        String errorType;
        String errorCode;
        boolean retryable;
        Map<String, Object> metadata;
        Integer statusCode;
        List<String> backtrace;
        Map<String, String> headers;
        BackoffHint backoffHint;
        Checkpoint checkpoint;
    }
}
