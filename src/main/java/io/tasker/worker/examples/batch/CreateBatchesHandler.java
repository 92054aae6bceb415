package io.tasker.worker.examples.batch;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.BatchWorkerConfig;
import io.tasker.worker.api.handler.BatchableHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * The batchable step: splits {@code analyze_dataset.total_items} over {@code worker_count} workers (task context,
 * else {@code handler.initialization}) of the worker template named by {@code worker_template_name} in its
 * initialization. Zero items give {@code no_batches} (one no-op placeholder worker).
 */
@StepHandler("batch_examples.create_batches")
@ApplicationScoped
public class CreateBatchesHandler extends BatchableHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Number total = (Number) ctx.getDependencyField("analyze_dataset", "total_items");
        String template = ctx.getConfig("worker_template_name", String.class);
        Integer configured = ctx.getConfig("worker_count", Integer.class);
        int workers = ctx.getInputOr("worker_count", configured == null ? 2 : configured);
        if (total == null || total.longValue() == 0) {
            return noBatchesResult("no items to process", Map.of("total_items", 0));
        }
        List<BatchWorkerConfig> configs = createCursorConfigs(total.longValue(), workers);
        return batchSuccess(template, configs, Map.of("requested_workers", workers));
    }
}
