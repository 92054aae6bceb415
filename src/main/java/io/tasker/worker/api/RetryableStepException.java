package io.tasker.worker.api;

import java.util.Map;

/** A failure that may succeed when retried (error type {@code retryable_error} unless given). */
public class RetryableStepException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    public RetryableStepException(String message) {
        this(message, ErrorType.RETRYABLE_ERROR.value(), null, Map.of(), null);
    }

    public RetryableStepException(String message, Throwable cause) {
        this(message, ErrorType.RETRYABLE_ERROR.value(), null, Map.of(), cause);
    }

    public RetryableStepException(String message, String errorType, String errorCode,
                                  Map<String, Object> metadata, Throwable cause) {
        super(message, errorType, errorCode, metadata, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
