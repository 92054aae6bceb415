package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The completion payload ({@code StepExecutionResult}) exactly as the engine's strict parser expects it: typed so
 * that {@code metadata.custom} is never null, {@code execution_time_ms} is always an integer, and handler metadata
 * can never overwrite the engine's own keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record WireResult(
        @JsonProperty("step_uuid") String stepUuid,
        @JsonProperty("success") boolean success,
        @JsonProperty("status") String status,

        @JsonProperty("result") @JsonInclude(JsonInclude.Include.ALWAYS)
        Object result,

        @JsonProperty("metadata") Metadata metadata,
        @JsonProperty("error") Error error,
        @JsonProperty("orchestration_metadata") OrchestrationMetadata orchestrationMetadata) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Metadata(
            @JsonProperty("execution_time_ms") long executionTimeMs,
            @JsonProperty("worker_id") String workerId,
            @JsonProperty("retryable") boolean retryable,
            @JsonProperty("handler_version") String handlerVersion,
            @JsonProperty("error_type") String errorType,
            @JsonProperty("error_code") String errorCode,

            @JsonProperty("custom") @JsonInclude(JsonInclude.Include.ALWAYS)
            Map<String, Object> custom) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(
            @JsonProperty("message") String message,
            @JsonProperty("error_type") String errorType,
            @JsonProperty("retryable") boolean retryable,
            @JsonProperty("status_code") Integer statusCode,
            @JsonProperty("backtrace") List<String> backtrace) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record OrchestrationMetadata(
            @JsonProperty("headers") @JsonInclude(JsonInclude.Include.ALWAYS)
            Map<String, String> headers,

            @JsonProperty("custom") @JsonInclude(JsonInclude.Include.ALWAYS)
            Map<String, Object> custom,

            @JsonProperty("backoff_hint") BackoffHintWire backoffHint) {}

    record BackoffHintWire(
            @JsonProperty("backoff_type") String backoffType,
            @JsonProperty("delay_seconds") int delaySeconds,
            @JsonProperty("context") String context) {}

    /** {@code checkpoint_yield_step_event} payload; {@code cursor} must be present even when null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Checkpoint(
            @JsonProperty("step_uuid") String stepUuid,

            @JsonProperty("cursor") @JsonInclude(JsonInclude.Include.ALWAYS)
            Object cursor,

            @JsonProperty("items_processed") long itemsProcessed,
            @JsonProperty("accumulated_results") Object accumulatedResults) {}
}
