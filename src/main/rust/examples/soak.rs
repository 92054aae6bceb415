//! Soak benchmark through the C ABI:
//!   cargo run --release --locked --example soak -- [TASKS] [MEMORY_TASKS]
//! Runs TASKS (default 1,000,000) one-step tasks through the durable engine (a data
//! directory on local disk, retention off) with 10 creator and 10 completer threads, and
//! reports per 100k finished tasks: steps/s, RSS, the longest single FFI call and the
//! database size; then the restart time and RSS after the restart. The same harness then
//! runs MEMORY_TASKS (default 200,000) tasks in memory for the throughput ratio.

use std::ffi::CString;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tasker_engine::json::{self, Value};
use tasker_engine::testing::take;
use tasker_engine::*;

const ONE: &str = "name: one\nnamespace_name: soak\nversion: 1.0.0\nsteps:\n  - { name: only, handler: { callable: S.Only } }\n";
const THREADS: usize = 10;
/// Live tasks the creators keep ahead of the completers.
const BACKLOG: usize = 300;
const WINDOW: usize = 100_000;

/// The number after `key` in a `/proc/self` file of `key: value` lines (0 if absent).
fn proc_field(file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/self/{}", file))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

fn rss_bytes() -> u64 {
    proc_field("status", "VmRSS:") * 1024
}

/// CPU time of the whole process (user + system), from /proc/self/stat.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .unwrap_or(0.0)
        / 100.0
}

