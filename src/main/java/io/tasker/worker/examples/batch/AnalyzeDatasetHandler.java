package io.tasker.worker.examples.batch;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Counts the items to process ({@code item_count} in the task context). */
@StepHandler("batch_examples.analyze_dataset")
@ApplicationScoped
public class AnalyzeDatasetHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Long count = ctx.getInput("item_count", Long.class);
        if (count == null || count < 0) {
            return failure("item_count must be a non-negative integer", ErrorType.VALIDATION_ERROR, false);
        }
        return success(Map.of("total_items", count));
    }
}
