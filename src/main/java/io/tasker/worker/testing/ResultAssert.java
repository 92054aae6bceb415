package io.tasker.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fluent assertions on a {@link StepHandlerResult}; each throws {@link AssertionError} with the result in the
 * message. Values are compared as JSON, so a record and an equal map match, and {@code 5} equals {@code 5L}.
 *
 * <pre>{@code
 * assertThat(result).isFailure().hasErrorType("rate_limited").isRetryable().hasRetryAfter(30);
 * assertThat(result).isSuccess().hasResultAt("batch_processing_outcome.worker_count", 3);
 * }</pre>
 *
 * Paths are dot-separated keys, with numeric segments indexing lists ({@code items.0.id}).
 */
public final class ResultAssert {

    private final StepHandlerResult actual;

    private ResultAssert(StepHandlerResult actual) {
        this.actual = Objects.requireNonNull(actual, "result is null");
    }

    public static ResultAssert assertThat(StepHandlerResult result) {
        return new ResultAssert(result);
    }

    /** The result under test. */
    public StepHandlerResult result() {
        return actual;
    }

    public ResultAssert isSuccess() {
        check(actual.isSuccess() && !actual.isCheckpointYield(), "a success");
        return this;
    }

    public ResultAssert isFailure() {
        check(actual.isFailure(), "a failure");
        return this;
    }

    public ResultAssert isRetryable() {
        check(actual.isFailure() && actual.isRetryable(), "a retryable failure");
        return this;
    }

    public ResultAssert isNotRetryable() {
        check(actual.isFailure() && !actual.isRetryable(), "a non-retryable failure");
        return this;
    }

    public ResultAssert hasErrorType(String type) {
        check(type.equals(actual.getErrorType()), "error type " + type);
        return this;
    }

    public ResultAssert hasErrorType(ErrorType type) {
        return hasErrorType(type.value());
    }

    public ResultAssert hasErrorMessage(String message) {
        check(message.equals(actual.getErrorMessage()), "error message '" + message + "'");
        return this;
    }

    public ResultAssert hasErrorMessageContaining(String part) {
        check(
                actual.getErrorMessage() != null && actual.getErrorMessage().contains(part),
                "an error message containing '" + part + "'");
        return this;
    }

    public ResultAssert hasErrorCode(String code) {
        check(code.equals(actual.getErrorCode()), "error code " + code);
        return this;
    }

    /** The HTTP status sent as {@code error.status_code}. */
    public ResultAssert hasStatusCode(int code) {
        check(Integer.valueOf(code).equals(actual.getStatusCode()), "status code " + code);
        return this;
    }

    /** A server-requested backoff of {@code seconds} (Retry-After). */
    public ResultAssert hasRetryAfter(int seconds) {
        check(
                actual.getBackoffHint() != null
                        && actual.getBackoffHint().delaySeconds() == seconds
                        && String.valueOf(seconds).equals(actual.getHeaders().get("Retry-After")),
                "a Retry-After of " + seconds + " s");
        return this;
    }

    /** The whole result equals {@code expected} (as JSON). */
    public ResultAssert hasResult(Object expected) {
        check(jsonEquals(expected, actual.getResult()), "result " + Json.write(expected));
        return this;
    }

    /** The value at {@code path} in the result equals {@code expected} (as JSON). */
    public ResultAssert hasResultAt(String path, Object expected) {
        Object value = at(actual.getResult(), path);
        check(
                jsonEquals(expected, value),
                "result." + path + " = " + Json.write(expected) + " (was " + Json.write(value) + ")");
        return this;
    }

    /** Something is at {@code path} in the result. */
    public ResultAssert hasResultPath(String path) {
        check(at(actual.getResult(), path) != null, "a value at result." + path);
        return this;
    }

    /** Nothing is at {@code path} in the result. */
    public ResultAssert hasNoResultPath(String path) {
        check(at(actual.getResult(), path) == null, "no value at result." + path);
        return this;
    }

    /** The handler metadata entry (sent under {@code metadata.custom}) equals {@code expected}. */
    public ResultAssert hasMetadata(String path, Object expected) {
        Object value = at(actual.getMetadata(), path);
        check(
                jsonEquals(expected, value),
                "metadata." + path + " = " + Json.write(expected) + " (was " + Json.write(value) + ")");
        return this;
    }

    /** A decision creating exactly these steps, in this order. */
    public ResultAssert createsSteps(String... stepNames) {
        isSuccess();
        return hasResultAt("decision_point_outcome.type", "create_steps")
                .hasResultAt("decision_point_outcome.step_names", List.of(stepNames));
    }

    /** A decision creating no steps. */
    public ResultAssert createsNoBranches() {
        isSuccess();
        return hasResultAt("decision_point_outcome.type", "no_branches");
    }

    /** A batchable result creating {@code workerCount} workers from {@code workerTemplate}. */
    public ResultAssert createsBatches(String workerTemplate, int workerCount) {
        isSuccess();
        return hasResultAt("batch_processing_outcome.type", "create_batches")
                .hasResultAt("batch_processing_outcome.worker_template_name", workerTemplate)
                .hasResultAt("batch_processing_outcome.worker_count", workerCount);
    }

    /** A checkpoint yield at {@code cursor} after {@code itemsProcessed} items. */
    public ResultAssert isCheckpointYield(Object cursor, long itemsProcessed) {
        check(
                actual.isCheckpointYield()
                        && jsonEquals(cursor, actual.getCheckpoint().cursor())
                        && actual.getCheckpoint().itemsProcessed() == itemsProcessed,
                "a checkpoint yield at " + Json.write(cursor) + " after " + itemsProcessed + " items");
        return this;
    }

    /** The value at {@code path} ({@code a.b.0.c}) in maps/lists/records, or {@code null}. */
    public static Object at(Object root, String path) {
        JsonNode node = Json.MAPPER.valueToTree(root);
        if (path != null && !path.isEmpty()) {
            for (String segment : path.split("\\.")) {
                if (node == null) {
                    return null;
                }
                node = node.isArray() && segment.chars().allMatch(Character::isDigit)
                        ? node.get(Integer.parseInt(segment))
                        : node.get(segment);
            }
        }
        return node == null || node.isNull() || node.isMissingNode()
                ? null
                : Json.MAPPER.convertValue(node, Object.class);
    }

    /** JSON equality where numbers compare by value. */
    public static boolean jsonEquals(Object expected, Object actual) {
        JsonNode a = Json.MAPPER.valueToTree(expected);
        JsonNode b = Json.MAPPER.valueToTree(actual);
        return a.equals(NUMERIC, b);
    }

    private static final Comparator<JsonNode> NUMERIC = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return new BigDecimal(x.asText()).compareTo(new BigDecimal(y.asText()));
        }
        return x.equals(y) ? 0 : 1;
    };

    private void check(boolean ok, String expected) {
        if (!ok) {
            throw new AssertionError("Expected " + expected + " but got " + describe());
        }
    }

    private String describe() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(actual.toMap());
        if (actual.isCheckpointYield()) {
            m.put("checkpoint", actual.getCheckpoint());
        }
        try {
            return Json.write(m);
        } catch (RuntimeException e) {
            return actual.toString();
        }
    }
}
