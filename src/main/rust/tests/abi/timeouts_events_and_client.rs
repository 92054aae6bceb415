//! Timeouts, metrics, domain events, cancel, identity, listing, environments, backoff.

use super::common::*;
use std::time::Duration;
use tasker_engine::json::Value;
use tasker_engine::*;

const EVENTED: &str = r#"
name: evented
namespace_name: ev
version: 1.0.0
steps:
  - name: pay
    handler: { callable: E.Pay }
    retry: { max_attempts: 2 }
    publishes_events:
      - name: payment.processed
        description: done
        condition: success
        delivery_mode: fast
        schema: { type: object }
      - name: payment.audit
        description: durable one
        condition: always
        schema: { type: object }
      - name: payment.retrying
        description: retry
        condition: retryable_failure
        delivery_mode: broadcast
        schema: {}
      - name: payment.failed
        description: failed
        condition: permanent_failure
        delivery_mode: fast
        schema: {}
"#;

fn poll_events() -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(s) = take(poll_in_process_events()) {
        out.push(tasker_engine::json::parse(&s).unwrap());
    }
    out
}

#[test]
fn domain_events_by_condition_and_mode() {
    let _g = serial();
    bootstrap(&[("evented.yaml", EVENTED)], FAST_BACKOFF);
    create_ok("ev", "evented", r#"{"order":1}"#);
    let ev = poll().unwrap();
    assert_eq!(
        complete(
            &st(&ev, &["event_id"]),
            &failure_result(&ev, true, "retry me")
        ),
        1
    );
    let evs = poll_events();
    assert_eq!(
        evs.iter()
            .map(|e| st(e, &["eventName"]))
            .collect::<Vec<_>>(),
        ["payment.retrying"]
    );
    std::thread::sleep(Duration::from_millis(10));
    let ev = poll().unwrap();
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &failure_result(&ev, true, "again")),
        1
    );
    let evs = poll_events();
    assert_eq!(
        evs.iter()
            .map(|e| st(e, &["eventName"]))
            .collect::<Vec<_>>(),
        ["payment.failed"]
    );
    let e = &evs[0];
    assert_eq!(
        s(e, &["payload", "execution_result", "success"]).as_bool(),
        Some(false)
    );

    create_ok("ev", "evented", r#"{"order":2}"#);
    let ev = poll().unwrap();
    assert_eq!(
        complete(
            &st(&ev, &["event_id"]),
            &success_result(&ev, tasker_engine::jobj![("amount", 5)])
        ),
        1
    );
    let evs = poll_events();
    assert_eq!(evs.len(), 1);
    let e = &evs[0];
    let keys: Vec<String> = e
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        keys,
        [
            "eventId",
            "eventName",
            "eventVersion",
            "metadata",
            "payload"
        ]
    );
    assert_eq!(st(e, &["eventName"]), "payment.processed");
    let mkeys: Vec<String> = s(e, &["metadata"])
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        mkeys,
        [
            "taskUuid",
            "stepUuid",
            "stepName",
            "namespace",
            "correlationId",
            "firedAt",
            "firedBy"
        ]
    );
    assert!(st(e, &["metadata", "firedAt"]).ends_with("+00:00"));
    assert_eq!(st(e, &["metadata", "stepName"]), "pay");
    assert_eq!(s(e, &["payload", "payload", "amount"]).as_i64(), Some(5));
    assert_eq!(
        s(e, &["payload", "execution_result", "result", "amount"]).as_i64(),
        Some(5)
    );
    let tss = s(e, &["payload", "task_sequence_step"]);
    assert_eq!(st(tss, &["task", "task_name"]), "evented");
    assert_eq!(st(tss, &["step_definition", "type"]), "standard");
    let created = st(tss, &["task", "task", "created_at"]);
    assert_eq!(&created[10..11], "T");
    stop();
}

