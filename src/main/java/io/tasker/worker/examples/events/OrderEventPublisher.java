package io.tasker.worker.examples.events;

import io.tasker.worker.api.domain.DomainEventPublisher;
import io.tasker.worker.api.domain.EventDeclaration;
import io.tasker.worker.api.domain.EventExecutionResult;
import io.tasker.worker.api.domain.StepEventContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shapes {@code order.*} events for subscribers: amounts in cents (no floating point downstream), the task id
 * alongside, and a {@code source} tag in the publication metadata. Named in the template with
 * {@code publisher: event_examples.order_publisher}.
 */
@ApplicationScoped
public class OrderEventPublisher implements DomainEventPublisher {

    public static final String NAME = "event_examples.order_publisher";

    @Override
    public String publisherName() {
        return NAME;
    }

    @Override
    public Object transformPayload(
            EventExecutionResult stepResult, EventDeclaration declaration, StepEventContext context) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (stepResult.result() instanceof Map<?, ?> result) {
            out.put("order_id", result.get("order_id"));
            if (result.get("amount") instanceof Number amount) {
                out.put("amount_cents", Math.round(amount.doubleValue() * 100));
            }
        }
        out.put("task_uuid", context.taskUuid());
        return out;
    }

    @Override
    public Map<String, Object> additionalMetadata(
            EventExecutionResult stepResult, EventDeclaration declaration, StepEventContext context) {
        return Map.of("source", "order-service");
    }
}
