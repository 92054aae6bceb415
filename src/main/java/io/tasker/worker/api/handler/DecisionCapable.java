package io.tasker.worker.api.handler;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Result builders for {@code type: decision} steps (the TypeScript worker's {@code applyDecision} mixin as a Java interface).
 * Implement it next to {@link io.tasker.worker.api.ExecutableHandler}, or extend {@link DecisionHandler}.
 *
 * <p>Shapes produced (result / metadata):
 * <pre>
 * decisionSuccess(["a","b"], {k:v}) → {"decision_point_outcome":{"type":"create_steps","step_names":["a","b"]},"routing_context":{k:v}}
 *                                     metadata {..., "decision_handler": name(), "decision_version": version()}
 * skipBranches("why", null)        → {"decision_point_outcome":{"type":"no_branches"},"reason":"why"}
 * decisionFailure("msg")           → failure, error type decision_error, not retryable, same metadata keys
 * </pre>
 * {@code routing_context} is present only when non-empty. The step names must be children of this decision step in
 * the template; {@code deferred_convergence} steps below them are created automatically.
 */
public interface DecisionCapable extends HandlerIdentity {

    /** Route to {@code steps}. */
    default StepHandlerResult decisionSuccess(
            List<String> steps, Map<String, ?> routingContext, Map<String, ?> metadata) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("type", DecisionType.CREATE_STEPS.value());
        outcome.put("step_names", List.copyOf(steps));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("decision_point_outcome", outcome);
        putIfNotEmpty(result, "routing_context", routingContext);
        return StepHandlerResult.success(result, decisionMetadata(metadata));
    }

    default StepHandlerResult decisionSuccess(List<String> steps, Map<String, ?> routingContext) {
        return decisionSuccess(steps, routingContext, null);
    }

    default StepHandlerResult decisionSuccess(List<String> steps) {
        return decisionSuccess(steps, null, null);
    }

    /**
     * The TypeScript worker's {@code decisionSuccessWithOutcome}: same shape as {@link #decisionSuccess}, with
     * {@code type = decisionType}, plus {@code dynamic_steps} (in the outcome) and {@code reason} when given.
     */
    default StepHandlerResult decisionSuccessWithOutcome(DecisionOutcome decision, Map<String, ?> metadata) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("type", decision.decisionType().value());
        if (decision.decisionType() == DecisionType.CREATE_STEPS) {
            outcome.put("step_names", decision.nextStepNames());
        }
        if (decision.dynamicSteps() != null) {
            outcome.put("dynamic_steps", decision.dynamicSteps());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("decision_point_outcome", outcome);
        if (decision.reason() != null) {
            result.put("reason", decision.reason());
        }
        putIfNotEmpty(result, "routing_context", decision.routingContext());
        return StepHandlerResult.success(result, decisionMetadata(metadata));
    }

    /**
     * The TypeScript worker's {@code decisionNoBranches}: {@code {decision_point_outcome:{type}, reason?, routing_context?}}.
     */
    default StepHandlerResult decisionNoBranches(DecisionOutcome decision, Map<String, ?> metadata) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(
                "decision_point_outcome", Map.of("type", decision.decisionType().value()));
        if (decision.reason() != null) {
            result.put("reason", decision.reason());
        }
        putIfNotEmpty(result, "routing_context", decision.routingContext());
        return StepHandlerResult.success(result, decisionMetadata(metadata));
    }

    /** No branches, for a reason. */
    default StepHandlerResult decisionNoBranches(String reason) {
        return skipBranches(reason, null, null);
    }

    /** The TypeScript worker's {@code skipBranches}: {@code decisionNoBranches} with {@code type "no_branches"}. */
    default StepHandlerResult skipBranches(String reason, Map<String, ?> routingContext, Map<String, ?> metadata) {
        @SuppressWarnings("unchecked")
        Map<String, Object> routing = routingContext == null ? null : (Map<String, Object>) routingContext;
        return decisionNoBranches(DecisionOutcome.noBranches(reason, routing), metadata);
    }

    default StepHandlerResult skipBranches(String reason, Map<String, ?> routingContext) {
        return skipBranches(reason, routingContext, null);
    }

    /** The TypeScript worker's {@code decisionFailure}: error type {@code decision_error}, not retryable. */
    default StepHandlerResult decisionFailure(String message) {
        return decisionFailure(message, ErrorType.DECISION_ERROR.value(), false, null);
    }

    default StepHandlerResult decisionFailure(
            String message, String errorType, boolean retryable, Map<String, ?> metadata) {
        return StepHandlerResult.failure(
                message,
                errorType == null ? ErrorType.DECISION_ERROR.value() : errorType,
                retryable,
                decisionMetadata(metadata),
                null);
    }

    /** {@code {...metadata, decision_handler, decision_version}}. */
    private Map<String, Object> decisionMetadata(Map<String, ?> metadata) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (metadata != null) {
            out.putAll(metadata);
        }
        out.put("decision_handler", name());
        out.put("decision_version", version());
        return out;
    }

    private static void putIfNotEmpty(Map<String, Object> target, String key, Map<String, ?> value) {
        if (value != null && !value.isEmpty()) {
            target.put(key, value);
        }
    }
}
