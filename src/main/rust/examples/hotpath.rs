//! The poll → complete hot path alone, for instruction counts under callgrind:
//!   cargo build --release --locked --example hotpath
//!   valgrind --tool=callgrind --callgrind-out-file=hp.out target/release/examples/hotpath 1000
//!   callgrind_annotate --inclusive=yes hp.out | grep -E 'poll_step_events|complete_step_event'
//! Divide the inclusive counts of `poll_step_events` and `complete_step_event` by the steps it prints.
//! Tasks are created first (not part of the path); the workload is the Java benchmarks' 4-step diamond
//! `bench_chain`, completed with the body the Java worker sends for a trivial success.

use std::ffi::CString;
use std::time::Instant;
use tasker_engine::testing::take;
use tasker_engine::*;

const CHAIN: &str = "name: bench_chain\nnamespace_name: bench\nversion: 1.0.0\nsteps:\n  - { name: s1, handler: { callable: bench.step } }\n  - { name: s2, handler: { callable: bench.step }, dependencies: [s1] }\n  - { name: s3, handler: { callable: bench.step }, dependencies: [s1] }\n  - { name: s4, handler: { callable: bench.step }, dependencies: [s2, s3] }\n";

/// The value of a top-level string field, found by text as the Java header scan does.
fn field<'a>(ev: &'a str, name: &str) -> &'a str {
    let key = format!("\"{}\":\"", name);
    let at = ev.find(&key).unwrap() + key.len();
    &ev[at..at + ev[at..].find('"').unwrap()]
}

fn main() {
    let tasks: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(1000);
    let cfg = format!(
        r#"{{"worker_id":"hotpath","templates":[{{"source":"chain.yaml","yaml":{}}}],"engine":{{"data_dir":""}}}}"#,
        serde_json::to_string(CHAIN).unwrap()
    );
    let c = CString::new(cfg).unwrap();
    let r = take(unsafe { bootstrap_worker(c.as_ptr()) }).unwrap();
    assert!(r.contains("\"started\""), "{}", r);
    for i in 0..tasks {
        let req = format!(
            r#"{{"name":"bench_chain","namespace":"bench","version":"1.0.0","context":{{"i":{},"run":"hotpath","seq":{}}},"initiator":"bench","source_system":"bench","reason":"bench"}}"#,
            i, i
        );
        let c = CString::new(req).unwrap();
        let r = take(unsafe { client_create_task(c.as_ptr()) }).unwrap();
        assert!(r.starts_with(r#"{"success":true"#), "{}", r);
    }
    let start = Instant::now();
    let mut steps = 0;
    let mut bytes = 0;
    while let Some(ev) = take(poll_step_events()) {
        bytes += ev.len();
        let res = format!(
            r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true}},"metadata":{{"execution_time_ms":0,"retryable":false}}}}"#,
            field(&ev, "step_uuid")
        );
        let a = CString::new(field(&ev, "event_id")).unwrap();
        let b = CString::new(res).unwrap();
        assert_eq!(unsafe { complete_step_event(a.as_ptr(), b.as_ptr()) }, 1);
        steps += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(steps, tasks * 4);
    println!(
        "{} steps, {:.0} steps/s, {} bytes of event JSON per step",
        steps,
        steps as f64 / secs,
        bytes / steps
    );
    take(stop_worker());
}
