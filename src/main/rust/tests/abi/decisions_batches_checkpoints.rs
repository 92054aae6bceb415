//! Decision points, batch processing and checkpoint yield through the C ABI.

use super::common::*;
use tasker_engine::json::Value;
use tasker_engine::*;

const APPROVAL: &str = r#"
name: approval
namespace_name: wf
version: 1.0.0
steps:
  - name: validate
    handler: { callable: A.Validate }
  - name: route
    type: decision
    handler: { callable: A.Route }
    dependencies: [validate]
  - name: auto_approve
    handler: { callable: A.Auto }
    dependencies: [route]
  - name: manager_approval
    handler: { callable: A.Manager }
    dependencies: [route]
  - name: finance_review
    handler: { callable: A.Finance }
    dependencies: [route]
  - name: finalize
    step_type: deferred_convergence
    handler: { callable: A.Finalize }
    dependencies: [auto_approve, manager_approval, finance_review]
"#;

const BATCH: &str = r#"
name: batch
namespace_name: wf
version: 1.0.0
steps:
  - name: analyze
    type: batchable
    handler: { callable: B.Analyze, initialization: { worker_template_name: process_batch } }
  - name: process_batch
    type: batch_worker
    handler: { callable: B.Worker, initialization: { chunk: 10 } }
    dependencies: [analyze]
    batch_config: { batch_size: 100, parallelism: 4, cursor_field: id, worker_template: process_batch, failure_strategy: fail_fast }
  - name: aggregate
    type: deferred_convergence
    handler: { callable: B.Agg }
    dependencies: [process_batch]
"#;

const BATCH_NO_WTN: &str = r#"
name: batch_plain
namespace_name: wf
version: 1.0.0
steps:
  - name: analyze
    type: batchable
    handler: { callable: B.Analyze }
  - name: process_batch
    type: batch_worker
    handler: { callable: B.Worker }
    dependencies: [analyze]
    batch_config: { batch_size: 100, parallelism: 4, cursor_field: id, worker_template: process_batch }
  - name: aggregate
    type: deferred_convergence
    handler: { callable: B.Agg }
    dependencies: [process_batch]
"#;

fn dep_names(ev: &Value) -> Vec<String> {
    let mut v: Vec<String> = s(ev, &["dependency_results"])
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    v.sort();
    v
}

fn decision(names: &[&str]) -> Value {
    if names.is_empty() {
        return tasker_engine::jobj![(
            "decision_point_outcome",
            tasker_engine::jobj![("type", "no_branches")]
        )];
    }
    let arr = Value::Array(names.iter().map(|n| Value::str(*n)).collect());
    tasker_engine::jobj![(
        "decision_point_outcome",
        tasker_engine::jobj![("type", "create_steps"), ("step_names", arr)]
    )]
}

