package io.tasker.worker.examples;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Linear workflow, step 2: the doubled value plus the template's {@code constant} (default 10). */
@StepHandler("add_constant")
@ApplicationScoped
public class AddConstant extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        Object configured = ctx.getConfig("constant");
        long constant = configured instanceof Number n ? n.longValue() : 10;
        return success(Numbers.result(Numbers.dependency(ctx, "double_value") + constant));
    }
}
