//! The 29 exported C functions (docs/ffi-contract.md §4). Every function is wrapped in
//! `catch_unwind`; a panic returns the function's error form and never unwinds
//! into the host. Returned strings come from `CString::into_raw` and must be
//! released with `free_rust_string`.

use crate::client;
use crate::engine::{Engine, TaskRef};
use crate::json::{self, Value};
use crate::logging::{self, Level};
use crate::model::{StepIdx, Task};
use crate::uuid::Uuid;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard};

/// The single worker slot, like the original's `WORKER_SYSTEM`.
static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

/// Poisoned-lock policy: a panic while holding the lock is already caught and reported
/// by that call; later calls clear the poison and keep using the engine (its state is
/// only ever mutated through whole-step transitions). In durable mode an operation that
/// panicked before its log append simply is not acknowledged.
pub(crate) fn lock() -> MutexGuard<'static, Option<Engine>> {
    let mut g = match ENGINE.lock() {
        Ok(g) => g,
        Err(p) => {
            logging::error("worker state lock was poisoned by an earlier panic; recovering");
            ENGINE.clear_poison();
            p.into_inner()
        }
    };
    // Durable mode: apply what the store reported since the last call (archived tasks
    // leave memory; a failed write reloads the live state) before anything else runs.
    if let Some(e) = g.as_mut() {
        e.housekeeping();
    }
    g
}

const NOT_INIT: &str = "Worker not initialized. Call bootstrap_worker first.";

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

pub fn json_error(msg: &str) -> String {
    json::Value::Object({
        let mut m = json::Map::new();
        m.push("success", Value::Bool(false));
        m.push("error", Value::str(msg));
        m
    })
    .to_json()
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Run `f`, converting a panic into `on_panic(message)`.
pub fn guarded<T>(on_panic: impl FnOnce(String) -> T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let msg = panic_message(&*p);
            logging::error(&format!("panic caught at FFI boundary: {}", msg));
            on_panic(msg)
        }
    }
}

enum Arg {
    Null,
    BadUtf8,
    Ok(String),
}

unsafe fn read_arg(p: *const c_char) -> Arg {
    if p.is_null() {
        return Arg::Null;
    }
    match CStr::from_ptr(p).to_str() {
        Ok(s) => Arg::Ok(s.to_string()),
        Err(_) => Arg::BadUtf8,
    }
}

fn probe(name: &str) {
    crate::testing::maybe_panic(name);
}

// ------------------------------------------------------------------ 1-4 version, health

#[no_mangle]
pub extern "C" fn get_version() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            probe("get_version");
            into_c(env!("CARGO_PKG_VERSION").to_string())
        },
    )
}

#[no_mangle]
pub extern "C" fn get_rust_version() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            into_c(format!(
                "tasker-engine {} ({})",
                env!("CARGO_PKG_VERSION"),
                env!("RUSTC_VERSION")
            ))
        },
    )
}

#[no_mangle]
pub extern "C" fn health_check() -> c_int {
    guarded(|_| 0, || 1)
}

#[no_mangle]
pub extern "C" fn is_worker_running() -> c_int {
    guarded(|_| 0, || if lock().is_some() { 1 } else { 0 })
}

