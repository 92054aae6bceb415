package io.tasker.worker.examples.decision;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deferred convergence step: it waits only for the branches the decision created, so it looks at whichever of
 * them are present and approves when all of those approved.
 */
@StepHandler("approval_routing.finalize_approval")
@ApplicationScoped
public class FinalizeApprovalHandler extends BaseStepHandler {

    static final List<String> BRANCHES = List.of("auto_approve", "manager_approval", "finance_review");

    @Override
    public StepHandlerResult call(StepContext ctx) {
        List<String> approvedBy = new ArrayList<>();
        boolean approved = true;
        for (String branch : BRANCHES) {
            if (ctx.getDependencyResultKeys().contains(branch)) {
                approvedBy.add(branch);
                approved &= Boolean.TRUE.equals(ctx.getDependencyField(branch, "approved"));
            }
        }
        return success(Map.of("approved", approved && !approvedBy.isEmpty(), "approved_by", approvedBy));
    }
}
