package io.tasker.worker.api.handler;

import java.util.Map;

/**
 * What an aggregation (convergence) step finds upstream (the TypeScript worker's {@code detectAggregationScenario} result).
 *
 * @param noBatches       true when the batchable step returned {@code no_batches}
 * @param batchableResult the batchable step's result
 * @param batchResults    worker step name to its result ({@code <template>_001} …), empty for {@code no_batches}
 * @param workerCount     number of worker results
 */
public record AggregationScenario(
        boolean noBatches, Object batchableResult, Map<String, Object> batchResults, int workerCount) {}
