//! The SQLite store: finished tasks leave memory and read back identically, listings merge
//! memory and disk, restart loads live tasks only, a failed write is never applied, damage to
//! the data files is reported (never a silent loss), retention, and migration of a data
//! directory in the previous log/snapshot format.

use super::common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tasker_engine::json::Value;
use tasker_engine::testing;
use tasker_engine::*;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tasker-store-{}-{}-{}",
        name,
        std::process::id(),
        tasker_engine::uuid::Uuid::new_v4()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn cfg(dir: &Path, extra: &str) -> String {
    format!(
        r#"{{"data_dir":{}{}}}"#,
        tasker_engine::json::quote(&dir.display().to_string()),
        extra
    )
}

fn boot(dir: &Path, extra: &str) -> Value {
    bootstrap(
        &[("diamond.yaml", DIAMOND), ("flaky.yaml", FLAKY)],
        &cfg(dir, extra),
    )
}

fn started(r: &Value) {
    assert_eq!(
        r.get("status").and_then(|v| v.as_str()),
        Some("started"),
        "{}",
        r.to_json()
    );
}

fn list(params: &str) -> Value {
    let c = cs(params);
    let r = takej(unsafe { client_list_tasks(c.as_ptr()) });
    assert_eq!(s(&r, &["success"]).as_bool(), Some(true), "{}", r.to_json());
    r.get("data").unwrap().clone()
}

