//! Helpers for driving the C ABI from tests. The engine is process-global, so every
//! test takes `serial()` first.
#![allow(dead_code)]

use std::ffi::CString;
use std::os::raw::c_char;
use std::sync::{Mutex, MutexGuard};
use tasker_engine::json::{self, Value};
pub use tasker_engine::testing::take;
use tasker_engine::*;

static LOCK: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    let g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    tasker_engine::testing::set_panic_on(None);
    tasker_engine::testing::fail_next_store_commits(0);
    tasker_engine::testing::set_store_max_page_count(0);
    tasker_engine::testing::hold_archived_in_memory(false);
    tasker_engine::testing::pause_store_checkpoints(false);
    take(stop_worker());
    g
}

pub fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Copy a returned string and release it with free_rust_string.
pub fn takej(p: *mut c_char) -> Value {
    json::parse(&take(p).expect("non-null")).unwrap()
}

pub fn tpl_entry(source: &str, yaml: &str) -> Value {
    tasker_engine::jobj![("source", source), ("yaml", yaml)]
}

/// Bootstrap with the given templates and engine options (JSON object text).
pub fn bootstrap(templates: &[(&str, &str)], engine: &str) -> Value {
    let t: Vec<Value> = templates.iter().map(|(s, y)| tpl_entry(s, y)).collect();
    let cfg = format!(
        r#"{{"namespace":"test","log_level":"info","templates":{},"engine":{}}}"#,
        Value::Array(t).to_json(),
        engine
    );
    let c = cs(&cfg);
    takej(unsafe { bootstrap_worker(c.as_ptr()) })
}

pub fn stop() -> Value {
    takej(stop_worker())
}

pub fn request(ns: &str, name: &str, context: &str) -> String {
    format!(
        r#"{{"name":"{}","namespace":"{}","version":"1.0.0","context":{},"initiator":"test","source_system":"test","reason":"test"}}"#,
        name, ns, context
    )
}

pub fn create(req: &str) -> Value {
    let c = cs(req);
    takej(unsafe { client_create_task(c.as_ptr()) })
}

pub fn create_ok(ns: &str, name: &str, context: &str) -> Value {
    let r = create(&request(ns, name, context));
    assert_eq!(
        r.get("success").and_then(|v| v.as_bool()),
        Some(true),
        "create failed: {}",
        r.to_json()
    );
    r.get("data").unwrap().clone()
}

pub fn get_task(uuid: &str) -> Value {
    let c = cs(uuid);
    let r = takej(unsafe { client_get_task(c.as_ptr()) });
    assert_eq!(
        r.get("success").and_then(|v| v.as_bool()),
        Some(true),
        "{}",
        r.to_json()
    );
    r.get("data").unwrap().clone()
}

pub fn steps_of(uuid: &str) -> Vec<Value> {
    let c = cs(uuid);
    let r = takej(unsafe { client_list_task_steps(c.as_ptr()) });
    r.get("data").unwrap().as_array().unwrap().clone()
}

pub fn poll() -> Option<Value> {
    take(poll_step_events()).map(|s| json::parse(&s).unwrap())
}

pub fn complete(event_id: &str, result: &str) -> i32 {
    let a = cs(event_id);
    let b = cs(result);
    unsafe { complete_step_event(a.as_ptr(), b.as_ptr()) }
}

pub fn s<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(p)
            .unwrap_or_else(|| panic!("missing {} in {}", p, v.to_json()));
    }
    cur
}

pub fn st(v: &Value, path: &[&str]) -> String {
    s(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{:?} not a string", path))
        .to_string()
}

pub fn success_result(ev: &Value, result: Value) -> String {
    tasker_engine::jobj![
        ("step_uuid", st(ev, &["step_uuid"])),
        ("success", true),
        ("status", "completed"),
        ("result", result),
        (
            "metadata",
            tasker_engine::jobj![
                ("execution_time_ms", 3),
                ("worker_id", "test-worker"),
                ("retryable", false)
            ]
        ),
    ]
    .to_json()
}

pub fn failure_result(ev: &Value, retryable: bool, msg: &str) -> String {
    tasker_engine::jobj![
        ("step_uuid", st(ev, &["step_uuid"])),
        ("success", false),
        ("status", "failed"),
        ("result", Value::obj()),
        (
            "metadata",
            tasker_engine::jobj![("execution_time_ms", 1), ("retryable", retryable)]
        ),
        (
            "error",
            tasker_engine::jobj![
                ("message", msg),
                ("error_type", "test"),
                ("retryable", retryable)
            ]
        ),
    ]
    .to_json()
}

/// Poll/complete until nothing is dispatched for `idle_ms`. The handler returns the result JSON.
pub fn drive(mut handler: impl FnMut(&Value) -> String, idle_ms: u64) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut idle_since = std::time::Instant::now();
    loop {
        match poll() {
            Some(ev) => {
                let r = handler(&ev);
                assert_eq!(
                    complete(&st(&ev, &["event_id"]), &r),
                    1,
                    "completion rejected: {}",
                    r
                );
                seen.push(ev);
                idle_since = std::time::Instant::now();
            }
            None => {
                if idle_since.elapsed().as_millis() as u64 >= idle_ms {
                    return seen;
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}

pub fn metrics() -> Value {
    takej(get_ffi_dispatch_metrics())
}

pub const LINEAR: &str = r#"---
# linear workflow
name: linear
namespace_name: wf
version: 1.0.0
description: >
  Four steps
  in a row.
steps:
  - name: step_1
    handler: { callable: Linear.Step1, initialization: { op: square } }
  - name: step_2
    handler: { callable: Linear.Step2 }
    dependencies: [step_1]
  - name: step_3
    handler:
      callable: Linear.Step3
      method: run
    dependencies:
      - step_2
  - name: step_4
    handler: { callable: Linear.Step4 }
    dependencies: [step_3]
    retry: { retryable: true, max_attempts: 3 }
"#;

pub const DIAMOND: &str = r#"
name: diamond
namespace_name: wf
version: 1.0.0
steps:
  - { name: start, handler: { callable: D.Start } }
  - { name: left, handler: { callable: D.Left }, dependencies: [start] }
  - { name: right, handler: { callable: D.Right }, dependencies: [start] }
  - { name: end, handler: { callable: D.End }, dependencies: [left, right] }
"#;

pub const FLAKY: &str = r#"
name: flaky
namespace_name: wf
version: 1.0.0
steps:
  - name: a
    handler: { callable: F.A }
    retry: { retryable: true, max_attempts: 3 }
  - name: b
    handler: { callable: F.B }
    dependencies: [a]
"#;

pub const FAST_BACKOFF: &str =
    r#"{"backoff":{"base_ms":1,"max_ms":5,"multiplier":2.0,"jitter_pct":0.0}}"#;
