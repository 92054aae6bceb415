//! A VFS shim for the store's writer connection: the WAL frames of a commit reach the file in
//! one write, just before the commit's sync, instead of two writes per frame.
//!
//! Why: SQLite writes every WAL frame as two `pwrite`s (its 24-byte header, then the page), so a
//! commit of 35 pages made 70 system calls on the writer thread, the one every acknowledged call
//! waits for. Measured on this machine's disk: 35 frames written as 70 calls took 84 µs, as one
//! call 33 µs, each followed by the same `fsync`.
//!
//! Why it is safe: the shim holds the bytes of consecutive writes to a WAL file and writes them
//! out before the file's sync, before any read, size query, truncation, memory map or close of
//! that file, and whenever a write does not continue the held run (or it reaches `LIMIT`). SQLite
//! makes frames visible to other connections (through the WAL index) only after the commit's
//! sync, so no reader can look for bytes still held. A held write that fails fails the sync (or
//! the read) that wrote it out, with the same error code, and SQLite then fails the commit as if
//! the write itself had failed. This needs a sync at every commit, `synchronous=FULL`, which the
//! writer connection sets; the other connections do not use the shim. Files other than a WAL
//! pass straight through.

use rusqlite::ffi;
use std::os::raw::{c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

/// The name the writer connection opens its database with.
pub const NAME: &str = "tasker-wal-writes";
/// The most bytes held: the unix VFS writes at most 128 KiB - 1 per call (it masks the length
/// with `0x1ffff`), so a longer run would be cut short. 31 frames of 4 KiB pages fit.
const LIMIT: usize = 0x1ffff;

/// Our part of an open file, followed in the same allocation by the underlying VFS's file.
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    /// The held run of a WAL file; null for every other file.
    held: *mut Held,
}

struct Held {
    start: i64,
    bytes: Vec<u8>,
}

const HEADER: usize = (std::mem::size_of::<File>() + 7) & !7;

/// The default VFS, which does the actual I/O.
static BASE: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(ptr::null_mut());

/// Registers the shim once (not as the default VFS).
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| unsafe {
        let base = ffi::sqlite3_vfs_find(ptr::null());
        if base.is_null() {
            return Err("SQLite has no default VFS".to_string());
        }
        BASE.store(base, Ordering::Release);
        // Everything but `xOpen` and the file size is the default VFS's own, `pAppData` included,
        // so its functions see the same VFS data whichever of the two they are called with.
        let mut vfs: ffi::sqlite3_vfs = ptr::read(base);
        vfs.szOsFile = (HEADER + (*base).szOsFile as usize) as c_int;
        vfs.zName = c"tasker-wal-writes".as_ptr();
        vfs.pNext = ptr::null_mut();
        vfs.xOpen = Some(x_open);
        let rc = ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 0);
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(format!("registering the SQLite VFS {}: error {}", NAME, rc))
        }
    })
    .clone()
}

fn inner(f: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    unsafe { (f as *mut u8).add(HEADER) as *mut ffi::sqlite3_file }
}

/// Calls the underlying file's method `$m`, or returns an I/O error if it has none.
macro_rules! call {
    ($f:expr, $m:ident $(, $arg:expr)*) => {{
        let i = inner($f);
        match (*(*i).pMethods).$m {
            Some(m) => m(i $(, $arg)*),
            None => ffi::SQLITE_IOERR,
        }
    }};
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    f: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let file = f as *mut File;
    (*file).base.pMethods = ptr::null();
    (*file).held = ptr::null_mut();
    let base = BASE.load(Ordering::Acquire);
    let i = inner(f);
    let rc = match (*base).xOpen {
        Some(open) => open(base, name, i, flags, out_flags),
        None => return ffi::SQLITE_CANTOPEN,
    };
    let m = (*i).pMethods;
    if m.is_null() {
        return rc; // nothing to close
    }
    (*file).base.pMethods = match (*m).iVersion {
        1 => &METHODS[0],
        2 => &METHODS[1],
        _ => &METHODS[2],
    };
    if flags & ffi::SQLITE_OPEN_WAL != 0 {
        (*file).held = Box::into_raw(Box::new(Held {
            start: 0,
            bytes: Vec::new(),
        }));
    }
    rc
}

