package io.tasker.worker.it.ops.hostile;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test support for ProductionServerIT (deployed only into its server): returns the task's whole context as its
 * result, so the result and the {@code hostile.echoed} domain event payload carry whatever the context held.
 */
@StepHandler("hostile.echo")
@ApplicationScoped
public class EchoInputHandler extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        Map<String, Object> out = new LinkedHashMap<>(ctx.getInputData());
        out.put("echoed", true);
        return success(out);
    }
}
