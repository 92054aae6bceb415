//! Milestone-1 behaviour through the C ABI: lifecycle, dispatch shape, DAG ordering,
//! transitive dependency results, failures, retries, strict parsing, panics, ownership.

use super::common::*;
use std::ptr;
use tasker_engine::json::Value;
use tasker_engine::*;

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect()
}

#[test]
fn bootstrap_lifecycle_and_errors() {
    let _g = serial();
    assert_eq!(health_check(), 1);
    assert_eq!(is_worker_running(), 0);
    let r = takej(transition_to_graceful_shutdown());
    assert_eq!(r.get("success").unwrap().as_bool(), Some(false));
    assert!(st(&r, &["error"]).contains("Worker not initialized"));
    let r = takej(get_worker_status());
    assert_eq!(
        r.to_json(),
        r#"{"success":true,"running":false,"status":"stopped"}"#
    );
    let r = stop();
    assert_eq!(st(&r, &["status"]), "not_running");

    let bad = cs("{not json");
    let r = takej(unsafe { bootstrap_worker(bad.as_ptr()) });
    assert_eq!(r.get("success").unwrap().as_bool(), Some(false));
    assert!(
        st(&r, &["error"]).starts_with("Bootstrap failed: Invalid argument: Invalid config JSON: ")
    );
    assert!(r.get("status").is_none());

    let r = takej(unsafe { bootstrap_worker(ptr::null()) });
    assert_eq!(st(&r, &["status"]), "started");
    assert!(st(&r, &["worker_id"]).starts_with("embedded-worker-"));
    assert_eq!(is_worker_running(), 1);
    let r = takej(unsafe { bootstrap_worker(ptr::null()) });
    assert_eq!(
        r.to_json(),
        r#"{"success":true,"status":"already_running","message":"Worker is already running"}"#
    );
    let status = takej(get_worker_status());
    assert_eq!(
        keys(&status),
        [
            "success",
            "running",
            "worker_id",
            "environment",
            "worker_core_status",
            "web_api_enabled",
            "supported_namespaces",
            "database_pool_size",
            "database_pool_idle"
        ]
    );
    let r = stop();
    assert_eq!(st(&r, &["status"]), "stopped");
    assert!(r.get("worker_id").is_some());

    // many bootstrap/stop cycles, explicit worker id
    for i in 0..20 {
        let c = cs(&format!(r#"{{"worker_id":"java-worker-{}"}}"#, i));
        let r = takej(unsafe { bootstrap_worker(c.as_ptr()) });
        assert_eq!(st(&r, &["worker_id"]), format!("java-worker-{}", i));
        stop();
    }

    // invalid templates fail bootstrap naming source and step
    let cyc = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - { name: a, handler: { callable: A }, dependencies: [b] }\n  - { name: b, handler: { callable: B }, dependencies: [a] }\n";
    let r = bootstrap(&[("cyclic.yaml", cyc)], "null");
    assert_eq!(r.get("success").unwrap().as_bool(), Some(false));
    let e = st(&r, &["error"]);
    assert!(e.contains("cyclic.yaml") && e.contains("cycle"), "{}", e);
    assert_eq!(is_worker_running(), 0);
}

#[test]
fn versions_and_ownership() {
    let _g = serial();
    let v = take(get_version()).unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    let rv = take(get_rust_version()).unwrap();
    assert!(
        rv.starts_with(&format!("tasker-engine {} (rustc ", v)),
        "{}",
        rv
    );
    unsafe { free_rust_string(ptr::null_mut()) };
    // many allocations freed
    for _ in 0..1000 {
        let p = get_version();
        assert!(!p.is_null());
        unsafe { free_rust_string(p) };
    }
    // logging never crashes, including bad field maps and NULLs
    let m = cs("hello from test");
    let f = cs(r#"{"a":"b","n":"1"}"#);
    let bad = cs(r#"{"a":1}"#);
    unsafe {
        log_info(m.as_ptr(), f.as_ptr());
        log_warn(m.as_ptr(), bad.as_ptr());
        log_debug(m.as_ptr(), ptr::null());
        log_trace(ptr::null(), ptr::null());
        log_error(m.as_ptr(), cs("not json").as_ptr());
    }
    // not-initialized forms
    assert!(poll_step_events().is_null());
    assert_eq!(complete("00000000-0000-0000-0000-000000000000", "{}"), 0);
    let r = takej(get_ffi_dispatch_metrics());
    assert!(st(&r, &["error"]).starts_with("Failed to get metrics: "));
    let r = takej(client_health_check());
    assert!(st(&r, &["error"]).starts_with("client_health_check failed: "));
    assert!(r.get("recoverable").is_none());
    check_starvation_warnings();
    cleanup_timeouts();
    assert!(poll_in_process_events().is_null());
}

#[test]
fn linear_workflow_event_shape_and_results() {
    let _g = serial();
    let r = bootstrap(&[("linear_workflow.yaml", LINEAR)], "null");
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    assert_eq!(
        takej(client_health_check()).to_json(),
        r#"{"success":true,"data":{"healthy":true}}"#
    );
    let task = create_ok("wf", "linear", r#"{"even_number":6}"#);
    let tu = st(&task, &["task_uuid"]);
    assert_eq!(s(&task, &["total_steps"]).as_i64(), Some(4));
    assert_eq!(
        keys(&task),
        [
            "task_uuid",
            "name",
            "namespace",
            "version",
            "status",
            "created_at",
            "updated_at",
            "completed_at",
            "context",
            "initiator",
            "source_system",
            "reason",
            "priority",
            "tags",
            "correlation_id",
            "parent_correlation_id",
            "total_steps",
            "pending_steps",
            "in_progress_steps",
            "completed_steps",
            "failed_steps",
            "ready_steps",
            "execution_status",
            "recommended_action",
            "completion_percentage",
            "health_status",
            "steps"
        ]
    );
    assert!(st(&task, &["created_at"]).ends_with('Z'));

    // Only step_1 is ready.
    let ev = poll().expect("first event");
    assert!(poll().is_none());
    assert_eq!(
        keys(&ev),
        [
            "event_id",
            "task_uuid",
            "step_uuid",
            "correlation_id",
            "trace_id",
            "span_id",
            "task_correlation_id",
            "parent_correlation_id",
            "task",
            "workflow_step",
            "step_definition",
            "dependency_results"
        ]
    );
    assert_eq!(st(&ev, &["workflow_step", "name"]), "step_1");
    assert_eq!(s(&ev, &["workflow_step", "attempts"]).as_i64(), Some(0));
    assert_eq!(
        s(&ev, &["workflow_step", "inputs"]).to_json(),
        r#"{"op":"square"}"#
    );
    assert_eq!(
        s(&ev, &["step_definition", "handler"]).to_json(),
        r#"{"callable":"Linear.Step1","initialization":{"op":"square"}}"#
    );
    assert_eq!(
        s(&ev, &["step_definition", "retry"]).to_json(),
        r#"{"retryable":true,"max_attempts":3,"backoff":"exponential","backoff_base_ms":1000,"max_backoff_ms":30000}"#
    );
    let created = st(&ev, &["task", "created_at"]);
    assert_eq!(&created[10..11], " ", "naive space format: {}", created);
    assert!(!created.ends_with('Z'));
    assert_eq!(
        st(&ev, &["span_id"]),
        format!("span-{}", st(&ev, &["step_uuid"]))
    );
    let _ = st(&ev, &["task", "identity_hash"]);
    assert_eq!(
        s(&ev, &["task", "context", "even_number"]).as_i64(),
        Some(6)
    );
    assert_eq!(s(&ev, &["dependency_results"]).to_json(), "{}");
    assert_eq!(
        complete(
            &st(&ev, &["event_id"]),
            &success_result(&ev, tasker_engine::jobj![("value", 36)])
        ),
        1
    );
    // same event again is unknown
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        0
    );

    let mut n = 1;
    let seen = drive(
        |ev| {
            n += 1;
            let name = st(ev, &["workflow_step", "name"]);
            let deps = s(ev, &["dependency_results"]).as_object().unwrap().len();
            assert_eq!(deps, n - 1, "transitive deps for {}", name);
            let d1 = s(ev, &["dependency_results", "step_1"]);
            assert_eq!(
                keys(d1),
                ["step_uuid", "success", "result", "status", "error"]
            );
            assert_eq!(s(d1, &["result", "value"]).as_i64(), Some(36));
            if name == "step_3" {
                assert_eq!(
                    s(ev, &["step_definition", "handler"]).to_json(),
                    r#"{"callable":"Linear.Step3","method":"run","initialization":{}}"#
                );
            }
            success_result(ev, tasker_engine::jobj![("step", name)])
        },
        50,
    );
    assert_eq!(seen.len(), 3);
    let t = get_task(&tu);
    assert_eq!(st(&t, &["status"]), "complete");
    assert_eq!(st(&t, &["execution_status"]), "all_complete");
    assert_eq!(s(&t, &["completion_percentage"]).to_json(), "100.0");
    assert!(st(&t, &["completed_at"]).ends_with('Z'));
    let steps = steps_of(&tu);
    assert_eq!(steps.len(), 4);
    assert_eq!(
        keys(&steps[0]),
        [
            "step_uuid",
            "task_uuid",
            "name",
            "created_at",
            "updated_at",
            "completed_at",
            "results",
            "current_state",
            "dependencies_satisfied",
            "retry_eligible",
            "ready_for_execution",
            "total_parents",
            "completed_parents",
            "attempts",
            "max_attempts",
            "last_failure_at",
            "next_retry_at",
            "last_attempted_at"
        ]
    );
    for sr in &steps {
        assert_eq!(st(sr, &["current_state"]), "complete");
        assert_eq!(s(sr, &["attempts"]).as_i64(), Some(1));
        assert_eq!(
            s(sr, &["results", "metadata", "execution_time_ms"]).as_i64(),
            Some(3)
        );
    }
    assert_eq!(
        s(&steps[0], &["results", "result", "value"]).as_i64(),
        Some(36)
    );
    // audit history: one record per transition
    let a = cs(&tu);
    let b = cs(&st(&steps[0], &["step_uuid"]));
    let audit = takej(unsafe { client_get_step_audit_history(a.as_ptr(), b.as_ptr()) });
    let recs = s(&audit, &["data"]).as_array().unwrap();
    let states: Vec<String> = recs.iter().map(|r| st(r, &["to_state"])).collect();
    assert_eq!(
        states,
        [
            "enqueued",
            "in_progress",
            "enqueued_for_orchestration",
            "complete"
        ]
    );
    assert!(recs[0].get("result").is_none());
    assert!(recs[2].get("result").is_some());
    assert_eq!(st(&recs[2], &["recorded_at"]).len(), 27);
    stop();
}

#[test]
fn diamond_transitive_dependency_results() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    let task = create_ok("wf", "diamond", "{}");
    let mut order = Vec::new();
    drive(
        |ev| {
            let name = st(ev, &["workflow_step", "name"]);
            let mut deps: Vec<String> = s(ev, &["dependency_results"])
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, _)| k.clone())
                .collect();
            deps.sort();
            match name.as_str() {
                "start" => assert!(deps.is_empty()),
                "left" | "right" => assert_eq!(deps, ["start"]),
                "end" => assert_eq!(deps, ["left", "right", "start"]),
                _ => panic!(),
            }
            order.push(name.clone());
            success_result(ev, tasker_engine::jobj![("from", name)])
        },
        50,
    );
    assert_eq!(order.first().unwrap(), "start");
    assert_eq!(order.last().unwrap(), "end");
    assert_eq!(order.len(), 4);
    assert_eq!(
        st(&get_task(&st(&task, &["task_uuid"])), &["status"]),
        "complete"
    );
    stop();
}

#[test]
fn permanent_failure_blocks_task() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    let task = create_ok("wf", "diamond", r#"{"n":1}"#);
    let tu = st(&task, &["task_uuid"]);
    let seen = drive(
        |ev| {
            let name = st(ev, &["workflow_step", "name"]);
            if name == "left" {
                failure_result(ev, false, "boom")
            } else {
                success_result(ev, Value::obj())
            }
        },
        50,
    );
    assert!(seen
        .iter()
        .all(|e| st(e, &["workflow_step", "name"]) != "end"));
    let t = get_task(&tu);
    assert_eq!(st(&t, &["status"]), "error");
    assert_eq!(st(&t, &["execution_status"]), "blocked_by_failures");
    assert_eq!(st(&t, &["recommended_action"]), "handle_failures");
    assert_eq!(s(&t, &["failed_steps"]).as_i64(), Some(1));
    let left = steps_of(&tu)
        .into_iter()
        .find(|x| st(x, &["name"]) == "left")
        .unwrap();
    assert_eq!(st(&left, &["current_state"]), "error");
    assert_eq!(st(&left, &["results", "error", "message"]), "boom");
    stop();
}

#[test]
fn retryable_failure_retried_up_to_max_attempts() {
    let _g = serial();
    bootstrap(&[("flaky.yaml", FLAKY)], FAST_BACKOFF);
    let task = create_ok("wf", "flaky", "{}");
    let tu = st(&task, &["task_uuid"]);
    let mut attempts = Vec::new();
    drive(
        |ev| {
            attempts.push(s(ev, &["workflow_step", "attempts"]).as_i64().unwrap());
            failure_result(ev, true, "try again")
        },
        100,
    );
    assert_eq!(attempts, [0, 1, 2]);
    let t = get_task(&tu);
    assert_eq!(st(&t, &["status"]), "error");
    let a = steps_of(&tu)
        .into_iter()
        .find(|x| st(x, &["name"]) == "a")
        .unwrap();
    assert_eq!(s(&a, &["attempts"]).as_i64(), Some(3));
    assert_eq!(st(&a, &["current_state"]), "error");

    // success on the third attempt completes the task
    let task = create_ok("wf", "flaky", r#"{"second":true}"#);
    let mut count = 0;
    drive(
        |ev| {
            count += 1;
            if st(ev, &["workflow_step", "name"]) == "a"
                && s(ev, &["workflow_step", "attempts"]).as_i64() == Some(0)
            {
                failure_result(ev, true, "once")
            } else {
                success_result(ev, Value::obj())
            }
        },
        100,
    );
    assert_eq!(count, 3);
    assert_eq!(
        st(&get_task(&st(&task, &["task_uuid"])), &["status"]),
        "complete"
    );

    // retryable=false in metadata is permanent even with attempts left
    let task = create_ok("wf", "flaky", r#"{"third":true}"#);
    let seen = drive(|ev| failure_result(ev, false, "no"), 50);
    assert_eq!(seen.len(), 1);
    assert_eq!(
        st(&get_task(&st(&task, &["task_uuid"])), &["status"]),
        "error"
    );
    stop();
}

#[test]
fn strict_result_parsing_leaves_event_pending() {
    let _g = serial();
    bootstrap(&[("linear_workflow.yaml", LINEAR)], "null");
    create_ok("wf", "linear", "{}");
    let ev = poll().unwrap();
    let id = st(&ev, &["event_id"]);
    let su = st(&ev, &["step_uuid"]);
    let bad = [
        format!(
            r#"{{"step_uuid":"{}","success":true,"metadata":{{"custom":null}}}}"#,
            su
        ),
        format!(
            r#"{{"step_uuid":"{}","success":true,"metadata":{{"execution_time_ms":1.5}}}}"#,
            su
        ),
        format!(
            r#"{{"step_uuid":"{}","success":true,"metadata":{{"completed_at":"yesterday"}}}}"#,
            su
        ),
        format!(r#"{{"step_uuid":"{}","success":true}} trailing"#, su),
        format!(r#"{{"step_uuid":"{}","success":"yes"}}"#, su),
        format!(
            r#"{{"step_uuid":"{}","success":false,"error":{{"message":"m","retryable":true,"context":null}}}}"#,
            su
        ),
        "not json".to_string(),
    ];
    for b in &bad {
        assert_eq!(complete(&id, b), 0, "should reject {}", b);
        assert_eq!(s(&metrics(), &["pending_count"]).as_i64(), Some(1));
    }
    assert_eq!(
        complete("not-a-uuid", &success_result(&ev, Value::obj())),
        0
    );
    // null pointers
    let idc = cs(&id);
    assert_eq!(unsafe { complete_step_event(idc.as_ptr(), ptr::null()) }, 0);
    assert_eq!(unsafe { complete_step_event(ptr::null(), idc.as_ptr()) }, 0);
    // invalid UTF-8
    let bytes: Vec<u8> = vec![b'{', 0xff, b'}', 0];
    assert_eq!(
        unsafe { complete_step_event(idc.as_ptr(), bytes.as_ptr() as *const std::os::raw::c_char) },
        0
    );
    // accepted with unknown keys and trailing whitespace
    let ok = format!(
        r#"{{"step_uuid":"{}","success":true,"result":{{}},"metadata":{{"handler_name":"x","attempt_number":1}},"extra":[1]}}  "#,
        su
    );
    assert_eq!(complete(&id, &ok), 1);
    let m = metrics();
    assert_eq!(
        m.to_json(),
        r#"{"pending_count":0,"starvation_detected":false,"starving_event_count":0,"oldest_pending_age_ms":null,"newest_pending_age_ms":null,"oldest_event_id":null}"#
    );
    stop();
}

#[test]
fn panics_never_cross_the_boundary() {
    let _g = serial();
    bootstrap(&[("linear_workflow.yaml", LINEAR)], "null");
    let task = create_ok("wf", "linear", "{}");
    let tu = st(&task, &["task_uuid"]);
    tasker_engine::testing::set_panic_on(Some("poll_step_events"));
    assert!(poll_step_events().is_null());
    tasker_engine::testing::set_panic_on(Some("client_get_task"));
    let c = cs(&tu);
    let r = takej(unsafe { client_get_task(c.as_ptr()) });
    assert_eq!(r.get("success").unwrap().as_bool(), Some(false));
    assert!(st(&r, &["error"]).starts_with("client_get_task failed: "));
    tasker_engine::testing::set_panic_on(Some("get_worker_status"));
    assert!(st(&takej(get_worker_status()), &["error"]).starts_with("Failed to get status: "));
    tasker_engine::testing::set_panic_on(Some("get_version"));
    assert!(get_version().is_null());
    tasker_engine::testing::set_panic_on(Some("complete_step_event"));
    assert_eq!(complete("00000000-0000-0000-0000-000000000001", "{}"), 0);
    tasker_engine::testing::set_panic_on(Some("cleanup_timeouts"));
    cleanup_timeouts();
    tasker_engine::testing::set_panic_on(None);
    // the engine (and its lock) still work afterwards
    assert_eq!(is_worker_running(), 1);
    let ev = poll().expect("event after panics");
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    drive(|ev| success_result(ev, Value::obj()), 30);
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    tasker_engine::testing::set_panic_on(Some("bootstrap_worker"));
    stop();
    let r = takej(unsafe { bootstrap_worker(ptr::null()) });
    assert!(st(&r, &["error"]).starts_with("Bootstrap panicked: "));
    tasker_engine::testing::set_panic_on(None);
    stop();
}

#[test]
fn templates_from_env_dir_and_config_errors() {
    let _g = serial();
    let dir = std::env::temp_dir().join(format!(
        "tasker-tpl-{}-{}",
        std::process::id(),
        tasker_engine::uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("linear.yaml"), LINEAR).unwrap();
    std::fs::write(dir.join("nested/diamond.yml"), DIAMOND).unwrap();
    std::fs::write(dir.join("ignored.txt"), "not a template").unwrap();
    std::env::set_var("TASKER_TEMPLATE_PATH", &dir);
    let r = takej(unsafe { bootstrap_worker(ptr::null()) });
    std::env::remove_var("TASKER_TEMPLATE_PATH");
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let status = takej(get_worker_status());
    assert_eq!(s(&status, &["supported_namespaces"]).to_json(), r#"["wf"]"#);
    create_ok("wf", "linear", "{}");
    create_ok("wf", "diamond", "{}");
    stop();
    let _ = std::fs::remove_dir_all(&dir);

    for (cfg, needle) in [
        (r#"{"engine":{"data_dir":5}}"#, "engine.data_dir"),
        (r#"{"engine":{"backoff":{"multiplier":"x"}}}"#, "multiplier"),
        (
            r#"{"templates":[{"source":"x.yaml"}]}"#,
            "templates[0].yaml",
        ),
        (
            r#"{"templates":[{"source":"bad.yaml","yaml":"name: [unclosed\n"}]}"#,
            "bad.yaml",
        ),
    ] {
        let c = cs(cfg);
        let r = takej(unsafe { bootstrap_worker(c.as_ptr()) });
        assert_eq!(s(&r, &["success"]).as_bool(), Some(false), "{}", cfg);
        let e = st(&r, &["error"]);
        assert!(
            e.starts_with("Bootstrap failed: ") && e.contains(needle),
            "{}",
            e
        );
    }
    // Any other valid JSON is accepted, as by the original.
    for cfg in [
        "[1,2]",
        "null",
        "\"x\"",
        r#"{"namespace":"a","log_level":"debug","database_url":"postgres://x"}"#,
    ] {
        let c = cs(cfg);
        let r = takej(unsafe { bootstrap_worker(c.as_ptr()) });
        assert_eq!(st(&r, &["status"]), "started", "{}", cfg);
        stop();
    }
}

#[test]
fn readiness_and_audit_shapes() {
    let _g = serial();
    bootstrap(&[("diamond.yaml", DIAMOND)], "null");
    let task = create_ok("wf", "diamond", "{}");
    let tu = st(&task, &["task_uuid"]);
    let steps = s(&task, &["steps"]).as_array().unwrap().clone();
    assert_eq!(steps.len(), 4);
    assert_eq!(
        keys(&steps[0]),
        [
            "workflow_step_uuid",
            "task_uuid",
            "named_step_uuid",
            "name",
            "current_state",
            "dependencies_satisfied",
            "retry_eligible",
            "ready_for_execution",
            "last_failure_at",
            "next_retry_at",
            "total_parents",
            "completed_parents",
            "attempts",
            "max_attempts",
            "backoff_request_seconds",
            "last_attempted_at"
        ]
    );
    let end = steps.iter().find(|x| st(x, &["name"]) == "end").unwrap();
    assert_eq!(s(end, &["total_parents"]).as_i64(), Some(2));
    assert_eq!(s(end, &["dependencies_satisfied"]).as_bool(), Some(false));
    assert_eq!(st(&task, &["status"]), "steps_in_process");
    assert_eq!(st(&task, &["execution_status"]), "processing");
    let ev = poll().unwrap();
    let mut r = tasker_engine::json::parse(&success_result(&ev, Value::obj())).unwrap();
    r.as_object_mut().unwrap().insert(
        "metadata",
        tasker_engine::jobj![("execution_time_ms", 42), ("worker_id", "java-worker-1")],
    );
    assert_eq!(complete(&st(&ev, &["event_id"]), &r.to_json()), 1);
    let (a, b) = (cs(&tu), cs(&st(&ev, &["step_uuid"])));
    let step = takej(unsafe { client_get_step(a.as_ptr(), b.as_ptr()) });
    assert_eq!(st(&step, &["data", "current_state"]), "complete");
    assert_eq!(
        st(&step, &["data", "results", "metadata", "worker_id"]),
        "java-worker-1"
    );
    let audit = takej(unsafe { client_get_step_audit_history(a.as_ptr(), b.as_ptr()) });
    let recs = s(&audit, &["data"]).as_array().unwrap();
    let with_result = recs
        .iter()
        .find(|r| st(r, &["to_state"]) == "enqueued_for_orchestration")
        .unwrap();
    assert_eq!(
        keys(with_result),
        [
            "audit_uuid",
            "workflow_step_uuid",
            "transition_uuid",
            "task_uuid",
            "recorded_at",
            "worker_uuid",
            "correlation_id",
            "success",
            "execution_time_ms",
            "result",
            "step_name",
            "from_state",
            "to_state"
        ]
    );
    assert_eq!(s(with_result, &["execution_time_ms"]).as_i64(), Some(42));
    let first = &recs[0];
    assert_eq!(
        keys(first),
        [
            "audit_uuid",
            "workflow_step_uuid",
            "transition_uuid",
            "task_uuid",
            "recorded_at",
            "success",
            "step_name",
            "from_state",
            "to_state"
        ]
    );
    stop();
}
