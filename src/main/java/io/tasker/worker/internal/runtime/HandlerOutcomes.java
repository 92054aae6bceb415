package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepFailureException;
import io.tasker.worker.api.StepHandlerResult;
import java.util.Map;

/**
 * How a handler's way of ending becomes a result, in one place: the runtime and the test kit's {@code HandlerTester}
 * both use it, so a handler tested alone reports exactly what it would report in the worker.
 */
public final class HandlerOutcomes {

    private HandlerOutcomes() {}

    /** A thrown {@link StepFailureException}: its own result, with the backtrace when it wraps a cause. */
    public static StepHandlerResult fromStepFailure(StepFailureException e) {
        StepHandlerResult result = e.toResult();
        return e.getCause() != null ? result.withBacktrace(ResultSerializer.backtrace(e)) : result;
    }

    /** Any other exception: a retryable {@code handler_error} naming the class, with the backtrace. */
    public static StepHandlerResult fromException(Throwable t) {
        String message = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return StepHandlerResult.failure(message, ErrorType.HANDLER_ERROR, true)
                .withMetadata(Map.of("exception_class", t.getClass().getName()))
                .withBacktrace(ResultSerializer.backtrace(t));
    }

    /** An event-form handler whose observer returned without reporting an outcome. */
    public static StepHandlerResult noOutcome(String callable, String observer) {
        return StepHandlerResult.failure(
                "Observer " + observer + " of @StepHandler(\"" + callable + "\") returned "
                        + "without an outcome: call complete(), fail(), yieldCheckpoint() or finish() on the StepExecution "
                        + "before returning",
                ErrorType.HANDLER_ERROR,
                true);
    }

    /** What an exceptionally completed stage stands for: its {@code CompletionException} wrappers removed. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                        || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A handler that returned {@code null}. */
    public static StepHandlerResult noResult(String callable) {
        return StepHandlerResult.failure(
                "Handler '" + callable + "' returned no result", ErrorType.HANDLER_ERROR, true);
    }
}
