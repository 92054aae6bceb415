//! Durable store: one SQLite database (`tasker.db`, WAL journal, `synchronous=FULL`).
//!
//! * Rows: `templates`, `tasks` (one row per task, with the live/archived flag and the
//!   columns that listing filters on) and `steps` (one row per step, audit trail included,
//!   keyed `task_seq << STEP_BITS | index` so a task's steps are one rowid range and rows
//!   up to a page long are stored without overflow pages).
//!   Every row carries a CRC-32 over all of its columns, checked whenever it is read, so a
//!   damaged row is reported instead of being served.
//! * Writes: the engine hands a batch of row writes to one writer thread and gets a ticket.
//!   The writer commits everything queued in one transaction (group commit); a caller waits
//!   on its ticket outside the engine lock and acknowledges only once the commit is on disk.
//!   A failed commit is rolled back and every batch not yet committed fails; the engine then
//!   reloads its live state from the database before its next operation.
//! * Finished tasks are archived: their row says so, they leave memory, and reads of them are
//!   served from here. Retention deletes archived tasks in small batches on the writer thread.
//! * Opening checks the marker file, the SQLite header against the file length, the
//!   application id, schema version and format row, and runs `integrity_check` on databases up
//!   to `FULL_CHECK_BYTES` (larger ones get a `quick_check` on a background thread).

use crate::identity_filter::IdentityFilter;
use crate::logging;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const DB_FILE: &str = "tasker.db";
/// Written once the database exists: a directory with the marker but no database lost it.
pub const MARKER_FILE: &str = "tasker.store";
const APPLICATION_ID: i32 = 0x5453_4b52; // "TSKR"
pub const SCHEMA_VERSION: i32 = 2;
const FORMAT: &str = "tasker-engine-store";
/// Databases up to this size get a full `integrity_check` at open (well under a second).
pub const FULL_CHECK_BYTES: u64 = 64 << 20;
/// Steps per task are limited to 2^STEP_BITS by the step row key.
pub const STEP_BITS: u32 = 24;

fn step_key(task_seq: i64, idx: i64) -> i64 {
    (task_seq << STEP_BITS) | idx
}

const SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE templates(id INTEGER PRIMARY KEY, source TEXT NOT NULL, text TEXT NOT NULL, env TEXT, crc INTEGER NOT NULL);
CREATE TABLE tasks(
  seq INTEGER PRIMARY KEY,
  uuid BLOB NOT NULL UNIQUE,
  identity TEXT NOT NULL,
  ident_key INTEGER NOT NULL,
  namespace TEXT NOT NULL,
  state TEXT NOT NULL,
  archived INTEGER NOT NULL,
  finished_at INTEGER,
  nsteps INTEGER NOT NULL,
  body TEXT NOT NULL,
  crc INTEGER NOT NULL);
CREATE INDEX tasks_identity ON tasks(ident_key);
CREATE INDEX tasks_live ON tasks(seq) WHERE archived = 0;
CREATE INDEX tasks_by_ns_state ON tasks(namespace, state, seq) WHERE archived = 1;
CREATE INDEX tasks_by_finish ON tasks(finished_at) WHERE archived = 1;
CREATE TABLE steps(id INTEGER PRIMARY KEY, body TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE archived_counts(namespace TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(namespace, state)) WITHOUT ROWID;
";

/// What version 1 had beside `SCHEMA`: an index each for the listings by namespace alone and by
/// state alone. Every completion wrote both (2.8 of 26 WAL pages per commit in `soak`); those
/// listings now merge the groups of `tasks_by_ns_state` (see `Store::archived_listing`).
const SCHEMA_V1_EXTRA: &str = "
CREATE INDEX tasks_by_ns ON tasks(namespace, seq) WHERE archived = 1;
CREATE INDEX tasks_by_state ON tasks(state, seq) WHERE archived = 1;
";

/// The most groups one listing merges (SQLite allows 500 arms in a compound query).
const MAX_MERGED_GROUPS: usize = 200;

/// Retention of archived (finished) tasks. `keep_all` wins over the limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Retention {
    pub keep_all: bool,
    /// Delete archived tasks that finished longer ago than this.
    pub max_age_ms: Option<u64>,
    /// Keep at most this many archived tasks (oldest deleted first).
    pub max_count: Option<u64>,
    /// Tasks deleted per retention transaction.
    pub batch: usize,
    /// Pause between retention transactions while there is something to delete.
    pub interval_ms: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            keep_all: false,
            max_age_ms: Some(7 * 24 * 3600 * 1000),
            max_count: None,
            batch: 200,
            interval_ms: 100,
        }
    }
}

pub struct TaskRow {
    pub seq: i64,
    pub uuid: [u8; 16],
    pub identity: String,
    pub namespace: String,
    pub state: &'static str,
    /// First write of this task (live count +1).
    pub created: bool,
    /// This write archives the task (live count -1, archived count +1).
    pub archive: bool,
    pub finished_at: Option<i64>,
    pub nsteps: i64,
    pub body: String,
}

pub enum Op {
    Template {
        id: i64,
        source: String,
        text: String,
        env: Option<String>,
    },
    Task(TaskRow),
    Step {
        task_seq: i64,
        idx: i64,
        body: String,
    },
}

/// A stored template: id, source, text, environment.
pub type StoredTemplate = (i64, String, String, Option<String>);

/// A stored task as read back: the task row body and its step bodies, checksums verified.
pub struct StoredTask {
    pub seq: i64,
    /// The identity column: the identity hash, which task bodies now leave out.
    pub identity: String,
    pub archived: bool,
    pub body: String,
    pub steps: Vec<String>,
}

/// 64 bits of the identity hash: a small index key (entries of the full 64-character text made
/// the index several times larger, and every create touches a random page of it).
fn ident_key(identity: &str) -> i64 {
    identity
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or_else(|| crc32fast::hash(identity.as_bytes()) as u64) as i64
}

fn crc_of(parts: &[&[u8]]) -> i64 {
    let mut h = crc32fast::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize() as i64
}

// One argument per column: the checksum covers exactly the row as stored.
#[allow(clippy::too_many_arguments)]
fn task_crc(
    seq: i64,
    uuid: &[u8],
    identity: &str,
    ns: &str,
    state: &str,
    archived: bool,
    finished_at: Option<i64>,
    nsteps: i64,
    body: &str,
) -> i64 {
    crc_of(&[
        &seq.to_le_bytes(),
        uuid,
        identity.as_bytes(),
        ns.as_bytes(),
        state.as_bytes(),
        &[archived as u8],
        &finished_at.unwrap_or(i64::MIN).to_le_bytes(),
        &nsteps.to_le_bytes(),
        body.as_bytes(),
    ])
}

fn step_crc(task_seq: i64, idx: i64, body: &str) -> i64 {
    crc_of(&[&task_seq.to_le_bytes(), &idx.to_le_bytes(), body.as_bytes()])
}

fn template_crc(id: i64, source: &str, text: &str, env: Option<&str>) -> i64 {
    crc_of(&[
        &id.to_le_bytes(),
        source.as_bytes(),
        text.as_bytes(),
        env.unwrap_or("\u{0}").as_bytes(),
    ])
}

struct Batch {
    ticket: u64,
    epoch: u64,
    ops: Vec<Op>,
}

struct State {
    queue: Vec<Batch>,
    last_error: Option<String>,
    epoch: u64,
    shutdown: bool,
    /// The writer sleeps with an empty queue: the next submit wakes it.
    idle: bool,
    /// The writer is gathering a commit and wants to be woken once this many batches are
    /// queued (`usize::MAX` while it commits: it looks at the queue when it is done).
    want: usize,
    /// When the last batch was queued (the writer's gather ends after a pause in arrivals).
    last_arrival: Instant,
    /// Callers blocked on a ticket: each is woken alone, once its ticket is settled.
    waiters: Vec<(u64, std::thread::Thread)>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    committed: AtomicU64,
    /// Every ticket up to here that was not committed has failed (written under `state`).
    failed_upto: AtomicU64,
    /// Set by the writer when a commit failed; cleared by `reset_after_failure`.
    broken: AtomicBool,
    db_path: PathBuf,
    ckpt: Checkpoints,
}

