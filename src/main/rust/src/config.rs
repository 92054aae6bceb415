//! Bootstrap configuration: the JSON is syntax-checked like the original, then our
//! extension keys (`worker_id`, `templates`, `engine`) are read; TS keys are ignored.

use crate::engine::{BackoffConfig, EngineConfig};
use crate::json::Value;
use std::path::PathBuf;

pub struct BootstrapConfig {
    pub worker_id: String,
    pub templates: Vec<(String, String)>,
    pub engine: EngineConfig,
}

/// Non-negative integer; a whole float such as `30000.0` is accepted too (JSON writers differ).
fn num_u64(v: &Value, path: &str) -> Result<u64, String> {
    match v {
        Value::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64 => Ok(*f as u64),
        _ => v
            .as_u64()
            .ok_or_else(|| format!("`{}` must be a non-negative integer", path)),
    }
}

fn num_f64(v: &Value, path: &str) -> Result<f64, String> {
    v.as_f64()
        .filter(|f| f.is_finite() && *f >= 0.0)
        .ok_or_else(|| format!("`{}` must be a non-negative number", path))
}

/// Read `*.yaml`/`*.yml` files below a directory (sorted, recursive).
pub fn templates_from_dir(dir: &str) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .map_err(|e| format!("TASKER_TEMPLATE_PATH {}: {}", d.display(), e))?;
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml") | Some("yml")
            ) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| format!("template file {}: {}", f.display(), e))?;
        out.push((f.display().to_string(), text));
    }
    Ok(out)
}

pub fn parse(config: &Value) -> Result<BootstrapConfig, String> {
    let worker_id = match config.get("worker_id") {
        Some(Value::Str(s)) if !s.is_empty() => s.clone(),
        Some(Value::Null) | None => format!("embedded-worker-{}", crate::uuid::Uuid::new_v4()),
        Some(_) => return Err("`worker_id` must be a string".into()),
    };
    let templates = match config.get("templates") {
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, it) in items.iter().enumerate() {
                let source = it
                    .get("source")
                    .and_then(|v| v.as_str())
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("templates[{}]", i));
                let yaml = it
                    .get("yaml")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| format!("`templates[{}].yaml` must be a string", i))?;
                out.push((source, yaml.to_string()));
            }
            out
        }
        Some(Value::Null) | None => match std::env::var("TASKER_TEMPLATE_PATH") {
            Ok(dir) if !dir.is_empty() => templates_from_dir(&dir)?,
            _ => Vec::new(),
        },
        Some(_) => return Err("`templates` must be an array of {source, yaml}".into()),
    };
    let mut engine = EngineConfig::default();
    if let Some(e) = config.get("engine").filter(|v| !v.is_null()) {
        if e.as_object().is_none() {
            return Err("`engine` must be an object".into());
        }
        match e.get("data_dir") {
            None | Some(Value::Null) => {}
            Some(Value::Str(s)) if s.is_empty() => {} // empty = in-memory, like null
            Some(Value::Str(s)) => engine.data_dir = Some(PathBuf::from(s)),
            Some(_) => return Err("`engine.data_dir` must be a string or null".into()),
        }
        if let Some(v) = e.get("completion_timeout_ms").filter(|v| !v.is_null()) {
            engine.completion_timeout_ms = num_u64(v, "engine.completion_timeout_ms")?;
        }
        if let Some(v) = e.get("starvation_threshold_ms").filter(|v| !v.is_null()) {
            engine.starvation_threshold_ms = num_u64(v, "engine.starvation_threshold_ms")?;
        }
        if let Some(v) = e.get("event_buffer").filter(|v| !v.is_null()) {
            engine.event_buffer = num_u64(v, "engine.event_buffer")?.max(1) as usize;
        }
        if let Some(v) = e.get("snapshot_bytes").filter(|v| !v.is_null()) {
            engine.snapshot_bytes = num_u64(v, "engine.snapshot_bytes")?;
        }
        match e.get("expose_step_parents") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => engine.expose_step_parents = *b,
            Some(_) => return Err("`engine.expose_step_parents` must be a boolean".into()),
        }
        match e.get("environment") {
            None | Some(Value::Null) => {}
            Some(Value::Str(s)) => engine.environment = Some(s.clone()),
            Some(_) => return Err("`engine.environment` must be a string or null".into()),
        }
        if let Some(b) = e.get("backoff").filter(|v| !v.is_null()) {
            let mut bc = BackoffConfig::default();
            if let Some(v) = b.get("base_ms") {
                bc.base_ms = num_u64(v, "engine.backoff.base_ms")?;
            }
            if let Some(v) = b.get("max_ms") {
                bc.max_ms = num_u64(v, "engine.backoff.max_ms")?;
            }
            if let Some(v) = b.get("multiplier") {
                bc.multiplier = num_f64(v, "engine.backoff.multiplier")?;
            }
            if let Some(v) = b.get("jitter_pct") {
                bc.jitter_pct = num_f64(v, "engine.backoff.jitter_pct")?.min(1.0);
            }
            engine.backoff = bc;
        }
    }
    Ok(BootstrapConfig {
        worker_id,
        templates,
        engine,
    })
}