/// How many tasks a listing filtered on `complete` counts.
fn completed_count() -> Option<i64> {
    s(
        &list(r#"{"status":"complete"}"#),
        &["pagination", "total_count"],
    )
    .as_i64()
}

fn raw_call(
    f: unsafe extern "C" fn(*const std::os::raw::c_char) -> *mut std::os::raw::c_char,
    arg: &str,
) -> String {
    let c = cs(arg);
    take(unsafe { f(c.as_ptr()) }).unwrap()
}

fn raw_step_call(
    f: unsafe extern "C" fn(
        *const std::os::raw::c_char,
        *const std::os::raw::c_char,
    ) -> *mut std::os::raw::c_char,
    a: &str,
    b: &str,
) -> String {
    let (a, b) = (cs(a), cs(b));
    take(unsafe { f(a.as_ptr(), b.as_ptr()) }).unwrap()
}

type Read = (&'static str, String, String);

/// Every read a client can make of these tasks (finished tasks only, so nothing in the
/// answers depends on the clock).
fn read_requests(tasks: &[String]) -> Vec<Read> {
    let mut out: Vec<Read> = Vec::new();
    for p in [
        r#"{"limit":100}"#,
        r#"{"limit":3,"offset":2}"#,
        r#"{"status":"complete"}"#,
        r#"{"status":"error","namespace":"wf"}"#,
        r#"{"namespace":"nope"}"#,
    ] {
        out.push(("list", p.to_string(), String::new()));
    }
    for t in tasks {
        out.push(("get", t.clone(), String::new()));
        out.push(("steps", t.clone(), String::new()));
        let steps = raw_call(client_list_task_steps, t);
        let sv = tasker_engine::json::parse(&steps).unwrap();
        for st in s(&sv, &["data"]).as_array().unwrap() {
            let su = st.get("step_uuid").unwrap().as_str().unwrap().to_string();
            out.push(("step", t.clone(), su.clone()));
            out.push(("audit", t.clone(), su));
        }
    }
    out
}

fn perform(reads: &[Read]) -> Vec<String> {
    reads
        .iter()
        .map(|(k, a, b)| match *k {
            "list" => raw_call(client_list_tasks, a),
            "get" => raw_call(client_get_task, a),
            "steps" => raw_call(client_list_task_steps, a),
            "step" => raw_step_call(client_get_step, a, b),
            _ => raw_step_call(client_get_step_audit_history, a, b),
        })
        .collect()
}

fn all_reads(tasks: &[String]) -> Vec<String> {
    perform(&read_requests(tasks))
}

/// Four finished tasks (two complete, one error, one cancelled); returns their uuids.
fn finished_tasks() -> Vec<String> {
    let mut uuids = Vec::new();
    for i in 0..2 {
        uuids.push(st(
            &create_ok("wf", "diamond", &format!(r#"{{"ok":{}}}"#, i)),
            &["task_uuid"],
        ));
    }
    drive(|ev| success_result(ev, tasker_engine::jobj![("n", 1)]), 20);
    uuids.push(st(
        &create_ok("wf", "flaky", r#"{"bad":1}"#),
        &["task_uuid"],
    ));
    drive(|ev| failure_result(ev, false, "boom"), 20);
    // Requested before it was created: its row stores `requested_at` (the others leave it out).
    let c = create_requested_early(r#"{"cancel":1}"#);
    let cc = cs(&c);
    take(unsafe { client_cancel_task(cc.as_ptr()) });
    uuids.push(c);
    uuids
}

#[test]
fn finished_tasks_leave_memory_and_read_back_identically() {
    let _g = serial();
    let dir = tmp("archive");
    started(&boot(&dir, ""));
    testing::hold_archived_in_memory(true);
    let uuids = finished_tasks();
    assert_eq!(testing::tasks_in_memory(), Some(4));
    let from_memory = all_reads(&uuids);
    testing::hold_archived_in_memory(false);
    let t0 = Instant::now();
    while testing::tasks_in_memory() != Some(0) {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "finished tasks stay in memory"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let from_store = all_reads(&uuids);
    assert_eq!(from_memory.len(), from_store.len());
    for (m, d) in from_memory.iter().zip(&from_store) {
        assert_eq!(m, d, "a finished task reads differently from the store");
    }
    // Cancelling finished tasks from the store answers as before.
    let c = cs(&uuids[3]);
    let r = takej(unsafe { client_cancel_task(c.as_ptr()) });
    assert_eq!(s(&r, &["success"]).as_bool(), Some(true), "{}", r.to_json());
    let c = cs(&uuids[0]);
    let r = takej(unsafe { client_cancel_task(c.as_ptr()) });
    assert!(st(&r, &["error"]).contains("409"), "{}", r.to_json());
    // Identity is kept for finished tasks.
    assert_taken("diamond", r#"{"ok":0}"#);
    stop();
    // And after a restart, which loads no finished task.
    started(&boot(&dir, ""));
    assert_eq!(testing::tasks_in_memory(), Some(0));
    assert_eq!(all_reads(&uuids), from_store);
    // Identity still holds after the restart, both before and after the identities found at
    // bootstrap are in the filter that spares creates a database read.
    assert_taken("diamond", r#"{"ok":0}"#);
    identities_scanned();
    assert_taken("flaky", r#"{"bad":1}"#);
    assert_taken("diamond", r#"{"ok":0}"#);
    assert_free("diamond", r#"{"ok":"new"}"#);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Creates a diamond task with this context, requested on 2 January 2026; returns its uuid.
fn create_requested_early(context: &str) -> String {
    let req = request("wf", "diamond", context).replacen(
        '{',
        r#"{"requested_at":"2026-01-02T03:04:05.250000","#,
        1,
    );
    let created = create(&req);
    assert_eq!(
        s(&created, &["success"]).as_bool(),
        Some(true),
        "{}",
        created.to_json()
    );
    st(&created, &["data", "task_uuid"])
}

/// A create with this context is refused as a duplicate (409).
fn assert_taken(name: &str, context: &str) {
    let dup = create(&request("wf", name, context));
    assert!(
        st(&dup, &["error"]).contains("409"),
        "{}: {}",
        context,
        dup.to_json()
    );
}

/// A create with this context is accepted.
fn assert_free(name: &str, context: &str) {
    let fresh = create(&request("wf", name, context));
    assert_eq!(
        s(&fresh, &["success"]).as_bool(),
        Some(true),
        "{}",
        fresh.to_json()
    );
}

/// Wait until the identity filter has scanned the database (creates skip the read again).
fn identities_scanned() {
    let t0 = Instant::now();
    while testing::store_identities_scanned() != Some(true) {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "identity scan never finished"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn the_identity_filter_starts_over_and_keeps_every_identity() {
    let _g = serial();
    let dir = tmp("rescan");
    // A new scan once 20 keys were added since the last one (the default is 2^20).
    testing::set_store_identity_rescan_floor(20);
    started(&boot(&dir, ""));
    identities_scanned();
    let scans = testing::store_identity_scans();
    for i in 0..50 {
        create_ok("wf", "diamond", &format!(r#"{{"n":{}}}"#, i));
        // A scan finds every key created before it (each create is committed when it returns),
        // so the scans start at the 21st and the 43rd key whatever the timing.
        identities_scanned();
        if i % 10 == 9 {
            drive(|ev| success_result(ev, tasker_engine::jobj![("n", 1)]), 20);
        }
    }
    identities_scanned();
    assert!(
        testing::store_identity_scans() >= scans + 2,
        "50 keys past a floor of 20 start two new scans"
    );
    // Every identity, archived or live, is still taken; a new one is not.
    for i in 0..50 {
        assert_taken("diamond", &format!(r#"{{"n":{}}}"#, i));
    }
    assert_free("diamond", r#"{"n":"new"}"#);
    stop();
    testing::set_store_identity_rescan_floor(0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listing_merges_tasks_in_memory_with_finished_tasks_on_disk() {
    let _g = serial();
    let dir = tmp("list");
    started(&boot(&dir, ""));
    let mut all = Vec::new();
    let mut waiting = Vec::new();
    for i in 0..12 {
        // Two of every three finish (and leave memory); the third waits for a retry.
        let (name, ctx) = if i % 3 == 2 {
            ("flaky", format!(r#"{{"w":{}}}"#, i))
        } else {
            ("diamond", format!(r#"{{"a":{}}}"#, i))
        };
        let u = st(&create_ok("wf", name, &ctx), &["task_uuid"]);
        if name == "flaky" {
            waiting.push(u.clone());
        }
        all.push(u);
        drive(
            |ev| {
                if waiting.contains(&st(ev, &["task_uuid"])) {
                    failure_result(ev, true, "later")
                } else {
                    success_result(ev, Value::obj())
                }
            },
            5,
        );
    }
    all.push(st(&create_ok("wf", "flaky", r#"{"f":1}"#), &["task_uuid"]));
    let t0 = Instant::now();
    while testing::tasks_in_memory() != Some(4 + 1) {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{:?}",
            testing::tasks_in_memory()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // Finished and live tasks alternate in creation order; the listing keeps that order.
    let everything = list(r#"{"limit":100}"#);
    let order: Vec<String> = s(&everything, &["tasks"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| st(t, &["task_uuid"]))
        .collect();
    let mut newest_first = all.clone();
    newest_first.reverse();
    assert_eq!(order, newest_first);
    assert_eq!(
        s(&everything, &["pagination", "total_count"]).as_i64(),
        Some(13)
    );
    // Pages of every size cover the list exactly once, in order.
    for limit in 1..6 {
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let p = list(&format!(r#"{{"limit":{},"offset":{}}}"#, limit, offset));
            assert_eq!(s(&p, &["pagination", "total_count"]).as_i64(), Some(13));
            let ts = s(&p, &["tasks"]).as_array().unwrap().clone();
            seen.extend(ts.iter().map(|t| st(t, &["task_uuid"])));
            if !s(&p, &["pagination", "has_next"]).as_bool().unwrap() {
                break;
            }
            offset += limit;
        }
        assert_eq!(seen, newest_first, "limit {}", limit);
    }
    let done = list(r#"{"status":"complete","limit":100}"#);
    assert_eq!(s(&done, &["pagination", "total_count"]).as_i64(), Some(8));
    let ns = list(r#"{"namespace":"wf","status":"waiting_for_retry"}"#);
    assert_eq!(s(&ns, &["pagination", "total_count"]).as_i64(), Some(4));
    assert_eq!(
        s(
            &list(r#"{"namespace":"other"}"#),
            &["pagination", "total_count"]
        )
        .as_i64(),
        Some(0)
    );
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

const SINGLE_WF: &str = "name: single\nnamespace_name: wf\nversion: 1.0.0\nsteps:\n  - { name: only, handler: { callable: S.Only } }\n";
const SINGLE_OPS: &str = "name: single\nnamespace_name: ops\nversion: 1.0.0\nsteps:\n  - { name: only, handler: { callable: S.Only } }\n";

/// Finished tasks in two namespaces, every third one failed: (uuid, namespace, status), oldest
/// first. The tasks leave memory, so the listings below read them from the store only.
fn finished_in_groups(dir: &Path, n: usize) -> Vec<(String, String, String)> {
    started(&bootstrap(
        &[
            ("single_wf.yaml", SINGLE_WF),
            ("single_ops.yaml", SINGLE_OPS),
        ],
        &cfg(dir, ""),
    ));
    let mut made = Vec::new();
    for i in 0..n {
        let ns = if i % 2 == 0 { "wf" } else { "ops" };
        let u = st(
            &create_ok(ns, "single", &format!(r#"{{"i":{}}}"#, i)),
            &["task_uuid"],
        );
        drive(
            |ev| {
                if i % 3 == 0 {
                    failure_result(ev, false, "no")
                } else {
                    success_result(ev, Value::obj())
                }
            },
            5,
        );
        made.push(u);
    }
    let t0 = Instant::now();
    while testing::tasks_in_memory() != Some(0) {
        assert!(t0.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(2));
    }
    made.into_iter()
        .map(|u| {
            let t = get_task(&u);
            (u, st(&t, &["namespace"]), st(&t, &["status"]))
        })
        .collect()
}

/// Every page of a filtered listing, in order, with the total each page reports.
fn listed(filter: &str, limit: usize) -> (Vec<String>, i64) {
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let p = list(&format!(
            r#"{{{}"limit":{},"offset":{}}}"#,
            filter, limit, offset
        ));
        let total = s(&p, &["pagination", "total_count"]).as_i64().unwrap();
        let ts = s(&p, &["tasks"]).as_array().unwrap().clone();
        seen.extend(ts.iter().map(|t| st(t, &["task_uuid"])));
        if !s(&p, &["pagination", "has_next"]).as_bool().unwrap() {
            return (seen, total);
        }
        offset += limit;
    }
}

/// Listings by namespace alone and by state alone merge every (namespace, state) group of
/// their index, newest first, on every page.
fn assert_group_listings(made: &[(String, String, String)]) {
    let mut states: Vec<&str> = made.iter().map(|m| m.2.as_str()).collect();
    states.sort();
    states.dedup();
    assert!(states.len() >= 2, "{:?}", states);
    let filters: Vec<(&str, Option<&str>, Option<&str>)> = vec![
        ("namespace", Some("wf"), None),
        ("namespace", Some("ops"), None),
        ("status", None, Some(states[0])),
        ("status", None, Some(states[1])),
    ];
    for (key, ns, state) in filters {
        let filter = format!(r#""{}":"{}","#, key, ns.or(state).unwrap());
        let mut want: Vec<String> = made
            .iter()
            .filter(|m| ns.is_none_or(|n| m.1 == n) && state.is_none_or(|x| m.2 == x))
            .map(|m| m.0.clone())
            .collect();
        want.reverse();
        assert!(!want.is_empty());
        for limit in [1, 4, 100] {
            let (seen, total) = listed(&filter, limit);
            assert_eq!(seen, want, "{} limit {}", filter, limit);
            assert_eq!(total, want.len() as i64, "{}", filter);
        }
    }
}

#[test]
fn listings_by_namespace_or_state_merge_every_group() {
    let _g = serial();
    let dir = tmp("groups");
    let made = finished_in_groups(&dir, 18);
    assert_group_listings(&made);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_1_database_is_migrated_once_and_keeps_every_task() {
    let _g = serial();
    let dir = tmp("schema-v1");
    let made = finished_in_groups(&dir, 12);
    let before: Vec<String> = made.iter().map(|m| get_task(&m.0).to_json()).collect();
    stop();
    // Version 1 had an index each for the listings by namespace alone and by state alone.
    {
        let c = rusqlite::Connection::open(dir.join("tasker.db")).unwrap();
        c.execute_batch(
            "CREATE INDEX tasks_by_ns ON tasks(namespace, seq) WHERE archived = 1;
             CREATE INDEX tasks_by_state ON tasks(state, seq) WHERE archived = 1;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    started(&bootstrap(
        &[
            ("single_wf.yaml", SINGLE_WF),
            ("single_ops.yaml", SINGLE_OPS),
        ],
        &cfg(&dir, ""),
    ));
    let after: Vec<String> = made.iter().map(|m| get_task(&m.0).to_json()).collect();
    assert_eq!(after, before);
    assert_group_listings(&made);
    stop();
    {
        let c = rusqlite::Connection::open(dir.join("tasker.db")).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('tasks_by_ns', 'tasks_by_state')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
        // A version 1 file whose tables differ from version 1 is refused, not migrated.
        c.execute_batch("CREATE INDEX tasks_by_ns ON tasks(namespace, seq) WHERE archived = 1; PRAGMA user_version = 1;")
            .unwrap();
    }
    let e = st(
        &bootstrap(&[("single_wf.yaml", SINGLE_WF)], &cfg(&dir, "")),
        &["error"],
    );
    assert!(
        e.contains("tasker.db") && e.contains("schema version 1") && e.contains("tasks_by_state"),
        "{}",
        e
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn restart_loads_live_tasks_only() {
    let _g = serial();
    let dir = tmp("restart-live");
    started(&boot(&dir, ""));
    for i in 0..150 {
        create_ok("wf", "diamond", &format!(r#"{{"done":{}}}"#, i));
    }
    drive(|ev| success_result(ev, Value::obj()), 10);
    let live: Vec<String> = (0..3)
        .map(|i| {
            st(
                &create_ok("wf", "diamond", &format!(r#"{{"live":{}}}"#, i)),
                &["task_uuid"],
            )
        })
        .collect();
    stop();
    let t = Instant::now();
    started(&boot(&dir, ""));
    let took = t.elapsed();
    assert_eq!(testing::tasks_in_memory(), Some(3));
    assert_eq!(
        s(&list(r#"{"limit":1}"#), &["pagination", "total_count"]).as_i64(),
        Some(153)
    );
    for u in &live {
        assert_eq!(st(&get_task(u), &["status"]), "steps_in_process");
    }
    eprintln!("restart with 150 finished and 3 live tasks: {:?}", took);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_write_is_not_applied_and_the_step_runs_again() {
    let _g = serial();
    let dir = tmp("failwrite");
    started(&boot(&dir, ""));
    let tu = st(&create_ok("wf", "diamond", r#"{"x":1}"#), &["task_uuid"]);
    let ev = poll().unwrap();
    testing::fail_next_store_commits(1);
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        0,
        "a completion whose write failed is not acknowledged"
    );
    // Memory equals the disk again: the completion is not there.
    let t = get_task(&tu);
    assert_eq!(
        s(&t, &["completed_steps"]).as_i64(),
        Some(0),
        "{}",
        t.to_json()
    );
    // The step is dispatched again with the same attempt count and can be completed.
    let again = poll().expect("redispatched after the failed write");
    assert_eq!(st(&again, &["step_uuid"]), st(&ev, &["step_uuid"]));
    assert_eq!(s(&again, &["workflow_step", "attempts"]).as_i64(), Some(0));
    // The old event is gone: completing it again is refused rather than applied twice.
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        0
    );
    assert_eq!(
        complete(
            &st(&again, &["event_id"]),
            &success_result(&again, Value::obj())
        ),
        1
    );
    // A create whose write fails does not exist afterwards, and can be made again.
    testing::fail_next_store_commits(1);
    let r = create(&request("wf", "diamond", r#"{"y":1}"#));
    assert_eq!(
        s(&r, &["success"]).as_bool(),
        Some(false),
        "{}",
        r.to_json()
    );
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(1)
    );
    create_ok("wf", "diamond", r#"{"y":1}"#);
    drive(|ev| success_result(ev, Value::obj()), 20);
    stop();
    started(&boot(&dir, ""));
    assert_eq!(st(&get_task(&tu), &["status"]), "complete");
    assert_eq!(completed_count(), Some(2));
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Creates tasks with `pad` bytes of context until three in a row are refused for storage (never one accepted
/// after a refusal); the number acknowledged.
fn create_until_refused(pad: usize, at_most: usize) -> i64 {
    let big = "x".repeat(pad);
    let mut made = 0;
    let mut refused = 0;
    for i in 0..at_most {
        let r = create(&request(
            "wf",
            "diamond",
            &format!(r#"{{"i":{},"pad":"{}"}}"#, i, big),
        ));
        if s(&r, &["success"]).as_bool() == Some(true) {
            assert_eq!(refused, 0, "a create succeeded after the disk was full");
            made += 1;
        } else {
            assert!(
                st(&r, &["error"]).contains("storage sync failed"),
                "{}",
                r.to_json()
            );
            refused += 1;
            if refused == 3 {
                break;
            }
        }
    }
    assert!(
        refused == 3 && made > 0,
        "made {} refused {}",
        made,
        refused
    );
    made
}

/// A small tmpfs, unmounted (and its directory removed) when dropped; None where mounting is not allowed.
struct SmallTmpfs(PathBuf);

impl SmallTmpfs {
    fn mount(size: &str) -> Option<SmallTmpfs> {
        let dir = tmp("tmpfs");
        std::fs::create_dir_all(&dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={}", size), "tmpfs"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
        Some(SmallTmpfs(dir))
    }
}

impl SmallTmpfs {
    fn grow(&self, size: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={}", size)])
            .arg(&self.0)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "remounting {} failed", self.0.display());
    }
}

impl Drop for SmallTmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// The disk really full (a 6 MiB tmpfs, where the machine lets the test mount one): writes fail with the
/// file system's own error, nothing refused is applied, and once there is space again the refused step completes
/// and a restart finds every acknowledged write (and is not taken for damage).
#[test]
fn a_full_tmpfs_fails_writes_without_applying_them() {
    let _g = serial();
    let Some(fs) = SmallTmpfs::mount("6m") else {
        eprintln!("a_full_tmpfs_fails_writes_without_applying_them: cannot mount a tmpfs here; max_page_count covers it");
        return;
    };
    let dir = fs.0.join("data");
    started(&boot(&dir, ""));
    create_ok("wf", "diamond", r#"{"first":1}"#);
    let made = 1 + create_until_refused(60_000, 400);
    eprintln!("tmpfs full after {} acknowledged creates", made);
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(made)
    );
    let ev = poll().unwrap();
    let huge = tasker_engine::jobj![("pad", "y".repeat(2_000_000))];
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, huge)),
        0,
        "a completion that does not fit is refused"
    );
    // Space again, as an operator would give it (a checkpoint first needs room for what the WAL holds).
    fs.grow("64m");
    let ev = poll().expect("the step whose completion failed is dispatched again");
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1,
        "with space freed the step completes"
    );
    let done = st(&ev, &["step_uuid"]).to_string();
    stop();
    started(&boot(&dir, ""));
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(made)
    );
    while let Some(ev) = poll() {
        assert_ne!(
            st(&ev, &["step_uuid"]),
            done,
            "the acknowledged completion survived the restart"
        );
    }
    stop();
    drop(fs);
}

#[test]
fn a_full_disk_fails_writes_without_applying_them() {
    let _g = serial();
    let dir = tmp("full");
    started(&boot(&dir, ""));
    create_ok("wf", "diamond", r#"{"first":1}"#);
    // Cap the database a few pages above its size: big contexts soon do not fit.
    let pages = std::fs::metadata(dir.join("tasker.db")).unwrap().len() / 4096;
    testing::set_store_max_page_count(pages + 40);
    let made = 1 + create_until_refused(20_000, 200);
    // What was refused is not there; what was acknowledged is.
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(made)
    );
    // Completions fail the same way and their steps stay dispatchable.
    let ev = poll().unwrap();
    let huge = tasker_engine::jobj![("pad", "y".repeat(400_000))];
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, huge)),
        0
    );
    testing::set_store_max_page_count(0);
    let ev = poll().expect("the step whose completion failed is dispatched again");
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    stop();
    started(&boot(&dir, ""));
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(made)
    );
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small data directory with finished and live tasks; returns (dir, task uuids, the
/// read requests and their answers).
fn sample_dir(name: &str) -> (PathBuf, Vec<String>, (Vec<Read>, Vec<String>)) {
    let dir = tmp(name);
    started(&boot(&dir, ""));
    let uuids = finished_tasks();
    let live = st(&create_ok("wf", "diamond", r#"{"live":1}"#), &["task_uuid"]);
    let ev = poll().unwrap();
    assert_eq!(
        complete(&st(&ev, &["event_id"]), &success_result(&ev, Value::obj())),
        1
    );
    stop();
    started(&boot(&dir, ""));
    let reqs = read_requests(&uuids);
    let reads = (reqs.clone(), perform(&reqs));
    let mut all = uuids.clone();
    all.push(live);
    stop();
    (dir, all, reads)
}

/// Bootstrap a damaged copy: either it is refused naming the database, or everything that
/// was acknowledged reads back exactly (or a read names the damaged file). Never silence.
fn check_damaged(
    dir: &Path,
    uuids: &[String],
    reads: &(Vec<Read>, Vec<String>),
    what: &str,
) -> bool {
    let r = boot(dir, "");
    if s(&r, &["success"]).as_bool() == Some(false) {
        let e = st(&r, &["error"]);
        assert!(
            e.contains("tasker.db"),
            "{}: error does not name the file: {}",
            what,
            e
        );
        return false;
    }
    let got = perform(&reads.0);
    for (a, b) in reads.1.iter().zip(&got) {
        if a != b {
            assert!(
                b.contains("tasker.db") && b.contains("\"success\":false"),
                "{}: a finished task changed silently:\n{}\n{}",
                what,
                a,
                b
            );
        }
    }
    let live = cs(&uuids[uuids.len() - 1]);
    let lr = take(unsafe { client_get_task(live.as_ptr()) }).unwrap();
    assert!(
        lr.contains("\"completed_steps\":1") || lr.contains("tasker.db"),
        "{}: the live task lost its acknowledged step: {}",
        what,
        lr
    );
    stop();
    true
}

#[test]
fn a_flipped_byte_anywhere_in_the_database_is_reported_or_harmless() {
    let _g = serial();
    let (dir, uuids, reads) = sample_dir("flip");
    let db = dir.join("tasker.db");
    let orig = std::fs::read(&db).unwrap();
    assert!(
        !dir.join("tasker.db-wal").exists()
            || std::fs::metadata(dir.join("tasker.db-wal")).unwrap().len() == 0
    );
    let mut targets: Vec<usize> = (0..100).collect();
    targets.extend((100..orig.len()).step_by(197));
    let (mut refused, mut served) = (0, 0);
    for at in targets {
        let mut d = orig.clone();
        d[at] ^= 0x5a;
        std::fs::write(&db, &d).unwrap();
        let _ = std::fs::remove_file(dir.join("tasker.db-wal"));
        let _ = std::fs::remove_file(dir.join("tasker.db-shm"));
        if check_damaged(&dir, &uuids, &reads, &format!("byte {}", at)) {
            served += 1;
        } else {
            refused += 1;
        }
    }
    eprintln!(
        "flipped bytes: {} refused at bootstrap, {} harmless or reported on read",
        refused, served
    );
    assert!(refused > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_truncated_database_is_refused() {
    let _g = serial();
    let (dir, uuids, reads) = sample_dir("trunc");
    let db = dir.join("tasker.db");
    let orig = std::fs::read(&db).unwrap();
    let mut cuts: Vec<usize> = vec![0, 1, 50, 99, 100, 101, 4095, 4096, 4097, orig.len() - 1];
    cuts.extend((0..orig.len()).step_by(1531));
    for cut in cuts {
        std::fs::write(&db, &orig[..cut]).unwrap();
        let r = boot(&dir, "");
        assert_eq!(
            s(&r, &["success"]).as_bool(),
            Some(false),
            "cut at {} started",
            cut
        );
        let e = st(&r, &["error"]);
        assert!(e.contains("tasker.db"), "cut at {}: {}", cut, e);
    }
    std::fs::write(&db, &orig).unwrap();
    assert!(check_damaged(&dir, &uuids, &reads, "restored"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_deleted_database_is_an_error_not_an_empty_start() {
    let _g = serial();
    let (dir, _, _) = sample_dir("deleted");
    std::fs::remove_file(dir.join("tasker.db")).unwrap();
    let r = boot(&dir, "");
    let e = st(&r, &["error"]);
    assert!(
        e.contains("tasker.db") && e.contains("missing") && e.contains("tasker.store"),
        "{}",
        e
    );
    assert_eq!(is_worker_running(), 0);
    // Removing the marker, as the message says, starts empty on purpose.
    std::fs::remove_file(dir.join("tasker.store")).unwrap();
    started(&boot(&dir, ""));
    assert_eq!(
        s(&list("{}"), &["pagination", "total_count"]).as_i64(),
        Some(0)
    );
    stop();
    // A database whose tables differ from this version's schema is refused, naming what differs.
    {
        let c = rusqlite::Connection::open(dir.join("tasker.db")).unwrap();
        c.execute_batch("DROP INDEX tasks_by_finish;").unwrap();
    }
    let e = st(&boot(&dir, ""), &["error"]);
    assert!(
        e.contains("tasker.db") && e.contains("tasks_by_finish"),
        "{}",
        e
    );
    // A foreign file in place of the database is refused.
    std::fs::write(dir.join("tasker.db"), vec![7u8; 8192]).unwrap();
    let e = st(&boot(&dir, ""), &["error"]);
    assert!(
        e.contains("tasker.db") && e.contains("not an SQLite database"),
        "{}",
        e
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn retention_deletes_finished_tasks_in_small_batches() {
    let _g = serial();
    let dir = tmp("retention");
    let keep3 = r#","retention":{"max_count":3,"max_age_ms":null,"batch":2,"interval_ms":1}"#;
    started(&boot(&dir, keep3));
    let live = st(&create_ok("wf", "flaky", r#"{"live":1}"#), &["task_uuid"]);
    let mut done = Vec::new();
    for i in 0..10 {
        done.push(st(
            &create_ok("wf", "diamond", &format!(r#"{{"r":{}}}"#, i)),
            &["task_uuid"],
        ));
        drive(
            |ev| {
                if st(ev, &["task_uuid"]) == live {
                    failure_result(ev, true, "later")
                } else {
                    success_result(ev, Value::obj())
                }
            },
            5,
        );
    }
    let t0 = Instant::now();
    loop {
        let n = s(
            &list(r#"{"status":"complete"}"#),
            &["pagination", "total_count"],
        )
        .as_i64();
        if n == Some(3) {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "retention did not run: {:?}",
            n
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The newest three are kept; the live task is never touched.
    let kept: Vec<String> = s(&list(r#"{"status":"complete"}"#), &["tasks"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| st(t, &["task_uuid"]))
        .collect();
    assert_eq!(
        kept,
        vec![done[9].clone(), done[8].clone(), done[7].clone()]
    );
    get_task(&live);
    let c = cs(&done[0]);
    let r = takej(unsafe { client_get_task(c.as_ptr()) });
    assert!(st(&r, &["error"]).contains("404"), "{}", r.to_json());
    // A deleted task's identity is free again.
    create_ok("wf", "diamond", r#"{"r":0}"#);
    stop();
    // keep_all wins over the limits; age 0 deletes every finished task.
    started(&boot(
        &dir,
        r#","retention":{"keep_all":true,"max_count":0,"interval_ms":1}"#,
    ));
    drive(|ev| success_result(ev, Value::obj()), 5);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(completed_count(), Some(4));
    stop();
    started(&boot(
        &dir,
        r#","retention":{"max_age_ms":0,"interval_ms":1}"#,
    ));
    let t0 = Instant::now();
    while s(
        &list(r#"{"status":"complete"}"#),
        &["pagination", "total_count"],
    )
    .as_i64()
        != Some(0)
    {
        assert!(t0.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(5));
    }
    get_task(&live);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

fn copy_fixture(name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v1");
    let dir = tmp(name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["tasker.wal", "tasker.snapshot", "tasker.lock"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    dir
}

#[test]
fn a_log_and_snapshot_directory_is_migrated_once() {
    let _g = serial();
    let dir = copy_fixture("migrate");
    let expected = tasker_engine::json::parse(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v1-list.json"),
        )
        .unwrap(),
    )
    .unwrap();
    started(&boot(&dir, ""));
    assert!(dir.join("tasker.db").exists());
    assert!(dir.join("tasker.wal.migrated").exists() && !dir.join("tasker.wal").exists());
    assert!(dir.join("tasker.snapshot.migrated").exists());
    let got = list(r#"{"limit":100}"#);
    let want = s(&expected, &["data", "tasks"]).as_array().unwrap();
    let have = s(&got, &["tasks"]).as_array().unwrap();
    assert_eq!(have.len(), want.len());
    for (h, w) in have.iter().zip(want) {
        assert_eq!(st(h, &["task_uuid"]), st(w, &["task_uuid"]));
        assert_eq!(st(h, &["status"]), st(w, &["status"]));
        if ["complete", "error", "cancelled"].contains(&st(w, &["status"]).as_str()) {
            // Finished tasks come through unchanged.
            assert_eq!(h.to_json(), w.to_json());
        }
    }
    assert_eq!(testing::tasks_in_memory(), Some(1));
    // The live task continues where it was.
    let ran = drive(|ev| success_result(ev, Value::obj()), 20);
    assert_eq!(ran.len(), 3);
    stop();
    started(&boot(&dir, ""));
    assert_eq!(completed_count(), Some(4));
    stop();
    let _ = std::fs::remove_dir_all(&dir);

    // A damaged old log is refused, naming it, and nothing is created.
    let dir = copy_fixture("migrate-bad");
    let wal = dir.join("tasker.wal");
    let mut d = std::fs::read(&wal).unwrap();
    d[30] ^= 0x40;
    std::fs::write(&wal, &d).unwrap();
    let r = boot(&dir, "");
    let e = st(&r, &["error"]);
    assert!(e.contains("tasker.wal"), "{}", e);
    assert!(!dir.join("tasker.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_frame_in_the_wal_is_refused_not_dropped() {
    let _g = serial();
    let dir = tmp("wal");
    testing::pause_store_checkpoints(true);
    started(&boot(&dir, ""));
    for i in 0..12 {
        create_ok("wf", "diamond", &format!(r#"{{"w":{}}}"#, i));
    }
    drive(|ev| success_result(ev, Value::obj()), 10);
    // Every call above was acknowledged, so the writer is idle: a copy of the files now is
    // what a crash at this moment leaves behind (the WAL is not yet checkpointed).
    let db = std::fs::read(dir.join("tasker.db")).unwrap();
    let wal = std::fs::read(dir.join("tasker.db-wal")).unwrap();
    stop();
    testing::pause_store_checkpoints(false);
    let page = u32::from_be_bytes([wal[8], wal[9], wal[10], wal[11]]) as usize;
    let frames = (wal.len() - 32) / (page + 24);
    assert!(frames > 20, "the WAL holds many commits: {} frames", frames);
    let restore = |name: &str, wal: &[u8]| -> PathBuf {
        let d = tmp(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("tasker.db"), &db).unwrap();
        std::fs::write(d.join("tasker.db-wal"), wal).unwrap();
        std::fs::write(d.join("tasker.store"), "tasker-engine-store 1\n").unwrap();
        d
    };
    // The intact copy has every acknowledged task.
    let d = restore("wal-ok", &wal);
    started(&boot(&d, ""));
    assert_eq!(completed_count(), Some(12));
    stop();
    let _ = std::fs::remove_dir_all(&d);
    // A flip in a frame with intact frames behind it: in the page, in the frame header's
    // salt and checksum fields, and in the WAL header.
    let frame = |k: usize| 32 + k * (page + 24);
    let mut spots = vec![3usize, 17, 30];
    for k in [1, frames / 3, frames / 2, frames - 3] {
        spots.extend([
            frame(k) + 2,
            frame(k) + 9,
            frame(k) + 19,
            frame(k) + 24 + page / 2,
        ]);
    }
    for at in spots {
        let mut w = wal.clone();
        w[at] ^= 0x10;
        let d = restore("wal-bad", &w);
        let r = boot(&d, "");
        assert_eq!(
            s(&r, &["success"]).as_bool(),
            Some(false),
            "byte {} of the WAL flipped, yet it started",
            at
        );
        let e = st(&r, &["error"]);
        assert!(e.contains("tasker.db-wal"), "byte {}: {}", at, e);
        let _ = std::fs::remove_dir_all(&d);
    }
    // What a write that failed half-way (a full disk) leaves behind a later, shorter commit: frames of a
    // transaction that never reached its commit frame, after a broken link. Not damage: nothing in them was
    // acknowledged. The same with the commit frame is a commit SQLite would drop: refused.
    let is_commit =
        |k: usize| u32::from_be_bytes(wal[frame(k) + 4..frame(k) + 8].try_into().unwrap()) != 0;
    let commits: Vec<usize> = (0..frames).filter(|&k| is_commit(k)).collect();
    let (a, c) = commits
        .windows(2)
        .map(|w| (w[0], w[1]))
        .find(|&(a, c)| c - a >= 4)
        .expect("a transaction of four frames or more");
    let mut uncommitted = wal[..frame(a + 1)].to_vec();
    uncommitted.extend_from_slice(&wal[frame(a + 2)..frame(c)]);
    let d = restore("wal-leftover", &uncommitted);
    started(&boot(&d, ""));
    stop();
    let _ = std::fs::remove_dir_all(&d);
    let mut committed = wal[..frame(a + 1)].to_vec();
    committed.extend_from_slice(&wal[frame(a + 2)..frame(c + 1)]);
    let d = restore("wal-lost-commit", &committed);
    let r = boot(&d, "");
    assert_eq!(
        s(&r, &["success"]).as_bool(),
        Some(false),
        "a dropped commit behind a broken link"
    );
    assert!(
        st(&r, &["error"]).contains("tasker.db-wal"),
        "{}",
        r.to_json()
    );
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_wal_stays_bounded_under_continuous_commits() {
    let _g = serial();
    let dir = tmp("walbound");
    // Restart the WAL at 128 frames (hard bound 512): far fewer than these commits write.
    testing::set_store_wal_restart_frames(128);
    started(&boot(&dir, ""));
    let wal = dir.join("tasker.db-wal");
    let mut largest = 0u64;
    for round in 0..6 {
        for i in 0..25 {
            create_ok(
                "wf",
                "diamond",
                &format!(r#"{{"round":{},"i":{}}}"#, round, i),
            );
        }
        drive(|ev| success_result(ev, Value::obj()), 5);
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    testing::set_store_wal_restart_frames(0);
    let page = 4096 + 24;
    // Commits that land while the writer catches up may carry the WAL past the hard bound; twice the bound
    // still tells a WAL that restarts from one that never does (then it grows to about 5,600 frames here).
    assert!(
        largest <= 32 + (2 * 4 * 128) * page,
        "the WAL grew to {} bytes ({} frames)",
        largest,
        largest / page
    );
    stop();
    started(&boot(&dir, ""));
    let l = list(r#"{"limit":1,"status":"complete"}"#);
    assert_eq!(
        s(&l, &["pagination", "total_count"]).as_u64(),
        Some(150),
        "{}",
        l.to_json()
    );
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A live task's row leaves out its identity hash (the row's identity column) and a `requested_at`
/// equal to its creation time: both read back the same after a restart.
#[test]
fn a_restored_task_keeps_its_identity_hash_and_request_time() {
    let _g = serial();
    let dir = tmp("task-row");
    started(&boot(&dir, ""));
    let plain = st(&create_ok("wf", "diamond", r#"{"row":1}"#), &["task_uuid"]);
    let early = create_requested_early(r#"{"row":2}"#);
    // The task half of each task's first event, as polled (the claims are not completed).
    let task_of = |events: Vec<Value>| -> Vec<(String, String, String, String)> {
        let mut v: Vec<_> = events
            .iter()
            .map(|ev| {
                let t = s(ev, &["task"]);
                (
                    st(t, &["task_uuid"]),
                    st(t, &["identity_hash"]),
                    st(t, &["requested_at"]),
                    st(t, &["created_at"]),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = task_of(std::iter::from_fn(poll).collect());
    assert_eq!(before.len(), 2, "{:?}", before);
    stop();
    // The claims were never completed: after the restart both steps are dispatched again.
    started(&boot(&dir, ""));
    let after = task_of(std::iter::from_fn(poll).collect());
    assert_eq!(after, before);
    let by_uuid = |u: &str| after.iter().find(|t| t.0 == u).unwrap().clone();
    assert_eq!(
        by_uuid(&plain).2,
        by_uuid(&plain).3,
        "requested_at is the creation time"
    );
    assert!(
        by_uuid(&early).2.starts_with("2026-01-02"),
        "{:?}",
        by_uuid(&early)
    );
    assert_eq!(by_uuid(&plain).1.len(), 64);
    stop();
    let _ = std::fs::remove_dir_all(&dir);
}
