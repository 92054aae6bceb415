package io.tasker.worker.api.events;

/**
 * {@code step.completion.sent}: the result was handed to the foundation. {@code accepted} is false when the
 * foundation refused it (for example after its completion timeout).
 */
public record StepCompletionSent(
        String eventId, String taskUuid, String stepUuid, String handlerName, boolean success, boolean accepted)
        implements StepLifecycleEvent {}
