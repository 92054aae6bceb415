package io.tasker.worker.examples.errors;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * A dependency that is briefly unavailable: it throws a {@link RetryableStepException} until attempt
 * {@code succeed_on_attempt} (task context, default 3), so the orchestrator retries it with backoff.
 * {@link StepContext#getRetryCount()} counts earlier attempts (0 on the first).
 */
@StepHandler("error_examples.reserve_inventory")
@ApplicationScoped
public class FlakyInventoryHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        int attempt = ctx.info().getRetryCount() + 1;
        int succeedOn = ctx.getInputOr("succeed_on_attempt", 3);
        if (attempt < succeedOn) {
            throw new RetryableStepException("Inventory service unavailable (attempt " + attempt + ")");
        }
        return success(Map.of(
                "reserved",
                ctx.getDependencyField("validate_order", "quantity") instanceof Number n ? n : 0,
                "attempts",
                attempt));
    }
}
