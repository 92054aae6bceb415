package io.tasker.worker.api.handler;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepHandlerResult;
import java.net.http.HttpTimeoutException;
import java.util.Map;

/**
 * A request that got no HTTP response: the connection failed or timed out. Thrown by the {@link HttpEndpoint} methods.
 *
 * <p>It is a {@link RetryableStepException}, so a handler that lets it escape is reported exactly like the TypeScript worker's
 * {@code timeoutError}/{@code connectionError} results: error type {@code timeout} or {@code connection_error},
 * retryable, message {@code "Request timeout while GET https://…: …"}, metadata {@code exception_type}.
 * Catch it to decide otherwise; {@link #toResult()} gives the classified result.
 */
public class HttpTransportException extends RetryableStepException {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    HttpTransportException(boolean timeout, String message, Throwable cause) {
        super(
                message,
                timeout ? ErrorType.TIMEOUT.value() : ErrorType.CONNECTION_ERROR.value(),
                null,
                Map.of("exception_type", cause.getClass().getSimpleName()),
                cause);
        this.timeout = timeout;
    }

    /** Classifies a transport failure of the request described by {@code context} (e.g. {@code GET https://…}). */
    public static HttpTransportException of(Throwable cause, String context) {
        StepHandlerResult classified = isTimeout(cause)
                ? HttpCapable.timeoutResult(cause, context)
                : HttpCapable.connectionResult(cause, context);
        return new HttpTransportException(isTimeout(cause), classified.getErrorMessage(), cause);
    }

    /** True when the request timed out (connect or response); false for other connection failures. */
    public boolean isTimeout() {
        return timeout;
    }

    static boolean isTimeout(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