/// WAL frames (4 KiB pages, so 32 MiB) after which the WAL is restarted from its beginning:
/// the checkpointer catches up, then the writer copies the last few frames itself between
/// two commits (at most `RESTART_FRAMES / 16`: a few milliseconds), and its next commit
/// writes from the start of the file again. At `4 * RESTART_FRAMES` (the hard bound) the
/// writer copies whatever is left, however long it takes.
const RESTART_FRAMES: u64 = 8192;
/// Test hook: another restart threshold (0 = `RESTART_FRAMES`).
static RESTART_AT: AtomicU64 = AtomicU64::new(0);

pub fn set_wal_restart_frames(n: u64) {
    RESTART_AT.store(n, Ordering::SeqCst);
}
/// Test hook: no checkpoint passes while set, so a copy of the files is a state before any checkpoint.
static CHECKPOINTS_PAUSED: AtomicBool = AtomicBool::new(false);

pub fn pause_checkpoints(paused: bool) {
    CHECKPOINTS_PAUSED.store(paused, Ordering::SeqCst);
}
/// Nice value of the checkpoint thread. While the callers and the writer keep the cores busy,
/// it then runs less often and copies more frames per pass, so a page changed by several
/// commits is copied once: measured in `soak 200000` (six alternating pairs), 7 % less CPU per
/// task and 10 % more steps/s. It never falls behind without bound: once the WAL is
/// `RESTART_FRAMES` long the writer copies the rest itself (see `Checkpoints`).
const CHECKPOINT_NICE: i32 = 10;

/// Lowers the calling thread's scheduling priority (Linux: `setpriority` on a thread id of 0
/// applies to the calling thread only; elsewhere it would apply to the process, so nothing).
fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    {
        extern "C" {
            fn setpriority(which: i32, who: u32, prio: i32) -> i32;
        }
        const PRIO_PROCESS: i32 = 0;
        // A failure leaves the default priority, which works as well, only slower.
        // SAFETY: a plain system call with integer arguments.
        let _ = unsafe { setpriority(PRIO_PROCESS, 0, nice) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// Pause between background checkpoint passes (each one syncs the database file).
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(25);

/// Checkpoints run on their own thread and connection (PASSIVE: they copy committed frames
/// into the database file while the writer keeps committing), so no commit waits for one.
/// A passive checkpoint alone never lets the WAL restart under continuous commits (new
/// frames always follow the copied ones), so once the WAL is `RESTART_FRAMES` long the
/// writer runs the final short pass itself between two commits; the WAL then starts over.
struct Checkpoints {
    /// Held while a checkpoint pass runs, on either thread.
    pass: Mutex<()>,
    state: Mutex<CkptState>,
    wake: Condvar,
    /// Set by the checkpointer: the writer should run the final pass before its next commit.
    final_wanted: AtomicBool,
    /// WAL length the writer's last final pass completed: a background pass that finds the same
    /// WAL fully copied asks for no second final pass (the next commit restarts the WAL).
    final_log: AtomicU64,
}

struct CkptState {
    /// Commits since the last pass.
    commits: u64,
    /// Stops the thread.
    shutdown: bool,
    /// The thread waits for a commit (a commit must wake it).
    idle: bool,
}

/// `PRAGMA wal_checkpoint(PASSIVE)`: (frames in the WAL, frames copied), or None if busy.
fn checkpoint_passive(c: &Connection) -> rusqlite::Result<Option<(u64, u64)>> {
    c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })
    .map(|(busy, log, done)| (busy == 0 && log >= 0).then_some((log as u64, done.max(0) as u64)))
}

