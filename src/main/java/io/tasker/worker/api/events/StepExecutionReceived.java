package io.tasker.worker.api.events;

import java.time.Instant;

/** {@code step.execution.received}: the poller took the event from the foundation. */
public record StepExecutionReceived(
        String eventId, String taskUuid, String stepUuid, String handlerName, String stepName, Instant receivedAt)
        implements StepLifecycleEvent {}
