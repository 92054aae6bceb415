package io.tasker.worker.api;

import java.util.Optional;

/**
 * Error classifications, with the exact strings that go on the wire as {@code error.error_type} and
 * {@code metadata.error_type}. The first five are the TypeScript worker's standard set; the rest are produced by the worker
 * itself or by the specialised handlers. The value is informational: retry decisions read only the result's
 * {@code retryable} flag.
 */
public enum ErrorType {
    PERMANENT_ERROR("permanent_error"),
    RETRYABLE_ERROR("retryable_error"),
    VALIDATION_ERROR("validation_error"),
    TIMEOUT("timeout"),
    HANDLER_ERROR("handler_error"),
    /** No handler is registered for the step's callable. */
    HANDLER_NOT_FOUND("handler_not_found"),
    /** A network connection could not be made (API handlers). */
    CONNECTION_ERROR("connection_error"),
    /** A decision handler could not decide. */
    DECISION_ERROR("decision_error"),
    /** The foundation gave up waiting for the completion. */
    FFI_TIMEOUT("ffi_timeout"),
    /** A checkpoint could not be stored. */
    CHECKPOINT_ERROR("checkpoint_error");

    private final String wireValue;

    ErrorType(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The string sent over the FFI, e.g. {@code "permanent_error"}. */
    public String value() {
        return wireValue;
    }

    @Override
    public String toString() {
        return wireValue;
    }

    /** True for the TypeScript worker's five standard values. */
    public boolean isStandard() {
        return ordinal() <= HANDLER_ERROR.ordinal();
    }

    /** The TypeScript worker's {@code isTypicallyRetryable}: true only for {@code retryable_error} and {@code timeout}. */
    public boolean isTypicallyRetryable() {
        return this == RETRYABLE_ERROR || this == TIMEOUT;
    }

    /** Looks up a wire value; empty for free-form values (which are still allowed on the wire). */
    public static Optional<ErrorType> fromValue(String value) {
        for (ErrorType t : values()) {
            if (t.wireValue.equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The TypeScript worker's {@code isStandardErrorType}. */
    public static boolean isStandardErrorType(String value) {
        return fromValue(value).map(ErrorType::isStandard).orElse(false);
    }
}