fn checkpoint_loop(conn: Connection, sh: Arc<Shared>) {
    let ck = &sh.ckpt;
    // SQLite syncs the database file only in a pass that reaches the end of the WAL, which
    // under continuous commits is the writer's final pass: that one sync then flushed every
    // page the background passes had copied since the last restart (35-50 ms at 10^6 tasks,
    // a stall for every caller). Syncing after each background pass leaves it a few pages.
    let db_file = File::open(&sh.db_path).ok();
    lower_priority(CHECKPOINT_NICE);
    loop {
        {
            let mut st = ck.state.lock().unwrap_or_else(|p| p.into_inner());
            while st.commits == 0 && !st.shutdown {
                st.idle = true;
                st = ck.wake.wait(st).unwrap_or_else(|p| p.into_inner());
                st.idle = false;
            }
            if st.shutdown {
                return;
            }
            st.commits = 0;
        }
        if ck.final_wanted.load(Ordering::Acquire) || CHECKPOINTS_PAUSED.load(Ordering::Relaxed) {
            std::thread::sleep(CHECKPOINT_PAUSE);
            if CHECKPOINTS_PAUSED.load(Ordering::Relaxed) {
                ck.state.lock().unwrap_or_else(|p| p.into_inner()).commits += 1;
                // try again once resumed
            }
            continue;
        }
        let r = {
            let _g = ck.pass.lock().unwrap_or_else(|p| p.into_inner());
            checkpoint_passive(&conn)
        };
        if let (Ok(Some(_)), Some(f)) = (&r, &db_file) {
            // An error here is also reported to SQLite's own sync of the file (Linux keeps a
            // write-back error for every descriptor open at the time), which then fails its pass.
            if let Err(e) = f.sync_data() {
                logging::warn(&format!(
                    "data file {}: sync after a checkpoint pass failed: {}",
                    sh.db_path.display(),
                    e
                ));
            }
        }
        match r {
            Ok(Some((log, done))) => {
                let restart = match RESTART_AT.load(Ordering::Relaxed) {
                    0 => RESTART_FRAMES,
                    n => n,
                };
                if log == done && log == ck.final_log.load(Ordering::Acquire) {
                    // The writer's final pass completed this WAL: its next commit restarts it.
                } else if log >= 4 * restart || (log >= restart && log - done <= restart / 16) {
                    ck.final_wanted.store(true, Ordering::Release);
                } else if log >= restart {
                    // Catching up for a restart: the next pass at once.
                    let mut st = ck.state.lock().unwrap_or_else(|p| p.into_inner());
                    st.commits += 1;
                    continue;
                }
            }
            Ok(None) => {}
            Err(e) => logging::warn(&format!(
                "data file {}: background checkpoint failed (retried): {}",
                sh.db_path.display(),
                e
            )),
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}

/// On the writer, between commits: the final pass the checkpointer asked for.
fn writer_checkpoint(conn: &Connection, sh: &Shared) {
    if !sh.ckpt.final_wanted.swap(false, Ordering::AcqRel) {
        return;
    }
    let _g = sh.ckpt.pass.lock().unwrap_or_else(|p| p.into_inner());
    match checkpoint_passive(conn) {
        Ok(Some((log, done))) if log == done => sh.ckpt.final_log.store(log, Ordering::Release),
        Ok(_) => {}
        Err(e) => logging::warn(&format!(
            "data file {}: checkpoint failed (retried): {}",
            sh.db_path.display(),
            e
        )),
    }
}

/// Durability ticket of one operation: wait on it outside the engine lock.
pub struct Ticket {
    shared: Arc<Shared>,
    n: u64,
}

impl Ticket {
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Block until the operation's transaction is committed to disk, or report why not.
    pub fn wait(&self) -> Result<(), String> {
        let sh = &*self.shared;
        let settled = || {
            sh.committed.load(Ordering::Acquire) >= self.n
                || sh.failed_upto.load(Ordering::Acquire) >= self.n
        };
        if !settled() {
            // Registered under the lock after a last look, so a commit that lands in between
            // sees the registration (the writer publishes, then takes the lock to wake).
            let mut st = sh.state.lock().unwrap_or_else(|p| p.into_inner());
            if !settled() {
                st.waiters.push((self.n, std::thread::current()));
                drop(st);
                while !settled() {
                    std::thread::park();
                }
            }
        }
        if sh.committed.load(Ordering::Acquire) >= self.n {
            return Ok(());
        }
        let st = sh.state.lock().unwrap_or_else(|p| p.into_inner());
        Err(format!(
            "data file {}: write failed, not acknowledged: {}",
            sh.db_path.display(),
            st.last_error.as_deref().unwrap_or("unknown error")
        ))
    }
}

/// Take the callers whose tickets are now settled (committed or failed) off the list;
/// called with the state locked, after publishing `committed` / `failed_upto`. They are
/// unparked after the lock is released: submitters (holding the engine lock) need it.
#[must_use]
fn settled_waiters(sh: &Shared, st: &mut State) -> Vec<std::thread::Thread> {
    let upto = sh
        .committed
        .load(Ordering::Acquire)
        .max(sh.failed_upto.load(Ordering::Acquire));
    let mut woken = Vec::new();
    st.waiters.retain(|(n, t)| {
        if *n <= upto {
            woken.push(t.clone());
            false
        } else {
            true
        }
    });
    woken
}

fn unpark_all(threads: Vec<std::thread::Thread>) {
    for t in threads {
        t.unpark();
    }
}

/// Test hook: the next `n` commits fail as if the disk had refused the write.
static FAIL_COMMITS: AtomicU64 = AtomicU64::new(0);
/// Test hook: `PRAGMA max_page_count` for the writer (0 = SQLite's default).
static MAX_PAGES: AtomicU64 = AtomicU64::new(0);

pub fn fail_next_commits(n: u64) {
    FAIL_COMMITS.store(n, Ordering::SeqCst);
}

pub fn set_max_page_count(n: u64) {
    MAX_PAGES.store(n, Ordering::SeqCst);
}

pub struct Store {
    db_path: PathBuf,
    reader: Connection,
    shared: Arc<Shared>,
    next_ticket: u64,
    writer: Option<JoinHandle<()>>,
    checker: Option<JoinHandle<()>>,
    checkpointer: Option<JoinHandle<()>>,
    /// Identities a stored task may hold.
    identities: IdentityFilter,
    _lock: File,
}

/// What `Store::open` found in the data directory.
pub enum Opened {
    Ready(Box<Store>),
    /// The directory holds the previous log/snapshot format and no database yet: the
    /// records to migrate (the directory lock is held by the returned file).
    Legacy(Vec<crate::json::Value>, File),
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("data dir {}: fsync failed: {}", dir.display(), e))
}

pub(crate) fn sql_err(path: &Path, what: &str, e: rusqlite::Error) -> String {
    format!("data file {}: {}: {}", path.display(), what, e)
}

fn lock_dir(dir: &Path) -> Result<File, String> {
    fs::create_dir_all(dir).map_err(|e| format!("data dir {}: {}", dir.display(), e))?;
    let lock_path = dir.join("tasker.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("data file {}: {}", lock_path.display(), e))?;
    if let Err(e) = lock.try_lock() {
        return Err(format!(
            "data dir {} is in use by another engine (lock {}): {}",
            dir.display(),
            lock_path.display(),
            e
        ));
    }
    Ok(lock)
}

/// The SQLite header must match the file: a file cut short is reported, not opened.
fn check_header(path: &Path) -> Result<(), String> {
    let mut f = File::open(path).map_err(|e| format!("data file {}: {}", path.display(), e))?;
    let len = f
        .metadata()
        .map_err(|e| format!("data file {}: {}", path.display(), e))?
        .len();
    let mut h = [0u8; 100];
    if len < 100 || f.read_exact(&mut h).is_err() {
        return Err(format!(
            "data file {}: truncated ({} bytes, shorter than the SQLite header)",
            path.display(),
            len
        ));
    }
    if &h[..16] != b"SQLite format 3\0" {
        return Err(format!(
            "data file {}: not an SQLite database (bad header magic)",
            path.display()
        ));
    }
    let ps = u16::from_be_bytes([h[16], h[17]]) as u64;
    let page_size = if ps == 1 { 65536 } else { ps };
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!(
            "data file {}: damaged header (page size {})",
            path.display(),
            ps
        ));
    }
    if len % page_size != 0 {
        return Err(format!(
            "data file {}: truncated or damaged ({} bytes is not a whole number of {}-byte pages)",
            path.display(),
            len,
            page_size
        ));
    }
    let pages = u32::from_be_bytes([h[28], h[29], h[30], h[31]]) as u64;
    let change = &h[24..28];
    let valid_for = &h[92..96];
    // With a WAL to replay, a checkpoint may have stopped (crash) after writing page 1 but
    // before extending the file: the WAL holds the rest, so the count proves nothing then.
    let wal_len = fs::metadata(format!("{}-wal", path.display()))
        .map(|m| m.len())
        .unwrap_or(0);
    if wal_len == 0 && change == valid_for && pages > 0 && len < pages * page_size {
        return Err(format!(
            "data file {}: truncated ({} bytes, the header says {} pages of {} bytes)",
            path.display(),
            len,
            pages,
            page_size
        ));
    }
    Ok(())
}

/// SQLite's WAL checksum over `data` (pairs of 32-bit words), continuing from `s`.
fn wal_checksum(big_endian: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    for w in data.chunks_exact(8) {
        let (a, b) = if big_endian {
            (
                u32::from_be_bytes([w[0], w[1], w[2], w[3]]),
                u32::from_be_bytes([w[4], w[5], w[6], w[7]]),
            )
        } else {
            (
                u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                u32::from_le_bytes([w[4], w[5], w[6], w[7]]),
            )
        };
        s.0 = s.0.wrapping_add(a).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(b).wrapping_add(s.0);
    }
    s
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// SQLite replays a WAL up to its first invalid frame and silently ignores the rest. That
/// is right for a torn tail (a crash during a commit that was never acknowledged) but would
/// drop acknowledged commits if a frame in the middle were damaged. So before opening: a
/// damaged header or frame followed by a frame that is intact (it checks out against the
/// damaged frame's stored or recomputed checksum) is refused, naming the file.
fn check_wal(db_path: &Path) -> Result<(), String> {
    let path = PathBuf::from(format!("{}-wal", db_path.display()));
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("data file {}: {}", path.display(), e)),
    };
    if data.len() < 32 {
        return Ok(());
    }
    let magic = be32(&data, 0);
    let big_endian = magic & 1 == 1;
    let page = be32(&data, 8) as usize;
    let damaged = |what: String| {
        format!(
            "data file {}: {} with intact frames behind it; SQLite would silently drop them (acknowledged commits). Restore the data directory from a backup",
            path.display(),
            what
        )
    };
    let frame_len = page + 24;
    let header_ok = (magic & !1) == 0x377f_0682
        && (512..=65536).contains(&page)
        && page.is_power_of_two()
        && wal_checksum(big_endian, &data[..24], (0, 0)) == (be32(&data, 24), be32(&data, 28));
    let salts = (be32(&data, 16), be32(&data, 20));
    // Does the frame at `off` check out with these salts when its chain starts from `s`?
    let frame_with = |off: usize, s: (u32, u32), salts: (u32, u32)| -> bool {
        if page == 0 || off + frame_len > data.len() {
            return false;
        }
        let h = &data[off..off + 24];
        if (be32(h, 8), be32(h, 12)) != salts {
            return false;
        }
        let c = wal_checksum(big_endian, &h[..8], s);
        let c = wal_checksum(big_endian, &data[off + 24..off + frame_len], c);
        c == (be32(h, 16), be32(h, 20))
    };
    let frame_ok = |off: usize, s: (u32, u32)| frame_with(off, s, salts);
    let stored = (be32(&data, 24), be32(&data, 28));
    if !header_ok {
        // Frame 0 still checks out against the header's stored or recomputed checksum, with
        // its own salts: the header was damaged after the frames were written.
        if (512..=65536).contains(&page) && data.len() >= 32 + frame_len {
            let own = (be32(&data, 40), be32(&data, 44));
            let recomputed = wal_checksum(big_endian, &data[..24], (0, 0));
            if frame_with(32, stored, own) || frame_with(32, recomputed, own) {
                return Err(damaged("damaged WAL header".into()));
            }
        }
        return Ok(());
    }
    let mut s = stored;
    let mut off = 32;
    while off + frame_len <= data.len() {
        if frame_ok(off, s) {
            s = (be32(&data, off + 16), be32(&data, off + 20));
            off += frame_len;
            continue;
        }
        // First invalid frame: torn tail, stale frames of an earlier generation, or damage.
        let h = &data[off..off + 24];
        let recomputed = wal_checksum(
            big_endian,
            &data[off + 24..off + frame_len],
            wal_checksum(big_endian, &h[..8], s),
        );
        // Frames behind it that chain on from it are damage only if they reach a commit frame (one with the
        // database size in its header): a commit SQLite would drop. A chain that never commits is what a write
        // that failed half-way (a full disk) leaves behind a later, shorter commit: never acknowledged.
        let commits_behind = |mut s: (u32, u32)| -> bool {
            let mut at = off + frame_len;
            while frame_ok(at, s) {
                if be32(&data, at + 4) != 0 {
                    return true;
                }
                s = (be32(&data, at + 16), be32(&data, at + 20));
                at += frame_len;
            }
            false
        };
        if commits_behind((be32(h, 16), be32(h, 20))) || commits_behind(recomputed) {
            return Err(damaged(format!(
                "damaged frame {} at offset {}",
                (off - 32) / frame_len,
                off
            )));
        }
        break;
    }
    Ok(())
}

