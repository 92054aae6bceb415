package io.tasker.worker.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.client.TaskerClientException;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.client.EngineClientException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds JSON responses. Envelopes are unwrapped by the client ({@code FfiTaskerClient}); a refusal maps to an
 * HTTP status by what the engine said: duplicates 409, missing things 404, other non-recoverable errors 400,
 * recoverable ones 503, and FFI-level errors (no {@code recoverable} key) 400 for bad arguments else 500.
 */
final class RestResponses {

    private RestResponses() {}

    /** 200 with the engine's data as it came. */
    static Response data(JsonNode data) {
        return json(Response.Status.OK, data.toString());
    }

    /** The status and body for a refused client call. */
    static Response fromClientException(TaskerClientException e) {
        Boolean recoverable = e instanceof EngineClientException ece ? ece.reportedRecoverable() : null;
        if (e instanceof EngineClientException ece && ece.kind() != EngineClientException.Kind.ENGINE) {
            return error(
                    ece.kind() == EngineClientException.Kind.NOT_STARTED
                            ? Response.Status.SERVICE_UNAVAILABLE
                            : Response.Status.INTERNAL_SERVER_ERROR,
                    e.getMessage());
        }
        String message = e.getMessage() == null ? "Unknown engine error" : e.getMessage();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (recoverable != null) {
            body.put("recoverable", recoverable);
        }
        return json(statusFor(message, recoverable), Json.write(body));
    }

    static Response.Status statusFor(String message, Boolean recoverable) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("already exists") || m.contains("duplicate") || m.contains("conflict")) {
            return Response.Status.CONFLICT;
        }
        if (m.contains("not found") || m.contains("no such") || m.contains("unknown task")) {
            return Response.Status.NOT_FOUND;
        }
        if (recoverable != null) {
            return recoverable ? Response.Status.SERVICE_UNAVAILABLE : Response.Status.BAD_REQUEST;
        }
        if (m.contains("invalid")
                || m.contains("validation")
                || m.contains("missing field")
                || m.contains("unknown variant")
                || m.contains("expected")) {
            return Response.Status.BAD_REQUEST;
        }
        return Response.Status.INTERNAL_SERVER_ERROR;
    }

    static Response json(Response.Status status, String body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    static Response ok(Object value) {
        return json(Response.Status.OK, Json.write(value));
    }

    static Response error(Response.Status status, String message) {
        return json(status, Json.write(Map.of("error", message)));
    }
}
