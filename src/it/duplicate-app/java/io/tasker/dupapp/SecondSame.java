package io.tasker.dupapp;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

@StepHandler("same")
@ApplicationScoped
public class SecondSame implements ExecutableHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return StepHandlerResult.success(null);
    }
}
