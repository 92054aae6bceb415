package io.tasker.worker.examples.batch;

import io.tasker.worker.api.Checkpoint;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.BatchWorkerInputs;
import io.tasker.worker.api.handler.BatchWorkerOutcome;
import io.tasker.worker.api.handler.BatchableHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch worker that saves its progress: it sums {@code checkpoint_interval} items per call and yields a
 * checkpoint (cursor = next index, accumulated = running sum) until its slice is done, so a long slice never
 * blocks a worker thread for long and a crash loses at most one chunk.
 *
 * <p>To show recovery, the first attempt fails when it reaches the item {@code fail_at_item} (if it is in this
 * worker's slice). The retry starts from the last checkpoint, not from the beginning: items after that checkpoint
 * are processed again (at-least-once), items before it are not, and the running sum stays correct because it is
 * carried in the checkpoint.
 */
@StepHandler("batch_examples.checkpointing_worker")
@ApplicationScoped
public class CheckpointingBatchWorker extends BatchableHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Optional<StepHandlerResult> noOp = handleNoOpWorker(ctx);
        if (noOp.isPresent()) {
            return noOp.get();
        }
        BatchWorkerInputs inputs = getBatchWorkerInputs(ctx);
        long start = inputs.cursor().start();
        long end = inputs.cursor().end();
        int interval = ctx.getConfig("checkpoint_interval", Integer.class) == null
                ? 10
                : ctx.getConfig("checkpoint_interval", Integer.class);
        Long failAt = ctx.getConfig("fail_at_item", Long.class);

        Optional<Checkpoint> saved = ctx.checkpoint();
        long position = saved.map(c -> c.cursorAs(Long.class)).orElse(start);
        Accumulated acc = saved.map(c -> c.accumulatedResultsAs(Accumulated.class))
                .orElseGet(() -> new Accumulated(0, 0, null, 0));
        if (acc.resumedFrom() == null && ctx.info().isRetry()) {
            // first call of a retry: remember where it picked up
            acc = new Accumulated(acc.sum(), acc.count(), position, acc.checkpoints());
        }
        long chunkEnd = Math.min(end, position + interval);
        for (long i = position; i < chunkEnd; i++) {
            if (failAt != null && i == failAt && ctx.info().getRetryCount() == 0) {
                throw new RetryableStepException("Simulated crash at item " + i + " of batch "
                        + inputs.cursor().batchId());
            }
            acc = new Accumulated(acc.sum() + i + 1, acc.count() + 1, acc.resumedFrom(), acc.checkpoints());
        }
        if (chunkEnd < end) {
            acc = new Accumulated(acc.sum(), acc.count(), acc.resumedFrom(), acc.checkpoints() + 1);
            return checkpointYield(chunkEnd, chunkEnd - start, acc);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("checkpoints", acc.checkpoints());
        meta.put("attempt", ctx.info().getRetryCount() + 1);
        meta.put("resumed_from", acc.resumedFrom());
        BatchWorkerOutcome outcome = new BatchWorkerOutcome(
                end - start,
                end - start,
                0,
                0,
                List.of(Map.of("batch_id", inputs.cursor().batchId(), "sum", acc.sum())),
                List.of(),
                end,
                meta);
        return batchWorkerSuccess(outcome);
    }

    /**
     * What the worker carries from one chunk to the next.
     *
     * @param sum         running sum of the slice so far
     * @param count       items summed (including any processed twice after a crash)
     * @param resumedFrom where a retry picked up, {@code null} before any retry
     * @param checkpoints checkpoints saved so far
     */
    public record Accumulated(long sum, long count, Long resumedFrom, int checkpoints) {}
}
