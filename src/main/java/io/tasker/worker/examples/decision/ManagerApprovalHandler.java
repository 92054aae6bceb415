package io.tasker.worker.examples.decision;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Stands in for a manager's sign-off (a real one would wait on a person or another system). */
@StepHandler("approval_routing.manager_approval")
@ApplicationScoped
public class ManagerApprovalHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        String manager = ctx.getInputOr("manager", "manager-on-duty");
        return success(Map.of("approved", true, "approver", manager));
    }
}
