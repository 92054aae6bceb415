package io.tasker.worker.internal.client;

import io.tasker.worker.api.client.TaskerClientException;

/**
 * A {@link TaskerClientException} that keeps what the HTTP API needs to map it exactly: whether the engine sent a
 * {@code recoverable} key at all (FFI-level errors have none), and failures that never reached the engine.
 */
public final class EngineClientException extends TaskerClientException {

    private static final long serialVersionUID = 1L;

    /** Where the failure came from. */
    public enum Kind {
        /** The engine's {@code {success:false, error, recoverable?}} envelope. */
        ENGINE,
        /** The engine returned nothing or malformed JSON. */
        BAD_RESPONSE,
        /** The worker has not started (no engine loaded yet). */
        NOT_STARTED
    }

    private final transient Boolean reportedRecoverable;
    private final Kind kind;

    public EngineClientException(String message, Boolean reportedRecoverable, Kind kind) {
        super(message, kind == Kind.NOT_STARTED || Boolean.TRUE.equals(reportedRecoverable));
        this.reportedRecoverable = reportedRecoverable;
        this.kind = kind;
    }

    /** The engine's {@code recoverable} value, or {@code null} when the envelope had no such key. */
    public Boolean reportedRecoverable() {
        return reportedRecoverable;
    }

    public Kind kind() {
        return kind;
    }
}
