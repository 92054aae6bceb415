package io.tasker.worker.api.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A business event fired by the engine after a step completed, as a subscriber receives it.
 *
 * <p>Parsed from the engine's in-process event JSON ({@code {eventId, eventName, eventVersion, metadata, payload:
 * {task_sequence_step, execution_result, payload}}}). {@link #payload()} is the business payload (for the default
 * publisher, the step's result, possibly reshaped by a custom {@link DomainEventPublisher});
 * {@link #executionResult()} is the step's <em>real</em> outcome, so a {@code condition: failure} event reports the
 * failure.
 *
 * @param eventId             unique id (UUIDv7)
 * @param eventName           e.g. {@code order.shipped}
 * @param eventVersion        schema version, e.g. {@code 1.0}
 * @param metadata            where it came from
 * @param payload             the business payload: a {@code Map} for object payloads, may be {@code null}
 * @param executionResult     the outcome of the step that fired it
 * @param taskSequenceStep    the raw step snapshot ({@code task}, {@code workflow_step}, {@code dependency_results},
 *                            {@code step_definition}), never {@code null}
 * @param publisher           the publisher that delivered it ({@code default} unless a custom one handled it)
 * @param publicationMetadata what the publisher added ({@code publisher}, {@code published_at}, …), never {@code null}
 */
public record DomainEvent(
        String eventId,
        String eventName,
        String eventVersion,
        DomainEventMetadata metadata,
        Object payload,
        EventExecutionResult executionResult,
        Map<String, Object> taskSequenceStep,
        String publisher,
        Map<String, Object> publicationMetadata) {

    public DomainEvent {
        taskSequenceStep = taskSequenceStep == null ? Map.of() : taskSequenceStep;
        publisher = publisher == null ? DefaultPublisher.NAME : publisher;
        publicationMetadata = publicationMetadata == null ? Map.of() : publicationMetadata;
    }

    /**
     * Parses one event from the engine.
     *
     * @throws IllegalArgumentException when the JSON is malformed or has no {@code eventName}
     */
    public static DomainEvent fromJson(String json) {
        JsonNode root = Json.parse(json);
        if (!root.isObject() || !root.path("eventName").isTextual()) {
            throw new IllegalArgumentException("Not a domain event: " + abbreviate(json));
        }
        JsonNode meta = root.path("metadata");
        JsonNode outer = root.path("payload");
        JsonNode exec = outer.path("execution_result");
        DomainEventMetadata metadata = new DomainEventMetadata(
                text(meta, "taskUuid"),
                text(meta, "stepUuid"),
                text(meta, "stepName"),
                text(meta, "namespace"),
                text(meta, "correlationId"),
                instant(text(meta, "firedAt")),
                text(meta, "firedBy"));
        EventExecutionResult result = new EventExecutionResult(
                exec.path("success").asBoolean(false),
                text(exec, "status"),
                plain(exec.get("result")),
                map(exec.get("error")),
                map(exec.get("metadata")));
        return new DomainEvent(
                text(root, "eventId"),
                root.path("eventName").asText(),
                text(root, "eventVersion"),
                metadata,
                plain(outer.get("payload")),
                result,
                map(outer.get("task_sequence_step")),
                null,
                null);
    }

    /** The business payload as a map ({@code {}} when it is not a JSON object). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> payloadAsMap() {
        return payload instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The business payload bound to a record or POJO. */
    public <T> T payloadAs(Class<T> type) {
        return payload == null ? null : Json.MAPPER.convertValue(payload, type);
    }

    /** {@code task_sequence_step.step_definition}, or {@code {}}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> stepDefinition() {
        return taskSequenceStep.get("step_definition") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The template's {@code publishes_events} of the firing step. */
    @SuppressWarnings("unchecked")
    public List<EventDeclaration> declarations() {
        List<EventDeclaration> out = new ArrayList<>();
        if (stepDefinition().get("publishes_events") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.add(EventDeclaration.fromMap((Map<String, ?>) m));
                }
            }
        }
        return out;
    }

    /** This event's declaration (matched by name), or {@code null}. */
    public EventDeclaration declaration() {
        return declarations().stream()
                .filter(d -> eventName.equals(d.name()))
                .findFirst()
                .orElse(null);
    }

    /**
     * The publisher the template names for this step: like the engine, the first declaration's {@code publisher}
     * decides; {@code null} when none is named.
     */
    public String declaredPublisher() {
        List<EventDeclaration> all = declarations();
        return all.isEmpty() ? null : all.get(0).publisher();
    }

    /** A copy as delivered by {@code publisherName}, with its payload and added metadata. */
    public DomainEvent withPublication(String publisherName, Object newPayload, Map<String, Object> extra) {
        return new DomainEvent(
                eventId,
                eventName,
                eventVersion,
                metadata,
                newPayload,
                executionResult,
                taskSequenceStep,
                publisherName,
                extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra)));
    }

    /** A short description for logs (no payload). */
    @Override
    public String toString() {
        return "DomainEvent[" + eventName + " " + eventId + " task=" + metadata.taskUuid() + " step="
                + metadata.stepName() + " success=" + executionResult.success() + "]";
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null; // a bad timestamp must not cost the event
        }
    }

    private static Object plain(JsonNode node) {
        return node == null || node.isNull() ? null : Json.MAPPER.convertValue(node, Object.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return Collections.unmodifiableMap(Json.MAPPER.convertValue(node, LinkedHashMap.class));
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
