package io.tasker.worker.api.events;

import io.tasker.worker.api.StepHandlerResult;

/** {@code step.execution.failed}: the handler returned a failure, threw, timed out, or was not found. */
public record StepExecutionFailed(
        String eventId,
        String taskUuid,
        String stepUuid,
        String handlerName,
        StepHandlerResult result,
        long durationMillis)
        implements StepLifecycleEvent {

    public String errorType() {
        return result.getErrorType();
    }

    public boolean retryable() {
        return result.isRetryable();
    }
}
