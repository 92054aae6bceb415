//! tasker-bridge: the worker's 29-function C ABI (docs/ffi-contract.md) over the published tasker-core 0.1.8
//! worker foundation, so the Java worker runs unchanged on a real tasker-core deployment.
//!
//! Every export is wrapped in `catch_unwind` (the crate is built with `panic = "unwind"`): a panic in the foundation,
//! for example its config loader rejecting an environment value, becomes the function's error result and never
//! unwinds into the JVM. Returned strings come from `CString::into_raw`; the caller frees them with
//! `free_rust_string`.

mod bridge;
mod dto;
mod extensions;
mod orphans;
mod task_list;

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use serde_json::{json, Value};
use tasker_shared::messaging::StepExecutionResult;
use tasker_shared::models::core::batch_worker::CheckpointYieldData;
use tasker_shared::models::core::task_request::TaskRequest;
use tasker_worker::FfiClientError;
use uuid::Uuid;

use bridge::{Handle, NOT_INIT};

fn into_c(s: String) -> *mut c_char {
    match CString::new(s) {
        Ok(c) => c.into_raw(),
        Err(e) => {
            let mut v = e.into_vec();
            v.retain(|&b| b != 0);
            CString::new(v)
                .map(|c| c.into_raw())
                .unwrap_or(std::ptr::null_mut())
        }
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs `f`; a panic becomes `on_panic(message)` and is logged.
fn guarded<T>(on_panic: impl FnOnce(String) -> T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let msg = panic_text(&*p);
            tracing::error!("panic caught at FFI boundary: {}", msg);
            on_panic(msg)
        }
    }
}

/// A C string argument: `None` for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid for the call.
unsafe fn arg<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        CStr::from_ptr(p).to_str().ok()
    }
}

fn running() -> Result<Arc<Handle>, String> {
    bridge::current().ok_or_else(|| NOT_INIT.to_string())
}

// ---- 4.1 version, health, lifecycle -------------------------------------------------------------------------

/// The bridge's own version. Free the result with `free_rust_string`.
#[no_mangle]
pub extern "C" fn get_version() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || into_c(env!("CARGO_PKG_VERSION").to_string()),
    )
}

/// `tasker-bridge <v> (tasker-worker 0.1.8, <rustc>)`. Free the result.
#[no_mangle]
pub extern "C" fn get_rust_version() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            into_c(format!(
                "tasker-bridge {} (tasker-worker 0.1.8, {})",
                env!("CARGO_PKG_VERSION"),
                env!("BRIDGE_RUSTC_VERSION")
            ))
        },
    )
}

/// Always 1: the library is loaded.
#[no_mangle]
pub extern "C" fn health_check() -> c_int {
    1
}

/// 1 while a worker is bootstrapped in this process.
#[no_mangle]
pub extern "C" fn is_worker_running() -> c_int {
    guarded(|_| 0, || bridge::current().is_some() as c_int)
}

/// Bootstraps the worker from our bootstrap JSON (see README "Bootstrap JSON"). Free the result.
///
/// # Safety
/// `config_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn bootstrap_worker(config_json: *const c_char) -> *mut c_char {
    let text = if config_json.is_null() {
        None
    } else {
        match arg(config_json) {
            Some(t) => Some(t.to_string()),
            None => return into_c(dto::error("Invalid UTF-8 in config_json")),
        }
    };
    guarded(
        |m| into_c(dto::error(&format!("Bootstrap panicked: {}", m))),
        || {
            let _life = bridge::LIFECYCLE.lock().unwrap_or_else(|p| p.into_inner());
            if bridge::current().is_some() {
                return into_c(
                    json!({"success": true, "status": "already_running", "message": "Worker is already running"})
                        .to_string(),
                );
            }
            let input = match bridge::BootstrapInput::parse(text.as_deref()) {
                Ok(i) => i,
                Err(e) => {
                    return into_c(dto::error(&format!(
                        "Bootstrap failed: Invalid argument: {}",
                        e
                    )))
                }
            };
            // A panic inside the foundation (its config loader panics on disallowed environment values) is the
            // most common bootstrap failure: report it as such, naming the cause.
            let built = catch_unwind(AssertUnwindSafe(|| bridge::bootstrap(input)));
            match built {
                Ok(Ok(handle)) => {
                    let worker_id = handle.worker_id.clone();
                    *bridge::WORKER.write().unwrap_or_else(|p| p.into_inner()) =
                        Some(Arc::new(handle));
                    tracing::info!(worker_id = %worker_id, "tasker-core worker bootstrapped");
                    into_c(
                        json!({"success": true, "status": "started",
                               "message": "Jakarta worker system started successfully", "worker_id": worker_id})
                        .to_string(),
                    )
                }
                Ok(Err(e)) => into_c(dto::error(&format!("Bootstrap failed: {}", e))),
                Err(p) => into_c(dto::error(&format!(
                    "Bootstrap failed: the foundation panicked: {}",
                    panic_text(&*p)
                ))),
            }
        },
    )
}

