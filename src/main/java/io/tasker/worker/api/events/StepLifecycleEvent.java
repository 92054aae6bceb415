package io.tasker.worker.api.events;

/**
 * The TypeScript worker's step lifecycle events, fired as CDI events. Observe them with {@code @Observes} (synchronous, on the
 * handler's thread: keep observers quick) or {@code @ObservesAsync}.
 *
 * <p>Every event names the dispatch ({@code eventId}), the task and step, and the handler.
 */
public sealed interface StepLifecycleEvent
        permits StepExecutionReceived,
                StepExecutionStarted,
                StepExecutionCompleted,
                StepExecutionFailed,
                StepCompletionSent,
                StepCheckpointYieldSent {

    String eventId();

    String taskUuid();

    String stepUuid();

    String handlerName();
}
