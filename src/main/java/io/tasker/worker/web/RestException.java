package io.tasker.worker.web;

/** A request the API refuses (400 unless given); the message names the offending field or parameter. */
final class RestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    RestException(String message) {
        this(400, message);
    }

    RestException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
