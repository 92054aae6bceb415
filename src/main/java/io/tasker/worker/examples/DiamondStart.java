package io.tasker.worker.examples;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Diamond workflow, start: {@code value²}. */
@StepHandler("diamond_start")
@ApplicationScoped
public class DiamondStart extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        long value = Numbers.input(ctx, "value");
        return success(Numbers.result(value * value));
    }
}