/// Bytes this process has handed to write calls so far (WAL, database and checkpoints): a
/// measure of the store's work per task that does not depend on the machine's load.
fn written_bytes() -> u64 {
    proc_field("io", "wchar:")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The disk's sync latency where the database lives (overwrite 8 KiB, then fsync, as a commit
/// that reuses the WAL does): every acknowledged call waits for at least one of these, so 10
/// completers cannot finish more than 10 steps per sync.
fn sync_probe(dir: &std::path::Path) -> (f64, f64) {
    use std::io::{Seek, SeekFrom, Write};
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("sync-probe");
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(&vec![0u8; 1 << 20]).unwrap();
    f.sync_all().unwrap();
    let mut lat: Vec<f64> = (0..300)
        .map(|i| {
            f.seek(SeekFrom::Start((i % 128) * 8192)).unwrap();
            f.write_all(&[i as u8; 8192]).unwrap();
            let t = Instant::now();
            f.sync_all().unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    drop(f);
    let _ = std::fs::remove_file(&p);
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (
        lat[lat.len() / 2],
        lat.iter().sum::<f64>() / lat.len() as f64,
    )
}

fn bootstrap(data_dir: Option<&str>) -> Duration {
    take(stop_worker());
    let engine = match data_dir {
        Some(d) => tasker_engine::jobj![
            ("data_dir", d),
            ("retention", tasker_engine::jobj![("keep_all", true)])
        ],
        None => Value::obj(),
    };
    let cfg = tasker_engine::jobj![
        ("worker_id", "soak"),
        (
            "templates",
            Value::Array(vec![tasker_engine::jobj![
                ("source", "one.yaml"),
                ("yaml", ONE)
            ]])
        ),
        ("engine", engine)
    ]
    .to_json();
    let c = CString::new(cfg).unwrap();
    let t = Instant::now();
    let r = take(unsafe { bootstrap_worker(c.as_ptr()) }).unwrap();
    let took = t.elapsed();
    assert!(r.contains("\"started\""), "{}", r);
    took
}

/// Longest FFI call (microseconds) in the current window and overall.
struct Calls {
    window_max: AtomicU64,
    overall_max: AtomicU64,
    /// SOAK_TRACE_MS: calls at least this long are printed to stderr (what they were).
    trace_us: u64,
}

impl Calls {
    fn timed<T>(&self, kind: &str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        let us = t.elapsed().as_micros() as u64;
        if us >= self.trace_us {
            eprintln!("slow {} call: {:.1} ms", kind, us as f64 / 1000.0);
        }
        self.window_max.fetch_max(us, Ordering::Relaxed);
        self.overall_max.fetch_max(us, Ordering::Relaxed);
        r
    }
}

struct Run {
    steps_per_s: f64,
    max_call_ms: f64,
}

fn run(tasks: usize, db: Option<&std::path::Path>, label: &str) -> Run {
    let calls = Calls {
        window_max: AtomicU64::new(0),
        overall_max: AtomicU64::new(0),
        trace_us: std::env::var("SOAK_TRACE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(u64::MAX, |ms| ms * 1000),
    };
    let created = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let report = Mutex::new((Instant::now(), 0usize));
    let run_id = tasker_engine::uuid::Uuid::new_v4().to_string();
    let cpu0 = cpu_secs();
    let written0 = written_bytes();
    let start = Instant::now();
    if db.is_some() {
        println!(
            "{:>9} {:>10} {:>10} {:>16} {:>12} {:>11}",
            "finished", "steps/s", "RSS MiB", "RSS growth B/task", "max call ms", "db MiB"
        );
    }
    // RSS growth is measured from the first window on: the page cache and pools fill first.
    let first = Mutex::new(None::<(usize, u64)>);
    std::thread::scope(|sc| {
        for _ in 0..THREADS {
            sc.spawn(|| loop {
                let i = created.fetch_add(1, Ordering::Relaxed);
                if i >= tasks {
                    break;
                }
                while i > done.load(Ordering::Relaxed) + BACKLOG {
                    std::thread::sleep(Duration::from_micros(200));
                }
                let req = format!(
                    r#"{{"name":"one","namespace":"soak","version":"1.0.0","context":{{"i":{},"run":"{}"}},"initiator":"soak","source_system":"soak","reason":"soak"}}"#,
                    i, run_id
                );
                let c = CString::new(req).unwrap();
                let r = calls
                    .timed("create", || take(unsafe { client_create_task(c.as_ptr()) }))
                    .unwrap();
                assert!(r.starts_with(r#"{"success":true"#), "{}", &r[..r.len().min(300)]);
            });
        }
        for _ in 0..THREADS {
            sc.spawn(|| {
                while done.load(Ordering::Relaxed) < tasks {
                    let ev = match calls.timed("poll", || take(poll_step_events())) {
                        Some(e) => e,
                        None => {
                            std::thread::sleep(Duration::from_micros(100));
                            continue;
                        }
                    };
                    let v = json::parse(&ev).unwrap();
                    let id = CString::new(v.get("event_id").unwrap().as_str().unwrap()).unwrap();
                    let su = v.get("step_uuid").unwrap().as_str().unwrap();
                    let res = CString::new(format!(
                        r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true}},"metadata":{{"execution_time_ms":0,"retryable":false}}}}"#,
                        su
                    ))
                    .unwrap();
                    let rc = calls
                        .timed("complete", || unsafe { complete_step_event(id.as_ptr(), res.as_ptr()) });
                    assert_eq!(rc, 1);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(WINDOW) || n == tasks {
                        let mut g = report.lock().unwrap();
                        let secs = g.0.elapsed().as_secs_f64();
                        let rate = (n - g.1) as f64 / secs.max(1e-9);
                        if let Some(d) = db {
                            let size = std::fs::metadata(d.join("tasker.db"))
                                .map(|m| m.len())
                                .unwrap_or(0)
                                + std::fs::metadata(d.join("tasker.db-wal"))
                                    .map(|m| m.len())
                                    .unwrap_or(0);
                            let rss = rss_bytes();
                            let mut f = first.lock().unwrap();
                            let (n0, rss0) = *f.get_or_insert((n, rss));
                            let growth = if n > n0 {
                                format!("{:.1}", (rss as f64 - rss0 as f64) / (n - n0) as f64)
                            } else {
                                "-".to_string()
                            };
                            println!(
                                "{:>9} {:>10.0} {:>10.1} {:>16} {:>12.1} {:>11.1}",
                                n,
                                rate,
                                rss as f64 / 1048576.0,
                                growth,
                                calls.window_max.swap(0, Ordering::Relaxed) as f64 / 1000.0,
                                size as f64 / 1048576.0
                            );
                        }
                        *g = (Instant::now(), n);
                    }
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let r = Run {
        steps_per_s: tasks as f64 / secs,
        max_call_ms: calls.overall_max.load(Ordering::Relaxed) as f64 / 1000.0,
    };
    println!(
        "{}: {} one-step tasks in {:.1} s = {:.0} steps/s (create + poll + complete), longest FFI call {:.1} ms, CPU {:.0} µs/task, written {:.1} KiB/task",
        label,
        tasks,
        secs,
        r.steps_per_s,
        r.max_call_ms,
        (cpu_secs() - cpu0) * 1e6 / tasks as f64,
        (written_bytes() - written0) as f64 / 1024.0 / tasks as f64
    );
    r
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.replace('_', "").parse().expect("task count"))
        .collect();
    let tasks = args.first().copied().unwrap_or(1_000_000);
    let mem_tasks = args.get(1).copied().unwrap_or(200_000.min(tasks));
    let dir = std::env::var("SOAK_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::temp_dir().join(format!("tasker-soak-{}", std::process::id()))
        });
    let _ = std::fs::remove_dir_all(&dir);

    let (p50, mean) = sync_probe(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "disk sync (8 KiB overwrite + fsync) p50 {:.2} ms, mean {:.2} ms: at most {:.0} steps/s for 10 completers; load average {}",
        p50,
        mean,
        10.0 * 1000.0 / mean,
        loadavg()
    );
    let rss_before = rss_bytes();
    bootstrap(Some(&dir.display().to_string()));
    let dur = run(tasks, Some(&dir), "durable");
    take(stop_worker());
    let t = Instant::now();
    let boot = bootstrap(Some(&dir.display().to_string()));
    let c = CString::new(r#"{"limit":1}"#).unwrap();
    let listed = take(unsafe { client_list_tasks(c.as_ptr()) }).unwrap();
    let first_list = t.elapsed();
    let total = json::parse(&listed)
        .ok()
        .and_then(|v| {
            v.get("data")
                .and_then(|d| d.get("pagination"))
                .and_then(|p| p.get("total_count"))
                .and_then(|n| n.as_u64())
        })
        .unwrap_or(0);
    println!(
        "restart: bootstrap {:.0} ms (first listing of {} tasks after {:.0} ms), RSS {:.1} MiB (before the durable run {:.1} MiB)",
        boot.as_secs_f64() * 1000.0,
        total,
        first_list.as_secs_f64() * 1000.0,
        rss_bytes() as f64 / 1048576.0,
        rss_before as f64 / 1048576.0
    );
    take(stop_worker());
    // In memory last: its finished tasks stay in memory and would inflate the RSS figures above.
    bootstrap(None);
    let mem = run(mem_tasks, None, "in memory");
    println!(
        "durable/in-memory throughput: {:.3} ({:.0} vs {:.0} steps/s); load average {}",
        dur.steps_per_s / mem.steps_per_s,
        dur.steps_per_s,
        mem.steps_per_s,
        loadavg()
    );
    take(stop_worker());
    if std::env::var("SOAK_KEEP").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
