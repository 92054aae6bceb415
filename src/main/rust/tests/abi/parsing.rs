//! Parsing through the C ABI on a small stack and with wide input: serde_json for JSON and
//! yaml-rust2 for templates, within the documented nesting limits (JSON 128, YAML 100).

use super::common::*;
use std::time::{Duration, Instant};

/// Runs `f` on a thread with a 128 KiB stack (a small handler-pool stack).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow")
}

fn nested_yaml(depth: usize) -> String {
    // A template whose step initialization nests `depth` levels in total.
    let mut init = String::from("1");
    for _ in 0..depth - 5 {
        init = format!("{{k: {}}}", init);
    }
    format!(
        "name: deep\nnamespace_name: wf\nversion: 1.0.0\nsteps:\n  - name: a\n    handler: {{ callable: D.A, initialization: {} }}\n",
        init
    )
}

#[test]
fn deepest_allowed_input_parses_on_a_128k_stack() {
    let _g = serial();
    let r = on_small_stack(|| {
        let yaml = nested_yaml(99);
        let boot = bootstrap(&[("deep.yaml", &yaml), ("linear.yaml", LINEAR)], "null");
        let started = boot.get("status").and_then(|v| v.as_str()) == Some("started");
        // A context nested to the limit, through create, dispatch and completion.
        let ctx = format!("{}1{}", "[".repeat(120), "]".repeat(120));
        let task = create(&request("wf", "deep", &ctx));
        let ev = poll().expect("dispatched");
        let deep_result =
            tasker_engine::json::parse(&format!("{}1{}", "{\"a\":".repeat(124), "}".repeat(124)))
                .unwrap();
        let ok = complete(&st(&ev, &["event_id"]), &success_result(&ev, deep_result));
        // Far deeper input is refused without recursing into it.
        let ev2 = {
            create_ok("wf", "linear", "{}");
            poll().expect("dispatched")
        };
        let too_deep = format!(
            r#"{{"step_uuid":"{}","success":true,"result":{}1{}}}"#,
            st(&ev2, &["step_uuid"]),
            "[".repeat(200_000),
            "]".repeat(200_000)
        );
        let refused = complete(&st(&ev2, &["event_id"]), &too_deep);
        let tu = st(&task, &["data", "task_uuid"]);
        let status = st(&get_task(&tu), &["status"]);
        stop();
        (started, ok, refused, status)
    });
    assert!(r.0, "template nested 99 levels loads");
    assert_eq!(r.1, 1, "result nested to the limit completes");
    assert_eq!(r.2, 0, "result nested beyond the limit is refused");
    assert_eq!(r.3, "complete");
    // One level more than the YAML limit is a clear bootstrap error.
    let boot = bootstrap(&[("deeper.yaml", &nested_yaml(102))], "null");
    let e = st(&boot, &["error"]);
    assert!(e.contains("deeper.yaml") && e.contains("deep"), "{}", e);
}

#[test]
fn a_request_with_60k_keys_parses_fast() {
    let _g = serial();
    bootstrap(&[("linear.yaml", LINEAR)], "null");
    let mut ctx = String::from("{");
    for i in 0..60_000 {
        if i > 0 {
            ctx.push(',');
        }
        ctx.push_str(&format!("\"k{}\":{}", i, i));
    }
    ctx.push('}');
    let t = Instant::now();
    let task = create_ok("wf", "linear", &ctx);
    let ev = poll().unwrap();
    let took = t.elapsed();
    assert_eq!(s(&task, &["context", "k59999"]).as_i64(), Some(59_999));
    assert!(ev.to_json().contains("\"k59999\":59999"));
    let wide = tasker_engine::json::parse(&ctx).unwrap();
    let t2 = Instant::now();
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, wide)),
        1
    );
    let took2 = t2.elapsed();
    eprintln!("60k keys: create+poll {:?}, completion {:?}", took, took2);
    // Linear work is tens of milliseconds; a quadratic key scan takes many seconds.
    assert!(took < Duration::from_secs(3) && took2 < Duration::from_secs(3));
    stop();
}
