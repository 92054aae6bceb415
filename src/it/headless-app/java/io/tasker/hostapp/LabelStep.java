package io.tasker.hostapp;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

@StepHandler("host_label")
@ApplicationScoped
public class LabelStep implements ExecutableHandler {

    @Override
    @SuppressWarnings("unchecked")
    public StepHandlerResult call(StepContext ctx) {
        Map<String, Object> product = (Map<String, Object>) ctx.getDependencyResult("multiply");
        String prefix = ctx.getConfig("prefix", String.class);
        return StepHandlerResult.success(Map.of("label", prefix + product.get("product")));
    }
}
