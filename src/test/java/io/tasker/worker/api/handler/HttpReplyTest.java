package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpReplyTest {

    private static HttpReply withHeader(int status, String name, String value) {
        return new HttpReply(status, Map.of(name, value), null);
    }

    @Test
    void headerNamesAreLowerCased() {
        HttpReply r = new HttpReply(200, Map.of("Content-Type", "application/json", "X-Request-ID", "abc"), null);
        assertEquals(Map.of("content-type", "application/json", "x-request-id", "abc"), r.headers());
        assertEquals("abc", r.header("X-Request-Id"));
    }

    @Test
    void statusFamilies() {
        assertTrue(new HttpReply(204, null, null).ok());
        assertFalse(new HttpReply(301, null, null).ok());
        assertTrue(new HttpReply(404, null, null).isClientError());
        assertFalse(new HttpReply(404, null, null).isServerError());
        assertTrue(new HttpReply(502, null, null).isServerError());
    }

    @Test
    void retryableStatusesAreExactlyTheTypeScriptWorkersSet() {
        for (int s = 100; s < 600; s++) {
            boolean expected = List.of(408, 429, 500, 502, 503, 504).contains(s);
            assertEquals(expected, new HttpReply(s, null, null).isRetryable(), "status " + s);
        }
    }

    @Test
    void retryAfterSeconds() {
        assertNull(new HttpReply(429, Map.of(), null).retryAfter());
        assertEquals(30, withHeader(429, "Retry-After", "30").retryAfter());
        assertEquals(7, withHeader(503, "retry-after", " 7 ").retryAfter());
        assertEquals(60, withHeader(429, "Retry-After", "soon").retryAfter());
        assertEquals(0, withHeader(429, "Retry-After", "-5").retryAfter());
    }

    @Test
    void retryAfterHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
        assertEquals(
                90,
                withHeader(503, "Retry-After", "Sat, 28 Nov 2026 12:01:30 GMT").retryAfter(clock));
        assertEquals(
                0,
                withHeader(503, "Retry-After", "Sat, 28 Nov 2026 11:00:00 GMT").retryAfter(clock));
    }

    @Test
    void toMapHasTheTypeScriptWorkersKeys() {
        HttpReply r = new HttpReply(201, Map.of("A", "b"), Map.of("id", 1));
        assertEquals(Map.of("status_code", 201, "headers", Map.of("a", "b"), "body", Map.of("id", 1)), r.toMap());
    }

    @Test
    void bodyHelpers() {
        HttpReply r = new HttpReply(200, null, Map.of("id", 3, "name", "x"));
        assertEquals(3, r.bodyAsMap().get("id"));
        assertNull(new HttpReply(200, null, "text").bodyAsMap());
        record User(int id, String name) {}
        assertEquals(new User(3, "x"), r.bodyAs(User.class));
    }
}
