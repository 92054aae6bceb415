package io.tasker.worker.api;

import java.util.Map;

/**
 * A failure that retrying cannot fix (error type {@code permanent_error} unless given): the step goes to error.
 * More than a message: {@link #builder(String)}.
 */
public class PermanentStepException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    public PermanentStepException(String message) {
        this(message, ErrorType.PERMANENT_ERROR.value(), null, Map.of(), null);
    }

    public PermanentStepException(String message, Throwable cause) {
        this(message, ErrorType.PERMANENT_ERROR.value(), null, Map.of(), cause);
    }

    /** For subclasses; handler code builds failures by name with {@link #builder(String)}. */
    protected PermanentStepException(
            String message, String errorType, String errorCode, Map<String, Object> metadata, Throwable cause) {
        super(message, errorType, errorCode, metadata, cause);
    }

    /** A builder for a permanent failure: {@code PermanentStepException.builder("bad input").errorCode("X").build()}. */
    public static Builder builder(String message) {
        return StepFailureException.builder(message).retryable(false);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
