package io.tasker.worker.examples.errors;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;

/**
 * Failure results instead of exceptions, with retryability chosen per cause: a declined card is permanent, a
 * gateway that asks to slow down is retryable after the delay it named (sent to the orchestrator as a
 * server-requested backoff). The outcome is simulated from {@code payment_outcome} in the task context.
 */
@StepHandler("error_examples.charge_payment")
@ApplicationScoped
public class ChargePaymentHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        String outcome = ctx.getInputOr("payment_outcome", "approved");
        return switch (outcome) {
            case "declined" -> failure("Card declined", ErrorType.PERMANENT_ERROR.value(), false,
                    Map.of("decline_code", "insufficient_funds"), "CARD_DECLINED");
            case "throttled" -> failure("Payment gateway is throttling", ErrorType.RETRYABLE_ERROR, true)
                    .withRetryAfter(Duration.ofSeconds(1));
            default -> success(Map.of("charged", true, "reserved",
                    ctx.getDependencyField("reserve_inventory", "reserved") instanceof Number n ? n : 0));
        };
    }
}
