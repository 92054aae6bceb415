package io.tasker.worker.api;

import java.util.Map;

/**
 * A failure that may succeed when retried (error type {@code retryable_error} unless given). More than a message:
 * {@link #builder(String)}.
 */
public class RetryableStepException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    public RetryableStepException(String message) {
        this(message, ErrorType.RETRYABLE_ERROR.value(), null, Map.of(), null);
    }

    public RetryableStepException(String message, Throwable cause) {
        this(message, ErrorType.RETRYABLE_ERROR.value(), null, Map.of(), cause);
    }

    /** For subclasses; handler code builds failures by name with {@link #builder(String)}. */
    protected RetryableStepException(
            String message, String errorType, String errorCode, Map<String, Object> metadata, Throwable cause) {
        super(message, errorType, errorCode, metadata, cause);
    }

    /** A builder for a retryable failure: {@code RetryableStepException.builder("busy").errorCode("X").build()}. */
    public static Builder builder(String message) {
        return StepFailureException.builder(message).retryable(true);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
