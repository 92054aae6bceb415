package io.tasker.worker.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.Json;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CreateTaskRequestTest {

    private static JsonNode build(String body) {
        return Json.parse(CreateTaskRequest.toEngineJson(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String refused(String body) {
        return assertThrows(
                        RestException.class,
                        () -> CreateTaskRequest.toEngineJson(body.getBytes(StandardCharsets.UTF_8)))
                .getMessage();
    }

    @Test
    void fillsTheClientDefaultsAndOmitsRequestedAt() {
        JsonNode r = build("{\"name\":\"linear_workflow\"}");
        assertEquals("linear_workflow", r.path("name").asText());
        assertEquals("default", r.path("namespace").asText());
        assertEquals("1.0.0", r.path("version").asText());
        assertTrue(r.path("context").isObject());
        assertEquals(CreateTaskRequest.DEFAULT_INITIATOR, r.path("initiator").asText());
        assertEquals("tasker-core", r.path("source_system").asText());
        assertEquals("Task requested", r.path("reason").asText());
        assertEquals(0, r.path("tags").size());
        assertEquals(36, r.path("correlation_id").asText().length());
        assertFalse(r.has("requested_at"));
        assertFalse(r.has("priority"));
    }

    @Test
    void keepsGivenValues() {
        JsonNode r = build(
                "{\"name\":\"n\",\"namespace\":\"examples\",\"context\":{\"value\":3},\"tags\":[\"a\"],"
                        + "\"priority\":5,\"idempotency_key\":\"k\",\"correlation_id\":\"0194AAAA-0000-7000-8000-000000000001\"}");
        assertEquals(3, r.path("context").path("value").asInt());
        assertEquals("a", r.path("tags").get(0).asText());
        assertEquals(5, r.path("priority").asInt());
        assertEquals("k", r.path("idempotency_key").asText());
        assertEquals(
                "0194aaaa-0000-7000-8000-000000000001", r.path("correlation_id").asText());
    }

    @Test
    void refusalsNameTheField() {
        assertTrue(refused("{}").contains("'name'"));
        assertTrue(refused("{\"name\":3}").contains("'name'"));
        assertTrue(refused("{\"name\":\"n\",\"context\":\"x\"}").contains("'context'"));
        assertTrue(refused("{\"name\":\"n\",\"tags\":[1]}").contains("'tags'"));
        assertTrue(refused("{\"name\":\"n\",\"priority\":1.5}").contains("'priority'"));
        assertTrue(refused("{\"name\":\"n\",\"correlation_id\":\"nope\"}").contains("'correlation_id'"));
        assertTrue(refused("{\"name\":\"n\",\"requested_at\":\"2026-01-01T00:00:00Z\"}")
                .contains("'requested_at'"));
        assertTrue(refused("[1]").contains("object"));
        assertTrue(refused("{oops").contains("JSON"));
    }

    /** Status mapping of engine errors (the Response itself needs the JAX-RS runtime, so only the decision). */
    @Test
    void engineErrorStatusMapping() {
        Boolean no = Boolean.FALSE;
        Boolean yes = Boolean.TRUE;
        assertEquals(
                Response.Status.CONFLICT,
                RestResponses.statusFor("API error (409): A task with the same identity already exists", no));
        assertEquals(Response.Status.NOT_FOUND, RestResponses.statusFor("API error (404): Task not found", no));
        assertEquals(Response.Status.BAD_REQUEST, RestResponses.statusFor("bad request", no));
        assertEquals(Response.Status.SERVICE_UNAVAILABLE, RestResponses.statusFor("busy", yes));
        assertEquals(
                Response.Status.BAD_REQUEST,
                RestResponses.statusFor("client_get_task failed: Invalid argument: Invalid UUID", null));
        assertEquals(
                Response.Status.INTERNAL_SERVER_ERROR,
                RestResponses.statusFor("Runtime error: Client not initialized", null));
    }
}
