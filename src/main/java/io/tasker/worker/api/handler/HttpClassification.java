package io.tasker.worker.api.handler;

import java.util.List;
import java.util.Map;

/**
 * How the API helpers turn an HTTP failure into an error type and a message (the TypeScript worker's classification map).
 *
 * <p>400 {@code bad_request}, 401 {@code unauthorized}, 403 {@code forbidden}, 404 {@code not_found},
 * 405 {@code method_not_allowed}, 408 {@code request_timeout}, 409 {@code conflict}, 410 {@code gone},
 * 422 {@code unprocessable_entity}, 429 {@code rate_limited}, 500 {@code internal_server_error},
 * 502 {@code bad_gateway}, 503 {@code service_unavailable}, 504 {@code gateway_timeout}; any other 4xx
 * {@code client_error}, 5xx {@code server_error}, anything else {@code http_error}.
 */
public final class HttpClassification {

    private static final Map<Integer, String> ERROR_TYPES = Map.ofEntries(
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

    /** Standard reason phrases; {@code java.net.http} does not expose the server's. */
    private static final Map<Integer, String> STATUS_TEXT = Map.ofEntries(
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"),
            Map.entry(407, "Proxy Authentication Required"),
            Map.entry(408, "Request Timeout"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"),
            Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Payload Too Large"),
            Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"),
            Map.entry(418, "I'm a Teapot"),
            Map.entry(421, "Misdirected Request"),
            Map.entry(422, "Unprocessable Entity"),
            Map.entry(423, "Locked"),
            Map.entry(424, "Failed Dependency"),
            Map.entry(425, "Too Early"),
            Map.entry(426, "Upgrade Required"),
            Map.entry(428, "Precondition Required"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(451, "Unavailable For Legal Reasons"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"),
            Map.entry(507, "Insufficient Storage"),
            Map.entry(508, "Loop Detected"),
            Map.entry(511, "Network Authentication Required"));

    /** Body keys searched, in order, for a server-supplied error message. */
    private static final List<String> DETAIL_KEYS = List.of("error", "message", "detail", "error_message", "msg");

    private HttpClassification() {}

    /** The error type for a status, e.g. {@code 429 → rate_limited}. */
    public static String errorType(int status) {
        String known = ERROR_TYPES.get(status);
        if (known != null) {
            return known;
        }
        if (status >= 400 && status < 500) {
            return "client_error";
        }
        if (status >= 500 && status < 600) {
            return "server_error";
        }
        return "http_error";
    }

    /** The standard reason phrase, or {@code null}. */
    public static String statusText(int status) {
        return STATUS_TEXT.get(status);
    }

    /**
     * {@code HTTP <code>: <detail>}, where the detail is the first string among the body keys
     * {@code error, message, detail, error_message, msg} (or their nested {@code .message}), else the standard
     * status text, else {@code HTTP Error}.
     */
    public static String message(HttpReply response) {
        return "HTTP " + response.statusCode() + ": " + detail(response);
    }

    static String detail(HttpReply response) {
        if (response.body() instanceof Map<?, ?> body) {
            for (String key : DETAIL_KEYS) {
                Object value = body.get(key);
                if (value instanceof String s) {
                    return s;
                }
                if (value instanceof Map<?, ?> nested && nested.get("message") instanceof String s) {
                    return s;
                }
            }
        }
        String text = statusText(response.statusCode());
        return text != null ? text : "HTTP Error";
    }
}
