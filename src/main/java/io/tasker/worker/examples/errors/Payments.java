package io.tasker.worker.examples.errors;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;

/**
 * A step handler in the event form: a plain CDI observer of the step execution, no handler interface. It reports
 * failure results instead of throwing, with retryability chosen per cause: a declined card is permanent, a gateway
 * that asks to slow down is retryable after the delay it named (sent to the orchestrator as a server-requested
 * backoff). The outcome is simulated from {@code payment_outcome} in the task context.
 */
@ApplicationScoped
public class Payments {

    void charge(@Observes @StepHandler("error_examples.charge_payment") StepExecution step) {
        StepContext ctx = step.context();
        String outcome = ctx.getInputOr("payment_outcome", "approved");
        switch (outcome) {
            case "declined" ->
                step.fail(PermanentStepException.builder("Card declined")
                        .errorCode("CARD_DECLINED")
                        .metadata("decline_code", "insufficient_funds")
                        .build());
            case "throttled" ->
                step.finish(StepHandlerResult.failure("Payment gateway is throttling", ErrorType.RETRYABLE_ERROR, true)
                        .withRetryAfter(Duration.ofSeconds(1)));
            default ->
                step.complete(Map.of(
                        "charged",
                        true,
                        "reserved",
                        ctx.getDependencyField("reserve_inventory", "reserved") instanceof Number n ? n : 0));
        }
    }
}
