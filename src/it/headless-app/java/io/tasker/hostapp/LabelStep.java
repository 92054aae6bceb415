package io.tasker.hostapp;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/** The event form in a host application: a plain observer, found by the worker's extension from the classes jar. */
@ApplicationScoped
public class LabelStep {

    @SuppressWarnings("unchecked")
    void label(@Observes @StepHandler("host_label") StepExecution step) {
        StepContext ctx = step.context();
        Map<String, Object> product = (Map<String, Object>) ctx.getDependencyResult("multiply");
        String prefix = ctx.getConfig("prefix", String.class);
        step.complete(Map.of("label", prefix + product.get("product")));
    }
}
