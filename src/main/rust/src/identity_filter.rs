//! Which identity keys a stored task might hold: Bloom filters over the 64-bit `ident_key`.
//!
//! A create whose identity is not live asks the database whether an archived task holds it.
//! The answer is almost always no, and under continuous commits that read is not cheap:
//! SQLite drops a reader's page cache whenever the WAL changed, so each lookup reads the index
//! pages again (about a tenth of a durable create's CPU, inside the engine lock). The filter
//! answers "certainly not" without the read. It never says no for a stored key, so a
//! duplicate is still found by the database read that a "maybe" leads to.
//!
//! Keys of the tasks already in the database at open come from a scan on a thread of its
//! own; until it has finished every lookup reads the database, as before. Keys of the tasks
//! created since are added as their rows are queued. Retention's deletions are not removed (a
//! deleted key only costs a database read that finds nothing); instead, once the keys added
//! since the last scan outnumber those it found (and at least `RESCAN_FLOOR`), the filter starts
//! over with a new scan, so its memory follows what the database holds, not the process's age.

use crate::logging;
use crate::store::{open_conn, sql_err};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

/// 12 bits and 8 probes per key: about 0.3% false positives in each filter.
const BITS_PER_KEY: usize = 12;
const PROBES: u64 = 8;
/// Capacity of the first filter for keys created after open; each next one doubles it.
const FIRST_CAPACITY: usize = 1 << 16;
/// Keys added since the last scan before a new one may start (see the module comment).
const RESCAN_FLOOR: usize = 1 << 20;
/// Test hook: another floor (0 = `RESCAN_FLOOR`).
static FLOOR: AtomicUsize = AtomicUsize::new(0);
/// Scans finished, for the tests.
static SCANS: AtomicUsize = AtomicUsize::new(0);

pub fn set_rescan_floor(n: usize) {
    FLOOR.store(n, Ordering::SeqCst);
}

pub fn scans_finished() -> usize {
    SCANS.load(Ordering::SeqCst)
}

/// A fixed-size Bloom filter for up to `cap` keys at its designed false-positive rate.
pub struct Bloom {
    words: Vec<u64>,
    mask: u64,
    len: usize,
    cap: usize,
}

/// The probe positions of a key. `ident_key` is already a hash prefix for hashed identities,
/// but a CRC for other ones, so it is mixed first (splitmix64's finaliser).
fn probes(key: i64) -> impl Iterator<Item = u64> {
    let mut z = key as u64;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let step = z.rotate_left(32) | 1;
    (0..PROBES).map(move |i| z.wrapping_add(i.wrapping_mul(step)))
}

impl Bloom {
    pub fn with_capacity(cap: usize) -> Bloom {
        let bits = (cap.max(64) * BITS_PER_KEY).next_power_of_two();
        Bloom {
            words: vec![0; bits / 64],
            mask: bits as u64 - 1,
            len: 0,
            cap: cap.max(64),
        }
    }

    pub fn insert(&mut self, key: i64) {
        for p in probes(key) {
            let b = p & self.mask;
            self.words[(b >> 6) as usize] |= 1 << (b & 63);
        }
        self.len += 1;
    }

    pub fn contains(&self, key: i64) -> bool {
        probes(key).all(|p| {
            let b = p & self.mask;
            self.words[(b >> 6) as usize] & (1 << (b & 63)) != 0
        })
    }

    fn full(&self) -> bool {
        self.len >= self.cap
    }
}

