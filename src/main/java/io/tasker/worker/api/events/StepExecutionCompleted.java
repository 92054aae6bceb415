package io.tasker.worker.api.events;

import io.tasker.worker.api.StepHandlerResult;

/** {@code step.execution.completed}: the handler returned a success. */
public record StepExecutionCompleted(
        String eventId,
        String taskUuid,
        String stepUuid,
        String handlerName,
        StepHandlerResult result,
        long durationMillis)
        implements StepLifecycleEvent {}
