//! The worker's state over the tasker-core foundation: bootstrap from our bootstrap JSON, and the handle every
//! export works on. Bootstrap replicates the foundation's own worker bootstrap with its public pieces, because
//! that one reads `TASKER_CONFIG_PATH`, which belongs to the Java side's TOML, and also starts the foundation's web
//! and gRPC servers, which must stay off inside the JVM.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::{json, Value};
use tasker_client::OrchestrationApiConfig;
use tasker_shared::config::config_loader::{ConfigLoader, ConfigManager};
use tasker_shared::events::domain_events::{DomainEvent, DomainEventPublisher};
use tasker_shared::system_context::SystemContext;
use tasker_worker::worker::services::CheckpointService;
use tasker_worker::worker::{
    DomainEventCallback, FfiDispatchChannel, FfiDispatchChannelConfig, StepEventPublisherRegistry,
};
use tasker_worker::{FfiClientBridge, WorkerCore};
use tokio::sync::broadcast;

/// Everything a running worker holds. The dispatch channel and the client have their own `Arc`s, so a slow client
/// call never blocks poll and complete (each export clones what it needs and releases the global lock at once).
pub struct Handle {
    pub runtime: tokio::runtime::Runtime,
    pub core: Arc<tokio::sync::Mutex<WorkerCore>>,
    pub channel: Arc<FfiDispatchChannel>,
    pub events: Arc<Mutex<broadcast::Receiver<DomainEvent>>>,
    pub client: Option<Arc<FfiClientBridge>>,
    pub context: Arc<SystemContext>,
    pub worker_id: String,
    pub environment: String,
    /// A template directory we created from inline templates; removed on stop.
    pub own_template_dir: Option<PathBuf>,
    /// Events `wait_for_step_events` took from the channel, handed out by the next poll (extensions.rs).
    pub woken: crate::extensions::Woken<tasker_worker::worker::FfiStepEvent>,
    /// True while a `wait_for_step_events` holds the channel's receiver.
    pub waiting: AtomicBool,
    /// Set by `transition_to_graceful_shutdown` and `stop_worker`: waits end, nothing is parked any more.
    pub stopping: AtomicBool,
    /// The sweep that fails steps of dead workers as retryable (`orphans`); aborted on stop.
    pub orphan_sweep: Option<tokio::task::JoinHandle<()>>,
}

/// The single worker of this process (one worker per process, as in the C-era library).
pub static WORKER: RwLock<Option<Arc<Handle>>> = RwLock::new(None);
/// Serialises bootstrap and stop against each other.
pub static LIFECYCLE: Mutex<()> = Mutex::new(());

/// How long a step may stay in progress before the sweep takes its worker for dead: well beyond the completion
/// timeout, after which a live worker fails the step itself, and beyond the wait of steps claimed but not yet polled.
pub const DEFAULT_ORPHAN_LEASE_MS: u64 = 300_000;

pub const NOT_INIT: &str = "Worker not initialized. Call bootstrap_worker first.";