/// The keys the last scan found (once it has finished) and those added since it began.
pub struct IdentityFilter {
    db_path: PathBuf,
    opened: Arc<OnceLock<Bloom>>,
    since: Vec<Bloom>,
    added: usize,
    scanner: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl IdentityFilter {
    fn new(db_path: &Path) -> IdentityFilter {
        IdentityFilter {
            db_path: db_path.to_path_buf(),
            opened: Arc::new(OnceLock::new()),
            since: vec![Bloom::with_capacity(FIRST_CAPACITY)],
            added: 0,
            scanner: None,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Start scanning the keys stored in `db_path` on a thread of its own. A failed scan only
    /// leaves every create reading the database, as without the filter.
    pub fn start(db_path: &Path) -> Result<IdentityFilter, String> {
        let mut f = IdentityFilter::new(db_path);
        f.spawn_scan(Box::new(|| true))?;
        Ok(f)
    }

    /// Scan once `settled()` says every row queued before now is committed or failed (a row
    /// still queued when the scan reads would be in neither the scan nor `since`).
    fn spawn_scan(&mut self, settled: Box<dyn Fn() -> bool + Send>) -> Result<(), String> {
        let (p, opened, stop) = (self.db_path.clone(), self.opened.clone(), self.stop.clone());
        let handle = std::thread::Builder::new()
            .name("tasker-store-identities".into())
            .spawn(move || {
                while !settled() {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                let r = open_conn(&p, false).and_then(|c| {
                    c.execute_batch("PRAGMA query_only=1; PRAGMA cache_size=-1024;")
                        .and_then(|_| scan(&c, &stop))
                        .map_err(|e| sql_err(&p, "scan identities", e))
                });
                match r {
                    Ok(Some(b)) => {
                        let _ = opened.set(b);
                        SCANS.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(None) => {}
                    Err(e) => logging::warn(&format!(
                        "{} (creates keep checking identities in the database)",
                        e
                    )),
                }
            })
            .map_err(|e| format!("store identity scan thread: {}", e))?;
        self.scanner = Some(handle);
        Ok(())
    }

    /// The keys added since the last scan outnumber what it found (and the floor): time to start
    /// over with a new scan.
    pub fn wants_rescan(&self) -> bool {
        let floor = match FLOOR.load(Ordering::Relaxed) {
            0 => RESCAN_FLOOR,
            n => n,
        };
        // While a scan runs, `opened` is unset and nothing is due.
        self.opened
            .get()
            .is_some_and(|b| self.added > b.len.max(floor))
    }

    /// Start over: drop the filters and scan again once `settled()` says the rows queued so far
    /// are committed or failed.
    pub fn rescan(&mut self, settled: impl Fn() -> bool + Send + 'static) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.scanner.take() {
            let _ = h.join();
        }
        let mut fresh = IdentityFilter::new(&self.db_path);
        if let Err(e) = fresh.spawn_scan(Box::new(settled)) {
            logging::warn(&format!("{} (creates check identities in the database)", e));
        }
        *self = fresh;
    }

    /// Record the key of a task whose row is being written for the first time.
    pub fn add(&mut self, key: i64) {
        self.added += 1;
        if self.since.last().is_none_or(Bloom::full) {
            let cap = self.since.last().map_or(FIRST_CAPACITY, |b| b.cap * 2);
            self.since.push(Bloom::with_capacity(cap));
        }
        if let Some(b) = self.since.last_mut() {
            b.insert(key);
        }
    }

    /// False only when no stored task can hold `key`.
    pub fn may_hold(&self, key: i64) -> bool {
        match self.opened.get() {
            None => true,
            Some(b) => b.contains(key) || self.since.iter().any(|f| f.contains(key)),
        }
    }

    /// The scan of the keys present at open has finished.
    pub fn ready(&self) -> bool {
        self.opened.get().is_some()
    }
}

impl Drop for IdentityFilter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.scanner.take() {
            let _ = h.join();
        }
    }
}

/// Read every stored identity key into a filter sized for them. `None` if `stop` was set.
fn scan(conn: &Connection, stop: &AtomicBool) -> rusqlite::Result<Option<Bloom>> {
    let n: i64 = conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?;
    let mut bloom = Bloom::with_capacity(n.max(0) as usize);
    let mut st = conn.prepare("SELECT ident_key FROM tasks")?;
    let mut rows = st.query([])?;
    let mut i = 0u64;
    while let Some(r) = rows.next()? {
        if i.is_multiple_of(4096) && stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        bloom.insert(r.get(0)?);
        i += 1;
    }
    Ok(Some(bloom))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize, salt: u64) -> Vec<i64> {
        // Keys as `ident_key` makes them: 64 bits of a SHA-256.
        (0..n)
            .map(|i| {
                let d = crate::hash::sha256(format!("{}-{}", salt, i).as_bytes());
                i64::from_be_bytes(d[..8].try_into().unwrap())
            })
            .collect()
    }

    #[test]
    fn never_misses_a_key_and_rarely_claims_one() {
        let mut b = Bloom::with_capacity(50_000);
        let stored = keys(50_000, 1);
        for &k in &stored {
            b.insert(k);
        }
        assert!(stored.iter().all(|&k| b.contains(k)));
        let other = keys(100_000, 2);
        let fp = other.iter().filter(|&&k| b.contains(k)).count();
        assert!(fp < 1_000, "{} false positives in 100,000", fp);
    }

    #[test]
    fn grows_past_its_first_capacity_and_waits_for_the_scan() {
        let mut f = IdentityFilter::new(Path::new("unused"));
        let opened = f.opened.clone();
        let added = keys(3 * FIRST_CAPACITY, 3);
        for &k in &added {
            f.add(k);
        }
        assert!(f.since.len() >= 2, "a second filter once the first is full");
        let absent = keys(10_000, 4);
        // Before the scan of the stored keys has finished, everything may be stored.
        assert!(!f.ready());
        assert!(absent.iter().all(|&k| f.may_hold(k)));
        let mut at_open = Bloom::with_capacity(1000);
        let stored = keys(1000, 5);
        for &k in &stored {
            at_open.insert(k);
        }
        assert!(opened.set(at_open).is_ok());
        assert!(f.ready());
        assert!(stored.iter().chain(&added).all(|&k| f.may_hold(k)));
        let fp = absent.iter().filter(|&&k| f.may_hold(k)).count();
        assert!(fp < 200, "{} false positives in 10,000", fp);
    }
}