/// Status JSON (docs/ffi-contract.md §5.3). Free the result.
#[no_mangle]
pub extern "C" fn get_worker_status() -> *mut c_char {
    guarded(
        |m| into_c(dto::error(&format!("Failed to get status: {}", m))),
        || match bridge::current() {
            Some(h) => into_c(bridge::status(&h).to_string()),
            None => {
                into_c(json!({"success": true, "running": false, "status": "stopped"}).to_string())
            }
        },
    )
}

/// Stops the worker and clears the slot. Free the result.
#[no_mangle]
pub extern "C" fn stop_worker() -> *mut c_char {
    guarded(
        |m| into_c(dto::error(&format!("Failed to stop worker: {}", m))),
        || {
            let _life = bridge::LIFECYCLE.lock().unwrap_or_else(|p| p.into_inner());
            let Some(h) = bridge::WORKER
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .take()
            else {
                return into_c(
                    json!({"success": true, "status": "not_running", "message": "Worker was not running"}).to_string(),
                );
            };
            let worker_id = h.worker_id.clone();
            extensions::fail_woken(&h);
            match bridge::stop(h.clone()) {
                Ok(()) => into_c(
                    json!({"success": true, "status": "stopped", "message": "Worker stopped successfully",
                           "worker_id": worker_id})
                    .to_string(),
                ),
                Err(e) => {
                    // As the C-era library: a failed stop keeps the worker in its slot.
                    *bridge::WORKER.write().unwrap_or_else(|p| p.into_inner()) = Some(h);
                    into_c(dto::error(&format!("Failed to stop worker: Runtime error: {}", e)))
                }
            }
        },
    )
}

/// Stops the worker core (claims end); the slot stays until `stop_worker`. Free the result.
#[no_mangle]
pub extern "C" fn transition_to_graceful_shutdown() -> *mut c_char {
    guarded(
        |m| into_c(dto::error(&format!("Failed to transition: {}", m))),
        || match running() {
            Err(e) => into_c(dto::error(&format!("Failed to transition: {}", e))),
            Ok(h) => {
                extensions::fail_woken(&h);
                let core = h.core.clone();
                match h
                    .runtime
                    .block_on(async move { core.lock().await.stop().await })
                {
                    Ok(()) => into_c(
                        json!({"success": true, "status": "transitioning",
                               "message": "Transitioning to graceful shutdown"})
                        .to_string(),
                    ),
                    Err(e) => into_c(dto::error(&format!("Failed to transition: {}", e))),
                }
            }
        },
    )
}

// ---- 4.2 step dispatch --------------------------------------------------------------------------------------

/// One step event (docs/ffi-contract.md §5.4), or NULL when none is queued or no worker runs. Free the result.
#[no_mangle]
pub extern "C" fn poll_step_events() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let Some(h) = bridge::current() else {
                return std::ptr::null_mut();
            };
            match extensions::next_event(&h) {
                Some(event) => into_c(dto::step_event(&event).to_string()),
                None => std::ptr::null_mut(),
            }
        },
    )
}

/// 1 when the completion is accepted, 0 when rejected (bad id or JSON, unknown or timed-out event, no worker).
///
/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn complete_step_event(
    event_id: *const c_char,
    result_json: *const c_char,
) -> c_int {
    let (id, body) = (arg(event_id), arg(result_json));
    guarded(
        |_| 0,
        || {
            let (Some(id), Some(body)) = (id, body) else {
                tracing::error!("complete_step_event: null pointer or invalid UTF-8 argument");
                return 0;
            };
            let Ok(id) = Uuid::parse_str(id) else {
                tracing::error!("complete_step_event: invalid event_id {}", id);
                return 0;
            };
            let result: StepExecutionResult = match serde_json::from_str(body) {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!("complete_step_event: result JSON rejected: {}", e);
                    return 0;
                }
            };
            match bridge::current() {
                Some(h) => h.channel.complete(id, result) as c_int,
                None => 0,
            }
        },
    )
}

