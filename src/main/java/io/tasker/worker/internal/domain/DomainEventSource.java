package io.tasker.worker.internal.domain;

/**
 * Where the in-process domain event poller reads from: one event JSON per call, {@code null} when none is waiting.
 * The server uses the engine's {@code poll_in_process_events}; a CDI bean implementing this interface replaces it
 * (tests, alternative engines).
 */
@FunctionalInterface
public interface DomainEventSource {

    /** The next event JSON, or {@code null}. Must not block. */
    String poll();
}
