package io.tasker.worker.examples.batch;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.BatchWorkerInputs;
import io.tasker.worker.api.handler.BatchWorkerOutcome;
import io.tasker.worker.api.handler.BatchableHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A batch worker: sums the numbers of its slice ({@code index + 1} for every index in the cursor range). */
@StepHandler("batch_examples.process_batch")
@ApplicationScoped
public class ProcessBatchHandler extends BatchableHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Optional<StepHandlerResult> noOp = handleNoOpWorker(ctx);
        if (noOp.isPresent()) {
            return noOp.get();
        }
        BatchWorkerInputs inputs = getBatchWorkerInputs(ctx);
        long start = inputs.cursor().start();
        long end = inputs.cursor().end();
        long sum = 0;
        for (long i = start; i < end; i++) {
            sum += i + 1;
        }
        BatchWorkerOutcome outcome = new BatchWorkerOutcome(
                end - start,
                end - start,
                0,
                0,
                List.of(Map.of("batch_id", inputs.cursor().batchId(), "sum", sum)),
                List.of(),
                end,
                Map.of("cursor_field", String.valueOf(inputs.cursorField())));
        return batchWorkerSuccess(outcome);
    }
}
