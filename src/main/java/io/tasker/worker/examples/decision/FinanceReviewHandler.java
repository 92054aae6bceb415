package io.tasker.worker.examples.decision;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** The extra review for large amounts. */
@StepHandler("approval_routing.finance_review")
@ApplicationScoped
public class FinanceReviewHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Object amount = ctx.getDependencyField("validate_request", "amount");
        return success(Map.of("approved", true, "reviewer", "finance", "amount", amount == null ? 0 : amount));
    }
}
