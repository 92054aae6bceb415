package io.tasker.worker.examples.decision;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Checks the approval request; an invalid one fails permanently (retrying cannot fix it). */
@StepHandler("approval_routing.validate_request")
@ApplicationScoped
public class ValidateRequestHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Number amount = ctx.getInput("amount", Double.class);
        String requester = ctx.getInput("requester", String.class);
        if (amount == null || amount.doubleValue() <= 0) {
            throw PermanentStepException.builder("amount must be a positive number")
                    .errorType(ErrorType.VALIDATION_ERROR)
                    .errorCode("INVALID_AMOUNT")
                    .metadata("amount", String.valueOf(amount))
                    .build();
        }
        return success(Map.of(
                "valid", true, "amount", amount.doubleValue(), "requester", requester == null ? "unknown" : requester));
    }
}
