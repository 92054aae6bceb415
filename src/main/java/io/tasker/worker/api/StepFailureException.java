package io.tasker.worker.api;

import java.util.Map;

/**
 * Thrown by a handler instead of returning a failure result. The worker reports it with the given error type,
 * retryability and metadata. Use {@link RetryableStepException} or {@link PermanentStepException}.
 */
public abstract class StepFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorType;
    private final String errorCode;
    private final transient Map<String, Object> metadata;

    protected StepFailureException(String message, String errorType, String errorCode,
                                   Map<String, Object> metadata, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
        this.errorCode = errorCode;
        this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Whether the orchestrator may retry the step (while attempts remain). */
    public abstract boolean isRetryable();

    public String getErrorType() {
        return errorType;
    }

    public String getErrorCode() {
        return errorCode;
    }

    public Map<String, Object> getMetadata() {
        return metadata;
    }

    /** The failure result this exception stands for. */
    public StepHandlerResult toResult() {
        return StepHandlerResult.failure(getMessage(), errorType, isRetryable(), metadata, errorCode);
    }
}
