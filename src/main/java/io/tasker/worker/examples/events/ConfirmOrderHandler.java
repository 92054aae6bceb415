package io.tasker.worker.examples.events;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Confirms the order; fires {@code order.confirmed} through the default publisher. */
@StepHandler("event_examples.confirm_order")
@ApplicationScoped
public class ConfirmOrderHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        return success(Map.of(
                "order_id", String.valueOf(ctx.getDependencyField("place_order", "order_id")), "confirmed", true));
    }
}
