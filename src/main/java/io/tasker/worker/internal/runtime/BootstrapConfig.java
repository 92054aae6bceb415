package io.tasker.worker.internal.runtime;

import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.CoreConfigFile;
import io.tasker.worker.internal.config.WorkerSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code bootstrap_worker} config JSON. Both backends read the same keys; the tasker-core bridge also
 * reads {@code tasker_core} (the foundation's TOML and template directory) and ignores the embedded-only
 * {@code engine} keys.
 */
public final class BootstrapConfig {

    private BootstrapConfig() {}

    public static String json(WorkerSettings s, String workerId, List<TemplateSource> templates) {
        Map<String, Object> backoff = new LinkedHashMap<>();
        backoff.put("base_ms", s.backoffBaseMs());
        backoff.put("max_ms", s.backoffMaxMs());
        backoff.put("multiplier", s.backoffMultiplier());
        backoff.put("jitter_pct", s.backoffJitterPct());
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("data_dir", s.resolvedDataDir());
        engine.put("completion_timeout_ms", s.completionTimeoutMs());
        engine.put("starvation_threshold_ms", s.starvationThresholdMs());
        engine.put("backoff", backoff);
        Map<String, Object> retention = new LinkedHashMap<>();
        retention.put("keep_all", s.retentionKeepAll());
        retention.put("max_age_ms", s.retentionMaxAgeMs());
        // null turns the count limit off (the engine's default).
        retention.put("max_count", s.retentionMaxCount());
        engine.put("retention", retention);
        // Parent step names on StepResponse let the dashboard draw the DAG; the real foundation ignores the key.
        engine.put("expose_step_parents", true);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("namespace", s.namespace());
        root.put("log_level", s.logLevel());
        root.put("worker_id", workerId);
        root.put(
                "templates",
                templates.stream()
                        .map(t -> Map.of("source", t.source(), "yaml", t.yaml()))
                        .toList());
        root.put("engine", engine);
        if (s.taskerCore()) {
            Map<String, Object> core = new LinkedHashMap<>();
            core.put("config_path", CoreConfigFile.resolve(s));
            core.put("orphan_lease_ms", s.coreOrphanLeaseMs());
            if (s.coreOrchestrationUrl() != null && !s.coreOrchestrationUrl().isBlank()) {
                core.put("orchestration_url", s.coreOrchestrationUrl().trim());
            }
            if (s.templatePath() != null && !s.templatePath().isBlank()) {
                core.put(
                        "template_path",
                        java.nio.file.Path.of(s.templatePath().trim())
                                .toAbsolutePath()
                                .toString());
            }
            root.put("tasker_core", core);
        }
        return Json.write(root);
    }
}
