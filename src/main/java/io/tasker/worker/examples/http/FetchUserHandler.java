package io.tasker.worker.examples.http;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.HttpHandler;
import io.tasker.worker.api.handler.HttpReply;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/**
 * {@code GET {api_base_url}/users/{user_id}}. A success keeps the user and the response status; an HTTP error is
 * classified by {@code httpFailure} (with a {@code Retry-After} turned into a server-requested backoff); a
 * connection failure or timeout escapes as {@code HttpTransportException} and is reported as a retryable
 * {@code connection_error} or {@code timeout}.
 */
@StepHandler("http_examples.fetch_user")
@ApplicationScoped
public class FetchUserHandler extends HttpHandler {

    @Override
    public Duration defaultTimeout() {
        return Duration.ofSeconds(10); // well inside the worker's handler timeout
    }

    @Override
    public Map<String, String> defaultHeaders() {
        return Map.of("Accept", "application/json", "User-Agent", "tasker-worker-example");
    }

    @Override
    public StepHandlerResult call(StepContext ctx) {
        String baseUrl = ctx.getInput("api_base_url", String.class);
        Object userId = ctx.getInput("user_id");
        if (baseUrl == null || userId == null) {
            return failure("api_base_url and user_id are required", ErrorType.VALIDATION_ERROR, false);
        }
        HttpReply response = endpoint(baseUrl).get("/users/" + userId, Map.of("fields", "id,name,email"), null);
        if (!response.ok()) {
            return httpFailure(response);
        }
        return httpSuccess(response, Map.of("user", response.body()), true);
    }
}