#[test]
fn decision_points_create_requested_and_convergence() {
    let _g = serial();
    bootstrap(&[("approval.yaml", APPROVAL)], "null");
    for (ctx, route, expect_steps, expect_final_deps) in [
        (
            r#"{"amount":10}"#,
            vec!["auto_approve"],
            4,
            vec!["auto_approve", "route", "validate"],
        ),
        (
            r#"{"amount":9000}"#,
            vec!["manager_approval", "finance_review"],
            5,
            vec!["finance_review", "manager_approval", "route", "validate"],
        ),
        (r#"{"amount":0}"#, vec![], 2, vec![]),
        (r#"{"amount":-1}"#, vec!["not_a_step"], 2, vec![]),
    ] {
        let task = create_ok("wf", "approval", ctx);
        assert_eq!(s(&task, &["total_steps"]).as_i64(), Some(2));
        let tu = st(&task, &["task_uuid"]);
        let mut finalize_deps = Vec::new();
        drive(
            |ev| {
                let name = st(ev, &["workflow_step", "name"]);
                match name.as_str() {
                    "route" => success_result(ev, decision(&route)),
                    "finalize" => {
                        finalize_deps = dep_names(ev);
                        success_result(ev, Value::obj())
                    }
                    "auto_approve" | "manager_approval" | "finance_review" => {
                        assert!(
                            dep_names(ev).contains(&"validate".to_string()),
                            "transitive through the decision"
                        );
                        success_result(ev, Value::obj())
                    }
                    _ => success_result(ev, Value::obj()),
                }
            },
            40,
        );
        let t = get_task(&tu);
        assert_eq!(st(&t, &["status"]), "complete", "{}", ctx);
        assert_eq!(
            s(&t, &["total_steps"]).as_i64(),
            Some(expect_steps),
            "{}",
            ctx
        );
        assert_eq!(finalize_deps, expect_final_deps, "{}", ctx);
    }
    stop();
}

#[test]
fn batch_workers_inputs_and_convergence() {
    let _g = serial();
    bootstrap(
        &[("batch.yaml", BATCH), ("batch_plain.yaml", BATCH_NO_WTN)],
        "null",
    );
    let task = create_ok("wf", "batch", r#"{"rows":250}"#);
    assert_eq!(s(&task, &["total_steps"]).as_i64(), Some(1));
    let tu = st(&task, &["task_uuid"]);
    let mut agg_deps = Vec::new();
    let mut worker_inputs = Vec::new();
    drive(
        |ev| {
            let name = st(ev, &["workflow_step", "name"]);
            if name == "analyze" {
                let cfgs: Vec<Value> = (0..3)
                    .map(|i| {
                        tasker_engine::jobj![
                            ("batch_id", format!("{:03}", i + 1)),
                            ("start_cursor", i * 100),
                            ("end_cursor", (i + 1) * 100),
                            ("batch_size", 100)
                        ]
                    })
                    .collect();
                return success_result(
                    ev,
                    tasker_engine::jobj![(
                        "batch_processing_outcome",
                        tasker_engine::jobj![
                            ("type", "create_batches"),
                            ("worker_template_name", "process_batch"),
                            ("worker_count", 3),
                            ("cursor_configs", Value::Array(cfgs)),
                            ("total_items", 250)
                        ]
                    )],
                );
            }
            if name.starts_with("process_batch_") {
                assert_eq!(
                    st(ev, &["workflow_step", "template_step_name"]),
                    "process_batch"
                );
                assert_eq!(st(ev, &["step_definition", "name"]), "process_batch");
                worker_inputs.push((name.clone(), s(ev, &["workflow_step", "inputs"]).to_json()));
                return success_result(ev, tasker_engine::jobj![("processed", 100)]);
            }
            if name == "aggregate" {
                agg_deps = dep_names(ev);
            }
            success_result(ev, Value::obj())
        },
        40,
    );
    worker_inputs.sort();
    assert_eq!(worker_inputs.len(), 3);
    assert_eq!(worker_inputs[0].0, "process_batch_001");
    assert_eq!(
        worker_inputs[0].1,
        r#"{"chunk":10,"cursor":{"batch_id":"001","start_cursor":0,"end_cursor":100,"batch_size":100},"batch_metadata":{"cursor_field":"id","failure_strategy":"fail_fast"},"is_no_op":false,"__template_step_name":"process_batch"}"#
    );
    assert_eq!(
        agg_deps,
        [
            "analyze",
            "process_batch_001",
            "process_batch_002",
            "process_batch_003"
        ]
    );
    let t = get_task(&tu);
    assert_eq!(st(&t, &["status"]), "complete");
    assert_eq!(s(&t, &["total_steps"]).as_i64(), Some(5));

    // no_batches: placeholder only when worker_template_name is configured
    for (name, expect_total, expect_noop) in [("batch", 3, true), ("batch_plain", 1, false)] {
        let task = create_ok("wf", name, r#"{"rows":0}"#);
        let mut saw_noop = false;
        drive(
            |ev| {
                let n = st(ev, &["workflow_step", "name"]);
                if n == "analyze" {
                    return success_result(
                        ev,
                        tasker_engine::jobj![(
                            "batch_processing_outcome",
                            tasker_engine::jobj![("type", "no_batches")]
                        )],
                    );
                }
                if n == "process_batch_000" {
                    assert_eq!(
                        s(ev, &["workflow_step", "inputs", "is_no_op"]).as_bool(),
                        Some(true)
                    );
                    assert_eq!(
                        s(ev, &["workflow_step", "inputs", "cursor"]).to_json(),
                        r#"{"batch_id":"000","start_cursor":0,"end_cursor":0,"batch_size":0}"#
                    );
                    saw_noop = true;
                }
                success_result(ev, Value::obj())
            },
            40,
        );
        let t = get_task(&st(&task, &["task_uuid"]));
        assert_eq!(st(&t, &["status"]), "complete");
        assert_eq!(
            s(&t, &["total_steps"]).as_i64(),
            Some(expect_total),
            "{}",
            name
        );
        assert_eq!(saw_noop, expect_noop);
    }
    stop();
}

fn checkpoint(event_id: &str, body: &str) -> i32 {
    let a = cs(event_id);
    let b = cs(body);
    unsafe { checkpoint_yield_step_event(a.as_ptr(), b.as_ptr()) }
}

#[test]
fn checkpoint_yield_and_resume_after_retry() {
    let _g = serial();
    bootstrap(&[("batch.yaml", BATCH)], FAST_BACKOFF);
    create_ok("wf", "batch", r#"{"rows":5}"#);
    let ev = poll().unwrap();
    let cfgs = Value::Array(vec![tasker_engine::jobj![
        ("batch_id", "001"),
        ("start_cursor", 0),
        ("end_cursor", 10),
        ("batch_size", 10)
    ]]);
    let out = tasker_engine::jobj![(
        "batch_processing_outcome",
        tasker_engine::jobj![
            ("type", "create_batches"),
            ("worker_template_name", "process_batch"),
            ("worker_count", 1),
            ("cursor_configs", cfgs),
            ("total_items", 10)
        ]
    )];
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, out)),
        1
    );
    let w = poll().unwrap();
    assert_eq!(st(&w, &["workflow_step", "name"]), "process_batch_001");
    assert!(s(&w, &["workflow_step", "checkpoint"]).is_null());
    let su = st(&w, &["step_uuid"]);
    let id1 = st(&w, &["event_id"]);
    // strict checkpoint parsing: missing cursor / negative items / wrong step are refused, event stays pending
    assert_eq!(
        checkpoint(
            &id1,
            &format!(r#"{{"step_uuid":"{}","items_processed":1}}"#, su)
        ),
        0
    );
    assert_eq!(
        checkpoint(
            &id1,
            &format!(
                r#"{{"step_uuid":"{}","cursor":1,"items_processed":-1}}"#,
                su
            )
        ),
        0
    );
    assert_eq!(
        checkpoint(
            &id1,
            r#"{"step_uuid":"00000000-0000-4000-8000-000000000000","cursor":1,"items_processed":1}"#
        ),
        0
    );
    assert_eq!(s(&metrics(), &["pending_count"]).as_i64(), Some(1));
    assert_eq!(
        checkpoint(
            &id1,
            &format!(
                r#"{{"step_uuid":"{}","cursor":5,"items_processed":5,"accumulated_results":{{"sum":15}}}}"#,
                su
            )
        ),
        1
    );
    // old event is gone
    assert_eq!(complete(&id1, &success_result(&w, Value::obj())), 0);
    let w2 = poll().unwrap();
    let id2 = st(&w2, &["event_id"]);
    assert_ne!(id1, id2);
    assert_eq!(s(&w2, &["workflow_step", "attempts"]).as_i64(), Some(0));
    assert_eq!(
        s(&w2, &["workflow_step", "checkpoint"]).to_json(),
        format!(
            r#"{{"step_uuid":"{}","cursor":5,"items_processed":5,"accumulated_results":{{"sum":15}}}}"#,
            su
        )
    );
    // fail retryably: the retry is hydrated with the stored checkpoint record
    assert_eq!(complete(&id2, &failure_result(&w2, true, "crash")), 1);
    std::thread::sleep(std::time::Duration::from_millis(10));
    let w3 = poll().unwrap();
    assert_eq!(s(&w3, &["workflow_step", "attempts"]).as_i64(), Some(1));
    let cp = s(&w3, &["workflow_step", "checkpoint"]);
    assert_eq!(s(cp, &["cursor"]).as_i64(), Some(5));
    assert_eq!(s(cp, &["items_processed"]).as_i64(), Some(5));
    assert_eq!(s(cp, &["accumulated_results", "sum"]).as_i64(), Some(15));
    assert_eq!(s(cp, &["history"]).as_array().unwrap().len(), 1);
    assert!(st(cp, &["timestamp"]).ends_with('Z'));
    assert_eq!(
        complete(&st(&w3, &["event_id"]), &success_result(&w3, Value::obj())),
        1
    );
    drive(|ev| success_result(ev, Value::obj()), 30);
    stop();
}

const NESTED: &str = r#"
name: nested
namespace_name: wf
version: 1.0.0
steps:
  - { name: v, handler: { callable: N.V } }
  - { name: d1, type: decision, handler: { callable: N.D1 }, dependencies: [v] }
  - { name: a, handler: { callable: N.A }, dependencies: [d1] }
  - { name: b, handler: { callable: N.B }, dependencies: [d1] }
  - { name: d2, type: decision, handler: { callable: N.D2 }, dependencies: [a] }
  - { name: x, handler: { callable: N.X }, dependencies: [d2] }
  - { name: y, handler: { callable: N.Y }, dependencies: [d2] }
"#;

#[test]
fn nested_decision_points() {
    let _g = serial();
    bootstrap(&[("nested.yaml", NESTED)], "null");
    let task = create_ok("wf", "nested", "{}");
    assert_eq!(s(&task, &["total_steps"]).as_i64(), Some(2));
    let mut ran = Vec::new();
    drive(
        |ev| {
            let name = st(ev, &["workflow_step", "name"]);
            ran.push(name.clone());
            match name.as_str() {
                "d1" => success_result(ev, decision(&["a"])),
                "d2" => {
                    assert_eq!(dep_names(ev), ["a", "d1", "v"]);
                    success_result(ev, decision(&["y"]))
                }
                _ => success_result(ev, Value::obj()),
            }
        },
        40,
    );
    assert_eq!(ran, ["v", "d1", "a", "d2", "y"]);
    let t = get_task(&st(&task, &["task_uuid"]));
    assert_eq!(st(&t, &["status"]), "complete");
    assert_eq!(s(&t, &["total_steps"]).as_i64(), Some(5));
    stop();
}
