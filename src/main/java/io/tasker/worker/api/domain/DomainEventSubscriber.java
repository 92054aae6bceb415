package io.tasker.worker.api.domain;

import java.util.List;

/**
 * Reacts to domain events delivered inside this worker ({@code delivery_mode: fast} or {@code broadcast}), the TypeScript
 * worker's {@code BaseSubscriber}. Declare one as a CDI bean and it is registered and started automatically.
 *
 * <p>{@link #handle} runs on a container-managed thread, one event at a time per worker, so keep it short (hand
 * long work to a {@code ManagedExecutorService}). Whatever it throws goes to {@link #onHandleError}; it never stops
 * delivery to other subscribers or of later events.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class OrderAudit implements DomainEventSubscriber {
 *     public List<String> subscribesTo() { return List.of("order.*"); }
 *     public void handle(DomainEvent event) { audit.record(event.eventName(), event.payloadAsMap()); }
 * }
 * }</pre>
 */
public interface DomainEventSubscriber {

    /** Event names or globs ({@link EventPatterns}); everything by default. */
    default List<String> subscribesTo() {
        return List.of("*");
    }

    /** Handles one event. */
    void handle(DomainEvent event) throws Exception;

    /** False skips this event for this subscriber. */
    default boolean beforeHandle(DomainEvent event) {
        return true;
    }

    /** Called after {@link #handle} returned normally. */
    default void afterHandle(DomainEvent event) {}

    /** Called when {@link #handle} (or a hook) threw. */
    default void onHandleError(DomainEvent event, Throwable error) {}

    /** Whether this subscriber wants {@code eventName}. */
    default boolean matches(String eventName) {
        return EventPatterns.matchesAny(subscribesTo(), eventName);
    }
}
