package io.tasker.worker.api.events;

/**
 * The TypeScript worker's step lifecycle events, fired as CDI events. Observe them with {@code @Observes} (synchronous,
 * on a worker thread: received on the one that polled, started on the handler's, the outcome events on the one that
 * sent the completion; keep observers quick) or {@code @ObservesAsync}.
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
