package io.tasker.worker.api.handler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The arithmetic behind {@link BatchableCapable}, kept out of the interface so it stays readable. */
final class BatchSupport {

    private BatchSupport() {}

    static List<BatchWorkerConfig> cursorConfigs(long totalItems, int workerCount) {
        if (workerCount <= 0) {
            throw new IllegalArgumentException("workerCount must be > 0, was " + workerCount);
        }
        if (totalItems < 0) {
            throw new IllegalArgumentException("totalItems must be >= 0, was " + totalItems);
        }
        if (totalItems == 0) {
            return List.of();
        }
        long perWorker = (totalItems + workerCount - 1) / workerCount;
        int slices = (int) ((totalItems + perWorker - 1) / perWorker);
        List<BatchWorkerConfig> configs = new ArrayList<>(slices);
        for (int i = 0; i < slices; i++) {
            long start = i * perWorker;
            long end = Math.min(start + perWorker, totalItems);
            configs.add(new BatchWorkerConfig(String.format("%03d", i + 1), start, end, end - start, i, slices));
        }
        return List.copyOf(configs);
    }

    @SuppressWarnings("unchecked")
    static AggregationScenario detect(Map<String, Object> deps, String batchableStepName, String workerPrefix) {
        Object entry = deps == null ? null : deps.get(batchableStepName);
        if (entry == null) {
            throw new IllegalStateException("Missing batchable step dependency: " + batchableStepName);
        }
        Object batchableResult = unwrap(entry);
        Object outcome = batchableResult instanceof Map<?, ?> m ? m.get("batch_processing_outcome") : null;
        if (outcome instanceof Map<?, ?> o && "no_batches".equals(o.get("type"))) {
            return new AggregationScenario(true, batchableResult, Map.of(), 0);
        }
        Map<String, Object> workers = new LinkedHashMap<>();
        deps.forEach((name, value) -> {
            if (name.startsWith(workerPrefix)) {
                workers.put(name, unwrap(value));
            }
        });
        if (workers.isEmpty()) {
            throw new IllegalStateException("No batch worker results found with prefix '" + workerPrefix + "'");
        }
        return new AggregationScenario(false, batchableResult, workers, workers.size());
    }

    private static Object unwrap(Object entry) {
        return entry instanceof Map<?, ?> m && m.containsKey("result") ? m.get("result") : entry;
    }

    static Map<String, Object> aggregate(List<?> results, int maxErrors) {
        long processed = 0;
        long succeeded = 0;
        long failed = 0;
        long skipped = 0;
        List<Object> errors = new ArrayList<>();
        int errorCount = 0;
        int batches = 0;
        for (Object r : results) {
            if (!(r instanceof Map<?, ?> map)) {
                continue;
            }
            Map<?, ?> outcome = map.get("batch_worker_outcome") instanceof Map<?, ?> inner ? inner : map;
            batches++;
            processed += number(outcome.get("items_processed"));
            succeeded += number(outcome.get("items_succeeded"));
            failed += number(outcome.get("items_failed"));
            skipped += number(outcome.get("items_skipped"));
            if (outcome.get("errors") instanceof List<?> list) {
                errorCount += list.size();
                for (Object e : list) {
                    if (errors.size() < maxErrors) {
                        errors.add(e);
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total_processed", processed);
        out.put("total_succeeded", succeeded);
        out.put("total_failed", failed);
        out.put("total_skipped", skipped);
        out.put("batch_count", batches);
        out.put("success_rate", processed == 0 ? 0.0 : (double) succeeded / processed);
        out.put("errors", errors);
        out.put("error_count", errorCount);
        return out;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }
}
