package io.tasker.worker.api;

/**
 * The worker could not start. The root of every startup problem, so one catch (or one log search) covers them: a
 * setting missing or malformed (a subclass for configuration), the engine library not found or not loadable (a
 * subclass for the library), templates that cannot be read, or a bootstrap the engine refused. The message says
 * which, naming the key, file or path.
 */
public class WorkerStartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkerStartupException(String message) {
        super(message);
    }

    public WorkerStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
