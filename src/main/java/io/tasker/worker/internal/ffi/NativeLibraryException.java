package io.tasker.worker.internal.ffi;

import io.tasker.worker.api.WorkerStartupException;

/** The engine library could not be found or loaded. The message names the path tried and the platform. */
public class NativeLibraryException extends WorkerStartupException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