pub(crate) fn open_conn(path: &Path, create: bool) -> Result<Connection, String> {
    open_conn_with(path, create, false)
}

/// The writer's connection: its WAL frames go through the `wal_writes` shim, which needs the
/// sync at every commit that `synchronous=FULL` below gives.
fn open_writer_conn(path: &Path) -> Result<Connection, String> {
    open_conn_with(path, false, true)
}

fn open_conn_with(path: &Path, create: bool, gather_wal: bool) -> Result<Connection, String> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let c = if gather_wal {
        crate::wal_writes::register()
            .map_err(|e| format!("data file {}: {}", path.display(), e))?;
        Connection::open_with_flags_and_vfs(path, flags, crate::wal_writes::NAME)
    } else {
        Connection::open_with_flags(path, flags)
    }
    .map_err(|e| sql_err(path, "open", e))?;
    c.busy_timeout(Duration::from_secs(30))
        .map_err(|e| sql_err(path, "busy timeout", e))?;
    let mode: String = c
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(|e| sql_err(path, "journal mode", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!(
            "data file {}: could not switch to WAL journal mode (got {})",
            path.display(),
            mode
        ));
    }
    // A 4 MiB page cache holds the pages commits touch again (the last leaves of each table and
    // index, the rows of recent tasks); SQLite walks the whole cache at the end of every write
    // transaction, which with 32 MiB took ~10% of the soak's CPU. No automatic checkpoints: they
    // would run inside a commit (see `Checkpoints`).
    c.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-4096; PRAGMA wal_autocheckpoint=0;")
        .map_err(|e| sql_err(path, "pragmas", e))?;
    Ok(c)
}

/// Create the database under a temporary name, fill it with `ops`, then rename it into
/// place and write the marker, so a crash never leaves a half-made store behind.
fn create_db(dir: &Path, ops: Vec<Op>) -> Result<(), String> {
    let db_path = dir.join(DB_FILE);
    let tmp = dir.join(format!("{}.new", DB_FILE));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(format!("{}{}", tmp.display(), suffix));
    }
    {
        let mut c = Connection::open(&tmp).map_err(|e| sql_err(&tmp, "create", e))?;
        // A rollback journal while building: the finished file is self-contained.
        c.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")
            .map_err(|e| sql_err(&tmp, "pragmas", e))?;
        let tx = c.transaction().map_err(|e| sql_err(&tmp, "begin", e))?;
        tx.execute_batch(SCHEMA)
            .map_err(|e| sql_err(&tmp, "schema", e))?;
        tx.execute_batch(&format!(
            "PRAGMA application_id={}; PRAGMA user_version={};",
            APPLICATION_ID, SCHEMA_VERSION
        ))
        .map_err(|e| sql_err(&tmp, "schema", e))?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('format', ?1), ('live_tasks', 0)",
            params![FORMAT],
        )
        .map_err(|e| sql_err(&tmp, "meta", e))?;
        RowWriter::prepare(&tx)
            .and_then(|mut w| {
                let mut counts = Counts::default();
                w.apply(ops, &mut counts)?;
                w.write_counts(counts)
            })
            .map_err(|e| sql_err(&tmp, "write", e))?;
        tx.commit().map_err(|e| sql_err(&tmp, "commit", e))?;
    }
    File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("data file {}: fsync failed: {}", tmp.display(), e))?;
    fs::rename(&tmp, &db_path).map_err(|e| format!("data file {}: {}", db_path.display(), e))?;
    sync_dir(dir)?;
    write_marker(dir)
}

fn write_marker(dir: &Path) -> Result<(), String> {
    let marker = dir.join(MARKER_FILE);
    let text = format!(
        "{} {}\nThis directory holds the engine's data in {}. Do not delete {} while this file exists.\n",
        FORMAT, SCHEMA_VERSION, DB_FILE, DB_FILE
    );
    fs::write(&marker, text)
        .and_then(|_| File::open(&marker).and_then(|f| f.sync_all()))
        .map_err(|e| format!("data file {}: {}", marker.display(), e))?;
    sync_dir(dir)
}

/// The statements that write rows, prepared once per connection: looking them up in rusqlite's
/// statement cache (hashing the SQL text, then returning the statement to it) was a tenth of the
/// writer thread's instructions.
struct RowWriter<'c> {
    template: rusqlite::Statement<'c>,
    task: rusqlite::Statement<'c>,
    step: rusqlite::Statement<'c>,
    live: rusqlite::Statement<'c>,
    counts: rusqlite::Statement<'c>,
}

