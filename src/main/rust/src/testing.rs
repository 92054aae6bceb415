//! Test-only hooks reachable from Rust (never through the C ABI): a panic probe used to
//! prove that every exported function converts panics into its error form.

use std::ffi::CStr;
use std::os::raw::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static PANIC_ON: Mutex<Option<String>> = Mutex::new(None);
/// Fast path: no probe armed (the normal case) costs one atomic load per call.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Make the named exported function panic (inside its guard) until cleared with `None`.
pub fn set_panic_on(name: Option<&str>) {
    let mut g = PANIC_ON.lock().unwrap_or_else(|p| p.into_inner());
    *g = name.map(|s| s.to_string());
    ARMED.store(g.is_some(), Ordering::SeqCst);
}

pub(crate) fn maybe_panic(name: &str) {
    if !ARMED.load(Ordering::Relaxed) {
        return;
    }
    let hit = {
        let g = PANIC_ON.lock().unwrap_or_else(|p| p.into_inner());
        g.as_deref() == Some(name)
    };
    if hit {
        panic!("test panic probe in {}", name);
    }
}

/// Store test hook: the next `n` commits of the durable store fail as if the disk had
/// refused the write (the transaction is rolled back).
pub fn fail_next_store_commits(n: u64) {
    crate::store::fail_next_commits(n);
}

/// Store test hook: cap the database at `pages` pages (`PRAGMA max_page_count`, 0 = no cap),
/// so writes fail with SQLITE_FULL as on a full disk.
pub fn set_store_max_page_count(pages: u64) {
    crate::store::set_max_page_count(pages);
}

/// Store test hook: restart the WAL once it holds `frames` frames (0 = the default, 8192),
/// so a test can watch the WAL stay bounded under continuous commits.
pub fn set_store_wal_restart_frames(frames: u64) {
    crate::store::set_wal_restart_frames(frames);
}

/// Store test hook: hold background checkpoints while set, so a copy of the data files is what a crash
/// before any checkpoint leaves.
pub fn pause_store_checkpoints(paused: bool) {
    crate::store::pause_checkpoints(paused);
}

/// Number of tasks the running engine holds in memory (None when not running).
pub fn tasks_in_memory() -> Option<usize> {
    crate::ffi::lock().as_ref().map(|e| e.tasks.in_memory())
}

/// Whether the durable engine has read the identities of the tasks it found at bootstrap (None
/// when not running or in memory): until then every create checks its identity in the database.
pub fn store_identities_scanned() -> Option<bool> {
    crate::ffi::lock()
        .as_ref()
        .and_then(|e| e.store_identities_scanned())
}

/// Store test hook: keys added since the last identity scan before a new scan starts (0 = the
/// default floor), and the number of identity scans finished so far.
pub fn set_store_identity_rescan_floor(keys: usize) {
    crate::identity_filter::set_rescan_floor(keys);
}

pub fn store_identity_scans() -> usize {
    crate::identity_filter::scans_finished()
}

static HOLD_ARCHIVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Keep archived tasks in memory while set, so a test can compare a finished task served
/// from memory with the same task served from the store.
pub fn hold_archived_in_memory(hold: bool) {
    HOLD_ARCHIVED.store(hold, std::sync::atomic::Ordering::SeqCst);
}

pub(crate) fn archived_held() -> bool {
    HOLD_ARCHIVED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The engine's verdict on a `complete_step_event` body, parsed exactly as the C ABI parses it: `Ok` when
/// accepted. The bridge's differential test holds it against tasker-shared's `StepExecutionResult`.
pub fn check_step_result(text: &str) -> Result<(), String> {
    crate::result::parse_step_result(text).map(|_| ())
}

/// The engine's verdict on a `checkpoint_yield_step_event` body (tasker-shared: `CheckpointYieldData`).
pub fn check_checkpoint(text: &str) -> Result<(), String> {
    crate::result::parse_checkpoint(text).map(|_| ())
}

/// The engine's verdict on a `client_create_task` body that holds one JSON value (tasker-shared: `TaskRequest`).
pub fn check_task_request(text: &str) -> Result<(), String> {
    let v = crate::json::parse_strict(text).map_err(|e| e.to_string())?;
    crate::client::TaskRequest::from_value(&v).map(|_| ())
}

/// A string the library returned, copied and freed with `free_rust_string` (None for NULL),
/// for the Rust tests and benchmarks that call the C ABI. Pass only what the library returned:
/// it is safe for exactly those pointers, as the tests' one-line calls need it to be.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn take(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL pointer from the library is a NUL-terminated string it allocated,
    // freed here exactly once.
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    unsafe { crate::ffi::free_rust_string(p) };
    Some(s)
}
