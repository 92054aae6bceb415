package io.tasker.worker.api.domain;

import java.time.Instant;

/**
 * Where a domain event came from ({@code metadata} of the engine's in-process event).
 *
 * @param taskUuid      the task
 * @param stepUuid      the step whose completion fired it, may be {@code null}
 * @param stepName      that step's name, may be {@code null}
 * @param namespace     the task's namespace
 * @param correlationId the task's correlation id
 * @param firedAt       when it was fired
 * @param firedBy       what fired it (e.g. the worker or publisher id)
 */
public record DomainEventMetadata(
        String taskUuid,
        String stepUuid,
        String stepName,
        String namespace,
        String correlationId,
        Instant firedAt,
        String firedBy) {}
