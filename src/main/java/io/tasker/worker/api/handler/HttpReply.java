package io.tasker.worker.api.handler;

import io.tasker.worker.internal.Json;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An HTTP response as the API helpers see it (the TypeScript worker's {@code HttpReply}).
 *
 * <p>Header names are lower-cased (repeated headers are joined with {@code ", "}). The body is parsed JSON — plain
 * Java values: {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} — when the content type
 * contains {@code application/json}, otherwise the text as received. Immutable.
 *
 * @param statusCode the HTTP status
 * @param headers    lower-cased header names to values (never {@code null})
 * @param body       parsed JSON or text; {@code null} for an empty body
 */
public record HttpReply(int statusCode, Map<String, String> headers, Object body) {

    /** The statuses worth retrying: request timeout, rate limiting and transient server errors. */
    public static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 429, 500, 502, 503, 504);

    /** The TypeScript worker's delay when {@code Retry-After} is present but cannot be read. */
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 60;

    public HttpReply {
        Map<String, String> lower = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        }
        headers = Collections.unmodifiableMap(lower);
    }

    /** Converts a {@code java.net.http} response whose body was read as text. */
    public static HttpReply from(HttpResponse<String> response) {
        Map<String, String> headers = flatten(response.headers());
        return new HttpReply(response.statusCode(), headers, parseBody(headers.get("content-type"), response.body()));
    }

    /** JSON when the content type says so (and the text parses), otherwise the text; {@code null} when empty. */
    static Object parseBody(String contentType, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("application/json")) {
            try {
                return Json.MAPPER.readValue(text, Object.class);
            } catch (java.io.IOException e) {
                return text; // a server that lies about its content type still gets its text reported
            }
        }
        return text;
    }

    private static Map<String, String> flatten(HttpHeaders headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : headers.map().entrySet()) {
            if (!e.getKey().startsWith(":")) { // HTTP/2 pseudo headers
                out.put(e.getKey().toLowerCase(Locale.ROOT), String.join(", ", e.getValue()));
            }
        }
        return out;
    }

    /** A header by case-insensitive name, or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** 2xx. */
    public boolean ok() {
        return statusCode >= 200 && statusCode < 300;
    }

    /** 4xx. */
    public boolean isClientError() {
        return statusCode >= 400 && statusCode < 500;
    }

    /** 5xx. */
    public boolean isServerError() {
        return statusCode >= 500 && statusCode < 600;
    }

    /** 408, 429, 500, 502, 503 or 504. */
    public boolean isRetryable() {
        return RETRYABLE_STATUSES.contains(statusCode);
    }

    /**
     * The {@code Retry-After} header in whole seconds: an integer as given, an HTTP-date as the seconds until then
     * (never negative), {@value #DEFAULT_RETRY_AFTER_SECONDS} when unreadable, {@code null} when absent.
     */
    public Integer retryAfter() {
        return retryAfter(Clock.systemUTC());
    }

    /** {@link #retryAfter()} against a given clock (for HTTP-date values). */
    public Integer retryAfter(Clock clock) {
        String value = header("retry-after");
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, seconds));
        } catch (NumberFormatException notAnInteger) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                long seconds = Duration.between(clock.instant(), at).toSeconds();
                return (int) Math.max(0, Math.min(Integer.MAX_VALUE, seconds));
            } catch (DateTimeParseException notADate) {
                return DEFAULT_RETRY_AFTER_SECONDS;
            }
        }
    }

    /** The body as a map, or {@code null} when it is not a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> bodyAsMap() {
        return body instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The body bound to a type (records, POJOs) through the worker's JSON mapper. */
    public <T> T bodyAs(Class<T> type) {
        return body == null ? null : Json.MAPPER.convertValue(body, type);
    }

    /** The TypeScript worker's {@code toDict}: {@code {status_code, headers, body}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status_code", statusCode);
        m.put("headers", headers);
        m.put("body", body);
        return m;
    }
}
