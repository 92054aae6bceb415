package io.tasker.worker.examples;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Diamond workflow, right branch: start × 2. */
@StepHandler("branch_c")
@ApplicationScoped
public class BranchC extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return success(Numbers.result(Numbers.dependency(ctx, "diamond_start") * 2));
    }
}
