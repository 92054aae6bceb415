package io.tasker.worker.examples;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Linear workflow, step 1: {@code value × 2}. */
@StepHandler("double_value")
@ApplicationScoped
public class DoubleValue extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return success(Numbers.result(Numbers.input(ctx, "value") * 2));
    }
}