impl<'c> RowWriter<'c> {
    fn prepare(c: &'c Connection) -> rusqlite::Result<RowWriter<'c>> {
        Ok(RowWriter {
            template: c.prepare(
                "INSERT OR IGNORE INTO templates(id, source, text, env, crc) VALUES(?1, ?2, ?3, ?4, ?5)",
            )?,
            task: c.prepare(
                "INSERT INTO tasks(seq, uuid, identity, namespace, state, archived, finished_at, nsteps, body, crc, ident_key)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(seq) DO UPDATE SET state=excluded.state, archived=excluded.archived,
                   finished_at=excluded.finished_at, nsteps=excluded.nsteps, body=excluded.body, crc=excluded.crc",
            )?,
            step: c.prepare(
                "INSERT INTO steps(id, body, crc) VALUES(?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET body=excluded.body, crc=excluded.crc",
            )?,
            live: c.prepare("UPDATE meta SET value = value + ?1 WHERE key = 'live_tasks'")?,
            counts: c.prepare(
                "INSERT INTO archived_counts(namespace, state, n) VALUES(?1, ?2, ?3)
                 ON CONFLICT(namespace, state) DO UPDATE SET n = n + excluded.n",
            )?,
        })
    }

    /// Apply row writes inside the connection's open transaction (the writer thread's commits
    /// and migration), adding their changes of the task counts to `counts`.
    fn apply(&mut self, ops: Vec<Op>, counts: &mut Counts) -> rusqlite::Result<()> {
        for op in ops {
            match op {
                Op::Template {
                    id,
                    source,
                    text,
                    env,
                } => {
                    let crc = template_crc(id, &source, &text, env.as_deref());
                    self.template.execute(params![id, source, text, env, crc])?;
                }
                Op::Task(r) => {
                    let crc = task_crc(
                        r.seq,
                        &r.uuid,
                        &r.identity,
                        &r.namespace,
                        r.state,
                        r.archive,
                        r.finished_at,
                        r.nsteps,
                        &r.body,
                    );
                    self.task.execute(params![
                        r.seq,
                        &r.uuid[..],
                        r.identity,
                        r.namespace,
                        r.state,
                        r.archive as i64,
                        r.finished_at,
                        r.nsteps,
                        r.body,
                        crc,
                        ident_key(&r.identity)
                    ])?;
                    if r.created {
                        counts.live += 1;
                    }
                    if r.archive {
                        counts.live -= 1;
                        *counts.archived.entry((r.namespace, r.state)).or_insert(0) += 1;
                    }
                }
                Op::Step {
                    task_seq,
                    idx,
                    body,
                } => {
                    let crc = step_crc(task_seq, idx, &body);
                    self.step
                        .execute(params![step_key(task_seq, idx), body, crc])?;
                }
            }
        }
        Ok(())
    }

    /// Write the count changes of a transaction's row writes: once per commit, not per caller,
    /// since each is a statement on the same two rows.
    fn write_counts(&mut self, counts: Counts) -> rusqlite::Result<()> {
        if counts.live != 0 {
            self.live.execute(params![counts.live])?;
        }
        for ((ns, state), n) in counts.archived {
            self.counts.execute(params![ns, state, n])?;
        }
        Ok(())
    }
}

/// Changes of the live-task count and of the archived counts per (namespace, state).
#[derive(Default)]
struct Counts {
    live: i64,
    archived: HashMap<(String, &'static str), i64>,
}

impl Store {
    /// Open the data directory: lock it, validate the database (or create it, or find the
    /// previous format to migrate), and start the writer thread.
    pub fn open(dir: &Path, retention: Retention) -> Result<Opened, String> {
        let lock = lock_dir(dir)?;
        let db_path = dir.join(DB_FILE);
        let marker = dir.join(MARKER_FILE);
        let legacy = crate::legacy::present(dir);
        if !db_path.exists() {
            let wal = PathBuf::from(format!("{}-wal", db_path.display()));
            if marker.exists() || wal.exists() {
                return Err(format!(
                    "data file {} is missing although the directory held a store ({} exists); restore the database from a backup, or remove {} to start empty on purpose",
                    db_path.display(),
                    if marker.exists() { marker.display().to_string() } else { wal.display().to_string() },
                    marker.display()
                ));
            }
            if legacy {
                let records = crate::legacy::read(dir)?;
                return Ok(Opened::Legacy(records, lock));
            }
            create_db(dir, Vec::new())?;
        } else if legacy {
            // A migration finished but stopped before setting the old files aside.
            crate::legacy::set_aside(dir)?;
        }
        Self::open_existing(dir, retention, lock).map(|s| Opened::Ready(Box::new(s)))
    }

    /// Write migrated rows as a new database (atomically), set the old files aside, open it.
    pub fn finish_migration(
        dir: &Path,
        ops: Vec<Op>,
        retention: Retention,
        lock: File,
    ) -> Result<Store, String> {
        create_db(dir, ops)?;
        crate::legacy::set_aside(dir)?;
        Self::open_existing(dir, retention, lock)
    }

