package io.tasker.worker.examples.http;

import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.HttpCapable;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link FetchUserHandler} without a thread waiting on the call: {@code callAsync} sends the request and returns;
 * the reply is classified the same way when it arrives. A connection failure or timeout completes the stage with
 * an {@code HttpTransportException}, reported as a retryable {@code connection_error} or {@code timeout}.
 */
@StepHandler("http_examples.fetch_user_async")
@ApplicationScoped
public class FetchUserAsyncHandler implements AsyncStepHandler, HttpCapable {

    @Override
    public Duration defaultTimeout() {
        return Duration.ofSeconds(10);
    }

    @Override
    public Map<String, String> defaultHeaders() {
        return Map.of("Accept", "application/json", "User-Agent", "tasker-worker-example");
    }

    @Override
    public CompletionStage<StepHandlerResult> callAsync(StepContext ctx) {
        String baseUrl = ctx.getInput("api_base_url", String.class);
        Object userId = ctx.getInput("user_id");
        if (baseUrl == null || userId == null) {
            return CompletableFuture.completedFuture(StepHandlerResult.failure(
                    "api_base_url and user_id are required", ErrorType.VALIDATION_ERROR, false));
        }
        return endpoint(baseUrl)
                .getAsync("/users/" + userId, Map.of("fields", "id,name,email"), null)
                .thenApply(reply ->
                        reply.ok() ? httpSuccess(reply, Map.of("user", reply.body()), true) : httpFailure(reply));
    }
}
