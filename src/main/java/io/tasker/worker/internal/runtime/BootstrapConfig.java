package io.tasker.worker.internal.runtime;

import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@code bootstrap_worker} config JSON for the embedded engine. */
public final class BootstrapConfig {

    private BootstrapConfig() {
    }

    public static String json(WorkerSettings s, String workerId, List<TemplateSource> templates) {
        Map<String, Object> backoff = new LinkedHashMap<>();
        backoff.put("base_ms", s.backoffBaseMs());
        backoff.put("max_ms", s.backoffMaxMs());
        backoff.put("multiplier", s.backoffMultiplier());
        backoff.put("jitter_pct", s.backoffJitterPct());
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("data_dir", s.resolvedDataDir());
        engine.put("completion_timeout_ms", s.completionTimeoutMs());
        engine.put("backoff", backoff);
        // Parent step names on StepResponse let the dashboard draw the DAG; the real foundation ignores the key.
        engine.put("expose_step_parents", true);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("namespace", s.namespace());
        root.put("log_level", s.logLevel());
        root.put("worker_id", workerId);
        root.put("templates", templates.stream()
                .map(t -> Map.of("source", t.source(), "yaml", t.yaml()))
                .toList());
        root.put("engine", engine);
        return Json.write(root);
    }
}