/// 1 when the checkpoint is stored and the step re-dispatched, else 0.
///
/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn checkpoint_yield_step_event(
    event_id: *const c_char,
    checkpoint_json: *const c_char,
) -> c_int {
    let (id, body) = (arg(event_id), arg(checkpoint_json));
    guarded(
        |_| 0,
        || {
            let (Some(id), Some(body)) = (id, body) else {
                return 0;
            };
            let Ok(id) = Uuid::parse_str(id) else {
                return 0;
            };
            let data: CheckpointYieldData = match serde_json::from_str(body) {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(
                        "checkpoint_yield_step_event: checkpoint JSON rejected: {}",
                        e
                    );
                    return 0;
                }
            };
            match bridge::current() {
                Some(h) => h.channel.checkpoint_yield(id, data) as c_int,
                None => 0,
            }
        },
    )
}

/// Dispatch metrics (docs/ffi-contract.md §5.7) or an error object. Free the result.
#[no_mangle]
pub extern "C" fn get_ffi_dispatch_metrics() -> *mut c_char {
    guarded(
        |m| into_c(dto::error(&format!("Failed to get metrics: {}", m))),
        || match running() {
            Ok(h) => into_c(dto::metrics(&h.channel.metrics()).to_string()),
            Err(e) => into_c(dto::error(&format!("Failed to get metrics: {}", e))),
        },
    )
}

/// Logs a warning for each event pending past the starvation threshold.
#[no_mangle]
pub extern "C" fn check_starvation_warnings() {
    guarded(
        |_| (),
        || {
            if let Some(h) = bridge::current() {
                h.channel.check_starvation_warnings();
            }
        },
    )
}

/// Fails events pending past the completion timeout.
#[no_mangle]
pub extern "C" fn cleanup_timeouts() {
    guarded(
        |_| (),
        || {
            if let Some(h) = bridge::current() {
                h.channel.cleanup_timeouts();
            }
        },
    )
}

// ---- 4.3 in-process domain events ---------------------------------------------------------------------------

/// One in-process domain event (docs/ffi-contract.md §5.8, camelCase), or NULL. Free the result.
#[no_mangle]
pub extern "C" fn poll_in_process_events() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let Some(h) = bridge::current() else {
                return std::ptr::null_mut();
            };
            let mut rx = h.events.lock().unwrap_or_else(|p| p.into_inner());
            match rx.try_recv() {
                Ok(e) => into_c(dto::domain_event(&e).to_string()),
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                    tracing::warn!("in-process domain events lagged: {} dropped", n);
                    std::ptr::null_mut()
                }
                Err(_) => std::ptr::null_mut(),
            }
        },
    )
}

