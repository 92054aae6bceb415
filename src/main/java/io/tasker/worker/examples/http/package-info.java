/**
 * Example: calling an HTTP API. {@link io.tasker.worker.examples.http.FetchUserHandler} reads the base URL from the
 * task context ({@code api_base_url}), calls {@code GET /users/{user_id}}, and lets the {@code HttpHandler} helpers
 * classify failures (404 permanent, 429/503 retryable honouring {@code Retry-After}, no connection retryable);
 * {@link io.tasker.worker.examples.http.BuildProfileHandler} uses the response.
 * Template: {@code tasker/templates/http_integration.yaml}.
 */
package io.tasker.worker.examples.http;
