package io.tasker.worker.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Unwraps the engine's client envelopes and builds JSON responses.
 *
 * <p>{@code success:true} gives the {@code data} value as it came from the engine. {@code success:false} maps to an
 * HTTP status by what the engine said: duplicates 409, missing things 404, other non-recoverable errors 400,
 * recoverable ones 503, and FFI-level errors (no {@code recoverable} key) 400 for bad arguments else 500.
 */
final class ApiResponses {

    private ApiResponses() {
    }

    static Response fromEnvelope(String envelope, Response.Status successStatus) {
        if (envelope == null) {
            return error(Response.Status.INTERNAL_SERVER_ERROR, "The engine returned nothing");
        }
        JsonNode node;
        try {
            node = Json.parse(envelope);
        } catch (IllegalArgumentException e) {
            return error(Response.Status.INTERNAL_SERVER_ERROR, "The engine returned malformed JSON");
        }
        if (node.path("success").asBoolean(false)) {
            JsonNode data = node.get("data");
            return json(successStatus, data == null ? "null" : data.toString());
        }
        String message = node.path("error").asText("Unknown engine error");
        JsonNode recoverable = node.get("recoverable");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (recoverable != null && !recoverable.isNull()) {
            body.put("recoverable", recoverable.asBoolean());
        }
        return json(statusFor(message, recoverable), Json.write(body));
    }

    static Response.Status statusFor(String message, JsonNode recoverable) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("already exists") || m.contains("duplicate") || m.contains("conflict")) {
            return Response.Status.CONFLICT;
        }
        if (m.contains("not found") || m.contains("no such") || m.contains("unknown task")) {
            return Response.Status.NOT_FOUND;
        }
        if (recoverable != null && !recoverable.isNull()) {
            return recoverable.asBoolean() ? Response.Status.SERVICE_UNAVAILABLE : Response.Status.BAD_REQUEST;
        }
        if (m.contains("invalid") || m.contains("validation") || m.contains("missing field")
                || m.contains("unknown variant") || m.contains("expected")) {
            return Response.Status.BAD_REQUEST;
        }
        return Response.Status.INTERNAL_SERVER_ERROR;
    }

    static Response json(Response.Status status, String body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    static Response ok(Object value) {
        return json(Response.Status.OK, Json.write(value));
    }

    static Response error(Response.Status status, String message) {
        return json(status, Json.write(Map.of("error", message)));
    }
}
