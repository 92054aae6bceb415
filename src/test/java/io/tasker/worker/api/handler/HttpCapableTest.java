package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.BackoffHint;
import io.tasker.worker.api.StepHandlerResult;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpCapableTest {

    private final HttpCapable api = new HttpCapable() {};

    @Test
    void apiSuccessUsesAnObjectBodyAsTheResult() {
        HttpReply r = new HttpReply(200, Map.of("Content-Type", "application/json"), Map.of("id", 1));
        StepHandlerResult s = api.httpSuccess(r, null, true);
        assertTrue(s.isSuccess());
        assertEquals(Map.of("id", 1), s.getResult());
        assertEquals(
                Map.of("status_code", 200, "headers", Map.of("content-type", "application/json")), s.getMetadata());
    }

    @Test
    void apiSuccessWrapsOtherBodiesAsData() {
        assertEquals(
                Map.of("data", "hello"),
                api.httpSuccess(new HttpReply(200, null, "hello"), null, true).getResult());
        assertEquals(
                Map.of("data", List.of(1, 2)),
                api.httpSuccess(new HttpReply(200, null, List.of(1, 2))).getResult());
        Map<String, Object> nullData = new LinkedHashMap<>();
        nullData.put("data", null);
        assertEquals(nullData, api.httpSuccess(new HttpReply(204, null, null)).getResult());
    }

    @Test
    void apiSuccessWithExplicitResultAndWithoutResponse() {
        StepHandlerResult s =
                api.httpSuccess(new HttpReply(200, Map.of("a", "b"), Map.of("id", 1)), Map.of("x", 2), false);
        assertEquals(Map.of("x", 2), s.getResult());
        assertEquals(Map.of(), s.getMetadata());
    }

    @Test
    void apiFailureShapeForANonRetryableStatus() {
        HttpReply r = new HttpReply(404, Map.of("Content-Type", "application/json"), Map.of("error", "no such user"));
        StepHandlerResult f = api.httpFailure(r, null);
        assertFalse(f.isSuccess());
        assertEquals("HTTP 404: no such user", f.getErrorMessage());
        assertEquals("not_found", f.getErrorType());
        assertFalse(f.isRetryable());
        assertEquals(404, f.getStatusCode());
        assertEquals(
                Map.of(
                        "status_code",
                        404,
                        "headers",
                        Map.of("content-type", "application/json"),
                        "response_body",
                        Map.of("error", "no such user")),
                f.getMetadata());
        assertNull(f.getBackoffHint());
        assertEquals(Map.of(), f.getHeaders());
    }

    @Test
    void apiFailurePassesRetryAfterOnAsAServerRequestedBackoff() {
        HttpReply r = new HttpReply(429, Map.of("Retry-After", "30"), null);
        StepHandlerResult f = api.httpFailure(r, "slow down");
        assertEquals("slow down", f.getErrorMessage());
        assertEquals("rate_limited", f.getErrorType());
        assertTrue(f.isRetryable());
        assertEquals(
                Map.of("status_code", 429, "headers", Map.of("retry-after", "30"), "retry_after_seconds", 30),
                f.getMetadata());
        assertEquals(new BackoffHint(BackoffHint.Type.SERVER_REQUESTED, 30, null), f.getBackoffHint());
        assertEquals(Map.of("Retry-After", "30"), f.getHeaders());
    }

    @Test
    void apiFailureWithUnreadableRetryAfterUsesSixtySeconds() {
        StepHandlerResult f = api.httpFailure(new HttpReply(503, Map.of("Retry-After", "later"), "down"));
        assertEquals("HTTP 503: Service Unavailable", f.getErrorMessage());
        assertEquals("service_unavailable", f.getErrorType());
        assertEquals(60, f.getMetadata().get("retry_after_seconds"));
        assertEquals("down", f.getMetadata().get("response_body"));
        assertEquals(60, f.getBackoffHint().delaySeconds());
    }

    @Test
    void connectionAndTimeoutErrors() {
        StepHandlerResult c = api.connectionError(new ConnectException("Connection refused"), "fetching user");
        assertEquals("Connection error while fetching user: Connection refused", c.getErrorMessage());
        assertEquals("connection_error", c.getErrorType());
        assertTrue(c.isRetryable());
        assertEquals(Map.of("exception_type", "ConnectException"), c.getMetadata());

        StepHandlerResult t = api.timeoutError(new HttpTimeoutException("request timed out"), null);
        assertEquals("Request timeout: request timed out", t.getErrorMessage());
        assertEquals("timeout", t.getErrorType());
        assertTrue(t.isRetryable());
        assertEquals(Map.of("exception_type", "HttpTimeoutException"), t.getMetadata());
    }

    @Test
    void defaults() {
        assertEquals("", api.baseUrl());
        assertEquals(30, api.defaultTimeout().toSeconds());
        assertEquals(Map.of(), api.defaultHeaders());
        assertEquals("http://x/y", api.endpoint("http://x").url("/y"));
        assertEquals("https://other/z", api.endpoint("http://x").url("https://other/z"));
    }
}
