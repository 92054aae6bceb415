//! The optional ABI extensions: `poll_step_events_batch`, `complete_step_events_batch` and
//! `wait_for_step_events`. Plain string handling only, so the test does not depend on the engine's JSON types.
//! The engine is process-global: every test takes `serial()`.

use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tasker_engine::testing::take;
use tasker_engine::*;

static LOCK: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    let g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    take(stop_worker());
    g
}

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

const CHAIN: &str = "name: chain\nnamespace_name: ext\nversion: 1.0.0\nsteps:\n  - name: a\n    handler: { callable: ext.a }\n  - name: b\n    handler: { callable: ext.b }\n    dependencies: [a]\n";

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn bootstrap(data_dir: &str) {
    let cfg = format!(
        r#"{{"worker_id":"ext","templates":[{{"source":"chain.yaml","yaml":{}}}],"engine":{{"data_dir":{}}}}}"#,
        json_str(CHAIN),
        json_str(data_dir)
    );
    let c = cs(&cfg);
    let r = take(unsafe { bootstrap_worker(c.as_ptr()) }).unwrap();
    assert!(r.contains(r#""status":"started""#), "{}", r);
}

fn create(i: usize) -> String {
    let req = format!(
        r#"{{"name":"chain","namespace":"ext","version":"1.0.0","context":{{"i":{}}},"initiator":"t","source_system":"t","reason":"t"}}"#,
        i
    );
    let c = cs(&req);
    let r = take(unsafe { client_create_task(c.as_ptr()) }).unwrap();
    assert!(r.starts_with(r#"{"success":true"#), "{}", r);
    field(&r, "task_uuid")
}

/// The first `"key":"value"` string of a JSON text.
fn field(json: &str, key: &str) -> String {
    let pat = format!("\"{}\":\"", key);
    let start = json
        .find(&pat)
        .unwrap_or_else(|| panic!("no {} in {}", key, json))
        + pat.len();
    let end = start + json[start..].find('"').unwrap();
    json[start..end].to_string()
}

/// The events of a batch: the top-level objects of the array (braces counted, strings skipped).
fn events(batch: &str) -> Vec<String> {
    assert!(batch.starts_with('[') && batch.ends_with(']'), "{}", batch);
    let (mut out, mut depth, mut start, mut in_str, mut esc) = (Vec::new(), 0, 0, false, false);
    for (i, c) in batch.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    out.push(batch[start..=i].to_string());
                }
            }
            _ => {}
        }
    }
    out
}

fn success(event: &str) -> String {
    format!(
        r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true}},"metadata":{{"execution_time_ms":1,"retryable":false}}}}"#,
        field(event, "step_uuid")
    )
}

fn poll_batch(max: c_int) -> Vec<String> {
    take(poll_step_events_batch(max))
        .map(|b| events(&b))
        .unwrap_or_default()
}

fn complete_batch(items: &[(String, String)]) -> Option<String> {
    let body: Vec<String> = items
        .iter()
        .map(|(id, result)| format!("[{},{}]", json_str(id), result))
        .collect();
    let c = cs(&format!("[{}]", body.join(",")));
    take(unsafe { complete_step_events_batch(c.as_ptr()) })
}

fn task_status(task_uuid: &str) -> String {
    let c = cs(task_uuid);
    field(
        &take(unsafe { client_get_task(c.as_ptr()) }).unwrap(),
        "status",
    )
}

