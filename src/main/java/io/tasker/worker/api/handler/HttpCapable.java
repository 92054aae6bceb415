package io.tasker.worker.api.handler;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP helpers for any handler (the TypeScript worker's {@code applyAPI} mixin as a Java interface). Implement it next to
 * {@link io.tasker.worker.api.ExecutableHandler}, or extend {@link HttpHandler}.
 *
 * <pre>{@code
 * @StepHandler("fetch_user") @ApplicationScoped
 * public class FetchUser implements ExecutableHandler, HttpCapable {
 *     public String baseUrl() { return "https://api.example.com"; }
 *
 *     public StepHandlerResult call(StepContext ctx) {
 *         HttpReply resp = get("/users/" + ctx.getInput("user_id"), null, null);
 *         return resp.ok() ? httpSuccess(resp, null, true) : httpFailure(resp, null);
 *     }
 * }
 * }</pre>
 *
 * <p>Requests that get no response throw {@link HttpTransportException}; left uncaught it is reported as a
 * retryable {@code timeout} or {@code connection_error}, as the TypeScript worker's {@code timeoutError}/{@code connectionError}
 * would. {@link #attempt} turns it into that result explicitly.
 */
public interface HttpCapable {

    /** Prefix of every relative path; the TypeScript worker's static {@code baseUrl} (default empty). */
    default String baseUrl() {
        return "";
    }

    /** Per-request timeout; the TypeScript worker's {@code defaultTimeout} (30 s). */
    default Duration defaultTimeout() {
        return HttpEndpoint.DEFAULT_TIMEOUT;
    }

    /** Headers sent with every request; the TypeScript worker's {@code defaultHeaders}. */
    default Map<String, String> defaultHeaders() {
        return Map.of();
    }

    /**
     * The {@link HttpClient} used; one shared client by default. Override to supply one configured with, say, a
     * container-managed executor or a proxy.
     */
    default HttpClient httpClient() {
        return SharedHttpClient.get();
    }

    /** A client configured by {@link #baseUrl()}, {@link #defaultTimeout()} and {@link #defaultHeaders()}. */
    default HttpEndpoint endpoint() {
        return endpoint(baseUrl());
    }

    /** The same with another base URL, e.g. one read from the task context. */
    default HttpEndpoint endpoint(String baseUrl) {
        return new HttpEndpoint(httpClient(), baseUrl, defaultTimeout(), defaultHeaders());
    }

    default HttpReply get(String path, Map<String, ?> params, Map<String, String> headers) {
        return endpoint().get(path, params, headers);
    }

    default HttpReply post(String path, Object body, Map<String, String> headers) {
        return endpoint().post(path, body, headers);
    }

    default HttpReply put(String path, Object body, Map<String, String> headers) {
        return endpoint().put(path, body, headers);
    }

    default HttpReply patch(String path, Object body, Map<String, String> headers) {
        return endpoint().patch(path, body, headers);
    }

    default HttpReply delete(String path, Map<String, String> headers) {
        return endpoint().delete(path, headers);
    }

    default HttpReply request(String method, String path, Object body, Map<String, String> headers) {
        return endpoint().request(method, path, body, headers);
    }

    /**
     * Runs requests and returns what {@code body} returns, or — when a request got no response — the classified
     * {@code timeout}/{@code connection_error} result instead of an exception.
     *
     * <pre>{@code return attempt(() -> { HttpReply r = get("/x", null, null); return r.ok() ? httpSuccess(r, null, true) : httpFailure(r, null); });}</pre>
     */
    default StepHandlerResult attempt(java.util.function.Supplier<StepHandlerResult> body) {
        try {
            return body.get();
        } catch (HttpTransportException e) {
            return e.toResult();
        }
    }

    /**
     * The TypeScript worker's {@code httpSuccess}: the result is {@code result}, else the body when it is a JSON object, else
     * {@code {data: body}}; metadata {@code {status_code, headers}} when {@code includeResponse}.
     */
    default StepHandlerResult httpSuccess(HttpReply response, Object result, boolean includeResponse) {
        Object value = result;
        if (value == null) {
            if (response.body() instanceof Map<?, ?>) {
                value = response.body();
            } else {
                Map<String, Object> wrapped = new LinkedHashMap<>();
                wrapped.put("data", response.body());
                value = wrapped;
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (includeResponse) {
            metadata.put("status_code", response.statusCode());
            metadata.put("headers", response.headers());
        }
        return StepHandlerResult.success(value, metadata);
    }

    /** {@code httpSuccess(response, null, true)}. */
    default StepHandlerResult httpSuccess(HttpReply response) {
        return httpSuccess(response, null, true);
    }

    /**
     * The TypeScript worker's {@code httpFailure}: message {@code message} or {@code "HTTP <code>: <detail>"}, error type from
     * {@link HttpClassification}, retryable per {@link HttpReply#isRetryable()}, metadata
     * {@code {status_code, headers, retry_after_seconds?, response_body?}}, and {@code error.status_code}.
     * Beyond the TypeScript worker, a {@code Retry-After} header becomes a server-requested backoff the orchestrator honours.
     */
    default StepHandlerResult httpFailure(HttpReply response, String message) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("status_code", response.statusCode());
        metadata.put("headers", response.headers());
        Integer retryAfter = response.retryAfter();
        if (retryAfter != null) {
            metadata.put("retry_after_seconds", retryAfter);
        }
        if (response.body() != null) {
            metadata.put("response_body", response.body());
        }
        StepHandlerResult failure = StepHandlerResult.failure(
                        message != null ? message : HttpClassification.message(response),
                        HttpClassification.errorType(response.statusCode()),
                        response.isRetryable(),
                        metadata,
                        null)
                .withStatusCode(response.statusCode());
        return retryAfter != null ? failure.withRetryAfter(Duration.ofSeconds(retryAfter)) : failure;
    }

    /** {@code httpFailure(response, null)}. */
    default StepHandlerResult httpFailure(HttpReply response) {
        return httpFailure(response, null);
    }

    /** The TypeScript worker's {@code connectionError}: {@code "Connection error[ while <context>]: <msg>"}, retryable. */
    default StepHandlerResult connectionError(Throwable error, String context) {
        return connectionResult(error, context);
    }

    /** The TypeScript worker's {@code timeoutError}: {@code "Request timeout[ while <context>]: <msg>"}, retryable. */
    default StepHandlerResult timeoutError(Throwable error, String context) {
        return timeoutResult(error, context);
    }

    /** Static form of {@link #connectionError}, for code that does not implement this interface. */
    static StepHandlerResult connectionResult(Throwable error, String context) {
        return transportFailure("Connection error", ErrorType.CONNECTION_ERROR.value(), error, context);
    }

    /** Static form of {@link #timeoutError}. */
    static StepHandlerResult timeoutResult(Throwable error, String context) {
        return transportFailure("Request timeout", ErrorType.TIMEOUT.value(), error, context);
    }

    private static StepHandlerResult transportFailure(String prefix, String type, Throwable error, String context) {
        Throwable root = error instanceof HttpTransportException && error.getCause() != null ? error.getCause() : error;
        String detail =
                root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        String message = prefix + (context == null || context.isEmpty() ? "" : " while " + context) + ": " + detail;
        return StepHandlerResult.failure(
                message, type, true, Map.of("exception_type", root.getClass().getSimpleName()), null);
    }
}