// ------------------------------------------------------------------ 5-8 lifecycle

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn bootstrap_worker(config_json: *const c_char) -> *mut c_char {
    guarded(
        |m| into_c(json_error(&format!("Bootstrap panicked: {}", m))),
        || {
            let text = match read_arg(config_json) {
                Arg::Null => None,
                Arg::BadUtf8 => return into_c(json_error("Invalid UTF-8 in config_json")),
                Arg::Ok(s) => Some(s),
            };
            let cfg = match &text {
                None => Value::obj(),
                Some(t) => match json::parse(t) {
                    Ok(v) => v,
                    Err(e) => {
                        return into_c(json_error(&format!(
                            "Bootstrap failed: Invalid argument: Invalid config JSON: {}",
                            e
                        )))
                    }
                },
            };
            let mut slot = lock();
            probe("bootstrap_worker");
            if slot.is_some() {
                return into_c(r#"{"success":true,"status":"already_running","message":"Worker is already running"}"#.to_string());
            }
            let bc = match crate::config::parse(&cfg) {
                Ok(b) => b,
                Err(e) => {
                    return into_c(json_error(&format!(
                        "Bootstrap failed: Configuration error: {}",
                        e
                    )))
                }
            };
            let ntpl = bc.templates.len();
            match Engine::new(bc.worker_id.clone(), bc.engine, bc.templates) {
                Ok(engine) => {
                    logging::info(&format!(
                        "embedded worker {} started ({} template(s), {} task(s) restored, {})",
                        bc.worker_id,
                        ntpl,
                        engine.tasks.in_memory(),
                        match &engine.config.data_dir {
                            Some(d) => format!("data_dir {}", d.display()),
                            None => "in-memory".to_string(),
                        }
                    ));
                    *slot = Some(engine);
                    crate::dispatch::WAKE.notify();
                    let mut m = json::Map::new();
                    m.push("success", Value::Bool(true));
                    m.push("status", Value::str("started"));
                    m.push(
                        "message",
                        Value::str("Embedded tasker engine worker started successfully"),
                    );
                    m.push("worker_id", Value::str(bc.worker_id));
                    into_c(Value::Object(m).to_json())
                }
                Err(e) => into_c(json_error(&format!("Bootstrap failed: {}", e))),
            }
        },
    )
}

fn environment_name(e: &Engine) -> String {
    e.config
        .environment
        .clone()
        .or_else(|| std::env::var("TASKER_ENV").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "development".to_string())
}

#[no_mangle]
pub extern "C" fn get_worker_status() -> *mut c_char {
    guarded(
        |m| into_c(json_error(&format!("Failed to get status: {}", m))),
        || {
            let slot = lock();
            probe("get_worker_status");
            let out = match slot.as_ref() {
                None => r#"{"success":true,"running":false,"status":"stopped"}"#.to_string(),
                Some(e) => crate::jobj![
                    ("success", true),
                    ("running", e.core_running),
                    ("worker_id", e.worker_id.as_str()),
                    ("environment", environment_name(e)),
                    (
                        "worker_core_status",
                        if e.core_running { "Running" } else { "Stopped" }
                    ),
                    ("web_api_enabled", false),
                    (
                        "supported_namespaces",
                        Value::Array(
                            e.supported_namespaces()
                                .into_iter()
                                .map(Value::Str)
                                .collect()
                        )
                    ),
                    ("database_pool_size", 0),
                    ("database_pool_idle", 0),
                ]
                .to_json(),
            };
            into_c(out)
        },
    )
}

#[no_mangle]
pub extern "C" fn stop_worker() -> *mut c_char {
    guarded(
        |m| {
            into_c(json_error(&format!(
                "Failed to stop worker: Runtime error: {}",
                m
            )))
        },
        || {
            let mut slot = lock();
            probe("stop_worker");
            match slot.take() {
                None => into_c(
                    r#"{"success":true,"status":"not_running","message":"Worker was not running"}"#
                        .to_string(),
                ),
                Some(e) => {
                    let id = e.worker_id.clone();
                    drop(e);
                    crate::dispatch::WAKE.notify();
                    logging::info(&format!("embedded worker {} stopped", id));
                    into_c(
                        crate::jobj![
                            ("success", true),
                            ("status", "stopped"),
                            ("message", "Worker stopped successfully"),
                            ("worker_id", id)
                        ]
                        .to_json(),
                    )
                }
            }
        },
    )
}

#[no_mangle]
pub extern "C" fn transition_to_graceful_shutdown() -> *mut c_char {
    guarded(
        |m| into_c(json_error(&format!("Failed to transition: {}", m))),
        || {
            let mut slot = lock();
            probe("transition_to_graceful_shutdown");
            match slot.as_mut() {
                None => into_c(json_error(&format!("Failed to transition: {}", NOT_INIT))),
                Some(e) => {
                    e.graceful_shutdown();
                    crate::dispatch::WAKE.notify();
                    into_c(r#"{"success":true,"status":"transitioning","message":"Transitioning to graceful shutdown"}"#.to_string())
                }
            }
        },
    )
}

// ------------------------------------------------------------------ 9-14 dispatch

#[no_mangle]
pub extern "C" fn poll_step_events() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let mut slot = lock();
            probe("poll_step_events");
            match slot.as_mut().and_then(|e| e.poll()) {
                Some(ev) => into_c(ev),
                None => {
                    crate::dispatch::WAKE.polled_empty();
                    std::ptr::null_mut()
                }
            }
        },
    )
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn complete_step_event(
    event_id: *const c_char,
    result_json: *const c_char,
) -> c_int {
    guarded(
        |_| 0,
        || {
            let (id, body) = match (read_arg(event_id), read_arg(result_json)) {
                (Arg::Ok(a), Arg::Ok(b)) => (a, b),
                _ => {
                    logging::error("complete_step_event: null pointer or invalid UTF-8 argument");
                    return 0;
                }
            };
            let id = match crate::uuid::parse(&id) {
                Ok(u) => u,
                Err(e) => {
                    logging::error(&format!("complete_step_event: invalid event_id: {}", e));
                    return 0;
                }
            };
            // Parsed before taking the engine lock: the lock serialises every engine call.
            let result = match crate::result::parse_step_result(&body) {
                Ok(r) => r,
                Err(e) => {
                    logging::error(&format!("complete_step_event: failed to parse result JSON for event {} (event stays pending): {}", id, e));
                    return 0;
                }
            };
            let mut slot = lock();
            probe("complete_step_event");
            let engine = match slot.as_mut() {
                Some(e) => e,
                None => {
                    logging::error(&format!("complete_step_event: {}", NOT_INIT));
                    return 0;
                }
            };
            let rc = match engine.complete(id, result) {
                Ok(true) => 1,
                Ok(false) => 0,
                Err(e) => {
                    logging::error(&format!(
                        "complete_step_event: storage failure, completion not acknowledged: {}",
                        e
                    ));
                    0
                }
            };
            let ticket = engine.take_sync_ticket();
            drop(slot);
            crate::dispatch::WAKE.notify();
            durable(rc, ticket, "complete_step_event")
        },
    )
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn checkpoint_yield_step_event(
    event_id: *const c_char,
    checkpoint_json: *const c_char,
) -> c_int {
    guarded(
        |_| 0,
        || {
            let (id, body) = match (read_arg(event_id), read_arg(checkpoint_json)) {
                (Arg::Ok(a), Arg::Ok(b)) => (a, b),
                _ => {
                    logging::error(
                        "checkpoint_yield_step_event: null pointer or invalid UTF-8 argument",
                    );
                    return 0;
                }
            };
            let id = match crate::uuid::parse(&id) {
                Ok(u) => u,
                Err(e) => {
                    logging::error(&format!(
                        "checkpoint_yield_step_event: invalid event_id: {}",
                        e
                    ));
                    return 0;
                }
            };
            let data = match crate::result::parse_checkpoint(&body) {
                Ok(d) => d,
                Err(e) => {
                    logging::error(&format!("checkpoint_yield_step_event: invalid checkpoint JSON (event stays pending): {}", e));
                    return 0;
                }
            };
            let mut slot = lock();
            probe("checkpoint_yield_step_event");
            match slot.as_mut() {
                None => {
                    logging::error(&format!("checkpoint_yield_step_event: {}", NOT_INIT));
                    0
                }
                Some(e) => {
                    let rc = match e.checkpoint_yield(id, data) {
                        Ok(true) => 1,
                        Ok(false) => 0,
                        Err(err) => {
                            logging::error(&format!(
                                "checkpoint_yield_step_event: storage failure: {}",
                                err
                            ));
                            0
                        }
                    };
                    let ticket = e.take_sync_ticket();
                    drop(slot);
                    crate::dispatch::WAKE.notify();
                    durable(rc, ticket, "checkpoint_yield_step_event")
                }
            }
        },
    )
}

#[no_mangle]
pub extern "C" fn get_ffi_dispatch_metrics() -> *mut c_char {
    guarded(
        |m| into_c(json_error(&format!("Failed to get metrics: {}", m))),
        || {
            let slot = lock();
            probe("get_ffi_dispatch_metrics");
            match slot.as_ref() {
                None => into_c(json_error(&format!("Failed to get metrics: {}", NOT_INIT))),
                Some(e) => into_c(e.metrics_json().to_json()),
            }
        },
    )
}

#[no_mangle]
pub extern "C" fn check_starvation_warnings() {
    guarded(
        |_| (),
        || {
            let slot = lock();
            probe("check_starvation_warnings");
            match slot.as_ref() {
                None => logging::error(&format!("check_starvation_warnings: {}", NOT_INIT)),
                Some(e) => {
                    for (id, age) in e.starving() {
                        logging::warn(&format!("FFI dispatch: pending event aging - slow polling detected (event_id={}, age_ms={})", id, age));
                    }
                }
            }
        },
    )
}

#[no_mangle]
pub extern "C" fn cleanup_timeouts() {
    guarded(
        |_| (),
        || {
            let mut slot = lock();
            probe("cleanup_timeouts");
            match slot.as_mut() {
                None => logging::error(&format!("cleanup_timeouts: {}", NOT_INIT)),
                Some(e) => {
                    if let Err(err) = e.cleanup_timeouts() {
                        logging::error(&format!("cleanup_timeouts: storage failure: {}", err));
                    }
                    let ticket = e.take_sync_ticket();
                    drop(slot);
                    crate::dispatch::WAKE.notify();
                    durable(1, ticket, "cleanup_timeouts");
                }
            }
        },
    )
}

// ------------------------------------------------------------------ 15 in-process events

#[no_mangle]
pub extern "C" fn poll_in_process_events() -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let mut slot = lock();
            probe("poll_in_process_events");
            match slot.as_mut().and_then(|e| e.events.poll()) {
                Some(ev) => into_c(ev),
                None => std::ptr::null_mut(),
            }
        },
    )
}

