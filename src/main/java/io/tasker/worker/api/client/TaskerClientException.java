package io.tasker.worker.api.client;

/**
 * A client call the engine refused (the TypeScript worker's {@code TaskerClientError}): the engine's message, and whether a
 * retry may succeed ({@code recoverable}; false when the engine did not say).
 */
public class TaskerClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final boolean recoverable;

    public TaskerClientException(String message, boolean recoverable) {
        super(message);
        this.recoverable = recoverable;
    }

    public boolean isRecoverable() {
        return recoverable;
    }
}
