package io.tasker.worker.it.ops.hostile;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Test support for ProductionServerIT: fails permanently with the context's {@code error_message} as its error
 * message, so the dashboard's error column shows text the task's creator chose.
 */
@StepHandler("hostile.fail")
@ApplicationScoped
public class FailWithInputHandler extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return failure(
                String.valueOf(ctx.getInputOr("error_message", "no error_message in the context")),
                ErrorType.PERMANENT_ERROR,
                false);
    }
}
