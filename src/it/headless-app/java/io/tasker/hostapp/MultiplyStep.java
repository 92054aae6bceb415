package io.tasker.hostapp;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

@StepHandler("host_multiply")
@ApplicationScoped
public class MultiplyStep implements ExecutableHandler {

    @Inject
    Multiplier multiplier;

    @Override
    public StepHandlerResult call(StepContext ctx) {
        int value = ctx.getInput("value", Integer.class);
        return StepHandlerResult.success(Map.of("product", value * multiplier.factor()));
    }
}
