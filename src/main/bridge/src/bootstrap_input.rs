//! The bootstrap JSON our Java side sends, and the resolution of the
//! foundation's config file and template directory from it.
//!
//! `TASKER_CONFIG_PATH` belongs to the Java side's own TOML and is never read
//! here. The foundation's TOML comes from `tasker_core.config_path`, else the
//! env `TASKER_CORE_CONFIG_PATH`.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
pub struct BootstrapInput {
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub log_level: Option<String>,
    pub worker_id: Option<String>,
    #[serde(default)]
    pub templates: Vec<TemplateSource>,
    #[serde(default)]
    pub engine: EngineSettings,
    #[serde(default)]
    pub tasker_core: TaskerCoreSettings,
}

fn default_namespace() -> String {
    "default".to_string()
}

#[derive(Debug, Deserialize)]
pub struct TemplateSource {
    pub source: String,
    pub yaml: String,
}

/// Only the two keys the foundation honours; embedded-only keys are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct EngineSettings {
    pub completion_timeout_ms: Option<u64>,
    pub starvation_threshold_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TaskerCoreSettings {
    pub config_path: Option<String>,
    pub template_path: Option<String>,
}

pub const CONFIG_ENV: &str = "TASKER_CORE_CONFIG_PATH";

pub fn parse(json: &str) -> Result<BootstrapInput, String> {
    if json.trim().is_empty() {
        return Ok(serde_json::from_str("{}").expect("empty object parses"));
    }
    serde_json::from_str(json).map_err(|e| format!("invalid bootstrap JSON: {e}"))
}

/// The foundation's TOML: `tasker_core.config_path`, else `env_value`
/// (the caller passes `std::env::var(CONFIG_ENV).ok()`); it must be a file.
pub fn resolve_config_path(input: &BootstrapInput, env_value: Option<String>) -> Result<PathBuf, String> {
    let (p, origin) = match (&input.tasker_core.config_path, env_value) {
        (Some(p), _) if !p.trim().is_empty() => (PathBuf::from(p), "tasker_core.config_path"),
        (_, Some(e)) if !e.trim().is_empty() => (PathBuf::from(e), CONFIG_ENV),
        _ => {
            return Err(format!(
                "no tasker-core config: set tasker_core.config_path in the bootstrap JSON or the env {CONFIG_ENV}"
            ))
        }
    };
    if !p.is_file() {
        return Err(format!("tasker-core config file {} (from {origin}) does not exist or is not a file", p.display()));
    }
    Ok(p)
}

/// Where the templates come from: a given directory (must hold at least one
/// .yaml/.yml file), or a fresh private directory holding `templates[]`.
#[derive(Debug)]
pub enum TemplateDir {
    Given(PathBuf),
    Materialised(PathBuf),
}

impl TemplateDir {
    pub fn path(&self) -> &Path {
        match self {
            TemplateDir::Given(p) | TemplateDir::Materialised(p) => p,
        }
    }
}

fn yaml_count(dir: &Path) -> Result<usize, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("template directory {}: {e}", dir.display()))?;
    Ok(rd
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.ends_with(".yaml") || n.ends_with(".yml")
        })
        .count())
}

pub fn resolve_template_dir(input: &BootstrapInput, scratch_root: &Path) -> Result<TemplateDir, String> {
    if let Some(p) = input.tasker_core.template_path.as_deref().filter(|p| !p.trim().is_empty()) {
        let dir = PathBuf::from(p);
        if yaml_count(&dir)? == 0 {
            return Err(format!("template directory {} holds no .yaml templates", dir.display()));
        }
        return Ok(TemplateDir::Given(dir));
    }
    if input.templates.is_empty() {
        return Err("no templates: bootstrap JSON has an empty templates[] and no tasker_core.template_path".to_string());
    }
    let dir = scratch_root.join(format!("tasker-bridge-templates-{}", uuid::Uuid::new_v4()));
    create_private_dir(&dir)?;
    for (i, t) in input.templates.iter().enumerate() {
        // Only the base name of `source`, so a hostile name cannot escape the directory.
        let base = Path::new(&t.source)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .unwrap_or_else(|| format!("template_{i}.yaml"));
        let file = dir.join(format!("{i:03}_{base}"));
        std::fs::write(&file, &t.yaml).map_err(|e| format!("writing template {}: {e}", file.display()))?;
    }
    Ok(TemplateDir::Materialised(dir))
}

fn create_private_dir(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("creating template directory {}: {e}", dir.display()))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir(dir).map_err(|e| format!("creating template directory {}: {e}", dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"namespace":"default","log_level":"info","worker_id":"jakarta-worker-1",
      "templates":[{"source":"diamond_workflow.yaml","yaml":"name: diamond\n"}],
      "engine":{"completion_timeout_ms":30000,"starvation_threshold_ms":10000,"embedded_only":true},
      "tasker_core":{"config_path":"/nonexistent/worker.toml"}}"#;

    #[test]
    fn parses_full_input_and_ignores_embedded_keys() {
        let i = parse(FULL).unwrap();
        assert_eq!(i.worker_id.as_deref(), Some("jakarta-worker-1"));
        assert_eq!(i.engine.completion_timeout_ms, Some(30000));
        assert_eq!(i.engine.starvation_threshold_ms, Some(10000));
        assert_eq!(i.templates.len(), 1);
        assert!(i.tasker_core.template_path.is_none());
    }

    #[test]
    fn garbage_is_a_named_error() {
        assert!(parse("{not json").unwrap_err().starts_with("invalid bootstrap JSON"));
        assert!(parse(r#"{"templates":5}"#).is_err());
        assert_eq!(parse("").unwrap().namespace, "default");
    }

    #[test]
    fn config_path_resolution() {
        let tmp = std::env::temp_dir().join(format!("tb-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&tmp).unwrap();
        let f = tmp.join("worker.toml");
        std::fs::write(&f, "").unwrap();
        let mut i = parse("{}").unwrap();
        let e = resolve_config_path(&i, None).unwrap_err();
        assert!(e.contains("tasker_core.config_path") && e.contains(CONFIG_ENV), "{e}");
        assert_eq!(resolve_config_path(&i, Some(f.display().to_string())).unwrap(), f);
        i.tasker_core.config_path = Some("/nonexistent/x.toml".into());
        let e = resolve_config_path(&i, Some(f.display().to_string())).unwrap_err();
        assert!(e.contains("/nonexistent/x.toml"), "{e}");
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn template_dir_materialised_private() {
        let root = std::env::temp_dir();
        let i = parse(FULL).unwrap();
        let d = resolve_template_dir(&i, &root).unwrap();
        let p = d.path().to_path_buf();
        assert_eq!(yaml_count(&p).unwrap(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o700);
        }
        std::fs::remove_dir_all(&p).unwrap();
    }

    #[test]
    fn template_dir_errors_name_the_cause() {
        let root = std::env::temp_dir();
        let i = parse(r#"{"templates":[]}"#).unwrap();
        assert!(resolve_template_dir(&i, &root).unwrap_err().contains("no templates"));
        let empty = root.join(format!("tb-empty-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&empty).unwrap();
        let i = parse(&format!(r#"{{"tasker_core":{{"template_path":"{}"}}}}"#, empty.display())).unwrap();
        let e = resolve_template_dir(&i, &root).unwrap_err();
        assert!(e.contains(&empty.display().to_string()), "{e}");
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
