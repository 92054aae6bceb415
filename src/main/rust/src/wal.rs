//! Durable storage: an append-only write-ahead log plus periodic snapshots.
//!
//! File layout (both files): 8-byte magic, u32 LE format version, u64 LE generation,
//! then records framed as `u32 LE length | u32 LE CRC-32 | payload (UTF-8 JSON)`.
//! Each log record holds every entity one engine operation touched (`{"ops":[...]}`),
//! so operations are atomic on replay. A snapshot of generation G folds in everything
//! before the log of generation G; it is written to a temp file, fsynced and renamed,
//! then a fresh log with the same generation replaces the old one.
//!
//! On open: a torn final log record (crash mid-append) is truncated with a warning; a
//! damaged record in the middle, a wrong magic or an unknown version is an error that
//! names the file. Nothing is silently discarded.

use crate::hash::crc32;
use crate::json::{self, Value};
use crate::logging;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Group commit: appends happen under the engine lock (page cache only); callers then
/// release the engine lock and wait on a ticket. One fdatasync covers every record
/// written before it, so concurrent completions share a sync.
pub struct SyncState {
    synced: Mutex<u64>,
    written: AtomicU64,
}

pub struct SyncTicket {
    file: Arc<File>,
    state: Arc<SyncState>,
    end: u64,
    path: PathBuf,
}

impl SyncTicket {
    /// Block until the record that produced this ticket is on disk.
    pub fn wait(&self) -> Result<(), String> {
        let mut synced = self.state.synced.lock().unwrap_or_else(|p| p.into_inner());
        if *synced >= self.end {
            return Ok(());
        }
        let target = self.state.written.load(Ordering::Acquire);
        self.file
            .sync_data()
            .map_err(|e| format!("data file {}: fsync failed: {}", self.path.display(), e))?;
        *synced = target.max(self.end);
        Ok(())
    }
}

const WAL_MAGIC: &[u8; 8] = b"TSKRWAL\0";
const SNAP_MAGIC: &[u8; 8] = b"TSKRSNP\0";
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: u64 = 20;

pub struct Store {
    dir: PathBuf,
    wal: Arc<File>,
    sync: Arc<SyncState>,
    /// Logical end of the log (next write offset).
    wal_bytes: u64,
    /// Physical end: the log is pre-extended with zeros so that an fdatasync after an
    /// append does not also have to commit a file-size change (much cheaper on ext4
    /// under load). A zero tail is therefore the normal end of the log.
    alloc_end: u64,
    generation: u64,
    /// Exclusive advisory lock on `tasker.lock`, held while the store is open; the kernel
    /// releases it if the process dies, so a crash never leaves a stale lock.
    _lock: File,
}

const PREALLOC_CHUNK: u64 = 1 << 20;

fn header(magic: &[u8; 8], generation: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER_LEN as usize);
    h.extend_from_slice(magic);
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h.extend_from_slice(&generation.to_le_bytes());
    h
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(payload.len() + 8);
    b.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    b.extend_from_slice(&crc32(payload).to_le_bytes());
    b.extend_from_slice(payload);
    b
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn check_header(path: &Path, data: &[u8], magic: &[u8; 8]) -> Result<u64, String> {
    if data.len() < HEADER_LEN as usize {
        return Err(format!(
            "data file {}: truncated header ({} bytes)",
            path.display(),
            data.len()
        ));
    }
    if &data[0..8] != magic {
        return Err(format!(
            "data file {}: wrong magic (not a tasker-engine {} file)",
            path.display(),
            if magic == WAL_MAGIC {
                "log"
            } else {
                "snapshot"
            }
        ));
    }
    let ver = u32::from_le_bytes([data[8], data[9], data[10], data[11]]);
    if ver != FORMAT_VERSION {
        return Err(format!(
            "data file {}: unsupported format version {} (this build reads version {})",
            path.display(),
            ver,
            FORMAT_VERSION
        ));
    }
    let mut g = [0u8; 8];
    g.copy_from_slice(&data[12..20]);
    Ok(u64::from_le_bytes(g))
}

enum Scan {
    Complete,
    /// Torn tail starting at this offset.
    Torn(usize),
}

