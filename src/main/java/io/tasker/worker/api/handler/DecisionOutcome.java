package io.tasker.worker.api.handler;

import java.util.List;
import java.util.Map;

/**
 * A full decision (the TypeScript worker's {@code DecisionPointOutcome} argument of {@code decisionSuccessWithOutcome}).
 *
 * @param decisionType   what to do
 * @param nextStepNames  the child steps to create (template step names); empty for {@code no_branches}
 * @param dynamicSteps   optional extra description of the steps, carried along for observers; the orchestrator
 *                       ignores it; may be {@code null}
 * @param reason         optional human-readable reason, may be {@code null}
 * @param routingContext optional data explaining the route, may be {@code null}
 */
public record DecisionOutcome(
        DecisionType decisionType,
        List<String> nextStepNames,
        List<Map<String, Object>> dynamicSteps,
        String reason,
        Map<String, Object> routingContext) {

    public DecisionOutcome {
        if (decisionType == null) {
            throw new IllegalArgumentException("decisionType is required");
        }
        nextStepNames = nextStepNames == null ? List.of() : List.copyOf(nextStepNames);
    }

    /** Create these steps. */
    public static DecisionOutcome createSteps(List<String> steps, Map<String, Object> routingContext) {
        return new DecisionOutcome(DecisionType.CREATE_STEPS, steps, null, null, routingContext);
    }

    /** Create nothing, for this reason. */
    public static DecisionOutcome noBranches(String reason, Map<String, Object> routingContext) {
        return new DecisionOutcome(DecisionType.NO_BRANCHES, List.of(), null, reason, routingContext);
    }
}
