package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.BackoffHint;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultSerializerTest {

    private static final String STEP = "0194aaaa-0000-7000-8000-000000000001";
    private final ResultSerializer serializer = new ResultSerializer("java-worker-test");

    @Test
    void successHasTheExactShape() {
        String json = serializer.completion(STEP, StepHandlerResult.success(Map.of("result", 6)), 12, "1.0.0", false);
        assertEquals(
                "{\"step_uuid\":\"" + STEP + "\",\"success\":true,\"status\":\"completed\",\"result\":{\"result\":6},"
                        + "\"metadata\":{\"execution_time_ms\":12,\"worker_id\":\"java-worker-test\",\"retryable\":false,"
                        + "\"handler_version\":\"1.0.0\",\"custom\":{}}}",
                json);
    }

    @Test
    void nullResultBecomesEmptyObjectAndCustomIsNeverNull() {
        JsonNode n = Json.parse(serializer.completion(STEP, StepHandlerResult.success(null), 0, null, false));
        assertTrue(n.get("result").isObject());
        assertEquals(0, n.get("result").size());
        assertTrue(n.get("metadata").get("custom").isObject());
        assertFalse(n.get("metadata").has("handler_version"));
        assertFalse(n.has("error"));
        assertFalse(n.has("orchestration_metadata"));
    }

    @Test
    void executionTimeIsAlwaysAnInteger() {
        JsonNode n = Json.parse(serializer.completion(STEP, StepHandlerResult.success(Map.of()), 1234, null, false));
        assertTrue(n.get("metadata").get("execution_time_ms").isIntegralNumber());
        assertEquals(1234, n.get("metadata").get("execution_time_ms").asLong());
        JsonNode negative =
                Json.parse(serializer.completion(STEP, StepHandlerResult.success(Map.of()), -5, null, false));
        assertEquals(0, negative.get("metadata").get("execution_time_ms").asLong());
    }

    @Test
    void failurePutsErrorCodeInBothPlacesAndMetadataUnderCustom() {
        Map<String, Object> meta = new HashMap<>();
        meta.put("custom", null); // the strictness traps of docs/ffi-contract.md §5.5: harmless under custom
        meta.put("completed_at", "yesterday");
        meta.put("retryable", true);
        StepHandlerResult r = StepHandlerResult.failure("Gateway timeout", "timeout", false, meta, "GATEWAY_TIMEOUT")
                .withStatusCode(504)
                .withBacktrace(List.of("at a", "at b"));
        JsonNode n = Json.parse(serializer.completion(STEP, r, 7, null, false));
        assertEquals(STEP, n.get("step_uuid").asText());
        assertFalse(n.get("success").asBoolean());
        assertEquals("failed", n.get("status").asText());
        JsonNode m = n.get("metadata");
        assertFalse(m.get("retryable").asBoolean(), "handler metadata must not override retryable");
        assertEquals("GATEWAY_TIMEOUT", m.get("error_code").asText());
        assertEquals("timeout", m.get("error_type").asText());
        assertEquals("GATEWAY_TIMEOUT", m.get("custom").get("error_code").asText());
        assertTrue(m.get("custom").get("custom").isNull());
        assertEquals("yesterday", m.get("custom").get("completed_at").asText());
        assertFalse(m.has("completed_at"));
        JsonNode e = n.get("error");
        assertEquals("Gateway timeout", e.get("message").asText());
        assertEquals("timeout", e.get("error_type").asText());
        assertFalse(e.get("retryable").asBoolean());
        assertEquals(504, e.get("status_code").asInt());
        assertEquals(2, e.get("backtrace").size());
        assertFalse(e.has("context"), "absent context means {}; null would fail the parse");
    }

    @Test
    void retryableSystemFailureUsesStatusError() {
        StepHandlerResult r = StepHandlerResult.failure("boom", ErrorType.HANDLER_ERROR, true);
        JsonNode n = Json.parse(serializer.completion(STEP, r, 1, null, true));
        assertEquals("error", n.get("status").asText());
        assertTrue(n.get("metadata").get("retryable").asBoolean());
        assertTrue(n.get("error").get("retryable").asBoolean());
        assertFalse(n.get("error").has("status_code"));
    }

    @Test
    void retryAfterBecomesOrchestrationMetadata() {
        StepHandlerResult r = StepHandlerResult.failure("slow down", "rate_limited", true, Map.of(), null)
                .withRetryAfter(Duration.ofSeconds(30));
        JsonNode o = Json.parse(serializer.completion(STEP, r, 1, null, false)).get("orchestration_metadata");
        assertEquals("30", o.get("headers").get("Retry-After").asText());
        assertTrue(o.get("custom").isObject());
        assertEquals(
                "ServerRequested", o.get("backoff_hint").get("backoff_type").asText());
        assertEquals(30, o.get("backoff_hint").get("delay_seconds").asInt());
        assertTrue(o.get("backoff_hint").get("context").isNull());
        StepHandlerResult custom = StepHandlerResult.failure("x")
                .withBackoffHint(new BackoffHint(BackoffHint.Type.RATE_LIMIT, 5, "quota"));
        JsonNode o2 =
                Json.parse(serializer.completion(STEP, custom, 1, null, false)).get("orchestration_metadata");
        assertEquals("RateLimit", o2.get("backoff_hint").get("backoff_type").asText());
        assertEquals(0, o2.get("headers").size());
    }

    @Test
    void checkpointHasCursorEvenWhenNull() {
        StepHandlerResult r = StepHandlerResult.checkpoint(null, 5, null);
        assertEquals(
                "{\"step_uuid\":\"" + STEP + "\",\"cursor\":null,\"items_processed\":5}",
                serializer.checkpoint(STEP, r.getCheckpoint()));
        StepHandlerResult r2 = StepHandlerResult.checkpoint(Map.of("page", 3), 300, Map.of("sum", 10));
        JsonNode n = Json.parse(serializer.checkpoint(STEP, r2.getCheckpoint()));
        assertEquals(3, n.get("cursor").get("page").asInt());
        assertEquals(10, n.get("accumulated_results").get("sum").asInt());
    }

    @Test
    void minimalFailureIsValidAndEscaped() {
        JsonNode n = Json.parse(serializer.minimalFailure(STEP, "bad \"quote\"\n", 3));
        assertEquals("bad \"quote\"\n", n.get("error").get("message").asText());
        assertTrue(n.get("metadata").get("retryable").asBoolean());
        assertEquals(3, n.get("metadata").get("execution_time_ms").asLong());
        assertEquals("error", n.get("status").asText());
        assertTrue(n.get("result").isObject());
    }

    @Test
    void unserialisableResultThrowsSoTheRuntimeCanReportIt() {
        Object selfReferencing = new Object() {
            public Object getSelf() {
                return this;
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(
                RuntimeException.class,
                () -> serializer.completion(STEP, StepHandlerResult.success(selfReferencing), 1, null, false));
    }
}
