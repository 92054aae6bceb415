//! Bootstrap configuration: the JSON is syntax-checked like the original, then our
//! extension keys (`worker_id`, `templates`, `engine`) are read; TS keys are ignored.

use crate::engine::{BackoffConfig, EngineConfig};
use crate::json::Value;
use crate::store::Retention;
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

/// Read `*.yaml`/`*.yml` files below a directory (sorted, recursive). Only regular files
/// are read: FIFOs, sockets and devices are skipped with a warning (reading a FIFO would
/// block bootstrap forever), and a directory reached twice (a symlink loop) is skipped with a
/// warning. An unreadable file fails with an error naming it.
pub fn templates_from_dir(dir: &str) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut visited = std::collections::HashSet::new();
    let root = PathBuf::from(dir);
    let canon = std::fs::canonicalize(&root)
        .map_err(|e| format!("TASKER_TEMPLATE_PATH {}: {}", root.display(), e))?;
    visited.insert(canon);
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .map_err(|e| format!("TASKER_TEMPLATE_PATH {}: {}", d.display(), e))?;
        for e in rd {
            let e = e.map_err(|e| format!("TASKER_TEMPLATE_PATH {}: {}", d.display(), e))?;
            let p = e.path();
            // Follows symlinks; a dangling link or one that loops onto itself fails here.
            let meta = match std::fs::metadata(&p) {
                Ok(m) => m,
                Err(err) => {
                    crate::logging::warn(&format!(
                        "template path {} skipped: {}",
                        p.display(),
                        err
                    ));
                    continue;
                }
            };
            let is_template = matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml") | Some("yml")
            );
            if meta.is_dir() {
                match std::fs::canonicalize(&p) {
                    Ok(c) if visited.insert(c.clone()) => stack.push(p),
                    Ok(c) => crate::logging::warn(&format!(
                        "template directory {} skipped: it leads back to {} (symlink loop)",
                        p.display(),
                        c.display()
                    )),
                    Err(err) => crate::logging::warn(&format!(
                        "template directory {} skipped: {}",
                        p.display(),
                        err
                    )),
                }
            } else if is_template {
                if meta.is_file() {
                    files.push(p);
                } else {
                    crate::logging::warn(&format!(
                        "template path {} skipped: not a regular file",
                        p.display()
                    ));
                }
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

/// `engine.retention`: `{"keep_all": bool, "max_age_ms": n|null, "max_count": n|null,
/// "batch": n, "interval_ms": n}`; absent keys keep their defaults, null turns a limit off.
fn parse_retention(r: &Value) -> Result<Retention, String> {
    if r.as_object().is_none() {
        return Err("`engine.retention` must be an object".into());
    }
    let mut out = Retention::default();
    match r.get("keep_all") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => out.keep_all = *b,
        Some(_) => return Err("`engine.retention.keep_all` must be a boolean".into()),
    }
    match r.get("max_age_ms") {
        None => {}
        Some(Value::Null) => out.max_age_ms = None,
        Some(v) => out.max_age_ms = Some(num_u64(v, "engine.retention.max_age_ms")?),
    }
    match r.get("max_count") {
        None => {}
        Some(Value::Null) => out.max_count = None,
        Some(v) => out.max_count = Some(num_u64(v, "engine.retention.max_count")?),
    }
    if let Some(v) = r.get("batch").filter(|v| !v.is_null()) {
        out.batch = num_u64(v, "engine.retention.batch")?.clamp(1, 10_000) as usize;
    }
    if let Some(v) = r.get("interval_ms").filter(|v| !v.is_null()) {
        out.interval_ms = num_u64(v, "engine.retention.interval_ms")?.max(1);
    }
    Ok(out)
}

pub fn parse(config: &Value) -> Result<BootstrapConfig, String> {
    let worker_id = match config.get("worker_id") {
        Some(Value::Str(s)) if !s.is_empty() => s.clone(),
        Some(Value::Null) | None => format!("embedded-worker-{}", crate::uuid::new_v4()),
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
        if let Some(r) = e.get("retention").filter(|v| !v.is_null()) {
            engine.retention = parse_retention(r)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::sync::mpsc;
    use std::time::Duration;

    const TPL: &str = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    handler: { callable: A }\n";

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "tasker-tpl-{}-{}-{}",
            name,
            std::process::id(),
            crate::uuid::new_v4()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Runs the directory walk on its own thread: a hang fails the test instead of blocking it.
    fn load(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
        let (tx, rx) = mpsc::channel();
        let d = dir.display().to_string();
        std::thread::spawn(move || {
            let _ = tx.send(templates_from_dir(&d));
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("template loading hung")
    }

    #[test]
    fn template_dir_skips_loops_fifos_and_dangling_links_and_accepts_a_bom() {
        let d = temp_dir("walk");
        std::fs::write(d.join("a.yaml"), format!("\u{feff}{}", TPL)).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b.yml"), TPL.replace("name: t\n", "name: u\n")).unwrap();
        std::fs::write(d.join("notes.txt"), "not a template").unwrap();
        symlink(".", d.join("loop1")).unwrap();
        symlink("..", d.join("sub/loop2")).unwrap();
        symlink("missing.yaml", d.join("dangling.yaml")).unwrap();
        symlink("a.yaml", d.join("linked.yaml")).unwrap();
        let fifo = d.join("x.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let got = load(&d).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|(s, _)| {
                s.strip_prefix(&d.display().to_string())
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["/a.yaml", "/linked.yaml", "/sub/b.yml"]);
        // The BOM is accepted by the template parser.
        for (source, text) in &got {
            crate::template::parse_template(source, text, None).unwrap();
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn unreadable_template_is_named_in_the_error() {
        let d = temp_dir("unreadable");
        std::fs::write(d.join("ok.yaml"), TPL).unwrap();
        // Running as root, permissions do not stop a read; bytes that are not UTF-8 do.
        std::fs::write(d.join("bad.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
        let err = load(&d).unwrap_err();
        assert!(
            err.contains(&d.join("bad.yaml").display().to_string()),
            "{}",
            err
        );
        std::fs::remove_dir_all(&d).unwrap();
        assert!(load(&d).unwrap_err().contains("TASKER_TEMPLATE_PATH"));
    }
}
