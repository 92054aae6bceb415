package io.tasker.worker.internal.ffi;

/** The engine library could not be found or loaded. The message names the path tried and the platform. */
public class NativeLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
