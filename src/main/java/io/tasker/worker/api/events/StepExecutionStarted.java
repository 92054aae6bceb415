package io.tasker.worker.api.events;

import java.time.Instant;

/**
 * {@code step.execution.started}: the handler is about to run (on the handler's thread).
 *
 * @param attempt           1 on the first execution
 * @param correlationId     the dispatch's correlation id (the event's {@code correlation_id})
 * @param taskCorrelationId the task's stable correlation id
 */
public record StepExecutionStarted(
        String eventId,
        String taskUuid,
        String stepUuid,
        String handlerName,
        String stepName,
        int attempt,
        Instant startedAt,
        String correlationId,
        String taskCorrelationId)
        implements StepLifecycleEvent {}
