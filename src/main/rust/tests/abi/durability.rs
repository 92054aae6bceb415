//! Durable mode: restart from a data directory, checkpoints and retry timers across a
//! restart, group commit under concurrency, and a crash test that SIGKILLs a child process
//! mid-workflow (damage to the data files is covered in `store.rs`).

use super::common::*;
use std::collections::HashSet;
use std::io::Write;
use std::time::{Duration, Instant};
use tasker_engine::json::Value;
use tasker_engine::*;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tasker-durable-{}-{}-{}",
        name,
        std::process::id(),
        tasker_engine::uuid::Uuid::new_v4()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn engine_cfg(dir: &std::path::Path, extra: &str) -> String {
    format!(
        r#"{{"data_dir":{}{}}}"#,
        tasker_engine::json::quote(&dir.display().to_string()),
        extra
    )
}

fn chain(n: usize) -> String {
    let mut y = String::from("name: chain\nnamespace_name: dur\nversion: 1.0.0\nsteps:\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - name: s{:02}\n    handler: {{ callable: C.S{} }}\n",
            i, i
        ));
        if i > 0 {
            y.push_str(&format!("    dependencies: [s{:02}]\n", i - 1));
        }
    }
    y
}

#[test]
fn restart_restores_state_and_redispatches_in_flight() {
    let _g = serial();
    let dir = tmp("restart");
    let cfg = engine_cfg(&dir, "");
    let r = bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let task = create_ok("wf", "diamond", r#"{"k":1}"#);
    let tu = st(&task, &["task_uuid"]);
    let ev = poll().unwrap();
    assert_eq!(
        complete(
            &st(&ev, &["event_id"]),
            &success_result(&ev, tasker_engine::jobj![("v", 1)])
        ),
        1
    );
    let inflight = poll().unwrap(); // claimed, never completed
    let inflight_name = st(&inflight, &["workflow_step", "name"]);
    stop();

    let r = bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let t = get_task(&tu);
    assert_eq!(s(&t, &["completed_steps"]).as_i64(), Some(1));
    // identity survives restart
    assert_eq!(
        s(
            &create(&request("wf", "diamond", r#"{"k":1}"#)),
            &["success"]
        )
        .as_bool(),
        Some(false)
    );
    let mut names = Vec::new();
    drive(
        |ev| {
            let name = st(ev, &["workflow_step", "name"]);
            if name == inflight_name {
                assert_eq!(
                    s(ev, &["workflow_step", "attempts"]).as_i64(),
                    Some(0),
                    "unacknowledged claim is not counted"
                );
            }
            if name == "end" {
                assert_eq!(
                    s(ev, &["dependency_results", "start", "result", "v"]).as_i64(),
                    Some(1)
                );
            }
            names.push(name);
            success_result(ev, Value::obj())
        },
        40,
    );
    assert!(
        !names.contains(&"start".to_string()),
        "acknowledged step never re-runs"
    );
    assert_eq!(names.len(), 3);
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    stop();
    // and once more: the completed task is still there
    bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    assert!(poll().is_none());
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_live_task_reads_the_same_after_a_restart() {
    // A step's completion writes its step rows but not its task's row unless the task changes
    // state; the task's `updated_at` comes back from the steps' audit trails.
    let _g = serial();
    let dir = tmp("same-after-restart");
    let cfg = engine_cfg(&dir, "");
    let r = bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let tu = st(&create_ok("wf", "diamond", r#"{"same":1}"#), &["task_uuid"]);
    let ev = poll().unwrap();
    let result = success_result(&ev, tasker_engine::jobj![("v", 1)]);
    assert_eq!(complete(&st(&ev, &["event_id"]), &result), 1);
    let before = (
        get_task(&tu).to_json(),
        Value::Array(steps_of(&tu)).to_json(),
    );
    assert_eq!(
        s(&get_task(&tu), &["completed_steps"]).as_i64(),
        Some(1),
        "{}",
        before.0
    );
    stop();
    let r = bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let after = (
        get_task(&tu).to_json(),
        Value::Array(steps_of(&tu)).to_json(),
    );
    assert_eq!(
        before.0, after.0,
        "the task reads differently after a restart"
    );
    assert_eq!(
        before.1, after.1,
        "its steps read differently after a restart"
    );
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_and_retry_timers_survive_restart() {
    let _g = serial();
    let dir = tmp("ckpt");
    let cfg = engine_cfg(
        &dir,
        r#","backoff":{"base_ms":1,"max_ms":2,"jitter_pct":0.0}"#,
    );
    bootstrap(&[("flaky.yaml", FLAKY)], &cfg);
    let task = create_ok("wf", "flaky", "{}");
    let tu = st(&task, &["task_uuid"]);
    let ev = poll().unwrap();
    let (a, b) = (
        cs(&st(&ev, &["event_id"])),
        cs(&format!(
            r#"{{"step_uuid":"{}","cursor":{{"page":3}},"items_processed":30}}"#,
            st(&ev, &["step_uuid"])
        )),
    );
    assert_eq!(
        unsafe { checkpoint_yield_step_event(a.as_ptr(), b.as_ptr()) },
        1
    );
    stop();
    bootstrap(&[("flaky.yaml", FLAKY)], &cfg);
    let ev = poll().unwrap();
    assert_eq!(s(&ev, &["workflow_step", "attempts"]).as_i64(), Some(0));
    assert_eq!(
        s(&ev, &["workflow_step", "checkpoint", "cursor", "page"]).as_i64(),
        Some(3)
    );
    assert!(s(&ev, &["workflow_step", "checkpoint", "history"])
        .as_array()
        .is_some());
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &failure_result(&ev, true, "x")),
        1
    );
    stop();
    bootstrap(&[("flaky.yaml", FLAKY)], &cfg);
    std::thread::sleep(Duration::from_millis(5));
    let ev = poll().expect("retry timer restored");
    assert_eq!(s(&ev, &["workflow_step", "attempts"]).as_i64(), Some(1));
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    drive(|ev| success_result(ev, Value::obj()), 20);
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

const CHILD_ENV: &str = "TASKER_ENGINE_CRASH_CHILD_DIR";
const TASKS: usize = 30;
const STEPS: usize = 10;

/// Runs only inside the child process started by `kill_9_mid_workflow_loses_no_ack`.
#[test]
fn crash_child_worker() {
    let dir = match std::env::var(CHILD_ENV) {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => return,
    };
    let _g = serial();
    let chain = chain(STEPS);
    let r = bootstrap(&[("chain.yaml", &chain)], &engine_cfg(&dir, ""));
    assert_eq!(st(&r, &["status"]), "started");
    for i in 0..TASKS {
        create_ok("dur", "chain", &format!(r#"{{"i":{}}}"#, i));
    }
    let mut acks = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("acks.log"))
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        match poll() {
            Some(ev) => {
                std::thread::sleep(Duration::from_micros(300));
                if complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())) == 1 {
                    writeln!(
                        acks,
                        "{} {}",
                        st(&ev, &["task_uuid"]),
                        st(&ev, &["workflow_step", "name"])
                    )
                    .unwrap();
                    acks.sync_data().unwrap();
                }
            }
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

#[test]
fn kill_9_mid_workflow_loses_no_ack() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tmp("crash");
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability::crash_child_worker",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let acks_path = dir.join("acks.log");
    let t0 = Instant::now();
    loop {
        let n = std::fs::read_to_string(&acks_path)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        if n >= TASKS * STEPS / 3 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "child made no progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let acked: HashSet<String> = std::fs::read_to_string(&acks_path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.to_string())
        .collect();
    assert!(acked.len() < TASKS * STEPS, "child was killed mid-workflow");

    let _g = serial();
    let chain = chain(STEPS);
    let r = bootstrap(&[("chain.yaml", &chain)], &engine_cfg(&dir, ""));
    assert_eq!(st(&r, &["status"]), "started", "{}", r.to_json());
    let mut rerun = HashSet::new();
    drive(
        |ev| {
            let key = format!(
                "{} {}",
                st(ev, &["task_uuid"]),
                st(ev, &["workflow_step", "name"])
            );
            assert!(
                !acked.contains(&key),
                "acknowledged step re-ran after crash: {}",
                key
            );
            assert!(
                rerun.insert(key.clone()),
                "step dispatched twice after restart: {}",
                key
            );
            success_result(ev, Value::obj())
        },
        50,
    );
    let c = cs(r#"{"limit":100}"#);
    let l = takej(unsafe { client_list_tasks(c.as_ptr()) });
    let tasks = s(&l, &["data", "tasks"]).as_array().unwrap();
    assert_eq!(tasks.len(), TASKS);
    for t in tasks {
        assert_eq!(st(t, &["status"]), "complete");
    }
    // at most one completion can be durable but unrecorded (killed between ack and the ack-file write)
    assert!(
        acked.len() + rerun.len() >= TASKS * STEPS - 1,
        "acked {} + rerun {}",
        acked.len(),
        rerun.len()
    );
    assert!(acked.len() + rerun.len() <= TASKS * STEPS);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_workers_share_group_commits() {
    let _g = serial();
    let dir = tmp("threads");
    let cfg = engine_cfg(&dir, "");
    bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    std::thread::scope(|sc| {
        for th in 0..4 {
            sc.spawn(move || {
                for i in 0..15 {
                    create_ok("wf", "diamond", &format!(r#"{{"t":{},"i":{}}}"#, th, i));
                }
            });
        }
    });
    let seen = std::sync::Mutex::new(HashSet::new());
    std::thread::scope(|sc| {
        for _ in 0..4 {
            sc.spawn(|| {
                let mut idle = Instant::now();
                while idle.elapsed() < Duration::from_millis(150) {
                    match poll() {
                        Some(ev) => {
                            let key = format!(
                                "{} {}",
                                st(&ev, &["task_uuid"]),
                                st(&ev, &["workflow_step", "name"])
                            );
                            assert!(seen.lock().unwrap().insert(key), "dispatched twice");
                            assert_eq!(
                                complete(
                                    &st(&ev, &["event_id"]),
                                    &success_result(&ev, Value::obj())
                                ),
                                1
                            );
                            idle = Instant::now();
                        }
                        None => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
            });
        }
    });
    assert_eq!(seen.lock().unwrap().len(), 60 * 4);
    stop();
    bootstrap(&[("diamond.yaml", DIAMOND)], &cfg);
    let c = cs(r#"{"status":"complete","limit":100}"#);
    let l = takej(unsafe { client_list_tasks(c.as_ptr()) });
    assert_eq!(
        s(&l, &["data", "pagination", "total_count"]).as_i64(),
        Some(60)
    );
    assert!(poll().is_none());
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}
