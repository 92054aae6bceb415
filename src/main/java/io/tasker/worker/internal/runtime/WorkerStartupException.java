package io.tasker.worker.internal.runtime;

/** The worker could not start: the engine refused the bootstrap, or templates could not be read. */
public class WorkerStartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkerStartupException(String message) {
        super(message);
    }

    public WorkerStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