    fn open_existing(dir: &Path, retention: Retention, lock: File) -> Result<Store, String> {
        let db_path = dir.join(DB_FILE);
        check_header(&db_path)?;
        check_wal(&db_path)?;
        let writer = open_writer_conn(&db_path)?;
        let app: i32 = writer
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| sql_err(&db_path, "read header", e))?;
        if app != APPLICATION_ID {
            return Err(format!(
                "data file {}: not a tasker engine database (application id {:#x})",
                db_path.display(),
                app
            ));
        }
        let version: i32 = writer
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sql_err(&db_path, "read header", e))?;
        if version != SCHEMA_VERSION && version != 1 {
            return Err(format!(
                "data file {}: unknown schema version {} (this engine reads versions 1 and {})",
                db_path.display(),
                version,
                SCHEMA_VERSION
            ));
        }
        let format: Option<String> = writer
            .query_row("SELECT value FROM meta WHERE key='format'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| sql_err(&db_path, "read meta", e))?;
        if format.as_deref() != Some(FORMAT) {
            return Err(format!(
                "data file {}: damaged or foreign meta table (format {:?})",
                db_path.display(),
                format
            ));
        }
        if version == 1 {
            check_schema(
                &writer,
                &db_path,
                1,
                &format!("{}{}", SCHEMA, SCHEMA_V1_EXTRA),
            )?;
            migrate_v1(&writer, &db_path)?;
            write_marker(dir)?;
        }
        check_schema(&writer, &db_path, SCHEMA_VERSION, SCHEMA)?;
        let size = fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);
        let checker = if size <= FULL_CHECK_BYTES {
            integrity(&writer, &db_path, "integrity_check")?;
            None
        } else {
            let p = db_path.clone();
            Some(
                std::thread::Builder::new()
                    .name("tasker-store-check".into())
                    .spawn(move || {
                        let r = open_conn(&p, false)
                            .and_then(|c| integrity(&c, &p, "quick_check"));
                        match r {
                            Ok(()) => logging::info(&format!("data file {}: quick_check ok", p.display())),
                            Err(e) => logging::error(&format!(
                                "{} (found by the background check after bootstrap; stop the worker and restore the database)",
                                e
                            )),
                        }
                    })
                    .map_err(|e| format!("store check thread: {}", e))?,
            )
        };
        if !dir.join(MARKER_FILE).exists() {
            write_marker(dir)?;
        }
        let reader = open_conn(&db_path, false)?;
        // A small page cache: under continuous commits SQLite discards a reader's cache at the
        // start of every read (the WAL changed), and discarding a large one is what cost.
        reader
            .execute_batch("PRAGMA query_only=1; PRAGMA cache_size=-1024;")
            .map_err(|e| sql_err(&db_path, "pragmas", e))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: Vec::new(),
                last_error: None,
                epoch: 0,
                shutdown: false,
                idle: false,
                want: usize::MAX,
                last_arrival: Instant::now(),
                waiters: Vec::new(),
            }),
            work: Condvar::new(),
            committed: AtomicU64::new(0),
            failed_upto: AtomicU64::new(0),
            broken: AtomicBool::new(false),
            db_path: db_path.clone(),
            ckpt: Checkpoints {
                pass: Mutex::new(()),
                state: Mutex::new(CkptState {
                    commits: 0,
                    shutdown: false,
                    idle: false,
                }),
                wake: Condvar::new(),
                final_wanted: AtomicBool::new(false),
                final_log: AtomicU64::new(0),
            },
        });
        let ckpt_conn = open_conn(&db_path, false)?;
        ckpt_conn
            .execute_batch("PRAGMA cache_size=-1024;")
            .map_err(|e| sql_err(&db_path, "pragmas", e))?;
        let sh = shared.clone();
        let checkpointer = std::thread::Builder::new()
            .name("tasker-store-checkpoint".into())
            .spawn(move || checkpoint_loop(ckpt_conn, sh))
            .map_err(|e| format!("store checkpoint thread: {}", e))?;
        let identities = IdentityFilter::start(&db_path)?;
        let sh = shared.clone();
        let handle = std::thread::Builder::new()
            .name("tasker-store-writer".into())
            .spawn(move || writer_loop(writer, sh, retention))
            .map_err(|e| format!("store writer thread: {}", e))?;
        Ok(Store {
            db_path,
            reader,
            shared,
            next_ticket: 0,
            writer: Some(handle),
            checker,
            checkpointer: Some(checkpointer),
            identities,
            _lock: lock,
        })
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Queue row writes; the ticket tells when they are durable.
    pub fn submit(&mut self, ops: Vec<Op>) -> Ticket {
        for op in &ops {
            if let Op::Task(r) = op {
                if r.created {
                    self.identities.add(ident_key(&r.identity));
                }
            }
        }
        self.next_ticket += 1;
        let n = self.next_ticket;
        let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        let epoch = st.epoch;
        st.queue.push(Batch {
            ticket: n,
            epoch,
            ops,
        });
        st.last_arrival = Instant::now();
        // Wake the writer only when it waits for this: a wake-up per operation cost as much
        // CPU as the commits' frame writes. While it commits, it finds the queue afterwards.
        let wake = st.idle || st.queue.len() >= st.want;
        if wake {
            st.idle = false;
            st.want = usize::MAX;
        }
        drop(st);
        if wake {
            self.shared.work.notify_one();
        }
        if self.identities.wants_rescan() {
            let sh = self.shared.clone();
            self.identities.rescan(move || {
                sh.committed.load(Ordering::Acquire) >= n
                    || sh.failed_upto.load(Ordering::Acquire) >= n
            });
        }
        Ticket {
            shared: self.shared.clone(),
            n,
        }
    }

    /// The identities of the tasks present at open have been read into the filter.
    pub fn identities_scanned(&self) -> bool {
        self.identities.ready()
    }

    /// Highest ticket whose transaction is committed.
    pub fn committed(&self) -> u64 {
        self.shared.committed.load(Ordering::Acquire)
    }

    /// A commit failed since the last reset: memory is ahead of the disk.
    pub fn broken(&self) -> bool {
        self.shared.broken.load(Ordering::Acquire)
    }

    /// Fail every write not yet committed and accept new ones (the engine reloads first).
    pub fn reset_after_failure(&mut self) {
        let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        st.queue.clear();
        self.shared
            .failed_upto
            .fetch_max(self.next_ticket, Ordering::AcqRel);
        st.epoch += 1;
        self.shared.broken.store(false, Ordering::Release);
        let woken = settled_waiters(&self.shared, &mut st);
        drop(st);
        unpark_all(woken);
    }

    fn rerr(&self, what: &str, e: rusqlite::Error) -> String {
        sql_err(&self.db_path, what, e)
    }

    fn damaged(&self, what: String) -> String {
        format!(
            "data file {}: {} is damaged (checksum mismatch)",
            self.db_path.display(),
            what
        )
    }

    pub fn load_templates(&self) -> Result<Vec<StoredTemplate>, String> {
        let mut st = self
            .reader
            .prepare("SELECT id, source, text, env, crc FROM templates ORDER BY id")
            .map_err(|e| self.rerr("read templates", e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.rerr("read templates", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, source, text, env, crc) = row.map_err(|e| self.rerr("read templates", e))?;
            if template_crc(id, &source, &text, env.as_deref()) != crc {
                return Err(self.damaged(format!("template row {}", id)));
            }
            out.push((id, source, text, env));
        }
        Ok(out)
    }

    fn read_task_where(
        &self,
        clause: &str,
        arg: &dyn rusqlite::ToSql,
    ) -> Result<Option<StoredTask>, String> {
        let sql = format!(
            "SELECT seq, uuid, identity, namespace, state, archived, finished_at, nsteps, body, crc FROM tasks WHERE {}",
            clause
        );
        let row = self
            .reader
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row([arg], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, i64>(9)?,
                    ))
                })
                .optional()
            })
            .map_err(|e| self.rerr("read task", e))?;
        let (seq, uuid, identity, ns, state, archived, finished_at, nsteps, body, crc) = match row {
            None => return Ok(None),
            Some(r) => r,
        };
        if task_crc(
            seq,
            &uuid,
            &identity,
            &ns,
            &state,
            archived != 0,
            finished_at,
            nsteps,
            &body,
        ) != crc
        {
            return Err(self.damaged(format!("task row {}", seq)));
        }
        let steps = self.read_steps(seq, nsteps)?;
        Ok(Some(StoredTask {
            seq,
            identity,
            archived: archived != 0,
            body,
            steps,
        }))
    }

    fn read_steps(&self, seq: i64, nsteps: i64) -> Result<Vec<String>, String> {
        let mut st = self
            .reader
            .prepare_cached(
                "SELECT id, body, crc FROM steps WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
            )
            .map_err(|e| self.rerr("read steps", e))?;
        let base = step_key(seq, 0);
        let rows = st
            .query_map([base, step_key(seq, (1 << STEP_BITS) - 1)], |r| {
                Ok((
                    r.get::<_, i64>(0)? - base,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.rerr("read steps", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (idx, body, crc) = row.map_err(|e| self.rerr("read steps", e))?;
            if idx != out.len() as i64 || step_crc(seq, idx, &body) != crc {
                return Err(self.damaged(format!("step row ({}, {})", seq, idx)));
            }
            out.push(body);
        }
        if out.len() as i64 != nsteps {
            return Err(format!(
                "data file {}: task row {} has {} step rows, expected {} (damaged)",
                self.db_path.display(),
                seq,
                out.len(),
                nsteps
            ));
        }
        Ok(out)
    }

    pub fn task_by_uuid(&self, uuid: &[u8; 16]) -> Result<Option<StoredTask>, String> {
        self.read_task_where("uuid = ?1", &&uuid[..])
    }

    pub fn task_by_seq(&self, seq: i64) -> Result<Option<StoredTask>, String> {
        self.read_task_where("seq = ?1", &seq)
    }

    /// Every live (not archived) task, in creation order; the count must match the meta row.
    pub fn load_live(&self) -> Result<Vec<StoredTask>, String> {
        let seqs: Vec<i64> = {
            let mut st = self
                .reader
                .prepare("SELECT seq FROM tasks WHERE archived = 0 ORDER BY seq")
                .map_err(|e| self.rerr("read live tasks", e))?;
            let rows = st
                .query_map([], |r| r.get(0))
                .map_err(|e| self.rerr("read live tasks", e))?;
            rows.collect::<Result<_, _>>()
                .map_err(|e| self.rerr("read live tasks", e))?
        };
        let expected: i64 = self
            .reader
            .query_row("SELECT value FROM meta WHERE key='live_tasks'", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.rerr("read meta", e))?;
        if expected != seqs.len() as i64 {
            return Err(format!(
                "data file {}: {} live tasks found, the store recorded {} (damaged index or table)",
                self.db_path.display(),
                seqs.len(),
                expected
            ));
        }
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            match self.task_by_seq(seq)? {
                Some(t) if !t.archived => out.push(t),
                _ => {
                    return Err(format!(
                        "data file {}: live task row {} vanished or changed while loading (damaged index)",
                        self.db_path.display(),
                        seq
                    ))
                }
            }
        }
        Ok(out)
    }

    pub fn max_seq(&self) -> Result<i64, String> {
        self.reader
            .query_row("SELECT COALESCE(MAX(seq), -1) FROM tasks", [], |r| r.get(0))
            .map_err(|e| self.rerr("read tasks", e))
    }

    /// The task (uuid text) that already has this identity, if any.
    pub fn identity_owner(&self, identity: &str) -> Result<Option<[u8; 16]>, String> {
        if !self.identities.may_hold(ident_key(identity)) {
            return Ok(None);
        }
        let r: Option<Vec<u8>> = self
            .reader
            .prepare_cached("SELECT uuid FROM tasks WHERE ident_key = ?1 AND identity = ?2")
            .and_then(|mut s| {
                s.query_row(params![ident_key(identity), identity], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.rerr("read identity", e))?;
        Ok(r.and_then(|b| b.try_into().ok()))
    }

    fn filter_sql(ns: Option<&str>, state: Option<&str>) -> (String, Vec<String>) {
        let mut w = String::new();
        let mut args = Vec::new();
        if let Some(n) = ns {
            args.push(n.to_string());
            w.push_str(&format!(" AND namespace = ?{}", args.len()));
        }
        if let Some(s) = state {
            args.push(s.to_string());
            w.push_str(&format!(" AND state = ?{}", args.len()));
        }
        (w, args)
    }

    /// For a listing by namespace alone or by state alone: the newest-first query over each
    /// (namespace, state) group of `tasks_by_ns_state` that has tasks, as one `UNION ALL`, which
    /// SQLite merges group by group, reading no more rows than the page needs. None for the
    /// other filters (both, or neither: the table's own order serves) and past SQLite's limit
    /// of compound arms, where the plain query (a scan) still answers.
    fn merged_groups(
        tx: &rusqlite::Transaction<'_>,
        ns: Option<&str>,
        state: Option<&str>,
    ) -> rusqlite::Result<Option<(String, Vec<String>)>> {
        let groups: Vec<(String, String)> = match (ns, state) {
            (Some(n), None) => {
                let mut st = tx.prepare_cached(
                    "SELECT namespace, state FROM archived_counts WHERE namespace = ?1 AND n > 0",
                )?;
                let r = st.query_map([n], |r| Ok((r.get(0)?, r.get(1)?)))?;
                r.collect::<Result<_, _>>()?
            }
            (None, Some(s)) => {
                let mut st = tx.prepare_cached(
                    "SELECT namespace, state FROM archived_counts WHERE state = ?1 AND n > 0",
                )?;
                let r = st.query_map([s], |r| Ok((r.get(0)?, r.get(1)?)))?;
                r.collect::<Result<_, _>>()?
            }
            _ => return Ok(None),
        };
        if groups.is_empty() || groups.len() > MAX_MERGED_GROUPS {
            return Ok(None);
        }
        let mut sql = String::new();
        let mut args = Vec::with_capacity(groups.len() * 2);
        for (n, s) in groups {
            if !sql.is_empty() {
                sql.push_str(" UNION ALL ");
            }
            sql.push_str(&format!(
                "SELECT seq FROM tasks WHERE archived = 1 AND namespace = ?{} AND state = ?{}",
                args.len() + 1,
                args.len() + 2
            ));
            args.push(n);
            args.push(s);
        }
        sql.push_str(" ORDER BY 1 DESC");
        Ok(Some((sql, args)))
    }

    /// One consistent read for a listing page: the number of archived tasks matching the
    /// filters (less those among `resident`, which memory serves) and the newest `want`
    /// matching archived seqs that are not in `resident`.
    pub fn archived_listing(
        &mut self,
        ns: Option<&str>,
        state: Option<&str>,
        resident: &[i64],
        want: usize,
    ) -> Result<(u64, Vec<i64>), String> {
        let path = self.db_path.clone();
        let e = |what: &str, err: rusqlite::Error| sql_err(&path, what, err);
        let tx = self
            .reader
            .transaction()
            .map_err(|x| e("read listing", x))?;
        let (w, args) = Self::filter_sql(ns, state);
        let total: i64 = tx
            .query_row(
                &format!(
                    "SELECT COALESCE(SUM(n), 0) FROM archived_counts WHERE 1=1{}",
                    w
                ),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )
            .map_err(|x| e("read listing", x))?;
        let mut dup = 0i64;
        if !resident.is_empty() {
            let list: Vec<String> = resident.iter().map(|s| s.to_string()).collect();
            dup = tx
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM tasks WHERE archived = 1{} AND seq IN ({})",
                        w,
                        list.join(",")
                    ),
                    rusqlite::params_from_iter(args.iter()),
                    |r| r.get(0),
                )
                .map_err(|x| e("read listing", x))?;
        }
        let mut seqs = Vec::new();
        if want > 0 {
            let (sql, args) = match Self::merged_groups(&tx, ns, state) {
                Ok(Some(q)) => q,
                Ok(None) => (
                    format!(
                        "SELECT seq FROM tasks WHERE archived = 1{} ORDER BY seq DESC",
                        w
                    ),
                    args,
                ),
                Err(x) => return Err(e("read listing", x)),
            };
            let mut st = tx
                .prepare(&format!("{} LIMIT {}", sql, want + dup as usize))
                .map_err(|x| e("read listing", x))?;
            let rows = st
                .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(|x| e("read listing", x))?;
            for r in rows {
                let s = r.map_err(|x| e("read listing", x))?;
                if !resident.contains(&s) {
                    seqs.push(s);
                }
            }
            seqs.truncate(want);
        }
        tx.commit().map_err(|x| e("read listing", x))?;
        Ok(((total - dup).max(0) as u64, seqs))
    }
}

fn schema_of(c: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = c.prepare(
        "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The tables and indexes must be exactly those this version creates: the version number
/// alone would not catch a file altered by hand or by a build with another layout.
fn check_schema(c: &Connection, path: &Path, version: i32, schema: &str) -> Result<(), String> {
    let want = Connection::open_in_memory()
        .and_then(|m| m.execute_batch(schema).map(|_| m))
        .and_then(|m| schema_of(&m))
        .map_err(|e| format!("schema check: {}", e))?;
    let have = schema_of(c).map_err(|e| sql_err(path, "read schema", e))?;
    if have != want {
        let diff: Vec<&String> = have.iter().filter(|x| !want.contains(x)).collect();
        let missing: Vec<&String> = want.iter().filter(|x| !have.contains(x)).collect();
        return Err(format!(
            "data file {}: tables or indexes differ from schema version {} (unexpected: {:?}; missing: {:?})",
            path.display(),
            version,
            diff,
            missing
        ));
    }
    Ok(())
}

/// Version 1 to 2, once, in one transaction: a crash leaves either version, never a mix.
fn migrate_v1(c: &Connection, path: &Path) -> Result<(), String> {
    c.execute_batch(&format!(
        "BEGIN IMMEDIATE; DROP INDEX tasks_by_ns; DROP INDEX tasks_by_state; PRAGMA user_version={}; COMMIT;",
        SCHEMA_VERSION
    ))
    .map_err(|e| {
        let _ = c.execute_batch("ROLLBACK");
        sql_err(path, "migrate schema 1 to 2", e)
    })?;
    logging::info(&format!(
        "data file {}: schema migrated from version 1 to {} (two listing indexes dropped)",
        path.display(),
        SCHEMA_VERSION
    ));
    Ok(())
}

fn integrity(c: &Connection, path: &Path, pragma: &str) -> Result<(), String> {
    let mut st = c
        .prepare(&format!("PRAGMA {}", pragma))
        .map_err(|e| sql_err(path, pragma, e))?;
    let rows: Vec<String> = st
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| sql_err(path, pragma, e))?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(format!(
            "data file {}: damaged ({} reports: {})",
            path.display(),
            pragma,
            rows.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
        ))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        {
            let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
            st.shutdown = true;
        }
        self.shared.work.notify_all();
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
        {
            let mut st = self
                .shared
                .ckpt
                .state
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            st.shutdown = true;
        }
        self.shared.ckpt.wake.notify_all();
        if let Some(h) = self.checkpointer.take() {
            let _ = h.join();
        }
        if let Some(h) = self.checker.take() {
            let _ = h.join();
        }
    }
}

/// Longest wait for more operations to join a commit, and the longest pause between two
/// arrivals that still counts as one burst.
const GATHER_MAX: Duration = Duration::from_micros(1500);
const GATHER_GAP: Duration = Duration::from_micros(250);
/// Gather only once a commit's write and sync take this long (smoothed): below it, a separate
/// commit costs less than the wait, and the operations that arrive while one commit runs form
/// the next group by themselves (measured crossover: syncs of about 1 ms on top of the writes).
const GATHER_FROM: Duration = Duration::from_millis(2);

/// Group commit with many callers: each caller waits for the commit holding its operation,
/// then submits its next one. Committing as soon as the first of them arrives splits them
/// into two groups that commit in turns, each paying a whole sync for half of the
/// operations. So when the last commit showed `expect` active callers, wait (briefly) until
/// that many operations are queued, or arrivals stop. Only while commits are slow (see
/// `GATHER_FROM`), and bounded by what a commit's write and sync take (`max_wait`): waiting
/// longer than a separate commit would cost only idles the writer while the callers queue up
/// behind the engine lock.
fn gather<'a>(
    sh: &'a Shared,
    mut st: std::sync::MutexGuard<'a, State>,
    expect: usize,
    max_wait: Duration,
) -> std::sync::MutexGuard<'a, State> {
    let start = Instant::now();
    while st.queue.len() < expect && !st.shutdown {
        let now = Instant::now();
        let until = (start + max_wait).min(st.last_arrival.max(start) + GATHER_GAP);
        if now >= until {
            break;
        }
        st.want = expect;
        st = sh
            .work
            .wait_timeout(st, until - now)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    st.want = usize::MAX;
    st
}

fn writer_loop(conn: Connection, sh: Arc<Shared>, retention: Retention) {
    let path = sh.db_path.clone();
    // Prepared on the first commit (a failure there fails that commit like any write error).
    let mut rows: Option<RowWriter<'_>> = None;
    let mut applied_pages = 0u64;
    let mut last_retention = Instant::now() - Duration::from_secs(3600);
    let mut retention_due = true;
    // Operations expected for the next commit: those of the last commit plus those that
    // arrived while it ran (the callers seen to be active).
    let mut expect = 0usize;
    // Recent cost of a commit's write and sync (the bound of a gather), smoothed.
    let mut commit_cost = GATHER_MAX;
    loop {
        let gather_max = if commit_cost >= GATHER_FROM {
            commit_cost.min(GATHER_MAX)
        } else {
            Duration::ZERO
        };
        let batches = {
            let mut st = sh.state.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if !st.queue.is_empty() {
                    st = gather(&sh, st, expect, gather_max);
                    break;
                }
                if st.shutdown {
                    return;
                }
                let wait = if retention_due {
                    Duration::from_millis(retention.interval_ms.max(1))
                } else {
                    Duration::from_secs(1)
                };
                st.idle = true;
                let (g, timeout) = sh
                    .work
                    .wait_timeout(st, wait)
                    .unwrap_or_else(|p| p.into_inner());
                st = g;
                st.idle = false;
                if timeout.timed_out() && st.queue.is_empty() {
                    // Idle: time passes, so age-based retention may have work again.
                    retention_due = true;
                    break;
                }
            }
            let batches = std::mem::take(&mut st.queue);
            let stale =
                sh.broken.load(Ordering::Acquire) || batches.iter().any(|b| b.epoch != st.epoch);
            if stale && !batches.is_empty() {
                // Built on state that a failed commit invalidated: fail, never write.
                sh.failed_upto.fetch_max(
                    batches.last().map(|b| b.ticket).unwrap_or(0),
                    Ordering::AcqRel,
                );
                let woken = settled_waiters(&sh, &mut st);
                drop(st);
                unpark_all(woken);
                continue;
            }
            batches
        };
        if !batches.is_empty() {
            let pages = MAX_PAGES.load(Ordering::SeqCst);
            if pages != applied_pages {
                let v = if pages == 0 { 1_073_741_823 } else { pages };
                let _ = conn.query_row(&format!("PRAGMA max_page_count={}", v), [], |_| Ok(()));
                applied_pages = pages;
            }
            let last = batches.last().map(|b| b.ticket).unwrap_or(0);
            let in_commit = batches.len();
            let r = commit_batches(&conn, &mut rows, batches).map(|took| {
                commit_cost = (commit_cost * 7 + took) / 8;
            });

            let mut st = sh.state.lock().unwrap_or_else(|p| p.into_inner());
            expect = in_commit + st.queue.len();
            match r {
                Ok(()) => sh.committed.store(last, Ordering::Release),
                Err(e) => {
                    let msg = format!("{}", e);
                    logging::error(&format!(
                        "data file {}: commit failed, the engine reloads its live state from disk: {}",
                        path.display(),
                        msg
                    ));
                    st.last_error = Some(msg);
                    sh.failed_upto.fetch_max(last, Ordering::AcqRel);
                    sh.broken.store(true, Ordering::Release);
                }
            }
            let woken = settled_waiters(&sh, &mut st);
            drop(st);
            unpark_all(woken);
            retention_due = true;
            let idle = {
                let mut c = sh.ckpt.state.lock().unwrap_or_else(|p| p.into_inner());
                c.commits += 1;
                c.idle
            };
            // Only a waiting checkpointer needs the wake-up (a system call every commit).
            if idle {
                sh.ckpt.wake.notify_one();
            }
            writer_checkpoint(&conn, &sh);
        }
        if retention_due && last_retention.elapsed() >= Duration::from_millis(retention.interval_ms)
        {
            last_retention = Instant::now();
            match retention_tick(&conn, &retention) {
                Ok(n) => retention_due = n > 0,
                Err(e) => {
                    logging::warn(&format!(
                        "data file {}: retention pass failed (retried later): {}",
                        path.display(),
                        e
                    ));
                }
            }
        }
    }
}

