package io.tasker.worker.api;

/**
 * The identity of one step execution and its attempts, from {@link StepContext#info()}: which event, step, task and
 * handler, and how many times the step has run before.
 */
public interface StepInfo {

    /** The dispatch event, unique per execution (a retry is a new event). */
    String getEventId();

    String getTaskUuid();

    String getStepUuid();

    /** The per-dispatch correlation id (not the task's; see {@link #getTaskCorrelationId()}). */
    String getCorrelationId();

    /** The task's stable correlation id. */
    String getTaskCorrelationId();

    /** The handler callable this execution was routed by. */
    String getHandlerName();

    /** The concrete step name (for batch workers, e.g. {@code process_batch_001}). */
    String getStepName();

    /** The template step the step was created from (equal to {@link #getStepName()} except for batch workers). */
    String getTemplateStepName();

    String getTaskName();

    String getNamespace();

    String getTaskVersion();

    /** Earlier executions of this step: 0 on the first run. */
    int getRetryCount();

    /** The step's {@code max_attempts}. */
    int getMaxRetries();

    default boolean isRetry() {
        return getRetryCount() > 0;
    }

    /** True when a failure now leaves no attempt for a retry. */
    default boolean isLastRetry() {
        return getRetryCount() >= getMaxRetries() - 1;
    }
}
