package io.tasker.worker.examples.errors;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A dependency that never comes back: every attempt throws a {@link RetryableStepException}, so the orchestrator
 * retries it until {@code retry.max_attempts} is used up, then the step goes to {@code error} and the steps after
 * it never run.
 */
@StepHandler("error_examples.unavailable_inventory")
@ApplicationScoped
public class UnavailableInventoryHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        int attempt = ctx.info().getRetryCount() + 1;
        throw new RetryableStepException("Inventory service unavailable (attempt " + attempt + " of "
                + ctx.info().getMaxRetries() + ")");
    }
}
