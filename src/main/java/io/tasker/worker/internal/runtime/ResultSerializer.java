package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.BackoffHint;
import io.tasker.worker.api.Checkpoint;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link StepHandlerResult} into the engine's completion and checkpoint JSON (docs/ffi-contract.md §5.5, §5.6; rules R4, R5, R7).
 *
 * <p>Rules: {@code step_uuid} echoes the event; {@code metadata.retryable} is always present (the only field the
 * retry decision reads); handler metadata goes under {@code metadata.custom}; {@code error_code} is written to
 * both {@code metadata.error_code} and {@code metadata.custom.error_code}.
 */
public final class ResultSerializer {

    private final String workerId;

    public ResultSerializer(String workerId) {
        this.workerId = workerId;
    }

    /**
     * The completion JSON.
     *
     * @param systemError true for failures the worker produced itself (not found, exception, timeout, shutdown);
     *                    they use status {@code error}, handler failures use {@code failed}
     * @throws RuntimeException when the handler's result or metadata cannot be serialised
     */
    public String completion(
            String stepUuid, StepHandlerResult r, long executionTimeMs, String handlerVersion, boolean systemError) {
        Map<String, Object> custom = new LinkedHashMap<>(r.getMetadata());
        if (r.getErrorCode() != null) {
            custom.put("error_code", r.getErrorCode());
        }
        boolean success = r.isSuccess();
        boolean retryable = !success && r.isRetryable();
        WireResult.Metadata metadata = new WireResult.Metadata(
                Math.max(0, executionTimeMs),
                workerId,
                retryable,
                handlerVersion,
                success ? null : r.getErrorType(),
                r.getErrorCode(),
                custom);
        WireResult.Error error = success
                ? null
                : new WireResult.Error(
                        r.getErrorMessage() == null ? "Unknown error" : r.getErrorMessage(),
                        r.getErrorType(),
                        retryable,
                        r.getStatusCode(),
                        r.getBacktrace());
        Object result = r.getResult() == null ? Map.of() : r.getResult();
        String status = success ? "completed" : systemError ? "error" : "failed";
        return Json.write(new WireResult(stepUuid, success, status, result, metadata, error, orchestration(r)));
    }

    /** The checkpoint-yield JSON {@code {step_uuid, cursor, items_processed, accumulated_results?}}. */
    public String checkpoint(String stepUuid, Checkpoint cp) {
        return Json.write(
                new WireResult.Checkpoint(stepUuid, cp.cursor(), cp.itemsProcessed(), cp.accumulatedResults()));
    }

    /**
     * The known-good failure resent when the engine refused a completion (docs/ffi-contract.md R6). Built by hand from
     * escaped strings only, so it cannot fail.
     */
    public String minimalFailure(String stepUuid, String message, long executionTimeMs) {
        return "{\"step_uuid\":" + quote(stepUuid) + ",\"success\":false,\"status\":\"error\",\"result\":{},"
                + "\"metadata\":{\"retryable\":true,\"execution_time_ms\":" + Math.max(0, executionTimeMs) + "},"
                + "\"error\":{\"message\":" + quote(message) + ",\"retryable\":true}}";
    }

    private static WireResult.OrchestrationMetadata orchestration(StepHandlerResult r) {
        BackoffHint hint = r.getBackoffHint();
        if (r.getHeaders().isEmpty() && hint == null) {
            return null;
        }
        WireResult.BackoffHintWire wireHint = hint == null
                ? null
                : new WireResult.BackoffHintWire(hint.type().value(), hint.delaySeconds(), hint.context());
        return new WireResult.OrchestrationMetadata(r.getHeaders(), Map.of(), wireHint);
    }

    static String quote(String s) {
        return Json.write(s == null ? "" : s);
    }

    /** Backtrace lines for an exception: its trace, then each cause's header and trace (bounded). */
    public static List<String> backtrace(Throwable t) {
        List<String> lines = new java.util.ArrayList<>();
        Throwable current = t;
        int depth = 0;
        while (current != null && depth < 5 && lines.size() < 60) {
            // Like a Java stack trace: the throwable itself first, then its frames, then each cause.
            lines.add(depth == 0 ? current.toString() : "Caused by: " + current);
            for (StackTraceElement e : current.getStackTrace()) {
                if (lines.size() >= 60) {
                    break;
                }
                lines.add("at " + e);
            }
            current = current.getCause() == current ? null : current.getCause();
            depth++;
        }
        return lines;
    }
}
