package io.tasker.worker.api.handler;

import io.tasker.worker.api.BaseStepHandler;
import java.util.List;

/**
 * Base class for {@code type: decision} steps (the TypeScript worker's {@code DecisionHandler}): {@link BaseStepHandler} plus
 * every {@link DecisionCapable} builder.
 *
 * <pre>{@code
 * @StepHandler("routing_decision") @ApplicationScoped
 * public class RoutingDecision extends DecisionHandler {
 *     @Override public StepHandlerResult call(StepContext ctx) {
 *         double amount = ctx.getInput("amount", Double.class);
 *         return amount < 1000
 *                 ? decisionSuccess(List.of("auto_approve"), Map.of("amount", amount))
 *                 : decisionSuccess(List.of("manager_approval"), Map.of("amount", amount));
 *     }
 * }
 * }</pre>
 */
public abstract class DecisionHandler extends BaseStepHandler implements DecisionCapable {

    /** {@code ["process", "decision", "routing"]}. */
    @Override
    public List<String> capabilities() {
        return List.of("process", "decision", "routing");
    }
}