// ------------------------------------------------------------------ 16-20 logging

unsafe fn log_ffi(level: Level, message: *const c_char, fields_json: *const c_char) {
    guarded(
        |_| (),
        || {
            let msg = match read_arg(message) {
                Arg::Ok(m) => m,
                _ => return,
            };
            if !logging::enabled(level) {
                return;
            }
            // HashMap<String,String> semantics: any non-string value drops the whole map.
            let fields: Option<Vec<(String, String)>> = match read_arg(fields_json) {
                Arg::Ok(f) => match json::parse(&f) {
                    Ok(Value::Object(m)) => {
                        let mut out = Vec::new();
                        let mut ok = true;
                        for (k, v) in m.iter() {
                            match v {
                                Value::Str(s) => out.push((k.clone(), s.clone())),
                                _ => {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                        if ok {
                            Some(out)
                        } else {
                            None
                        }
                    }
                    _ => None,
                },
                _ => None,
            };
            // A missing or dropped map still prints `fields={}` (one debug-formatted field, as the original).
            logging::log(level, &msg, Some(fields.as_deref().unwrap_or(&[])));
        },
    )
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn log_error(message: *const c_char, fields_json: *const c_char) {
    log_ffi(Level::Error, message, fields_json)
}
/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn log_warn(message: *const c_char, fields_json: *const c_char) {
    log_ffi(Level::Warn, message, fields_json)
}
/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn log_info(message: *const c_char, fields_json: *const c_char) {
    log_ffi(Level::Info, message, fields_json)
}
/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn log_debug(message: *const c_char, fields_json: *const c_char) {
    log_ffi(Level::Debug, message, fields_json)
}
/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
#[no_mangle]
pub unsafe extern "C" fn log_trace(message: *const c_char, fields_json: *const c_char) {
    log_ffi(Level::Trace, message, fields_json)
}

// ------------------------------------------------------------------ 21 memory

/// Releases a string returned by this library.
///
/// # Safety
///
/// `ptr` is NULL or a pointer returned by this library that has not been freed yet; it must
/// not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn free_rust_string(ptr: *mut c_char) {
    guarded(
        |_| (),
        || {
            if !ptr.is_null() {
                drop(CString::from_raw(ptr));
            }
        },
    )
}

// ------------------------------------------------------------------ 22-29 client API

fn ok_envelope(data: Value) -> String {
    crate::jobj![("success", true), ("data", data)].to_json()
}

fn api_error(e: crate::engine::ClientError) -> String {
    crate::jobj![
        ("success", false),
        ("error", e.message),
        ("recoverable", e.recoverable)
    ]
    .to_json()
}

/// Wait (outside the engine lock) until the operation's log record is durable; an
/// acknowledgement (`rc == 1`) is withdrawn if the sync fails.
fn durable(rc: c_int, ticket: Option<crate::store::Ticket>, what: &str) -> c_int {
    match ticket {
        Some(t) if rc == 1 => match t.wait() {
            Ok(()) => 1,
            Err(e) => {
                logging::error(&format!("{}: {}", what, e));
                0
            }
        },
        _ => rc,
    }
}

/// Common wrapper: panic guard, lock, not-initialized check, durability wait.
/// `f` returns the JSON text.
/// `wakes`: the call can make a step ready, so a waiting poller is woken once the lock is released (woken under
/// it, the poller would only block on the lock and need a second wake-up).
fn client_call(
    name: &str,
    wakes: bool,
    f: impl FnOnce(&mut Engine) -> Result<String, String>,
) -> *mut c_char {
    guarded(
        |m| into_c(json_error(&format!("{} failed: panic: {}", name, m))),
        || {
            let mut slot = lock();
            probe(name);
            let (out, ticket) = match slot.as_mut() {
                None => (json_error(&format!("{} failed: {}", name, NOT_INIT)), None),
                Some(e) => {
                    let r = f(e);
                    let t = e.take_sync_ticket();
                    match r {
                        Ok(s) => (s, t),
                        Err(detail) => (json_error(&format!("{} failed: {}", name, detail)), None),
                    }
                }
            };
            drop(slot);
            if wakes {
                crate::dispatch::WAKE.notify();
            }
            if durable(1, ticket, name) == 0 {
                return into_c(json_error(&format!(
                    "{} failed: Runtime error: storage sync failed",
                    name
                )));
            }
            into_c(out)
        },
    )
}

unsafe fn uuid_arg(p: *const c_char, what: &str) -> Result<Uuid, String> {
    match read_arg(p) {
        Arg::Null => Err(format!("Invalid argument: {} is null", what)),
        Arg::BadUtf8 => Err(format!("Invalid argument: Invalid UTF-8 in {}", what)),
        Arg::Ok(s) => {
            crate::uuid::parse(&s).map_err(|e| format!("Invalid argument: Invalid UUID: {}", e))
        }
    }
}

unsafe fn json_arg_lenient(p: *const c_char, what: &str) -> Result<Value, String> {
    let s = match read_arg(p) {
        Arg::Null => return Err(format!("Invalid argument: {} is null", what)),
        Arg::BadUtf8 => return Err(format!("Invalid argument: Invalid UTF-8 in {}", what)),
        Arg::Ok(s) => s,
    };
    let trimmed = s.trim_end_matches('\0');
    json::parse_prefix(trimmed).map_err(|e| format!("Invalid argument: Invalid JSON: {}", e))
}

fn task_not_found(u: Uuid) -> crate::engine::ClientError {
    crate::engine::ClientError::new(format!("API error (404): Task not found: {}", u))
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_create_task(request_json: *const c_char) -> *mut c_char {
    client_call("client_create_task", true, move |e| {
        let req = json_arg_lenient(request_json, "request_json").and_then(|v| {
            client::TaskRequest::from_value(&v)
                .map_err(|e| format!("Invalid argument: Invalid TaskRequest JSON: {}", e))
        })?;
        match e.create_task(req) {
            Ok(t) => {
                e.commit(true).map_err(|e| e.to_string())?;
                Ok(ok_envelope(client::task_response(&e.tasks[t])))
            }
            Err(err) => Ok(api_error(err)),
        }
    })
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_get_task(task_uuid: *const c_char) -> *mut c_char {
    client_call("client_get_task", false, move |e| {
        let u = uuid_arg(task_uuid, "task_uuid")?;
        Ok(
            match e.with_task(u, |_, task| client::task_response(task))? {
                Some(v) => ok_envelope(v),
                None => api_error(task_not_found(u)),
            },
        )
    })
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_list_tasks(params_json: *const c_char) -> *mut c_char {
    client_call("client_list_tasks", false, move |e| {
        Ok(ok_envelope(client::list_tasks(
            e,
            &json_arg_lenient(params_json, "params_json")?,
        )?))
    })
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_cancel_task(task_uuid: *const c_char) -> *mut c_char {
    client_call("client_cancel_task", false, move |e| {
        let u = uuid_arg(task_uuid, "task_uuid")?;
        Ok(match e.lookup(u)? {
            None => api_error(task_not_found(u)),
            Some(TaskRef::Live(t)) => match e.cancel_task(t) {
                Ok(()) => ok_envelope(crate::jobj![("cancelled", true)]),
                Err(err) => api_error(err),
            },
            Some(TaskRef::Archived(task)) => match Engine::cancel_finished(&task) {
                Ok(()) => ok_envelope(crate::jobj![("cancelled", true)]),
                Err(err) => api_error(err),
            },
        })
    })
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_list_task_steps(task_uuid: *const c_char) -> *mut c_char {
    client_call("client_list_task_steps", false, move |e| {
        let u = uuid_arg(task_uuid, "task_uuid")?;
        Ok(
            match e.with_task(u, |e, task| {
                Value::Array(
                    StepIdx::all(task.steps.len())
                        .map(|s| client::step_response(e, task, s))
                        .collect(),
                )
            })? {
                None => api_error(task_not_found(u)),
                Some(v) => ok_envelope(v),
            },
        )
    })
}

/// Run `f` on a step of a task (in memory or archived); the error form names what is missing.
fn with_step(
    e: &Engine,
    tu: Uuid,
    su: Uuid,
    f: impl FnOnce(&Engine, &Task, StepIdx) -> Value,
) -> Result<Result<Value, crate::engine::ClientError>, String> {
    let r = e.with_task(tu, |e, task| {
        match task.steps.iter().position(|s| s.uuid == su) {
            Some(i) => Ok(f(e, task, StepIdx(i))),
            None => Err(crate::engine::ClientError::new(format!(
                "API error (404): Workflow step not found: {}",
                su
            ))),
        }
    })?;
    Ok(r.unwrap_or_else(|| Err(task_not_found(tu))))
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_get_step(
    task_uuid: *const c_char,
    step_uuid: *const c_char,
) -> *mut c_char {
    client_call("client_get_step", false, move |e| {
        let (tu, su) = (
            uuid_arg(task_uuid, "task_uuid")?,
            uuid_arg(step_uuid, "step_uuid")?,
        );
        Ok(match with_step(e, tu, su, client::step_response)? {
            Ok(v) => ok_envelope(v),
            Err(err) => api_error(err),
        })
    })
}

/// # Safety
///
/// Every pointer argument is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call. The engine only reads it and keeps no reference.
///
/// The returned string (NULL on failure) belongs to the caller, who must release it with
/// `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn client_get_step_audit_history(
    task_uuid: *const c_char,
    step_uuid: *const c_char,
) -> *mut c_char {
    client_call("client_get_step_audit_history", false, move |e| {
        let (tu, su) = (
            uuid_arg(task_uuid, "task_uuid")?,
            uuid_arg(step_uuid, "step_uuid")?,
        );
        Ok(
            match with_step(e, tu, su, |_, task, s| client::audit_history(task, s))? {
                Ok(v) => ok_envelope(v),
                Err(err) => api_error(err),
            },
        )
    })
}

#[no_mangle]
pub extern "C" fn client_health_check() -> *mut c_char {
    client_call("client_health_check", false, |_| {
        Ok(ok_envelope(crate::jobj![("healthy", true)]))
    })
}

// ================================================================== ABI extensions
//
// Optional functions beside the 29 of the contract. A caller looks them up by name and falls back to the
// standard functions when a library lacks them, so both kinds of library stay interchangeable. Same rules as
// above: every export is panic-guarded, and every returned string is freed with `free_rust_string`.

/// The most events one `poll_step_events_batch` call returns.
pub const MAX_BATCH: usize = 1024;

/// Up to `max` step events as a JSON array (`[event, …]`, each as from `poll_step_events`), or NULL when none is
/// queued, `max < 1`, or the worker is not running. One lock and one crossing for the whole batch; the caller
/// must hold a slot for each event it asks for.
#[no_mangle]
pub extern "C" fn poll_step_events_batch(max: c_int) -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            if max < 1 {
                return std::ptr::null_mut();
            }
            let max = (max as usize).min(MAX_BATCH);
            let mut slot = lock();
            probe("poll_step_events_batch");
            let Some(engine) = slot.as_mut() else {
                return std::ptr::null_mut();
            };
            let mut out = String::new();
            let mut n = 0;
            while n < max {
                match engine.poll() {
                    Some(ev) => {
                        out.push(if n == 0 { '[' } else { ',' });
                        out.push_str(&ev);
                        n += 1;
                    }
                    None => {
                        crate::dispatch::WAKE.polled_empty();
                        break;
                    }
                }
            }
            drop(slot);
            if n == 0 {
                return std::ptr::null_mut();
            }
            out.push(']');
            into_c(out)
        },
    )
}

/// Completes several events in one call. `items_json` is an array of `[event_id, result]` pairs, each result as
/// for `complete_step_event`. Returns a JSON array with one `1` (accepted) or `0` (rejected) per pair, in order;
/// NULL when the array itself is unreadable, and then no event was touched. In durable mode an acceptance means
/// the record is on disk, as for the single call; one sync covers the batch.
///
/// # Safety
///
/// `items_json` is NULL or points to a NUL-terminated string that stays valid and unchanged for the duration of
/// the call. The returned string belongs to the caller, who must release it with `free_rust_string` exactly once.
#[no_mangle]
pub unsafe extern "C" fn complete_step_events_batch(items_json: *const c_char) -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let text = match read_arg(items_json) {
                Arg::Ok(s) => s,
                _ => {
                    logging::error(
                        "complete_step_events_batch: null pointer or invalid UTF-8 argument",
                    );
                    return std::ptr::null_mut();
                }
            };
            let Some(pairs) = batch::pairs(&text) else {
                logging::error(
                    "complete_step_events_batch: not an array of [event_id, result] pairs",
                );
                return std::ptr::null_mut();
            };
            // Parse outside the engine lock; an unreadable item is rejected alone.
            let parsed: Vec<Option<(Uuid, crate::result::ExecResult)>> = pairs
                .iter()
                .map(|(id, body)| {
                    let id = match id.and_then(|i| crate::uuid::parse(i).ok()) {
                        Some(u) => u,
                        None => {
                            logging::error("complete_step_events_batch: invalid event_id");
                            return None;
                        }
                    };
                    match crate::result::parse_step_result(body) {
                        Ok(r) => Some((id, r)),
                        Err(e) => {
                            logging::error(&format!("complete_step_events_batch: failed to parse result JSON for event {} (event stays pending): {}", id, e));
                            None
                        }
                    }
                })
                .collect();
            let mut rcs = vec![0 as c_int; parsed.len()];
            let mut tickets = Vec::new();
            {
                let mut slot = lock();
                probe("complete_step_events_batch");
                let Some(engine) = slot.as_mut() else {
                    logging::error(&format!("complete_step_events_batch: {}", NOT_INIT));
                    return into_c(batch::rcs(&rcs));
                };
                for (rc, item) in rcs.iter_mut().zip(parsed) {
                    let Some((id, result)) = item else { continue };
                    // A panic in one completion rejects that item only; the lock policy above recovers the state.
                    *rc = guarded(
                        |_| 0,
                        || match engine.complete(id, result) {
                            Ok(true) => 1,
                            Ok(false) => 0,
                            Err(e) => {
                                logging::error(&format!(
                                    "complete_step_events_batch: storage failure, completion not acknowledged: {}",
                                    e
                                ));
                                0
                            }
                        },
                    );
                    if let Some(t) = engine.take_sync_ticket() {
                        tickets.push(t);
                    }
                }
            }
            crate::dispatch::WAKE.notify();
            // The last ticket syncs everything written before it; the earlier ones then return at once.
            let synced = tickets.iter().rev().all(|t| match t.wait() {
                Ok(()) => true,
                Err(e) => {
                    logging::error(&format!("complete_step_events_batch: {}", e));
                    false
                }
            });
            if !synced {
                rcs.iter_mut().for_each(|rc| *rc = 0);
            }
            into_c(batch::rcs(&rcs))
        },
    )
}

/// Blocks until a step may be dispatchable or `timeout_ms` (0–60,000) passed, without spinning. Returns 1 when
/// something that can make a step ready happened since the last poll that found nothing (poll now), 0 on timeout,
/// -1 when the worker is not running (it does not wait then). A step whose retry backoff runs out is not
/// announced, but the wait ends (0) by the time it does, so the caller's next poll finds it.
#[no_mangle]
pub extern "C" fn wait_for_step_events(timeout_ms: c_int) -> c_int {
    guarded(
        |_| -1,
        || {
            let (running, retry_in) = match lock().as_ref() {
                Some(e) => (e.core_running, e.next_retry_in_ms()),
                None => (false, None),
            };
            if !running {
                return -1;
            }
            // A retry that comes due is a step that becomes ready without a notification: return by then.
            let timeout_ms = (timeout_ms.clamp(0, 60_000) as u64).min(retry_in.unwrap_or(u64::MAX));
            let timeout = std::time::Duration::from_millis(timeout_ms);
            if crate::dispatch::WAKE.wait(timeout) {
                1
            } else {
                0
            }
        },
    )
}

/// The batch envelope: split without building a tree, since each result is parsed on its own anyway.
mod batch {
    use std::os::raw::c_int;

    /// `[[id, result], …]` as (id text, result JSON text) pairs; the id is None when it is not a plain string.
    /// None when the envelope is malformed.
    pub fn pairs(s: &str) -> Option<Vec<(Option<&str>, &str)>> {
        let mut sc = Scan {
            b: s.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        if !sc.eat(b'[') {
            return None;
        }
        if sc.eat(b']') {
            return sc.end().then_some(out);
        }
        loop {
            if !sc.eat(b'[') {
                return None;
            }
            let (a, b) = sc.value()?;
            let id = &s[a..b];
            let id = (id.len() >= 2 && id.starts_with('"') && !id.contains('\\'))
                .then(|| &id[1..id.len() - 1]);
            if !sc.eat(b',') {
                return None;
            }
            let (a, b) = sc.value()?;
            if !sc.eat(b']') {
                return None;
            }
            out.push((id, &s[a..b]));
            if sc.eat(b']') {
                return sc.end().then_some(out);
            }
            if !sc.eat(b',') {
                return None;
            }
        }
    }

    pub fn rcs(rcs: &[c_int]) -> String {
        let mut out = String::with_capacity(rcs.len() * 2 + 2);
        out.push('[');
        for (i, rc) in rcs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push(if *rc == 1 { '1' } else { '0' });
        }
        out.push(']');
        out
    }

    struct Scan<'a> {
        b: &'a [u8],
        i: usize,
    }

    impl Scan<'_> {
        fn ws(&mut self) {
            while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }

        fn eat(&mut self, c: u8) -> bool {
            self.ws();
            if self.b.get(self.i) == Some(&c) {
                self.i += 1;
                true
            } else {
                false
            }
        }

        fn end(&mut self) -> bool {
            self.ws();
            self.i == self.b.len()
        }

        /// The span of one JSON value. Brackets are only counted (strings skipped): the value's own parser
        /// rejects what is not JSON.
        fn value(&mut self) -> Option<(usize, usize)> {
            self.ws();
            let start = self.i;
            match *self.b.get(self.i)? {
                b'"' => self.string(),
                b'{' | b'[' => {
                    let mut depth = 0usize;
                    loop {
                        match *self.b.get(self.i)? {
                            b'"' => {
                                self.string()?;
                            }
                            b'{' | b'[' => {
                                depth += 1;
                                self.i += 1;
                            }
                            b'}' | b']' => {
                                depth -= 1;
                                self.i += 1;
                                if depth == 0 {
                                    return Some((start, self.i));
                                }
                            }
                            _ => self.i += 1,
                        }
                    }
                }
                _ => {
                    while !matches!(
                        self.b.get(self.i),
                        None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.i += 1;
                    }
                    (self.i > start).then_some((start, self.i))
                }
            }
        }

        fn string(&mut self) -> Option<(usize, usize)> {
            let start = self.i;
            self.i += 1;
            loop {
                match *self.b.get(self.i)? {
                    b'\\' => self.i += 2,
                    b'"' => {
                        self.i += 1;
                        return Some((start, self.i));
                    }
                    _ => self.i += 1,
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn pairs_split_at_the_top_level_only() {
            let p = pairs(r#" [ ["a", {"x":"],[\"}","y":[1,{"z":2}]}] , ["b",null],[7,"s"] ] "#)
                .unwrap();
            assert_eq!(
                p,
                vec![
                    (Some("a"), r#"{"x":"],[\"}","y":[1,{"z":2}]}"#),
                    (Some("b"), "null"),
                    (None, r#""s""#),
                ]
            );
            assert_eq!(pairs("[]").unwrap(), vec![]);
        }

        #[test]
        fn malformed_envelopes_are_refused() {
            for bad in [
                "",
                "{}",
                "[",
                "[[\"a\"]]",
                "[[\"a\",{}]",
                "[[\"a\",{}]] x",
                "[[\"a\",\"open]]",
                "[[\"a\",{}],]",
            ] {
                assert!(pairs(bad).is_none(), "{:?}", bad);
            }
        }

        #[test]
        fn results_are_written_in_order() {
            assert_eq!(rcs(&[1, 0, 1]), "[1,0,1]");
            assert_eq!(rcs(&[]), "[]");
        }
    }
}
