package io.tasker.worker.examples.decision;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.DecisionHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes by amount: below {@value #AUTO_APPROVE_LIMIT} to {@code auto_approve}; otherwise to
 * {@code manager_approval}, and from {@value #FINANCE_REVIEW_THRESHOLD} also to {@code finance_review}.
 */
@StepHandler("approval_routing.routing_decision")
@ApplicationScoped
public class RoutingDecisionHandler extends DecisionHandler {

    public static final double AUTO_APPROVE_LIMIT = 1000;
    public static final double FINANCE_REVIEW_THRESHOLD = 5000;

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Object amountValue = ctx.getDependencyField("validate_request", "amount");
        if (!(amountValue instanceof Number number)) {
            return decisionFailure("validate_request produced no amount");
        }
        double amount = number.doubleValue();
        List<String> steps = new ArrayList<>();
        String route;
        if (amount < AUTO_APPROVE_LIMIT) {
            steps.add("auto_approve");
            route = "auto";
        } else {
            steps.add("manager_approval");
            route = "manager";
            if (amount >= FINANCE_REVIEW_THRESHOLD) {
                steps.add("finance_review");
                route = "manager_and_finance";
            }
        }
        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("amount", amount);
        routing.put("route", route);
        return decisionSuccess(steps, routing);
    }
}