pub fn current() -> Option<Arc<Handle>> {
    WORKER.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The settings our bootstrap JSON carries for this backend.
#[derive(Debug, Default, PartialEq)]
pub struct BootstrapInput {
    pub worker_id: Option<String>,
    pub completion_timeout_ms: Option<u64>,
    pub starvation_threshold_ms: Option<u64>,
    pub orphan_lease_ms: Option<u64>,
    pub config_path: Option<String>,
    pub template_path: Option<String>,
    pub orchestration_url: Option<String>,
    pub templates: Vec<(String, String)>,
}

impl BootstrapInput {
    pub fn parse(config_json: Option<&str>) -> Result<BootstrapInput, String> {
        let Some(text) = config_json else {
            return Ok(BootstrapInput::default());
        };
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("Invalid config JSON: {}", e))?;
        let str_at = |path: &[&str]| -> Option<String> {
            let mut cur = &v;
            for p in path {
                cur = cur.get(*p)?;
            }
            cur.as_str()
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_string())
        };
        let u64_at = |a: &str, b: &str| v.get(a).and_then(|o| o.get(b)).and_then(Value::as_u64);
        let mut templates = Vec::new();
        if let Some(list) = v.get("templates").and_then(Value::as_array) {
            for (i, t) in list.iter().enumerate() {
                let yaml = t
                    .get("yaml")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("templates[{}] has no yaml string", i))?;
                let source = t
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or("template.yaml");
                templates.push((source.to_string(), yaml.to_string()));
            }
        }
        Ok(BootstrapInput {
            worker_id: str_at(&["worker_id"]),
            completion_timeout_ms: u64_at("engine", "completion_timeout_ms"),
            starvation_threshold_ms: u64_at("engine", "starvation_threshold_ms"),
            orphan_lease_ms: u64_at("tasker_core", "orphan_lease_ms"),
            config_path: str_at(&["tasker_core", "config_path"]),
            template_path: str_at(&["tasker_core", "template_path"]),
            orchestration_url: str_at(&["tasker_core", "orchestration_url"]),
            templates,
        })
    }

    /// The foundation TOML: `tasker_core.config_path`, else `TASKER_CORE_CONFIG_PATH`; never `TASKER_CONFIG_PATH`.
    pub fn resolve_config_path(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<PathBuf, String> {
        let path = self
            .config_path
            .clone()
            .or_else(|| env("TASKER_CORE_CONFIG_PATH").filter(|s| !s.trim().is_empty()))
            .ok_or_else(|| {
                "no foundation configuration: set tasker_core.config_path in the bootstrap JSON or TASKER_CORE_CONFIG_PATH"
                    .to_string()
            })?;
        let p = PathBuf::from(path.trim());
        if !p.is_file() {
            return Err(format!(
                "foundation configuration {} is not a readable file",
                p.display()
            ));
        }
        Ok(p)
    }
}