// ---- 4.4 logging --------------------------------------------------------------------------------------------

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
unsafe fn log(level: tracing::Level, message: *const c_char, fields_json: *const c_char) {
    let Some(msg) = arg(message) else { return };
    // Any JSON value is accepted (a superset of the C-era string-only map, which dropped the map on a number).
    let fields: HashMap<String, Value> = arg(fields_json)
        .and_then(|f| serde_json::from_str(f).ok())
        .unwrap_or_default();
    guarded(
        |_| (),
        || match level {
            tracing::Level::ERROR => {
                tracing::error!(target: "tasker_worker_jakarta", fields = ?fields, "{}", msg)
            }
            tracing::Level::WARN => {
                tracing::warn!(target: "tasker_worker_jakarta", fields = ?fields, "{}", msg)
            }
            tracing::Level::INFO => {
                tracing::info!(target: "tasker_worker_jakarta", fields = ?fields, "{}", msg)
            }
            tracing::Level::DEBUG => {
                tracing::debug!(target: "tasker_worker_jakarta", fields = ?fields, "{}", msg)
            }
            tracing::Level::TRACE => {
                tracing::trace!(target: "tasker_worker_jakarta", fields = ?fields, "{}", msg)
            }
        },
    )
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn log_error(message: *const c_char, fields_json: *const c_char) {
    log(tracing::Level::ERROR, message, fields_json)
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn log_warn(message: *const c_char, fields_json: *const c_char) {
    log(tracing::Level::WARN, message, fields_json)
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn log_info(message: *const c_char, fields_json: *const c_char) {
    log(tracing::Level::INFO, message, fields_json)
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn log_debug(message: *const c_char, fields_json: *const c_char) {
    log(tracing::Level::DEBUG, message, fields_json)
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn log_trace(message: *const c_char, fields_json: *const c_char) {
    log(tracing::Level::TRACE, message, fields_json)
}

// ---- 4.5 memory ---------------------------------------------------------------------------------------------

/// Frees a string this library returned. NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn free_rust_string(ptr: *mut c_char) {
    if !ptr.is_null() {
        drop(CString::from_raw(ptr));
    }
}

// ---- 4.6 client API -----------------------------------------------------------------------------------------

/// Runs a client call with the C-era envelopes: `{success,data}`, `{success:false,error,recoverable}` for an
/// orchestration error, and `{success:false,error:"<fn> failed: …"}` for an FFI-level one.
fn client_call(
    name: &str,
    f: impl FnOnce(&tasker_worker::FfiClientBridge) -> Result<Result<Value, FfiClientError>, String>,
) -> *mut c_char {
    guarded(
        |m| into_c(dto::error(&format!("{} failed: panic: {}", name, m))),
        || {
            let h = match running() {
                Ok(h) => h,
                Err(e) => return into_c(dto::error(&format!("{} failed: {}", name, e))),
            };
            let Some(client) = h.client.clone() else {
                return into_c(dto::error(&format!(
                    "{} failed: Runtime error: Client not initialized. Orchestration client may not be configured.",
                    name
                )));
            };
            match f(&client) {
                Ok(Ok(data)) => into_c(json!({"success": true, "data": data}).to_string()),
                Ok(Err(e)) => into_c(
                    json!({"success": false, "error": e.message, "recoverable": e.is_recoverable})
                        .to_string(),
                ),
                Err(e) => into_c(dto::error(&format!(
                    "{} failed: Invalid argument: {}",
                    name, e
                ))),
            }
        },
    )
}

/// One JSON value from the start of `text`, ignoring trailing NULs and trailing bytes (the C-era client rule).
fn first_value<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let trimmed = text.trim_end_matches('\0');
    let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<T>();
    match stream.next() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(format!("Invalid JSON: {}", e)),
        None => Err("Invalid JSON: empty input".to_string()),
    }
}

fn uuid_arg(p: Option<&str>) -> Result<Uuid, String> {
    let s = p.ok_or("null pointer or invalid UTF-8")?;
    Uuid::parse_str(s).map_err(|e| format!("Invalid UUID: {}", e))
}

/// # Safety
/// `request_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn client_create_task(request_json: *const c_char) -> *mut c_char {
    let body = arg(request_json);
    client_call("client_create_task", |c| {
        let req: TaskRequest = first_value(body.ok_or("null pointer or invalid UTF-8")?)?;
        Ok(c.create_task(req))
    })
}

/// # Safety
/// `task_uuid` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn client_get_task(task_uuid: *const c_char) -> *mut c_char {
    let t = arg(task_uuid);
    client_call("client_get_task", |c| Ok(c.get_task(uuid_arg(t)?)))
}

/// # Safety
/// `params_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn client_list_tasks(params_json: *const c_char) -> *mut c_char {
    let p = arg(params_json);
    client_call("client_list_tasks", |c| {
        let params: Value = match p {
            Some(t) if !t.trim_end_matches('\0').trim().is_empty() => first_value(t)?,
            _ => json!({}),
        };
        let list = task_list::ListParams {
            limit: params.get("limit").and_then(Value::as_i64).unwrap_or(50),
            offset: params.get("offset").and_then(Value::as_i64).unwrap_or(0),
            namespace: params.get("namespace").and_then(Value::as_str),
            status: params.get("status").and_then(Value::as_str),
        };
        let handle = running()?;
        Ok(task_list::list_tasks(&handle, c, &list))
    })
}

/// # Safety
/// `task_uuid` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn client_cancel_task(task_uuid: *const c_char) -> *mut c_char {
    let t = arg(task_uuid);
    client_call("client_cancel_task", |c| Ok(c.cancel_task(uuid_arg(t)?)))
}

/// # Safety
/// `task_uuid` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn client_list_task_steps(task_uuid: *const c_char) -> *mut c_char {
    let t = arg(task_uuid);
    client_call("client_list_task_steps", |c| {
        Ok(c.list_task_steps(uuid_arg(t)?))
    })
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn client_get_step(
    task_uuid: *const c_char,
    step_uuid: *const c_char,
) -> *mut c_char {
    let (t, s) = (arg(task_uuid), arg(step_uuid));
    client_call("client_get_step", |c| {
        Ok(c.get_step(uuid_arg(t)?, uuid_arg(s)?))
    })
}

