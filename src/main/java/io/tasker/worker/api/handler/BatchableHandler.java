package io.tasker.worker.api.handler;

import io.tasker.worker.api.BaseStepHandler;
import java.util.List;

/**
 * Base class for batch workflows (the TypeScript worker's {@code BatchableStepHandler}): {@link BaseStepHandler} plus every
 * {@link BatchableCapable} helper. The same base serves the batchable step, the workers and the aggregator.
 *
 * <pre>{@code
 * @StepHandler("create_batches") @ApplicationScoped
 * public class CreateBatches extends BatchableHandler {
 *     @Override public StepHandlerResult call(StepContext ctx) {
 *         long total = ctx.getInput("item_count", Long.class);
 *         if (total == 0) return noBatchesResult("nothing to do", null);
 *         return batchSuccess("process_batch", createCursorConfigs(total, 4), null);
 *     }
 * }
 * }</pre>
 */
public abstract class BatchableHandler extends BaseStepHandler implements BatchableCapable {

    /** {@code ["process", "batchable"]}. */
    @Override
    public List<String> capabilities() {
        return List.of("process", "batchable");
    }
}
