package io.tasker.worker.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.internal.Json;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/**
 * Validates a {@code POST /api/tasks} body and builds the engine's {@code TaskRequest}, filling the client
 * defaults (namespace {@code default}, version {@code 1.0.0}, context {@code {}}, source system
 * {@code tasker-core}, reason {@code Task requested}, tags {@code []}, a random correlation id). The initiator
 * defaults to {@value #DEFAULT_INITIATOR}. {@code requested_at} is never sent: the engine sets it (contract TAS-283).
 */
final class CreateTaskRequest {

    static final String DEFAULT_INITIATOR = "tasker-worker-jakarta";
    private static final Set<String> KNOWN = Set.of(
            "name",
            "namespace",
            "version",
            "context",
            "initiator",
            "source_system",
            "reason",
            "tags",
            "priority",
            "correlation_id",
            "parent_correlation_id",
            "idempotency_key",
            "options");

    private CreateTaskRequest() {}

    static String toEngineJson(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new RestException("The body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new RestException("The body must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!KNOWN.contains(field)) {
                throw new RestException("Unknown field '" + field + "'");
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("name", text(root, "name", null, 255, true));
        out.put("namespace", text(root, "namespace", "default", 255, false));
        out.put("version", text(root, "version", "1.0.0", 50, false));
        JsonNode context = root.get("context");
        if (context == null || context.isNull()) {
            out.putObject("context");
        } else if (context.isObject()) {
            out.set("context", context);
        } else {
            throw new RestException("Field 'context' must be a JSON object");
        }
        out.put("initiator", text(root, "initiator", DEFAULT_INITIATOR, 255, false));
        out.put("source_system", text(root, "source_system", "tasker-core", 255, false));
        out.put("reason", text(root, "reason", "Task requested", 1000, false));
        ArrayNode tags = out.putArray("tags");
        JsonNode given = root.get("tags");
        if (given != null && !given.isNull()) {
            if (!given.isArray()) {
                throw new RestException("Field 'tags' must be an array of strings");
            }
            for (JsonNode t : given) {
                if (!t.isTextual()) {
                    throw new RestException("Field 'tags' must be an array of strings");
                }
                tags.add(t.asText());
            }
        }
        JsonNode priority = root.get("priority");
        if (priority != null && !priority.isNull()) {
            if (!priority.canConvertToInt()
                    || !priority.isIntegralNumber()
                    || priority.asInt() < -100
                    || priority.asInt() > 100) {
                throw new RestException("Field 'priority' must be an integer from -100 to 100");
            }
            out.put("priority", priority.asInt());
        }
        out.put("correlation_id", uuid(root, "correlation_id", true));
        String parent = uuid(root, "parent_correlation_id", false);
        if (parent != null) {
            out.put("parent_correlation_id", parent);
        }
        String idempotencyKey = text(root, "idempotency_key", null, 255, false);
        if (idempotencyKey != null) {
            out.put("idempotency_key", idempotencyKey);
        }
        JsonNode options = root.get("options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw new RestException("Field 'options' must be a JSON object");
            }
            out.set("options", options);
        }
        return out.toString();
    }

    private static String text(JsonNode root, String field, String fallback, int maxLength, boolean required) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new RestException("Field '" + field + "' is required");
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw new RestException("Field '" + field + "' must be a string");
        }
        String s = v.asText();
        if (s.isBlank()) {
            throw new RestException("Field '" + field + "' must not be empty");
        }
        if (s.length() > maxLength) {
            throw new RestException("Field '" + field + "' is longer than " + maxLength + " characters");
        }
        return s;
    }

    private static String uuid(JsonNode root, String field, boolean generate) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return generate ? UUID.randomUUID().toString() : null;
        }
        if (!v.isTextual() || !Uuids.isUuid(v.asText())) {
            throw new RestException("Field '" + field + "' must be a UUID");
        }
        return v.asText().toLowerCase();
    }
}