#[test]
fn batches_poll_up_to_max_and_complete_in_order() {
    let _g = serial();
    bootstrap("");
    let tasks: Vec<String> = (0..5).map(create).collect();
    assert!(poll_batch(0).is_empty(), "max < 1 asks for nothing");
    let first = poll_batch(3);
    assert_eq!(first.len(), 3);
    let rest = poll_batch(100);
    assert_eq!(rest.len(), 2, "only the queued events come back");
    assert!(
        take(poll_step_events_batch(10)).is_none(),
        "NULL when nothing is queued"
    );

    // Every item is answered in order: good ones accepted, a bad id, an unknown event and bad JSON rejected alone.
    let all: Vec<String> = first.iter().chain(&rest).cloned().collect();
    let mut items: Vec<(String, String)> = all
        .iter()
        .map(|e| (field(e, "event_id"), success(e)))
        .collect();
    items.insert(1, ("not-a-uuid".into(), success(&all[0])));
    items.insert(3, (uuid_like(), success(&all[0])));
    items.push((field(&all[0], "event_id"), r#"{"step_uuid":42}"#.into()));
    assert_eq!(
        complete_batch(&items).unwrap(),
        "[1,0,1,0,1,1,1,0]",
        "the last item repeats a completed event with a result that is not one"
    );

    // The second steps are ready now; drive them with batches too.
    let second = poll_batch(10);
    assert_eq!(second.len(), 5);
    assert!(second.iter().all(|e| e.contains(r#""name":"b""#)));
    let items: Vec<(String, String)> = second
        .iter()
        .map(|e| (field(e, "event_id"), success(e)))
        .collect();
    assert_eq!(complete_batch(&items).unwrap(), "[1,1,1,1,1]");
    for t in &tasks {
        assert_eq!(task_status(t), "complete");
    }
    take(stop_worker());
}

fn uuid_like() -> String {
    "0b6c0a39-1c31-4d2f-b7ac-0a7d5a1a0b11".to_string()
}

#[test]
fn an_unreadable_batch_touches_nothing() {
    let _g = serial();
    bootstrap("");
    create(0);
    let ev = poll_batch(1).remove(0);
    for bad in [
        "".to_string(),
        "{}".to_string(),
        format!("[[{}]]", json_str(&field(&ev, "event_id"))),
        format!("[[{},{}]", json_str(&field(&ev, "event_id")), success(&ev)),
    ] {
        let c = cs(&bad);
        assert!(
            take(unsafe { complete_step_events_batch(c.as_ptr()) }).is_none(),
            "{}",
            bad
        );
    }
    assert!(take(unsafe { complete_step_events_batch(std::ptr::null()) }).is_none());
    assert_eq!(complete_batch(&[]).unwrap(), "[]");
    // The event is still pending: the single call completes it.
    let (id, result) = (cs(&field(&ev, "event_id")), cs(&success(&ev)));
    assert_eq!(
        unsafe { complete_step_event(id.as_ptr(), result.as_ptr()) },
        1
    );
    take(stop_worker());
}

#[test]
fn wait_returns_at_once_when_work_may_be_ready_and_times_out_otherwise() {
    let _g = serial();
    assert_eq!(wait_for_step_events(1000), -1, "no worker: no wait");
    bootstrap("");
    // Nothing polled empty since bootstrap: poll first.
    assert_eq!(wait_for_step_events(1000), 1);
    assert!(take(poll_step_events()).is_none());
    let started = Instant::now();
    assert_eq!(wait_for_step_events(60), 0);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(55) && waited < Duration::from_secs(2),
        "{:?}",
        waited
    );
    assert_eq!(wait_for_step_events(0), 0, "a zero timeout only checks");

    // A task created while the waiter sleeps wakes it long before the timeout.
    let creator = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(50));
        create(1)
    });
    let started = Instant::now();
    assert_eq!(wait_for_step_events(10_000), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    creator.join().unwrap();
    let a = poll_batch(1).remove(0);
    assert!(take(poll_step_events()).is_none());

    // So does the completion that makes the next step ready.
    let completer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        let (id, result) = (cs(&field(&a, "event_id")), cs(&success(&a)));
        unsafe { complete_step_event(id.as_ptr(), result.as_ptr()) }
    });
    let started = Instant::now();
    assert_eq!(wait_for_step_events(10_000), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(completer.join().unwrap(), 1);
    let b = take(poll_step_events()).unwrap();
    assert!(b.contains(r#""name":"b""#));

    // A graceful shutdown wakes a waiter, and later waits return -1 without blocking.
    assert!(take(poll_step_events()).is_none());
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(50));
        take(transition_to_graceful_shutdown())
    });
    let started = Instant::now();
    assert_eq!(wait_for_step_events(10_000), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    stopper.join().unwrap();
    assert_eq!(wait_for_step_events(10_000), -1);
    take(stop_worker());
    assert_eq!(wait_for_step_events(10_000), -1);
}

#[test]
fn a_wait_ends_when_a_retry_comes_due() {
    let _g = serial();
    bootstrap("");
    create(1);
    let a = take(poll_step_events()).unwrap();
    let failure = format!(
        r#"{{"step_uuid":"{}","success":false,"status":"failed","result":null,"error":{{"message":"try again","error_type":"Flaky","retryable":true}},"metadata":{{"execution_time_ms":1,"retryable":true}}}}"#,
        field(&a, "step_uuid")
    );
    let (id, body) = (cs(&field(&a, "event_id")), cs(&failure));
    assert_eq!(
        unsafe { complete_step_event(id.as_ptr(), body.as_ptr()) },
        1
    );
    // Nothing ready now: the step waits out its backoff (the default, about 2 s with jitter) unannounced.
    while take(poll_step_events()).is_some() {}
    let started = Instant::now();
    assert_eq!(
        wait_for_step_events(30_000),
        0,
        "no notification, a timeout at the due time"
    );
    let waited = started.elapsed();
    assert!(
        waited > Duration::from_millis(500) && waited < Duration::from_secs(10),
        "the wait ends when the retry is due, not after its 30 s: {:?}",
        waited
    );
    let again = take(poll_step_events()).expect("the retried step, at once");
    assert_eq!(field(&again, "step_uuid"), field(&a, "step_uuid"));
    take(stop_worker());
}

#[test]
fn batch_completions_are_durable() {
    let _g = serial();
    let dir = std::env::temp_dir().join(format!("tasker-ext-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display().to_string();
    bootstrap(&d);
    let tasks: Vec<String> = (0..4).map(create).collect();
    for _ in 0..2 {
        let evs = poll_batch(10);
        assert_eq!(evs.len(), 4);
        let items: Vec<(String, String)> = evs
            .iter()
            .map(|e| (field(e, "event_id"), success(e)))
            .collect();
        assert_eq!(complete_batch(&items).unwrap(), "[1,1,1,1]");
    }
    take(stop_worker());
    bootstrap(&d);
    for t in &tasks {
        assert_eq!(task_status(t), "complete", "restored from {}", d);
    }
    assert!(take(poll_step_events()).is_none());
    take(stop_worker());
    std::fs::remove_dir_all(&dir).unwrap();
}

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

#[test]
fn the_shared_library_exports_the_extensions() {
    // target/<profile>/deps/abi_extensions-xxxx -> target/<profile>/libtasker_engine.so
    let exe = std::env::current_exe().unwrap();
    let so = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("libtasker_engine.so");
    assert!(so.exists(), "{} not built", so.display());
    let path = cs(&so.display().to_string());
    let h = unsafe { dlopen(path.as_ptr(), 2) };
    assert!(!h.is_null());
    for name in [
        "poll_step_events_batch",
        "complete_step_events_batch",
        "wait_for_step_events",
    ] {
        let c = cs(name);
        assert!(!unsafe { dlsym(h, c.as_ptr()) }.is_null(), "{}", name);
    }
}

#[test]
fn no_wake_up_is_lost_while_tasks_arrive_and_steps_complete() {
    let _g = serial();
    bootstrap("");
    const TASKS: usize = 200;
    let producer = std::thread::spawn(|| {
        for i in 0..TASKS {
            create(i);
            if i % 7 == 0 {
                std::thread::sleep(Duration::from_micros(300));
            }
        }
    });
    // The consumer only polls after a wait said so (or when the last poll found something): a lost wake-up would
    // leave it asleep for the whole timeout.
    let (mut done, mut timeouts) = (0, 0);
    while done < TASKS * 2 {
        match take(poll_step_events()) {
            Some(ev) => {
                let (id, result) = (cs(&field(&ev, "event_id")), cs(&success(&ev)));
                assert_eq!(
                    unsafe { complete_step_event(id.as_ptr(), result.as_ptr()) },
                    1
                );
                done += 1;
            }
            None => {
                if wait_for_step_events(3000) == 0 {
                    timeouts += 1;
                }
            }
        }
    }
    producer.join().unwrap();
    assert_eq!(timeouts, 0, "a waiter slept through work that was ready");
    take(stop_worker());
}
