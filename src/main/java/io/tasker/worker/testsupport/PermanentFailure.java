package io.tasker.worker.testsupport;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Test support: always fails, not retryable, so the step goes to error on its first attempt. */
@StepHandler("permanent_failure")
@ApplicationScoped
public class PermanentFailure extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return failure(
                "Rejected on purpose: this step never succeeds",
                ErrorType.PERMANENT_ERROR.value(),
                false,
                Map.of("example", "permanent_failure"),
                "EXAMPLE_PERMANENT");
    }
}
