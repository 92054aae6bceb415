//! Benchmark through the C ABI (single process, single worker loop):
//!   cargo run --release --locked --example bench
//! Reports steps/second and p50/p99 of ready-to-dispatch latency (a step becoming
//! ready until poll_step_events returns it) for several workloads, in memory and
//! with a data directory (fsync per acknowledged completion). Each case is time-capped.

use std::ffi::CString;
use std::time::{Duration, Instant};
use tasker_engine::json::{self, Value};
use tasker_engine::testing::take;
use tasker_engine::*;

const LINEAR: &str = "name: linear\nnamespace_name: bench\nversion: 1.0.0\nsteps:\n  - { name: a, handler: { callable: L.A } }\n  - { name: b, handler: { callable: L.B }, dependencies: [a] }\n  - { name: c, handler: { callable: L.C }, dependencies: [b] }\n  - { name: d, handler: { callable: L.D }, dependencies: [c] }\n";
const DIAMOND: &str = "name: diamond\nnamespace_name: bench\nversion: 1.0.0\nsteps:\n  - { name: a, handler: { callable: D.A } }\n  - { name: b, handler: { callable: D.B }, dependencies: [a] }\n  - { name: c, handler: { callable: D.C }, dependencies: [a] }\n  - { name: d, handler: { callable: D.D }, dependencies: [b, c] }\n";

/// 1,000-step layered DAG: 20 layers of 50, each step depends on two steps of the previous layer.
fn big_dag() -> String {
    let mut y = String::from("name: big_dag\nnamespace_name: bench\nversion: 1.0.0\nsteps:\n");
    for layer in 0..20 {
        for i in 0..50 {
            y.push_str(&format!(
                "  - name: s_{}_{}\n    handler: {{ callable: G.S }}\n",
                layer, i
            ));
            if layer > 0 {
                y.push_str(&format!(
                    "    dependencies: [s_{}_{}, s_{}_{}]\n",
                    layer - 1,
                    i,
                    layer - 1,
                    (i + 1) % 50
                ));
            }
        }
    }
    y
}

fn bootstrap(data_dir: Option<&str>) {
    take(stop_worker());
    let templates = Value::Array(vec![
        tasker_engine::jobj![("source", "linear.yaml"), ("yaml", LINEAR)],
        tasker_engine::jobj![("source", "diamond.yaml"), ("yaml", DIAMOND)],
        tasker_engine::jobj![("source", "big_dag.yaml"), ("yaml", big_dag())],
    ]);
    let engine = match data_dir {
        Some(d) => tasker_engine::jobj![("data_dir", d)],
        None => Value::obj(),
    };
    let cfg = tasker_engine::jobj![
        ("worker_id", "bench-worker"),
        ("templates", templates),
        ("engine", engine)
    ]
    .to_json();
    let c = CString::new(cfg).unwrap();
    let r = take(unsafe { bootstrap_worker(c.as_ptr()) }).unwrap();
    assert!(r.contains("\"started\""), "{}", r);
}

fn create(name: &str, i: usize, run: &str) {
    let req = format!(
        r#"{{"name":"{}","namespace":"bench","version":"1.0.0","context":{{"i":{},"run":"{}"}},"initiator":"bench","source_system":"bench","reason":"bench"}}"#,
        name, i, run
    );
    let c = CString::new(req).unwrap();
    let r = take(unsafe { client_create_task(c.as_ptr()) }).unwrap();
    assert!(
        r.starts_with(r#"{"success":true"#),
        "{}",
        &r[..r.len().min(300)]
    );
}

/// Drain the engine with an immediate-success handler until idle or the time cap.
fn drive(cap: Duration) -> (usize, Duration) {
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < cap {
        let p = poll_step_events();
        let ev = match take(p) {
            Some(e) => e,
            None => break,
        };
        // Cheap field extraction keeps the handler cost out of the measurement.
        let v = json::parse(&ev).unwrap();
        let id = v.get("event_id").unwrap().as_str().unwrap().to_string();
        let su = v.get("step_uuid").unwrap().as_str().unwrap();
        let res = format!(
            r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true}},"metadata":{{"execution_time_ms":0,"retryable":false}}}}"#,
            su
        );
        let a = CString::new(id).unwrap();
        let b = CString::new(res).unwrap();
        assert_eq!(unsafe { complete_step_event(a.as_ptr(), b.as_ptr()) }, 1);
        n += 1;
    }
    (n, start.elapsed())
}

fn pct(v: &mut [u64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i] as f64 / 1000.0
}

fn report(
    case: &str,
    mode: &str,
    created: usize,
    create_time: Duration,
    steps: usize,
    t: Duration,
) {
    let mut lat = take_ready_latency_samples();
    println!(
        "{:<34} {:<9} tasks={:<6} create/s={:>9.0} steps={:<6} steps/s={:>9.0} ready->poll p50={:>9.3}ms p99={:>9.3}ms",
        case,
        mode,
        created,
        created as f64 / create_time.as_secs_f64().max(1e-9),
        steps,
        steps as f64 / t.as_secs_f64().max(1e-9),
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99),
    );
}

