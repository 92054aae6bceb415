package io.tasker.worker.api.handler;

import io.tasker.worker.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A small, immutable HTTP client bound to a base URL, default timeout and default headers (the TypeScript worker's API mixin
 * methods). Obtain one from {@link HttpCapable#endpoint()} or {@link HttpCapable#endpoint(String)}; it is cheap to create and
 * thread-safe, and every instance shares one {@link HttpClient} unless another is given.
 *
 * <p>Any HTTP status is returned as an {@link HttpReply} (inspect it, or pass it to
 * {@link HttpCapable#httpFailure}); a request that gets no response throws {@link HttpTransportException}, which the
 * worker reports as a retryable {@code timeout} or {@code connection_error}.
 */
public final class HttpEndpoint {

    /** The TypeScript worker's default request timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String baseUrl;
    private final Duration timeout;
    private final Map<String, String> headers;

    public HttpEndpoint(HttpClient http, String baseUrl, Duration timeout, Map<String, String> headers) {
        this.http = Objects.requireNonNull(http, "http");
        this.baseUrl = baseUrl == null ? "" : baseUrl;
        this.timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A client on the shared {@link HttpClient}. */
    public static HttpEndpoint of(String baseUrl) {
        return new HttpEndpoint(SharedHttpClient.get(), baseUrl, DEFAULT_TIMEOUT, Map.of());
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Duration timeout() {
        return timeout;
    }

    public Map<String, String> defaultHeaders() {
        return headers;
    }

    /** The same client with another per-request timeout. */
    public HttpEndpoint withTimeout(Duration newTimeout) {
        return new HttpEndpoint(http, baseUrl, newTimeout, headers);
    }

    /** The same client with more default headers. */
    public HttpEndpoint withHeaders(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(extra);
        return new HttpEndpoint(http, baseUrl, timeout, merged);
    }

    /** {@code GET baseUrl + path}; query parameters with {@code null} values are skipped. */
    public HttpReply get(String path, Map<String, ?> params, Map<String, String> headers) {
        return send("GET", withQuery(path, params), null, headers);
    }

    public HttpReply get(String path) {
        return get(path, null, null);
    }

    /** {@code POST} with {@code body} written as JSON (unless it is already a {@code String}). */
    public HttpReply post(String path, Object body, Map<String, String> headers) {
        return send("POST", path, body, headers);
    }

    public HttpReply post(String path, Object body) {
        return post(path, body, null);
    }

    public HttpReply put(String path, Object body, Map<String, String> headers) {
        return send("PUT", path, body, headers);
    }

    public HttpReply patch(String path, Object body, Map<String, String> headers) {
        return send("PATCH", path, body, headers);
    }

    public HttpReply delete(String path, Map<String, String> headers) {
        return send("DELETE", path, null, headers);
    }

    /**
     * Any method. A {@code null} body sends none; a {@code String} body is sent as is; anything else is written as
     * JSON with {@code Content-Type: application/json} (unless a content type is given).
     */
    public HttpReply request(String method, String path, Object body, Map<String, String> headers) {
        return send(method.toUpperCase(java.util.Locale.ROOT), path, body, headers);
    }

    /**
     * {@link #request} without waiting: the reply arrives on the client's threads, so an
     * {@link io.tasker.worker.api.AsyncStepHandler} holds no thread meanwhile. A connection failure or timeout
     * completes the stage with an {@link HttpTransportException}, as the blocking form throws it.
     */
    public CompletableFuture<HttpReply> requestAsync(
            String method, String path, Object body, Map<String, String> headers) {
        String m = method.toUpperCase(java.util.Locale.ROOT);
        HttpRequest request = build(m, path, body, headers);
        String context = m + " " + request.uri();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        throw HttpTransportException.of(cause, context);
                    }
                    return HttpReply.from(response);
                });
    }

    /** {@link #get(String, Map, Map)} without waiting (see {@link #requestAsync}). */
    public CompletableFuture<HttpReply> getAsync(String path, Map<String, ?> params, Map<String, String> headers) {
        return requestAsync("GET", withQuery(path, params), null, headers);
    }

    /** The full URL of a path: {@code baseUrl + path}, or the path itself when it is absolute. */
    public String url(String path) {
        if (path == null || path.isEmpty()) {
            return baseUrl;
        }
        if (path.startsWith("http://") || path.startsWith("https://")) {
            return path;
        }
        return baseUrl + path;
    }

    private HttpReply send(String method, String path, Object body, Map<String, String> extraHeaders) {
        HttpRequest request = build(method, path, body, extraHeaders);
        String context = method + " " + request.uri();
        try {
            return HttpReply.from(http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw HttpTransportException.of(e, context);
        } catch (InterruptedException e) {
            // Keep the interrupt for the container (shutdown); the step is retried elsewhere.
            Thread.currentThread().interrupt();
            throw HttpTransportException.of(e, context);
        }
    }

    private HttpRequest build(String method, String path, Object body, Map<String, String> extraHeaders) {
        String url = url(path);
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (extraHeaders != null) {
            all.putAll(extraHeaders);
        }
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null) {
            String text = body instanceof String s ? s : Json.write(body);
            publisher = HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
            if (all.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
                all.put("Content-Type", "application/json");
            }
        }
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).method(method, publisher);
        all.forEach(builder::header);
        return builder.build();
    }

    private static String withQuery(String path, Map<String, ?> params) {
        if (params == null || params.isEmpty()) {
            return path;
        }
        StringJoiner query = new StringJoiner("&");
        params.forEach((k, v) -> {
            if (v != null) {
                query.add(encode(k) + "=" + encode(String.valueOf(v)));
            }
        });
        if (query.length() == 0) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + query;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
