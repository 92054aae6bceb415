package io.tasker.worker.api.domain;

import java.util.List;
import java.util.Map;

/**
 * Shapes and gates the domain events of this worker before its subscribers see them (the TypeScript worker's
 * {@code BasePublisher}). Declare one as a CDI bean (any scope, e.g. {@code @ApplicationScoped}); it is registered
 * under {@link #publisherName()} automatically. A template selects it with {@code publisher:} in
 * {@code publishes_events}.
 *
 * <p><b>Where it applies.</b> The engine itself decides <em>whether</em> an event fires (the declaration's
 * {@code condition}) and sends {@code durable} events to its queue. For {@code fast} and {@code broadcast} events —
 * the ones delivered inside this worker — the worker runs this publisher's hooks before dispatching to
 * {@link DomainEventSubscriber}s: {@link #shouldPublish} and {@link #beforePublish} may suppress the event,
 * {@link #transformPayload} may reshape it, {@link #additionalMetadata} may enrich it.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class PaymentPublisher implements DomainEventPublisher {
 *     public String publisherName() { return "payments.PaymentPublisher"; }
 *     public Object transformPayload(EventExecutionResult r, EventDeclaration d, StepEventContext c) {
 *         return Map.of("amount", ((Map<?, ?>) r.result()).get("amount"), "task", c.taskUuid());
 *     }
 * }
 * }</pre>
 */
public interface DomainEventPublisher {

    /** The name templates refer to. Must be unique; {@code default} is reserved for {@link DefaultPublisher}. */
    String publisherName();

    /**
     * Event names or globs this publisher handles even when a template does not name it (see
     * {@link EventPatterns}); none by default.
     */
    default List<String> publishesFor() {
        return List.of();
    }

    /** The business payload subscribers receive; by default the step's result, or {@code {}}. */
    default Object transformPayload(
            EventExecutionResult stepResult, EventDeclaration declaration, StepEventContext context) {
        return stepResult.result() != null ? stepResult.result() : Map.of();
    }

    /** False suppresses the event (before any other hook). */
    default boolean shouldPublish(
            EventExecutionResult stepResult, EventDeclaration declaration, StepEventContext context) {
        return true;
    }

    /** Extra entries for {@link DomainEvent#publicationMetadata()}. */
    default Map<String, Object> additionalMetadata(
            EventExecutionResult stepResult, EventDeclaration declaration, StepEventContext context) {
        return Map.of();
    }

    /** Last look before dispatch; false aborts. */
    default boolean beforePublish(String eventName, Object payload, Map<String, Object> metadata) {
        return true;
    }

    /** Called after every subscriber has been given the event. */
    default void afterPublish(String eventName, Object payload, Map<String, Object> metadata) {}

    /** Called when a hook of this publisher threw; the event is then not dispatched. */
    default void onPublishError(String eventName, Throwable error, Object payload) {}
}
