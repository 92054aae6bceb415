package io.tasker.worker.testsupport;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Test support: a retryable failure on the first two attempts, success on the third. */
@StepHandler("succeed_on_third_attempt")
@ApplicationScoped
public class SucceedOnThirdAttempt extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        int attempt = ctx.info().getRetryCount() + 1;
        if (attempt < 3) {
            throw new RetryableStepException("Transient failure on attempt " + attempt);
        }
        return success(Map.of("result", "succeeded", "attempt", attempt));
    }
}
