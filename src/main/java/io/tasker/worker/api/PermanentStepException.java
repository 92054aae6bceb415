package io.tasker.worker.api;

import java.util.Map;

/** A failure that retrying cannot fix (error type {@code permanent_error} unless given): the step goes to error. */
public class PermanentStepException extends StepFailureException {
    private static final long serialVersionUID = 1L;

    public PermanentStepException(String message) {
        this(message, ErrorType.PERMANENT_ERROR.value(), null, Map.of(), null);
    }

    public PermanentStepException(String message, Throwable cause) {
        this(message, ErrorType.PERMANENT_ERROR.value(), null, Map.of(), cause);
    }

    public PermanentStepException(String message, String errorType, String errorCode,
                                  Map<String, Object> metadata, Throwable cause) {
        super(message, errorType, errorCode, metadata, cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
