package io.tasker.worker.api.events;

/** {@code step.checkpoint_yield.sent}: a checkpoint was stored and the step will run again from it. */
public record StepCheckpointYieldSent(
        String eventId,
        String taskUuid,
        String stepUuid,
        String handlerName,
        Object cursor,
        long itemsProcessed,
        boolean accepted)
        implements StepLifecycleEvent {}
