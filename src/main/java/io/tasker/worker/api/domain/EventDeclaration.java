package io.tasker.worker.api.domain;

import java.util.Map;

/**
 * One entry of a template step's {@code publishes_events}.
 *
 * @param name         the event name, {@code namespace.action}
 * @param description  what it means
 * @param condition    {@code success} (default), {@code failure}, {@code retryable_failure},
 *                     {@code permanent_failure} or {@code always}
 * @param deliveryMode {@code durable} (default), {@code fast} (in-process, what this worker's subscribers see) or
 *                     {@code broadcast}
 * @param publisher    the custom publisher's name, or {@code null} for {@code default}
 * @param schema       the payload's JSON Schema, may be {@code null}
 */
public record EventDeclaration(
        String name,
        String description,
        String condition,
        String deliveryMode,
        String publisher,
        Map<String, Object> schema) {

    public EventDeclaration {
        condition = condition == null ? "success" : condition;
        deliveryMode = deliveryMode == null ? "durable" : deliveryMode;
    }

    /** A declaration built from the template's snake_case map. */
    @SuppressWarnings("unchecked")
    public static EventDeclaration fromMap(Map<String, ?> m) {
        Object schema = m.get("schema");
        return new EventDeclaration(
                str(m.get("name")),
                str(m.get("description")),
                str(m.get("condition")),
                str(m.get("delivery_mode")),
                str(m.get("publisher")),
                schema instanceof Map<?, ?> s ? (Map<String, Object>) s : null);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