/// # Safety
/// Both arguments are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn client_get_step_audit_history(
    task_uuid: *const c_char,
    step_uuid: *const c_char,
) -> *mut c_char {
    let (t, s) = (arg(task_uuid), arg(step_uuid));
    client_call("client_get_step_audit_history", |c| {
        Ok(c.get_step_audit_history(uuid_arg(t)?, uuid_arg(s)?))
    })
}

#[no_mangle]
pub extern "C" fn client_health_check() -> *mut c_char {
    client_call("client_health_check", |c| Ok(c.health_check()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(p: *mut c_char) -> String {
        assert!(!p.is_null());
        let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
        unsafe { free_rust_string(p) };
        s
    }

    #[test]
    fn before_bootstrap_every_export_gives_its_error_form() {
        assert_eq!(health_check(), 1);
        assert_eq!(is_worker_running(), 0);
        assert!(poll_step_events().is_null());
        assert!(poll_in_process_events().is_null());
        assert_eq!(
            unsafe { complete_step_event(std::ptr::null(), std::ptr::null()) },
            0
        );
        let id = CString::new(Uuid::new_v4().to_string()).unwrap();
        let body = CString::new(r#"{"success":true}"#).unwrap();
        assert_eq!(
            unsafe { complete_step_event(id.as_ptr(), body.as_ptr()) },
            0
        );
        assert_eq!(
            unsafe { checkpoint_yield_step_event(id.as_ptr(), body.as_ptr()) },
            0
        );
        check_starvation_warnings();
        cleanup_timeouts();
        assert!(take(get_ffi_dispatch_metrics()).contains(NOT_INIT));
        assert!(take(transition_to_graceful_shutdown()).contains(NOT_INIT));
        assert_eq!(
            take(get_worker_status()),
            r#"{"running":false,"status":"stopped","success":true}"#
        );
        assert!(take(stop_worker()).contains("not_running"));
        let e = take(unsafe { client_get_task(id.as_ptr()) });
        assert!(
            e.contains("client_get_task failed: Worker not initialized"),
            "{}",
            e
        );
        assert!(!e.contains("recoverable"), "{}", e);
        assert!(take(client_health_check()).contains("\"success\":false"));
        assert!(take(get_version()).starts_with("0."));
        assert!(take(get_rust_version()).contains("tasker-worker 0.1.8"));
        unsafe {
            free_rust_string(std::ptr::null_mut());
            log_info(std::ptr::null(), std::ptr::null());
            let m = CString::new("hello").unwrap();
            let f = CString::new(r#"{"n":1,"s":"x"}"#).unwrap();
            log_warn(m.as_ptr(), f.as_ptr());
        }
    }

    #[test]
    fn a_bootstrap_that_cannot_work_says_why_and_leaves_the_library_usable() {
        let bad = CString::new("{not json").unwrap();
        let r = take(unsafe { bootstrap_worker(bad.as_ptr()) });
        assert!(
            r.contains("\"success\":false") && r.contains("Invalid config JSON"),
            "{}",
            r
        );

        let none = CString::new(r#"{"templates":[]}"#).unwrap();
        std::env::remove_var("TASKER_CORE_CONFIG_PATH");
        let r = take(unsafe { bootstrap_worker(none.as_ptr()) });
        assert!(r.contains("TASKER_CORE_CONFIG_PATH"), "{}", r);
        assert_eq!(is_worker_running(), 0);

        // The foundation's loader panics on a DATABASE_URL outside its pattern: an error result, not an abort.
        let toml = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../resources/tasker/tasker-core/worker.toml"
        );
        let cfg = json!({"templates": [{"source": "t.yaml", "yaml": "name: t"}],
                         "tasker_core": {"config_path": toml}})
        .to_string();
        std::env::set_var("DATABASE_URL", "postgres://not-the-accepted-scheme/x");
        let c = CString::new(cfg).unwrap();
        let r = take(unsafe { bootstrap_worker(c.as_ptr()) });
        std::env::remove_var("DATABASE_URL");
        assert!(
            r.contains("\"success\":false") && r.contains("Bootstrap failed"),
            "{}",
            r
        );
        assert_eq!(is_worker_running(), 0);
    }

    #[test]
    fn first_value_reads_one_value_and_ignores_trailing_bytes_and_nuls() {
        let v: Value = first_value("{\"a\":1} trailing\0\0").unwrap();
        assert_eq!(v, json!({"a": 1}));
        assert!(first_value::<Value>("").unwrap_err().contains("empty"));
        assert!(uuid_arg(Some("nope")).unwrap_err().contains("Invalid UUID"));
    }
}
