package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpClassificationTest {

    @Test
    void typeScriptWorkersClassificationMap() {
        Map<Integer, String> expected = Map.ofEntries(
                Map.entry(400, "bad_request"),
                Map.entry(401, "unauthorized"),
                Map.entry(403, "forbidden"),
                Map.entry(404, "not_found"),
                Map.entry(405, "method_not_allowed"),
                Map.entry(408, "request_timeout"),
                Map.entry(409, "conflict"),
                Map.entry(410, "gone"),
                Map.entry(422, "unprocessable_entity"),
                Map.entry(429, "rate_limited"),
                Map.entry(500, "internal_server_error"),
                Map.entry(502, "bad_gateway"),
                Map.entry(503, "service_unavailable"),
                Map.entry(504, "gateway_timeout"));
        expected.forEach(
                (status, type) -> assertEquals(type, HttpClassification.errorType(status), "status " + status));
    }

    @Test
    void fallbacksByFamily() {
        assertEquals("client_error", HttpClassification.errorType(418));
        assertEquals("client_error", HttpClassification.errorType(499));
        assertEquals("server_error", HttpClassification.errorType(501));
        assertEquals("server_error", HttpClassification.errorType(599));
        assertEquals("http_error", HttpClassification.errorType(302));
        assertEquals("http_error", HttpClassification.errorType(600));
    }

    private static String message(int status, Object body) {
        return HttpClassification.message(new HttpReply(status, Map.of(), body));
    }

    @Test
    void messageTakesTheFirstStringAmongTheDetailKeys() {
        assertEquals("HTTP 400: bad field", message(400, Map.of("error", "bad field", "message", "other")));
        assertEquals("HTTP 400: from message", message(400, Map.of("message", "from message", "detail", "d")));
        assertEquals("HTTP 422: d", message(422, Map.of("detail", "d", "msg", "m")));
        assertEquals("HTTP 422: em", message(422, Map.of("error_message", "em", "msg", "m")));
        assertEquals("HTTP 422: m", message(422, Map.of("msg", "m")));
    }

    @Test
    void nestedMessageAndNonStringsAreHandled() {
        assertEquals("HTTP 400: nested", message(400, Map.of("error", Map.of("code", 7, "message", "nested"))));
        // a non-string error is skipped in favour of a later string key
        assertEquals("HTTP 400: later", message(400, Map.of("error", 42, "detail", "later")));
    }

    @Test
    void messageFallsBackToStatusTextThenHttpError() {
        assertEquals("HTTP 503: Service Unavailable", message(503, "plain text body"));
        assertEquals("HTTP 404: Not Found", message(404, Map.of("unrelated", "x")));
        assertEquals("HTTP 299: HTTP Error", message(299, null));
    }
}
