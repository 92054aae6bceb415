package io.tasker.worker.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Thrown by a handler instead of returning a failure result. The worker reports it with the given error type,
 * retryability and metadata.
 *
 * <p>Build one by name rather than by position:
 *
 * <pre>{@code
 * throw PermanentStepException.builder("quantity must be at least 1")
 *         .errorType(ErrorType.VALIDATION_ERROR)
 *         .errorCode("INVALID_QUANTITY")
 *         .metadata("field", "quantity")
 *         .build();
 *
 * return RetryableStepException.builder("gateway busy").errorCode("BUSY").toResult();   // the same, as a result
 * }</pre>
 *
 * The {@code with…} methods return a copy with one thing changed ({@code e.withErrorCode("X")}); a copy is a
 * {@link PermanentStepException} or a {@link RetryableStepException} by its retryability, keeps the message and
 * cause, and has its own stack trace.
 */
public abstract class StepFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorType;
    private final String errorCode;
    private final transient Map<String, Object> metadata;

    protected StepFailureException(
            String message, String errorType, String errorCode, Map<String, Object> metadata, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
        this.errorCode = errorCode;
        this.metadata = metadata == null || metadata.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** A failure retryable unless {@link Builder#retryable(boolean) retryable(false)} is set. */
    public static Builder builder(String message) {
        return new Builder(message, true);
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

    /** A builder holding everything this exception says, to build a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(getMessage(), isRetryable());
        b.errorType = errorType;
        b.errorCode = errorCode;
        b.metadata.putAll(metadata);
        b.cause = getCause();
        return b;
    }

    /** A copy with this error code ({@code metadata.error_code} on the wire). */
    public StepFailureException withErrorCode(String code) {
        return toBuilder().errorCode(code).build();
    }

    /** A copy with this error type. */
    public StepFailureException withErrorType(ErrorType type) {
        return toBuilder().errorType(type).build();
    }

    /** A copy with these metadata entries added (sent under {@code metadata.custom}). */
    public StepFailureException withMetadata(Map<String, ?> extra) {
        return toBuilder().metadata(extra).build();
    }

    /**
     * Describes a failure by name. Unset, the error type is {@code retryable_error} or {@code permanent_error} by
     * retryability; metadata entries keep their order.
     */
    public static final class Builder {
        private String message;
        private boolean retryable;
        private String errorType;
        private String errorCode;
        private final Map<String, Object> metadata = new LinkedHashMap<>();
        private Throwable cause;

        Builder(String message, boolean retryable) {
            this.message = message;
            this.retryable = retryable;
        }

        public Builder message(String value) {
            message = value;
            return this;
        }

        /** Whether a retry may help; {@code false} sends the step to {@code error} at once. */
        public Builder retryable(boolean value) {
            retryable = value;
            return this;
        }

        public Builder errorType(ErrorType value) {
            errorType = Objects.requireNonNull(value, "errorType").value();
            return this;
        }

        /** A free-form error type, e.g. an HTTP classification such as {@code rate_limited}. */
        public Builder errorType(String value) {
            errorType = value;
            return this;
        }

        public Builder errorCode(String value) {
            errorCode = value;
            return this;
        }

        /** One metadata entry (sent under {@code metadata.custom}). */
        public Builder metadata(String key, Object value) {
            metadata.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /** Metadata entries, added to those already set. */
        public Builder metadata(Map<String, ?> entries) {
            if (entries != null) {
                metadata.putAll(entries);
            }
            return this;
        }

        /** The exception behind the failure; its stack trace is reported as the backtrace. */
        public Builder cause(Throwable value) {
            cause = value;
            return this;
        }

        /** A {@link RetryableStepException} or a {@link PermanentStepException}, by retryability. */
        public StepFailureException build() {
            return retryable
                    ? new RetryableStepException(message, type(), errorCode, metadata, cause)
                    : new PermanentStepException(message, type(), errorCode, metadata, cause);
        }

        /** The same failure as a result to return, without creating an exception. */
        public StepHandlerResult toResult() {
            return StepHandlerResult.failure(message, type(), retryable, metadata, errorCode);
        }

        private String type() {
            return errorType != null
                    ? errorType
                    : retryable ? ErrorType.RETRYABLE_ERROR.value() : ErrorType.PERMANENT_ERROR.value();
        }
    }
}