/// Writes out the held run, if any. It is dropped either way: after a failure SQLite fails the
/// commit, and the bytes of a failed commit are never read again.
unsafe fn write_out(f: *mut ffi::sqlite3_file) -> c_int {
    let h = (*(f as *mut File)).held;
    if h.is_null() {
        return ffi::SQLITE_OK;
    }
    write_held(f, &mut *h)
}

unsafe fn write_held(f: *mut ffi::sqlite3_file, h: &mut Held) -> c_int {
    if h.bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    let rc = call!(
        f,
        xWrite,
        h.bytes.as_ptr() as *const c_void,
        h.bytes.len() as c_int,
        h.start
    );
    h.bytes.clear();
    rc
}

unsafe extern "C" fn x_close(f: *mut ffi::sqlite3_file) -> c_int {
    let rc = write_out(f);
    let file = f as *mut File;
    if !(*file).held.is_null() {
        drop(Box::from_raw((*file).held));
        (*file).held = ptr::null_mut();
    }
    let closed = call!(f, xClose);
    if rc != ffi::SQLITE_OK {
        rc
    } else {
        closed
    }
}

unsafe extern "C" fn x_read(
    f: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amt: c_int,
    off: i64,
) -> c_int {
    let rc = write_out(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    call!(f, xRead, buf, amt, off)
}

unsafe extern "C" fn x_write(
    f: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amt: c_int,
    off: i64,
) -> c_int {
    let h = (*(f as *mut File)).held;
    if h.is_null() || amt <= 0 {
        return call!(f, xWrite, buf, amt, off);
    }
    let h = &mut *h;
    let data = std::slice::from_raw_parts(buf as *const u8, amt as usize);
    let end = h.start + h.bytes.len() as i64;
    if !h.bytes.is_empty() && off >= h.start && off + amt as i64 <= end {
        // A frame rewritten within the run (SQLite rewrites a frame it wrote in this commit).
        let at = (off - h.start) as usize;
        h.bytes[at..at + data.len()].copy_from_slice(data);
        return ffi::SQLITE_OK;
    }
    if !h.bytes.is_empty() && (off != end || h.bytes.len() + data.len() > LIMIT) {
        let rc = write_held(f, h);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
    }
    if data.len() > LIMIT {
        return call!(f, xWrite, buf, amt, off);
    }
    if h.bytes.is_empty() {
        h.start = off;
    }
    h.bytes.extend_from_slice(data);
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_truncate(f: *mut ffi::sqlite3_file, size: i64) -> c_int {
    let rc = write_out(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    call!(f, xTruncate, size)
}

unsafe extern "C" fn x_sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let rc = write_out(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    call!(f, xSync, flags)
}

unsafe extern "C" fn x_file_size(f: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    let rc = write_out(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    call!(f, xFileSize, size)
}

unsafe extern "C" fn x_lock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    call!(f, xLock, level)
}

unsafe extern "C" fn x_unlock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    call!(f, xUnlock, level)
}

unsafe extern "C" fn x_check_reserved_lock(f: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    call!(f, xCheckReservedLock, out)
}

unsafe extern "C" fn x_file_control(
    f: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    call!(f, xFileControl, op, arg)
}

unsafe extern "C" fn x_sector_size(f: *mut ffi::sqlite3_file) -> c_int {
    let i = inner(f);
    (*(*i).pMethods).xSectorSize.map_or(4096, |m| m(i))
}

unsafe extern "C" fn x_device_characteristics(f: *mut ffi::sqlite3_file) -> c_int {
    let i = inner(f);
    (*(*i).pMethods).xDeviceCharacteristics.map_or(0, |m| m(i))
}

unsafe extern "C" fn x_shm_map(
    f: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    call!(f, xShmMap, region, size, extend, out)
}

unsafe extern "C" fn x_shm_lock(
    f: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    call!(f, xShmLock, offset, n, flags)
}

unsafe extern "C" fn x_shm_barrier(f: *mut ffi::sqlite3_file) {
    let i = inner(f);
    if let Some(m) = (*(*i).pMethods).xShmBarrier {
        m(i)
    }
}

unsafe extern "C" fn x_shm_unmap(f: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    call!(f, xShmUnmap, delete)
}

unsafe extern "C" fn x_fetch(
    f: *mut ffi::sqlite3_file,
    off: i64,
    amt: c_int,
    out: *mut *mut c_void,
) -> c_int {
    let rc = write_out(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    call!(f, xFetch, off, amt, out)
}

unsafe extern "C" fn x_unfetch(f: *mut ffi::sqlite3_file, off: i64, p: *mut c_void) -> c_int {
    call!(f, xUnfetch, off, p)
}

/// One method table per version of the underlying file's, so SQLite never calls a method
/// (shared memory, memory maps) that the underlying file lacks.
const fn methods(version: c_int) -> ffi::sqlite3_io_methods {
    ffi::sqlite3_io_methods {
        iVersion: version,
        xClose: Some(x_close),
        xRead: Some(x_read),
        xWrite: Some(x_write),
        xTruncate: Some(x_truncate),
        xSync: Some(x_sync),
        xFileSize: Some(x_file_size),
        xLock: Some(x_lock),
        xUnlock: Some(x_unlock),
        xCheckReservedLock: Some(x_check_reserved_lock),
        xFileControl: Some(x_file_control),
        xSectorSize: Some(x_sector_size),
        xDeviceCharacteristics: Some(x_device_characteristics),
        xShmMap: if version >= 2 { Some(x_shm_map) } else { None },
        xShmLock: if version >= 2 { Some(x_shm_lock) } else { None },
        xShmBarrier: if version >= 2 {
            Some(x_shm_barrier)
        } else {
            None
        },
        xShmUnmap: if version >= 2 {
            Some(x_shm_unmap)
        } else {
            None
        },
        xFetch: if version >= 3 { Some(x_fetch) } else { None },
        xUnfetch: if version >= 3 { Some(x_unfetch) } else { None },
    }
}

static METHODS: [ffi::sqlite3_io_methods; 3] = [methods(1), methods(2), methods(3)];

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{params, Connection, OpenFlags};

    /// Small, large (past `LIMIT`) and rewritten commits through the shim read back the same from
    /// a connection without it, and the writer reads its own spilled, uncommitted frames.
    #[test]
    fn commits_through_the_shim_read_back_the_same_elsewhere() {
        register().unwrap();
        let dir = std::env::temp_dir().join(format!("tasker-wal-writes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let w = Connection::open_with_flags_and_vfs(&path, flags, NAME).unwrap();
        // A tiny page cache, so a large transaction spills frames to the WAL and reads them back.
        w.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=8;
             CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);",
        )
        .unwrap();
        let r = Connection::open(&path).unwrap();
        let sizes = [10usize, 5_000, 300_000, 2_000_000, 70];
        for (k, size) in sizes.iter().enumerate() {
            let v = vec![k as u8 + 1; *size];
            w.execute("INSERT INTO t VALUES(?1, ?2)", params![k as i64, v])
                .unwrap();
            let got: Vec<u8> = r
                .query_row("SELECT v FROM t WHERE k = ?1", [k as i64], |x| x.get(0))
                .unwrap();
            assert_eq!(got, v, "row {} as another connection reads it", k);
        }
        w.execute_batch(
            "BEGIN; UPDATE t SET v = zeroblob(100000); UPDATE t SET v = x'0102' WHERE k = 1;
             SELECT count(*) FROM t; COMMIT;",
        )
        .unwrap();
        let total: i64 = r
            .query_row("SELECT sum(length(v)) FROM t", [], |x| x.get(0))
            .unwrap();
        assert_eq!(total, 4 * 100_000 + 2);
        // The writer checkpoints from its own WAL file, then everything is in the database.
        w.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        drop(w);
        let ok: String = r
            .query_row("PRAGMA integrity_check", [], |x| x.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let two: Vec<u8> = r
            .query_row("SELECT v FROM t WHERE k = 1", [], |x| x.get(0))
            .unwrap();
        assert_eq!(two, vec![1u8, 2]);
        drop(r);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