/// Writes inline templates into a fresh private directory (the foundation registers templates from a directory).
pub fn materialise_templates(templates: &[(String, String)]) -> Result<PathBuf, String> {
    let dir =
        std::env::temp_dir().join(format!("tasker-bridge-templates-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir(&dir)
        .map_err(|e| format!("cannot create template directory {}: {}", dir.display(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    for (i, (source, yaml)) in templates.iter().enumerate() {
        // Keep the file name readable but never let it leave the directory.
        let base: String = Path::new(source)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = if base.ends_with(".yaml") || base.ends_with(".yml") {
            base
        } else {
            format!("{}.yaml", base)
        };
        let file = dir.join(format!("{:03}-{}", i, name));
        std::fs::write(&file, yaml)
            .map_err(|e| format!("cannot write template {}: {}", file.display(), e))?;
    }
    Ok(dir)
}

fn template_dir_has_yaml(dir: &Path) -> bool {
    fn walk(d: &Path, depth: usize) -> bool {
        let Ok(entries) = std::fs::read_dir(d) else {
            return false;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_file() {
                if let Some(ext) = p.extension().and_then(|x| x.to_str()) {
                    if ext == "yaml" || ext == "yml" {
                        return true;
                    }
                }
            } else if ft.is_dir() && depth < 8 && walk(&p, depth + 1) {
                return true;
            }
        }
        false
    }
    walk(dir, 0)
}

/// Builds and starts the worker. Errors name their cause; the caller wraps them as `Bootstrap failed: …`.
pub fn bootstrap(input: BootstrapInput) -> Result<Handle, String> {
    let config_path = input.resolve_config_path(|k| std::env::var(k).ok())?;

    let (template_dir, own_template_dir) = match &input.template_path {
        Some(p) => (PathBuf::from(p), None),
        None if !input.templates.is_empty() => {
            let d = materialise_templates(&input.templates)?;
            (d.clone(), Some(d))
        }
        None => match std::env::var("TASKER_TEMPLATE_PATH")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            Some(p) => (PathBuf::from(p), None),
            None => return Err(
                "no task templates: the bootstrap JSON has none and TASKER_TEMPLATE_PATH is unset"
                    .into(),
            ),
        },
    };
    if !template_dir.is_dir() || !template_dir_has_yaml(&template_dir) {
        return Err(format!(
            "template directory {} has no *.yaml or *.yml file",
            template_dir.display()
        ));
    }
    // The foundation finds its templates only through this variable. Setting it races with a concurrent getenv in
    // native code of other threads; the JVM reads its environment once at start, so only native code could, and
    // bootstrap runs once, before any step work.
    if std::env::var_os("TASKER_TEMPLATE_PATH").as_deref() != Some(template_dir.as_os_str()) {
        std::env::set_var("TASKER_TEMPLATE_PATH", &template_dir);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tasker-bridge")
        .build()
        .map_err(|e| format!("cannot create the async runtime: {}", e))?;
    runtime.block_on(async { tasker_shared::logging::init_tracing() });

    let mut config = ConfigLoader::load_from_path(&config_path).map_err(|e| {
        format!(
            "cannot load foundation configuration {}: {}",
            config_path.display(),
            e
        )
    })?;
    let environment = config.common.execution.environment.clone();
    let worker = config.worker.as_mut().ok_or_else(|| {
        format!(
            "foundation configuration {} has no [worker] section",
            config_path.display()
        )
    })?;
    // Nothing inside the JVM binds a port but Liberty.
    if let Some(web) = worker.web.as_mut() {
        web.enabled = false;
    }
    if let Some(grpc) = worker.grpc.as_mut() {
        grpc.enabled = false;
    }
    if let Some(url) = &input.orchestration_url {
        match worker.orchestration_client.as_mut() {
            Some(c) => c.base_url = url.clone(),
            None => {
                return Err(format!(
                    "tasker_core.orchestration_url is set but {} has no [worker.orchestration_client] section",
                    config_path.display()
                ))
            }
        }
    }
    let orchestration_api = worker
        .orchestration_client
        .as_ref()
        .map(OrchestrationApiConfig::from)
        .unwrap_or_default();
    let worker_id = input
        .worker_id
        .clone()
        .unwrap_or_else(|| format!("jakarta-worker-{}", uuid::Uuid::new_v4()));
    worker.worker_id = worker_id.clone();

    let manager = Arc::new(ConfigManager::from_tasker_config(
        config,
        environment.clone(),
    ));
    let completion_timeout = Duration::from_millis(input.completion_timeout_ms.unwrap_or(30_000));
    let starvation_ms = input.starvation_threshold_ms.unwrap_or(10_000);

    let built = runtime.block_on(async {
        let context =
            Arc::new(SystemContext::from_config(manager).await.map_err(|e| {
                format!("cannot connect the foundation (database, messaging): {}", e)
            })?);
        let (mut core, handles) =
            WorkerCore::new_with_event_system(context.clone(), orchestration_api, None)
                .await
                .map_err(|e| format!("cannot create the worker core: {}", e))?;
        core.start()
            .await
            .map_err(|e| format!("cannot start the worker core: {}", e))?;

        let publisher = Arc::new(DomainEventPublisher::new(context.message_client()));
        let router = core
            .event_router()
            .ok_or_else(|| "the worker core has no event router".to_string())?;
        let registry = StepEventPublisherRegistry::with_event_router(publisher, router);
        let callback = Arc::new(DomainEventCallback::new(Arc::new(
            tokio::sync::RwLock::new(registry),
        )));

        let events = {
            let bus = core.in_process_event_bus();
            let guard = bus.read().await;
            guard.subscribe_ffi()
        };
        let client =
            tasker_worker::create_ffi_client_bridge(&core, tokio::runtime::Handle::current()).await;
        Ok::<_, String>((context, core, handles, callback, events, client))
    });
    let (context, core, handles, callback, events, client) = match built {
        Ok(b) => b,
        Err(e) => {
            runtime.shutdown_timeout(Duration::from_secs(5));
            return Err(e);
        }
    };

    let channel_config = FfiDispatchChannelConfig::new(runtime.handle().clone())
        .with_service_id(worker_id.clone())
        .with_completion_timeout(completion_timeout)
        .with_starvation_threshold_ms(starvation_ms);
    let checkpoints = CheckpointService::new(context.database_pool().clone());
    let channel = FfiDispatchChannel::new(
        handles.dispatch_receiver,
        handles.completion_sender,
        channel_config,
        callback,
    )
    .with_checkpoint_support(checkpoints, handles.dispatch_sender);
    let lease = Duration::from_millis(input.orphan_lease_ms.unwrap_or(DEFAULT_ORPHAN_LEASE_MS));
    let orphan_sweep = crate::orphans::spawn(&runtime, context.clone(), &worker_id, lease);

    Ok(Handle {
        runtime,
        core: Arc::new(tokio::sync::Mutex::new(core)),
        channel: Arc::new(channel),
        events: Arc::new(Mutex::new(events)),
        client,
        context,
        worker_id,
        environment,
        own_template_dir,
        woken: crate::extensions::Woken::default(),
        waiting: AtomicBool::new(false),
        stopping: AtomicBool::new(false),
        orphan_sweep,
    })
}

/// `get_worker_status` of a running worker (docs/ffi-contract.md §5.3).
pub fn status(h: &Handle) -> Value {
    let core = h.core.clone();
    let (status, namespaces) = h.runtime.block_on(async move {
        let c = core.lock().await;
        (format!("{:?}", c.status()), c.supported_namespaces().await)
    });
    let pool = h.context.database_pool();
    json!({
        "success": true,
        "running": status == "Running",
        "worker_id": h.worker_id,
        "environment": h.environment,
        "worker_core_status": status,
        "web_api_enabled": false,
        "supported_namespaces": namespaces,
        "database_pool_size": pool.size(),
        "database_pool_idle": pool.num_idle(),
    })
}

/// Stops the core and the runtime. The handle is already out of the global slot.
pub fn stop(h: Arc<Handle>) -> Result<(), String> {
    if let Some(sweep) = &h.orphan_sweep {
        sweep.abort();
    }
    let core = h.core.clone();
    let result = h
        .runtime
        .block_on(async move { core.lock().await.stop().await.map_err(|e| e.to_string()) });
    if let Some(dir) = &h.own_template_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    // The runtime shuts down when the last Arc<Handle> drops (an export still running keeps it alive).
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_json_keys_are_read() {
        let input = BootstrapInput::parse(Some(
            r#"{"namespace":"default","worker_id":"w-1","templates":[{"source":"a/b.yaml","yaml":"name: x"}],
                "engine":{"completion_timeout_ms":1234,"starvation_threshold_ms":99,"data_dir":"/ignored"},
                "tasker_core":{"config_path":" /etc/w.toml ","template_path":"/t","orchestration_url":"http://o:8080",
                               "orphan_lease_ms":20000}}"#,
        ))
        .unwrap();
        assert_eq!(input.worker_id.as_deref(), Some("w-1"));
        assert_eq!(input.completion_timeout_ms, Some(1234));
        assert_eq!(input.starvation_threshold_ms, Some(99));
        assert_eq!(input.orphan_lease_ms, Some(20000));
        assert_eq!(input.config_path.as_deref(), Some("/etc/w.toml"));
        assert_eq!(input.template_path.as_deref(), Some("/t"));
        assert_eq!(input.orchestration_url.as_deref(), Some("http://o:8080"));
        assert_eq!(
            input.templates,
            vec![("a/b.yaml".to_string(), "name: x".to_string())]
        );
        assert_eq!(
            BootstrapInput::parse(None).unwrap(),
            BootstrapInput::default()
        );
        assert!(BootstrapInput::parse(Some("{nope"))
            .unwrap_err()
            .contains("Invalid config JSON"));
        assert!(
            BootstrapInput::parse(Some(r#"{"templates":[{"source":"x"}]}"#))
                .unwrap_err()
                .contains("templates[0]")
        );
    }

    #[test]
    fn the_config_path_comes_from_json_then_our_variable_never_tasker_config_path() {
        let dir = std::env::temp_dir().join(format!("bridge-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("w.toml");
        std::fs::write(&file, "[common]").unwrap();
        let env_file = file.to_string_lossy().into_owned();
        let none = BootstrapInput::default();
        let err = none.resolve_config_path(|k| {
            if k == "TASKER_CONFIG_PATH" {
                Some(env_file.clone())
            } else {
                None
            }
        });
        assert!(err.unwrap_err().contains("TASKER_CORE_CONFIG_PATH"));
        let from_env = none.resolve_config_path(|k| {
            if k == "TASKER_CORE_CONFIG_PATH" {
                Some(env_file.clone())
            } else {
                None
            }
        });
        assert_eq!(from_env.unwrap(), file);
        let missing = BootstrapInput {
            config_path: Some(dir.join("nope.toml").to_string_lossy().into_owned()),
            ..Default::default()
        };
        assert!(missing
            .resolve_config_path(|_| None)
            .unwrap_err()
            .contains("nope.toml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn inline_templates_land_in_a_private_directory_and_cannot_escape_it() {
        let dir = materialise_templates(&[
            ("../../etc/evil.yaml".to_string(), "name: a".to_string()),
            ("plain".to_string(), "name: b".to_string()),
        ])
        .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["000-evil.yaml", "001-plain.yaml"]);
        assert!(template_dir_has_yaml(&dir));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
