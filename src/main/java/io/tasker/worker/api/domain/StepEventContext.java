package io.tasker.worker.api.domain;

import java.util.Map;

/**
 * The step an event is about, as publishers see it (the TypeScript worker's {@code StepEventContext}).
 *
 * @param taskUuid      the task
 * @param stepUuid      the step
 * @param stepName      the step's name
 * @param namespace     the task's namespace
 * @param correlationId the task's correlation id
 * @param result        the step's result, may be {@code null}
 * @param metadata      the step's execution metadata, never {@code null}
 */
public record StepEventContext(
        String taskUuid,
        String stepUuid,
        String stepName,
        String namespace,
        String correlationId,
        Object result,
        Map<String, Object> metadata) {

    public StepEventContext {
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** The context of the step that fired {@code event}. */
    public static StepEventContext of(DomainEvent event) {
        DomainEventMetadata m = event.metadata();
        return new StepEventContext(
                m.taskUuid(),
                m.stepUuid(),
                m.stepName(),
                m.namespace(),
                m.correlationId(),
                event.executionResult().result(),
                event.executionResult().metadata());
    }
}