/// Parse framed records starting after the header.
fn scan(
    path: &Path,
    data: &[u8],
    out: &mut Vec<Value>,
    allow_torn: bool,
) -> Result<(Scan, usize), String> {
    let mut off = HEADER_LEN as usize;
    // Payloads are JSON text (never ending in a zero byte), so trailing zeros are preallocation.
    let data_end = data
        .iter()
        .rposition(|&b| b != 0)
        .map(|p| p + 1)
        .unwrap_or(0)
        .max(HEADER_LEN as usize);
    while off < data_end {
        let rest = &data[off..];
        let torn_here = |why: &str| -> Result<(Scan, usize), String> {
            if let Some(later) = valid_record_after(data, off + 1, data_end) {
                // A torn append is always the last thing in the log: a damaged length or
                // header with intact records behind it is corruption, and truncating here
                // would silently drop acknowledged completions.
                Err(format!(
                    "data file {}: corrupt record at offset {} ({}) followed by an intact record at offset {}; refusing to discard them (restore the file from a backup)",
                    path.display(),
                    off,
                    why,
                    later
                ))
            } else if allow_torn {
                Ok((Scan::Torn(off), off))
            } else {
                Err(format!(
                    "data file {}: {} at offset {}",
                    path.display(),
                    why,
                    off
                ))
            }
        };
        if rest.len() < 8 || off + 8 > data_end {
            return torn_here("incomplete record header");
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
        if len > rest.len() - 8 {
            return torn_here("incomplete record");
        }
        let payload = &rest[8..8 + len];
        let is_last = off + 8 + len >= data_end;
        if crc32(payload) != crc {
            if is_last {
                return torn_here("checksum mismatch in final record");
            }
            return Err(format!("data file {}: corrupt record at offset {} (checksum mismatch) followed by more data; refusing to discard it", path.display(), off));
        }
        let text = std::str::from_utf8(payload).map_err(|_| {
            format!(
                "data file {}: record at offset {} is not UTF-8",
                path.display(),
                off
            )
        })?;
        let v = json::parse_stored(text).map_err(|e| {
            format!(
                "data file {}: record at offset {} is not valid JSON: {}",
                path.display(),
                off,
                e
            )
        })?;
        out.push(v);
        off += 8 + len;
    }
    Ok((Scan::Complete, off))
}

/// The first offset in `from..end` where a complete record with a matching checksum starts.
/// Every record payload is a JSON object starting with `{"`, which keeps the search cheap.
fn valid_record_after(data: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut p = from;
    while p + 10 <= end {
        if data[p + 8] == b'{' && data[p + 9] == b'"' {
            let len = u32::from_le_bytes([data[p], data[p + 1], data[p + 2], data[p + 3]]) as usize;
            let crc = u32::from_le_bytes([data[p + 4], data[p + 5], data[p + 6], data[p + 7]]);
            if len >= 2 && p + 8 + len <= end && crc32(&data[p + 8..p + 8 + len]) == crc {
                return Some(p);
            }
        }
        p += 1;
    }
    None
}

impl Store {
    pub fn wal_path(dir: &Path) -> PathBuf {
        dir.join("tasker.wal")
    }
    pub fn snapshot_path(dir: &Path) -> PathBuf {
        dir.join("tasker.snapshot")
    }

    /// Open (or create) the data directory and return the entity records to replay, in order.
    pub fn open(dir: &Path) -> Result<(Store, Vec<Value>), String> {
        fs::create_dir_all(dir).map_err(|e| format!("data dir {}: {}", dir.display(), e))?;
        let lock_path = dir.join("tasker.lock");
        // The lock file is created by the first open, before any data file.
        let opened_before = lock_path.exists();
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
        let snap_path = Self::snapshot_path(dir);
        let wal_path = Self::wal_path(dir);
        match (snap_path.exists(), wal_path.exists()) {
            (true, false) => {
                return Err(format!(
                    "data file {} is missing although {} exists (deleted?); refusing to start without the log, which holds the latest acknowledged work",
                    wal_path.display(),
                    snap_path.display()
                ))
            }
            (false, false) if opened_before => {
                return Err(format!(
                    "data dir {} was used before ({} exists) but holds neither {} nor {} (deleted?); to start empty on purpose, remove {}",
                    dir.display(),
                    lock_path.display(),
                    snap_path.display(),
                    wal_path.display(),
                    lock_path.display()
                ))
            }
            _ => {}
        }
        let mut entities: Vec<Value> = Vec::new();
        let mut snap_gen = 0u64;
        if snap_path.exists() {
            let data = fs::read(&snap_path)
                .map_err(|e| format!("data file {}: {}", snap_path.display(), e))?;
            snap_gen = check_header(&snap_path, &data, SNAP_MAGIC)?;
            let mut recs = Vec::new();
            scan(&snap_path, &data, &mut recs, false)?;
            match recs.pop() {
                Some(end) if end.get("k").and_then(|v| v.as_str()) == Some("end") => {
                    let n = end
                        .get("count")
                        .and_then(|v| v.as_u64())
                        .unwrap_or(u64::MAX);
                    if n != recs.len() as u64 {
                        return Err(format!(
                            "data file {}: snapshot record count mismatch",
                            snap_path.display()
                        ));
                    }
                }
                _ => {
                    return Err(format!(
                        "data file {}: snapshot has no end marker",
                        snap_path.display()
                    ))
                }
            }
            entities = recs;
        }
        let mut reset_wal = !wal_path.exists();
        let mut log_end = HEADER_LEN;
        if wal_path.exists() {
            let mut data = Vec::new();
            File::open(&wal_path)
                .and_then(|mut f| f.read_to_end(&mut data))
                .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
            if data.len() < HEADER_LEN as usize && data.iter().all(|&b| b == 0) {
                logging::warn(&format!(
                    "data file {}: empty or torn header; starting a new log",
                    wal_path.display()
                ));
                reset_wal = true;
            } else {
                let wal_gen = check_header(&wal_path, &data, WAL_MAGIC)?;
                if wal_gen < snap_gen {
                    // Compaction wrote the snapshot but crashed before replacing the log.
                    reset_wal = true;
                } else if wal_gen > snap_gen {
                    return Err(format!(
                        "data file {}: log generation {} is newer than the snapshot generation {} (snapshot missing or replaced?)",
                        wal_path.display(),
                        wal_gen,
                        snap_gen
                    ));
                } else {
                    let mut recs = Vec::new();
                    let (outcome, end) = scan(&wal_path, &data, &mut recs, true)?;
                    log_end = end as u64;
                    if let Scan::Torn(off) = outcome {
                        logging::warn(&format!(
                            "data file {}: torn final record at offset {} ({} bytes) truncated (crash during append)",
                            wal_path.display(),
                            off,
                            data.len() - off
                        ));
                        let f = OpenOptions::new()
                            .write(true)
                            .open(&wal_path)
                            .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
                        f.set_len(off as u64)
                            .and_then(|_| f.sync_all())
                            .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
                    }
                    for r in recs {
                        match r.get("ops") {
                            Some(Value::Array(ops)) => entities.extend(ops.iter().cloned()),
                            _ => {
                                return Err(format!(
                                    "data file {}: log record without ops",
                                    wal_path.display()
                                ))
                            }
                        }
                    }
                }
            }
        }
        if reset_wal {
            Self::write_fresh_wal(dir, snap_gen)?;
            log_end = HEADER_LEN;
        }
        let wal = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&wal_path)
            .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
        let alloc_end = wal
            .metadata()
            .map(|m| m.len())
            .unwrap_or(HEADER_LEN)
            .max(log_end);
        Ok((
            Store {
                dir: dir.to_path_buf(),
                wal: Arc::new(wal),
                sync: Arc::new(SyncState {
                    synced: Mutex::new(log_end),
                    written: AtomicU64::new(log_end),
                }),
                wal_bytes: log_end,
                alloc_end,
                generation: snap_gen,
                _lock: lock,
            },
            entities,
        ))
    }

    fn write_fresh_wal(dir: &Path, generation: u64) -> Result<(), String> {
        let wal_path = Self::wal_path(dir);
        let tmp = dir.join("tasker.wal.tmp");
        let mut f =
            File::create(&tmp).map_err(|e| format!("data file {}: {}", tmp.display(), e))?;
        f.write_all(&header(WAL_MAGIC, generation))
            .and_then(|_| f.sync_all())
            .map_err(|e| format!("data file {}: {}", tmp.display(), e))?;
        fs::rename(&tmp, &wal_path)
            .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
        sync_dir(dir);
        Ok(())
    }

    pub fn wal_bytes(&self) -> u64 {
        self.wal_bytes
    }

    /// Append one record; with `sync` the data is on disk (fdatasync) before this returns.
    pub fn append(&mut self, payload: &[u8], sync: bool) -> Result<(), String> {
        use std::os::unix::fs::FileExt;
        let b = frame(payload);
        let err = |e: std::io::Error| {
            format!(
                "data file {}: write failed: {}",
                Self::wal_path(&self.dir).display(),
                e
            )
        };
        let end = self.wal_bytes + b.len() as u64;
        if end > self.alloc_end {
            // Extend with real zeros (not a sparse hole) and make the new size durable once.
            let new_end = end.max(self.alloc_end + PREALLOC_CHUNK);
            let zeros = vec![0u8; (new_end - self.alloc_end) as usize];
            self.wal.write_all_at(&zeros, self.alloc_end).map_err(err)?;
            self.wal.sync_all().map_err(err)?;
            self.alloc_end = new_end;
        }
        self.wal.write_all_at(&b, self.wal_bytes).map_err(err)?;
        self.wal_bytes = end;
        self.sync.written.store(end, Ordering::Release);
        if sync {
            self.ticket().wait()?;
        }
        Ok(())
    }

    /// A ticket for everything appended so far (wait on it outside the engine lock).
    pub fn ticket(&self) -> SyncTicket {
        SyncTicket {
            file: self.wal.clone(),
            state: self.sync.clone(),
            end: self.wal_bytes,
            path: Self::wal_path(&self.dir),
        }
    }

    /// Write a snapshot of all entities, then start a fresh log of the new generation.
    pub fn write_snapshot(&mut self, records: &[String]) -> Result<(), String> {
        let gen = self.generation + 1;
        let snap_path = Self::snapshot_path(&self.dir);
        let tmp = self.dir.join("tasker.snapshot.tmp");
        {
            let f =
                File::create(&tmp).map_err(|e| format!("data file {}: {}", tmp.display(), e))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let io = |e: std::io::Error| format!("data file {}: {}", tmp.display(), e);
            w.write_all(&header(SNAP_MAGIC, gen)).map_err(io)?;
            for r in records {
                w.write_all(&frame(r.as_bytes())).map_err(io)?;
            }
            let end = crate::jobj![("k", "end"), ("count", records.len())].to_json();
            w.write_all(&frame(end.as_bytes())).map_err(io)?;
            let f = w
                .into_inner()
                .map_err(|e| format!("data file {}: {}", tmp.display(), e))?;
            f.sync_all().map_err(io)?;
        }
        fs::rename(&tmp, &snap_path)
            .map_err(|e| format!("data file {}: {}", snap_path.display(), e))?;
        sync_dir(&self.dir);
        Self::write_fresh_wal(&self.dir, gen)?;
        let wal_path = Self::wal_path(&self.dir);
        // Waiters on the old log are covered by the (already durable) snapshot.
        self.wal = Arc::new(
            OpenOptions::new()
                .read(true)
                .write(true)
                .open(&wal_path)
                .map_err(|e| format!("data file {}: {}", wal_path.display(), e))?,
        );
        self.sync = Arc::new(SyncState {
            synced: Mutex::new(HEADER_LEN),
            written: AtomicU64::new(HEADER_LEN),
        });
        self.wal_bytes = HEADER_LEN;
        self.alloc_end = HEADER_LEN;
        self.generation = gen;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "tasker-wal-{}-{}-{}",
            name,
            std::process::id(),
            crate::uuid::Uuid::new_v4()
        ));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn append_replay_torn_and_corrupt() {
        let d = tmpdir("a");
        {
            let (mut s, recs) = Store::open(&d).unwrap();
            assert!(recs.is_empty());
            s.append(br#"{"ops":[{"k":"x","n":1}]}"#, true).unwrap();
            s.append(br#"{"ops":[{"k":"x","n":2}]}"#, true).unwrap();
        }
        // torn tail: bytes of a half-written record right after the last good one
        {
            let data = fs::read(Store::wal_path(&d)).unwrap();
            let end = data.iter().rposition(|&b| b != 0).unwrap() + 1;
            let mut data = data[..end].to_vec();
            data.extend_from_slice(&[50, 0, 0, 0, 1, 2]);
            data.extend_from_slice(&[0u8; 100]);
            fs::write(Store::wal_path(&d), &data).unwrap();
        }
        let (_, recs) = Store::open(&d).unwrap();
        assert_eq!(recs.len(), 2);
        // corrupt middle record
        {
            let mut data = fs::read(Store::wal_path(&d)).unwrap();
            data[HEADER_LEN as usize + 10] ^= 0xFF;
            fs::write(Store::wal_path(&d), &data).unwrap();
        }
        let e = Store::open(&d).err().unwrap();
        assert!(e.contains("tasker.wal") && e.contains("corrupt"), "{}", e);
        // wrong magic
        {
            let mut data = fs::read(Store::wal_path(&d)).unwrap();
            data[0] = b'X';
            fs::write(Store::wal_path(&d), &data).unwrap();
        }
        assert!(Store::open(&d).err().unwrap().contains("magic"));
        // unknown version
        {
            let mut data = fs::read(Store::wal_path(&d)).unwrap();
            data[0] = b'T';
            data[8] = 99;
            fs::write(Store::wal_path(&d), &data).unwrap();
        }
        assert!(Store::open(&d).err().unwrap().contains("version"));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn second_open_is_refused_while_locked() {
        let d = tmpdir("l");
        let (s1, _) = Store::open(&d).unwrap();
        let e = Store::open(&d).err().unwrap();
        assert!(e.contains("in use"), "{}", e);
        drop(s1);
        assert!(Store::open(&d).is_ok());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn snapshot_compaction() {
        let d = tmpdir("s");
        {
            let (mut s, _) = Store::open(&d).unwrap();
            s.append(br#"{"ops":[{"k":"x","n":1}]}"#, true).unwrap();
            s.write_snapshot(&[r#"{"k":"x","n":1}"#.to_string()])
                .unwrap();
            s.append(br#"{"ops":[{"k":"x","n":2}]}"#, true).unwrap();
        }
        let (_, recs) = Store::open(&d).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].get("n").unwrap().as_i64(), Some(2));
        let _ = fs::remove_dir_all(&d);
    }
}
