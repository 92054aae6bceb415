package io.tasker.worker.examples;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Diamond workflow, join: the mean of both branches, {@code (b + c) / 2}. */
@StepHandler("diamond_end")
@ApplicationScoped
public class DiamondEnd extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        long b = Numbers.dependency(ctx, "branch_b");
        long c = Numbers.dependency(ctx, "branch_c");
        return success(Numbers.result((b + c) / 2));
    }
}