fn run_case(
    case: &str,
    mode: &str,
    data_dir: Option<&str>,
    template: &str,
    tasks: usize,
    interleave: bool,
    cap: Duration,
) {
    // Optional filter: BENCH_FILTER=<substring of "case mode">.
    if let Ok(f) = std::env::var("BENCH_FILTER") {
        if !format!("{} {}", case, mode).contains(&f) {
            return;
        }
    }
    bootstrap(data_dir);
    take_ready_latency_samples();
    let run = tasker_engine::uuid::Uuid::new_v4().to_string();
    let t0 = Instant::now();
    let mut steps = 0;
    let mut drive_time = Duration::ZERO;
    if interleave {
        // Small tasks: create a few, work them off, repeat (steady state, little queueing).
        let mut created = 0;
        while created < tasks && t0.elapsed() < cap {
            for _ in 0..10 {
                create(template, created, &run);
                created += 1;
            }
            let (n, d) = drive(cap);
            steps += n;
            drive_time += d;
        }
        let total = t0.elapsed();
        report(case, mode, created, total - drive_time, steps, total);
    } else {
        // Creation is capped too (each durable create is fsynced); the count is reported.
        let mut created = 0;
        while created < tasks && t0.elapsed() < Duration::from_secs(30) {
            create(template, created, &run);
            created += 1;
        }
        let ct = t0.elapsed();
        let (n, d) = drive(cap);
        steps += n;
        report(case, mode, created, ct, steps, d);
    }
    take(stop_worker());
}

/// Durable mode with several host threads: creates and completions from 8 threads share
/// fdatasyncs (group commit), as a Java worker pool would.
fn run_concurrent(data_dir: &str, tasks: usize, cap: Duration) {
    if let Ok(f) = std::env::var("BENCH_FILTER") {
        if !"(d) concurrent data_dir".contains(&f) {
            return;
        }
    }
    bootstrap(Some(data_dir));
    take_ready_latency_samples();
    let run = tasker_engine::uuid::Uuid::new_v4().to_string();
    let threads = 8;
    let t0 = Instant::now();
    std::thread::scope(|sc| {
        for th in 0..threads {
            let run = run.clone();
            sc.spawn(move || {
                let mut i = th;
                while i < tasks && t0.elapsed() < cap {
                    create("diamond", i, &run);
                    i += threads;
                }
            });
        }
    });
    let ct = t0.elapsed();
    let created = std::cmp::min(tasks, {
        let c = CString::new(r#"{"limit":1}"#).unwrap();
        let r = take(unsafe { client_list_tasks(c.as_ptr()) }).unwrap();
        let v = json::parse(&r).unwrap();
        v.get("data")
            .unwrap()
            .get("pagination")
            .unwrap()
            .get("total_count")
            .unwrap()
            .as_u64()
            .unwrap() as usize
    });
    let t1 = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| {
                let mut idle = Instant::now();
                while t1.elapsed() < cap && idle.elapsed() < Duration::from_millis(100) {
                    let (n, _) = drive(Duration::from_millis(1));
                    if n > 0 {
                        done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                        idle = Instant::now();
                    } else {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                }
            });
        }
    });
    let steps = done.load(std::sync::atomic::Ordering::Relaxed);
    report(
        "(d) 8 threads, diamond tasks",
        "data_dir",
        created,
        ct,
        steps,
        t1.elapsed(),
    );
    take(stop_worker());
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("tasker-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let cap = Duration::from_secs(8);
    for (mode, dir) in [("memory", None), ("data_dir", Some(tmp.clone()))] {
        let fresh = |name: &str| {
            dir.as_ref()
                .map(|d: &std::path::PathBuf| d.join(name).display().to_string())
        };
        let (small, live) = if dir.is_some() {
            (500, 10_000)
        } else {
            (5_000, 10_000)
        };
        run_case(
            "(a) small linear tasks",
            mode,
            fresh("a1").as_deref(),
            "linear",
            small,
            true,
            cap,
        );
        run_case(
            "(a) small diamond tasks",
            mode,
            fresh("a2").as_deref(),
            "diamond",
            small,
            true,
            cap,
        );
        run_case(
            "(b) 10,000 live linear tasks",
            mode,
            fresh("b").as_deref(),
            "linear",
            live,
            false,
            cap,
        );
        run_case(
            "(c) 1,000-step DAG (1 task)",
            mode,
            fresh("c").as_deref(),
            "big_dag",
            1,
            false,
            cap,
        );
    }
    run_concurrent(&tmp.join("d").display().to_string(), 2000, cap);
    let _ = std::fs::remove_dir_all(&tmp);
}
