package io.tasker.worker.examples.errors;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Input validation: bad input will not get better by retrying, so it throws a {@link PermanentStepException}
 * ({@code validation_error}, error code {@code INVALID_QUANTITY}); the step goes straight to {@code error}.
 */
@StepHandler("error_examples.validate_order")
@ApplicationScoped
public class ValidateOrderHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Integer quantity = ctx.getInput("quantity", Integer.class);
        if (quantity == null || quantity <= 0) {
            throw PermanentStepException.builder("quantity must be at least 1, got " + quantity)
                    .errorType(ErrorType.VALIDATION_ERROR)
                    .errorCode("INVALID_QUANTITY")
                    .metadata("field", "quantity")
                    .build();
        }
        return success(Map.of("valid", true, "quantity", quantity));
    }
}
