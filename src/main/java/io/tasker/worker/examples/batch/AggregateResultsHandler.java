package io.tasker.worker.examples.batch;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.handler.BatchableHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The convergence step: finds the workers by prefix ({@code worker_prefix} in its initialization), sums their
 * {@code sum}s and adds the standard batch statistics.
 */
@StepHandler("batch_examples.aggregate_results")
@ApplicationScoped
public class AggregateResultsHandler extends BatchableHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        String batchable = ctx.getConfig("batchable_step", String.class);
        String prefix = ctx.getConfig("worker_prefix", String.class);
        return aggregateWorkerResults(ctx, batchable, prefix, Map.of("total_sum", 0), workers -> {
            long total = 0;
            List<Object> outcomes = new ArrayList<>(workers.values());
            for (Object worker : outcomes) {
                total += sumOf(worker);
            }
            Map<String, Object> out = new LinkedHashMap<>(aggregateBatchResults(outcomes));
            out.put("total_sum", total);
            return out;
        });
    }

    /** {@code batch_worker_outcome.results[*].sum}. */
    static long sumOf(Object workerResult) {
        long sum = 0;
        if (workerResult instanceof Map<?, ?> m
                && m.get("batch_worker_outcome") instanceof Map<?, ?> outcome
                && outcome.get("results") instanceof List<?> results) {
            for (Object r : results) {
                if (r instanceof Map<?, ?> item && item.get("sum") instanceof Number n) {
                    sum += n.longValue();
                }
            }
        }
        return sum;
    }
}
