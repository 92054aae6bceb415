package io.tasker.worker.examples.decision;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Approves small requests without a person; reads {@code validate_request} across the decision step. */
@StepHandler("approval_routing.auto_approve")
@ApplicationScoped
public class AutoApproveHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Object amount = ctx.getDependencyField("validate_request", "amount");
        return success(Map.of("approved", true, "approver", "system", "amount", amount == null ? 0 : amount));
    }
}
