//! Reader for the previous storage format (append log `tasker.wal` plus `tasker.snapshot`),
//! kept for one purpose: migrating such a directory into the SQLite store once.
//!
//! Both files start with an 8-byte magic, a u32 LE format version (1) and a u64 LE
//! generation; records follow as `u32 LE length | u32 LE CRC-32 | JSON payload`. A torn
//! final log record (crash mid-append) is left out with a warning; a damaged record with an
//! intact record behind it, a wrong magic or an unknown version refuses the migration with
//! an error naming the file. The old files are never modified; after a migration they are
//! renamed to `*.migrated`.

use crate::json::{self, Value};
use crate::logging;
use std::fs;
use std::path::{Path, PathBuf};

const WAL_MAGIC: &[u8; 8] = b"TSKRWAL\0";
const SNAP_MAGIC: &[u8; 8] = b"TSKRSNP\0";
const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: u64 = 20;

fn crc32(b: &[u8]) -> u32 {
    crc32fast::hash(b)
}

fn wal_path(dir: &Path) -> PathBuf {
    dir.join("tasker.wal")
}

fn snapshot_path(dir: &Path) -> PathBuf {
    dir.join("tasker.snapshot")
}

/// The directory holds files of the previous format.
pub fn present(dir: &Path) -> bool {
    wal_path(dir).exists() || snapshot_path(dir).exists()
}

/// Rename the old files out of the way once their content is in the database.
pub fn set_aside(dir: &Path) -> Result<(), String> {
    for p in [wal_path(dir), snapshot_path(dir)] {
        if p.exists() {
            let to = PathBuf::from(format!("{}.migrated", p.display()));
            fs::rename(&p, &to).map_err(|e| format!("data file {}: {}", p.display(), e))?;
            logging::info(&format!(
                "data file {} migrated into the SQLite store and kept as {}",
                p.display(),
                to.display()
            ));
        }
    }
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("data dir {}: fsync failed: {}", dir.display(), e))
}

/// Every entity record of the old directory, in replay order (snapshot, then log).
pub fn read(dir: &Path) -> Result<Vec<Value>, String> {
    let snap_path = snapshot_path(dir);
    let wal_path = wal_path(dir);
    if snap_path.exists() && !wal_path.exists() {
        return Err(format!(
            "data file {} is missing although {} exists (deleted?); refusing to migrate without the log, which holds the latest acknowledged work",
            wal_path.display(),
            snap_path.display()
        ));
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
    let data =
        fs::read(&wal_path).map_err(|e| format!("data file {}: {}", wal_path.display(), e))?;
    if data.len() < HEADER_LEN as usize && data.iter().all(|&b| b == 0) {
        return Ok(entities);
    }
    let wal_gen = check_header(&wal_path, &data, WAL_MAGIC)?;
    if wal_gen < snap_gen {
        // Compaction wrote the snapshot but stopped before replacing the log.
        return Ok(entities);
    }
    if wal_gen > snap_gen {
        return Err(format!(
            "data file {}: log generation {} is newer than the snapshot generation {} (snapshot missing or replaced?)",
            wal_path.display(),
            wal_gen,
            snap_gen
        ));
    }
    let mut recs = Vec::new();
    let (outcome, _) = scan(&wal_path, &data, &mut recs, true)?;
    if let Scan::Torn(off) = outcome {
        logging::warn(&format!(
            "data file {}: torn final record at offset {} ({} bytes) left out (crash during append)",
            wal_path.display(),
            off,
            data.len() - off
        ));
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
    Ok(entities)
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
