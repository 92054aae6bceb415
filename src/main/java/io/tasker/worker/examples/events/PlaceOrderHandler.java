package io.tasker.worker.examples.events;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.logging.TaskerLog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Places the order; its result becomes the {@code order.placed} event's payload. */
@StepHandler("event_examples.place_order")
@ApplicationScoped
public class PlaceOrderHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        String orderId = ctx.getInputOr("order_id", "ORD-1");
        double amount = ctx.getInputOr("amount", 10.0);
        // Carries task_uuid, step_uuid, handler_name and correlation_id automatically.
        TaskerLog.logInfo("placing order", Map.of("order_id", orderId, "amount", amount));
        return success(Map.of("order_id", orderId, "amount", amount, "status", "placed"));
    }
}