#[test]
fn in_process_buffer_is_bounded() {
    let _g = serial();
    bootstrap(&[("evented.yaml", EVENTED)], r#"{"event_buffer":2}"#);
    for i in 0..4 {
        create_ok("ev", "evented", &format!(r#"{{"i":{}}}"#, i));
    }
    drive(|ev| success_result(ev, Value::obj()), 20);
    // lag is reported once (NULL), then the newest two remain
    assert!(poll_in_process_events().is_null());
    assert_eq!(poll_events().len(), 2);
    stop();
}

#[test]
fn timeouts_starvation_and_metrics() {
    let _g = serial();
    bootstrap(
        &[("flaky.yaml", FLAKY)],
        r#"{"completion_timeout_ms":60,"starvation_threshold_ms":20,"backoff":{"base_ms":1,"max_ms":2,"jitter_pct":0.0}}"#,
    );
    let task = create_ok("wf", "flaky", "{}");
    let tu = st(&task, &["task_uuid"]);
    let ev = poll().unwrap();
    let id = st(&ev, &["event_id"]);
    let m = metrics();
    assert_eq!(s(&m, &["pending_count"]).as_i64(), Some(1));
    assert_eq!(s(&m, &["starvation_detected"]).as_bool(), Some(false));
    std::thread::sleep(Duration::from_millis(35));
    check_starvation_warnings();
    let m = metrics();
    assert_eq!(s(&m, &["starvation_detected"]).as_bool(), Some(true));
    assert_eq!(s(&m, &["starving_event_count"]).as_i64(), Some(1));
    assert_eq!(st(&m, &["oldest_event_id"]), id);
    assert!(s(&m, &["oldest_pending_age_ms"]).as_i64().unwrap() >= 20);
    cleanup_timeouts(); // not yet expired
    assert_eq!(s(&metrics(), &["pending_count"]).as_i64(), Some(1));
    std::thread::sleep(Duration::from_millis(40));
    cleanup_timeouts();
    assert_eq!(s(&metrics(), &["pending_count"]).as_i64(), Some(0));
    assert_eq!(
        complete(&id, &success_result(&ev, Value::obj())),
        0,
        "late completion is rejected"
    );
    let a = steps_of(&tu)
        .into_iter()
        .find(|x| st(x, &["name"]) == "a")
        .unwrap();
    assert_eq!(st(&a, &["results", "error", "error_type"]), "ffi_timeout");
    assert_eq!(
        st(&a, &["results", "error", "message"]),
        "FFI handler timed out after 60ms"
    );
    assert_eq!(
        s(&a, &["results", "metadata", "retryable"]).as_bool(),
        Some(true)
    );
    assert_eq!(st(&a, &["results", "status"]), "failed");
    std::thread::sleep(Duration::from_millis(5));
    let retry = poll().expect("retried after timeout");
    assert_eq!(s(&retry, &["workflow_step", "attempts"]).as_i64(), Some(1));
    assert_eq!(
        complete(
            &st(&retry, &["event_id"]),
            &success_result(&retry, Value::obj())
        ),
        1
    );
    drive(|ev| success_result(ev, Value::obj()), 20);
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    stop();
}

#[test]
fn cancel_stops_dispatch() {
    let _g = serial();
    bootstrap(
        &[("linear_workflow.yaml", LINEAR), ("diamond.yaml", DIAMOND)],
        "null",
    );
    let task = create_ok("wf", "linear", "{}");
    let tu = st(&task, &["task_uuid"]);
    let ev = poll().unwrap();
    let c = cs(&tu);
    let r = takej(unsafe { client_cancel_task(c.as_ptr()) });
    assert_eq!(r.to_json(), r#"{"success":true,"data":{"cancelled":true}}"#);
    // in-flight completion is accepted and recorded, nothing more is dispatched
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    assert!(poll().is_none());
    let t = get_task(&tu);
    assert_eq!(st(&t, &["status"]), "cancelled");
    let states: Vec<String> = steps_of(&tu)
        .iter()
        .map(|x| st(x, &["current_state"]))
        .collect();
    assert_eq!(states, ["complete", "cancelled", "cancelled", "cancelled"]);
    // idempotent cancel, but a completed task cannot be cancelled
    let r = takej(unsafe { client_cancel_task(c.as_ptr()) });
    assert_eq!(s(&r, &["success"]).as_bool(), Some(true));
    let t2 = create_ok("wf", "diamond", "{}");
    drive(|ev| success_result(ev, Value::obj()), 20);
    let c2 = cs(&st(&t2, &["task_uuid"]));
    let r = takej(unsafe { client_cancel_task(c2.as_ptr()) });
    assert_eq!(s(&r, &["success"]).as_bool(), Some(false));
    assert_eq!(s(&r, &["recoverable"]).as_bool(), Some(false));
    stop();
}

#[test]
fn create_task_parsing_identity_and_errors() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    // trailing bytes and NULs after one value are tolerated (TAS-283 behaviour)
    let r = create(&format!(
        "{}  garbage",
        request("wf", "diamond", r#"{"a":1,"b":{"x":1,"y":2}}"#)
    ));
    assert_eq!(s(&r, &["success"]).as_bool(), Some(true), "{}", r.to_json());
    // same identity (key order irrelevant) => 409-style error
    let r = create(&request("wf", "diamond", r#"{"b":{"y":2,"x":1},"a":1}"#));
    assert_eq!(s(&r, &["success"]).as_bool(), Some(false));
    assert_eq!(s(&r, &["recoverable"]).as_bool(), Some(false));
    assert!(st(&r, &["error"]).contains("409"), "{}", r.to_json());
    // idempotency key overrides the context hash
    let with_key = |ctx: &str| {
        format!(
            r#"{{"name":"diamond","namespace":"wf","version":"1.0.0","context":{},"initiator":"i","source_system":"s","reason":"r","idempotency_key":"k-1","tags":["x"],"priority":5,"options":null,"requested_at":"2026-02-15T19:43:46.5"}}"#,
            ctx
        )
    };
    assert_eq!(
        s(&create(&with_key(r#"{"z":1}"#)), &["success"]).as_bool(),
        Some(true)
    );
    assert_eq!(
        s(&create(&with_key(r#"{"z":2}"#)), &["success"]).as_bool(),
        Some(false)
    );
    // unknown template
    let r = create(&request("wf", "nope", "{}"));
    assert_eq!(s(&r, &["success"]).as_bool(), Some(false));
    assert_eq!(s(&r, &["recoverable"]).as_bool(), Some(false));
    // FFI-level errors: no recoverable key
    for bad in [
        r#"{"name":"diamond","namespace":"wf","version":"1.0.0","context":{},"initiator":"i","source_system":"s"}"#.to_string(),
        r#"{"name":"diamond","namespace":"wf","version":"1.0.0","initiator":"i","source_system":"s","reason":"r"}"#.to_string(),
        r#"{"name":"diamond","namespace":"wf","version":"1.0.0","context":{},"initiator":"i","source_system":"s","reason":"r","requested_at":"2026-02-15T19:43:46.000Z"}"#.to_string(),
        r#"{"name":"diamond","namespace":"wf","version":"1.0.0","context":{},"initiator":"i","source_system":"s","reason":"r","tags":null}"#.to_string(),
        r#"{"name":5}"#.to_string(),
        "nonsense".to_string(),
    ] {
        let r = create(&bad);
        assert_eq!(s(&r, &["success"]).as_bool(), Some(false), "{}", bad);
        assert!(r.get("recoverable").is_none(), "{}", r.to_json());
        assert!(st(&r, &["error"]).starts_with("client_create_task failed: "));
    }
    // bad uuid / unknown uuid
    let c = cs("xyz");
    let r = takej(unsafe { client_get_task(c.as_ptr()) });
    assert!(
        st(&r, &["error"]).starts_with("client_get_task failed: Invalid argument: Invalid UUID")
    );
    let c = cs("00000000-0000-4000-8000-000000000000");
    let r = takej(unsafe { client_get_task(c.as_ptr()) });
    assert_eq!(s(&r, &["recoverable"]).as_bool(), Some(false));
    let r = takej(unsafe { client_get_step(c.as_ptr(), c.as_ptr()) });
    assert_eq!(s(&r, &["success"]).as_bool(), Some(false));
    stop();
}

#[test]
fn list_tasks_pagination_and_filters() {
    let _g = serial();
    bootstrap(
        &[("diamond.yaml", DIAMOND), ("evented.yaml", EVENTED)],
        "null",
    );
    for i in 0..5 {
        create_ok("wf", "diamond", &format!(r#"{{"i":{}}}"#, i));
    }
    for i in 0..2 {
        create_ok("ev", "evented", &format!(r#"{{"i":{}}}"#, i));
    }
    let list = |p: &str| {
        let c = cs(p);
        takej(unsafe { client_list_tasks(c.as_ptr()) })
    };
    let r = list(r#"{"limit":2,"offset":2}"#);
    let d = s(&r, &["data"]);
    assert_eq!(s(d, &["tasks"]).as_array().unwrap().len(), 2);
    assert_eq!(
        s(d, &["pagination"]).to_json(),
        r#"{"page":2,"per_page":2,"total_count":7,"total_pages":4,"has_next":true,"has_previous":true}"#
    );
    let r = list(r#"{"namespace":"ev"}"#);
    assert_eq!(
        s(&r, &["data", "pagination", "total_count"]).as_i64(),
        Some(2)
    );
    let r = list(r#"{"status":"complete"}"#);
    assert_eq!(
        s(&r, &["data", "pagination", "total_count"]).as_i64(),
        Some(0)
    );
    let r = list("{}");
    assert_eq!(
        s(&r, &["data", "pagination", "per_page"]).as_i64(),
        Some(50)
    );
    stop();
}

#[test]
fn environments_only_when_selected() {
    let _g = serial();
    let yaml = format!("{}environments:\n  test:\n    steps:\n      - name: ALL\n        retry: {{ max_attempts: 2 }}\n", LINEAR);
    bootstrap(&[("linear_env.yaml", &yaml)], "null");
    create_ok("wf", "linear", "{}");
    assert_eq!(
        s(&poll().unwrap(), &["workflow_step", "max_attempts"]).as_i64(),
        Some(3)
    );
    stop();
    bootstrap(&[("linear_env.yaml", &yaml)], r#"{"environment":"test"}"#);
    create_ok("wf", "linear", "{}");
    let ev = poll().unwrap();
    assert_eq!(s(&ev, &["workflow_step", "max_attempts"]).as_i64(), Some(2));
    assert_eq!(
        s(&ev, &["step_definition", "retry"]).to_json(),
        r#"{"retryable":true,"max_attempts":2,"backoff":"exponential","backoff_base_ms":null,"max_backoff_ms":null}"#
    );
    stop();
}

#[test]
fn server_requested_backoff_is_honoured() {
    let _g = serial();
    bootstrap(
        &[("flaky.yaml", FLAKY)],
        r#"{"backoff":{"base_ms":1,"max_ms":150,"multiplier":2.0,"jitter_pct":0.0}}"#,
    );
    for orch in [
        r#"{"headers":{"RETRY-AFTER":"30"},"custom":{}}"#,
        r#"{"headers":{},"custom":{},"backoff_hint":{"backoff_type":"RateLimit","delay_seconds":30,"context":null}}"#,
    ] {
        let task = create_ok("wf", "flaky", &format!(r#"{{"o":{}}}"#, orch));
        let tu = st(&task, &["task_uuid"]);
        let ev = poll().unwrap();
        let mut r = tasker_engine::json::parse(&failure_result(&ev, true, "slow down")).unwrap();
        r.as_object_mut().unwrap().insert(
            "orchestration_metadata",
            tasker_engine::json::parse(orch).unwrap(),
        );
        assert_eq!(complete(&st(&ev, &["event_id"]), &r.to_json()), 1);
        let t0 = std::time::Instant::now();
        assert!(poll().is_none(), "delay is in effect");
        let a = steps_of(&tu)
            .into_iter()
            .find(|x| st(x, &["name"]) == "a")
            .unwrap();
        assert_eq!(st(&a, &["current_state"]), "waiting_for_retry");
        assert!(!s(&a, &["next_retry_at"]).is_null());
        let t = get_task(&tu);
        assert_eq!(st(&t, &["status"]), "waiting_for_retry");
        assert_eq!(st(&t, &["health_status"]), "recovering");
        let next = loop {
            if let Some(e) = poll() {
                break e;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let waited = t0.elapsed().as_millis();
        assert!(
            (120..1000).contains(&waited),
            "capped server delay, waited {}ms",
            waited
        );
        assert_eq!(s(&next, &["workflow_step", "attempts"]).as_i64(), Some(1));
        assert_eq!(
            s(&next, &["workflow_step", "backoff_request_seconds"]).as_i64(),
            Some(1)
        );
        assert_eq!(
            complete(
                &st(&next, &["event_id"]),
                &success_result(&next, Value::obj())
            ),
            1
        );
        drive(|ev| success_result(ev, Value::obj()), 20);
    }
    stop();
}

#[test]
fn graceful_shutdown_stops_new_dispatch() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    create_ok("wf", "diamond", "{}");
    let ev = poll().unwrap();
    let r = takej(transition_to_graceful_shutdown());
    assert_eq!(st(&r, &["status"]), "transitioning");
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    assert!(poll().is_none());
    assert_eq!(
        s(&takej(get_worker_status()), &["running"]).as_bool(),
        Some(false)
    );
    stop();
    assert_eq!(is_worker_running(), 0);
}

#[test]
fn step_parents_extension_is_opt_in() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    let task = create_ok("wf", "diamond", "{}");
    assert!(steps_of(&st(&task, &["task_uuid"]))
        .iter()
        .all(|x| x.get("parents").is_none()));
    stop();
    bootstrap(
        &[("diamond.yaml", DIAMOND)],
        r#"{"expose_step_parents":true}"#,
    );
    let task = create_ok("wf", "diamond", "{}");
    let steps = steps_of(&st(&task, &["task_uuid"]));
    let by_name = |n: &str| {
        steps
            .iter()
            .find(|x| st(x, &["name"]) == n)
            .unwrap()
            .clone()
    };
    assert_eq!(s(&by_name("start"), &["parents"]).to_json(), "[]");
    assert_eq!(s(&by_name("left"), &["parents"]).to_json(), r#"["start"]"#);
    assert_eq!(
        s(&by_name("end"), &["parents"]).to_json(),
        r#"["left","right"]"#
    );
    let (a, b) = (
        cs(&st(&task, &["task_uuid"])),
        cs(&st(&by_name("end"), &["step_uuid"])),
    );
    let one = takej(unsafe { client_get_step(a.as_ptr(), b.as_ptr()) });
    assert_eq!(
        s(&one, &["data", "parents"]).to_json(),
        r#"["left","right"]"#
    );
    stop();
}