/// Commit the batches in one transaction; the time its write and sync took.
fn commit_batches<'c>(
    conn: &'c Connection,
    rows: &mut Option<RowWriter<'c>>,
    batches: Vec<Batch>,
) -> rusqlite::Result<Duration> {
    // Unchecked: the writer's prepared statements borrow the connection the transaction uses.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    if rows.is_none() {
        *rows = Some(RowWriter::prepare(conn)?);
    }
    let w = rows.as_mut().expect("prepared above");
    let mut counts = Counts::default();
    for b in batches {
        w.apply(b.ops, &mut counts)?;
    }
    w.write_counts(counts)?;
    if FAIL_COMMITS
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        tx.rollback()?;
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
            Some("injected write failure".into()),
        ));
    }
    let t = Instant::now();
    tx.commit()?;
    Ok(t.elapsed())
}

/// Delete at most one batch of archived tasks that retention no longer keeps.
fn retention_tick(conn: &Connection, r: &Retention) -> rusqlite::Result<usize> {
    if r.keep_all || (r.max_age_ms.is_none() && r.max_count.is_none()) {
        return Ok(0);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let mut victims: Vec<(i64, String, String)> = Vec::new();
    if let Some(max) = r.max_count {
        let total: i64 =
            tx.query_row("SELECT COALESCE(SUM(n), 0) FROM archived_counts", [], |x| {
                x.get(0)
            })?;
        let excess = (total - max as i64).max(0) as usize;
        if excess > 0 {
            let mut st = tx.prepare_cached(
                "SELECT seq, namespace, state FROM tasks WHERE archived = 1 ORDER BY seq LIMIT ?1",
            )?;
            let rows = st.query_map([excess.min(r.batch) as i64], |x| {
                Ok((x.get(0)?, x.get(1)?, x.get(2)?))
            })?;
            for row in rows {
                victims.push(row?);
            }
        }
    }
    if let Some(age) = r.max_age_ms {
        if victims.len() < r.batch {
            let cutoff = crate::time::now_micros() - (age as i64).saturating_mul(1000);
            let mut st = tx.prepare_cached(
                "SELECT seq, namespace, state FROM tasks WHERE archived = 1 AND finished_at < ?1 ORDER BY finished_at LIMIT ?2",
            )?;
            let rows = st.query_map(params![cutoff, (r.batch - victims.len()) as i64], |x| {
                Ok((x.get(0)?, x.get(1)?, x.get(2)?))
            })?;
            for row in rows {
                let v: (i64, String, String) = row?;
                if !victims.iter().any(|x| x.0 == v.0) {
                    victims.push(v);
                }
            }
        }
    }
    let n = victims.len();
    let mut dec: HashMap<(String, String), i64> = HashMap::new();
    for (seq, ns, state) in victims {
        tx.prepare_cached("DELETE FROM steps WHERE id BETWEEN ?1 AND ?2")?
            .execute([step_key(seq, 0), step_key(seq, (1 << STEP_BITS) - 1)])?;
        tx.prepare_cached("DELETE FROM tasks WHERE seq = ?1")?
            .execute([seq])?;
        *dec.entry((ns, state)).or_insert(0) += 1;
    }
    for ((ns, state), k) in dec {
        tx.prepare_cached(
            "UPDATE archived_counts SET n = n - ?3 WHERE namespace = ?1 AND state = ?2",
        )?
        .execute(params![ns, state, k])?;
    }
    tx.commit()?;
    Ok(n)
}
