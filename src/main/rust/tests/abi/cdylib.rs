//! The built shared library itself: every contract symbol resolves with dlsym, and a
//! string round-trips through the library's own allocator.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

const RTLD_NOW: c_int = 2;

const SYMBOLS: [&str; 29] = [
    "get_version",
    "get_rust_version",
    "health_check",
    "is_worker_running",
    "bootstrap_worker",
    "get_worker_status",
    "stop_worker",
    "transition_to_graceful_shutdown",
    "poll_step_events",
    "complete_step_event",
    "checkpoint_yield_step_event",
    "get_ffi_dispatch_metrics",
    "check_starvation_warnings",
    "cleanup_timeouts",
    "poll_in_process_events",
    "log_error",
    "log_warn",
    "log_info",
    "log_debug",
    "log_trace",
    "free_rust_string",
    "client_create_task",
    "client_get_task",
    "client_list_tasks",
    "client_cancel_task",
    "client_list_task_steps",
    "client_get_step",
    "client_get_step_audit_history",
    "client_health_check",
];

#[test]
fn shared_library_exports_the_contract() {
    // target/<profile>/deps/abi-xxxx -> target/<profile>/libtasker_engine.so
    let exe = std::env::current_exe().unwrap();
    let so = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("libtasker_engine.so");
    if !so.exists() {
        eprintln!("{} not built; skipping", so.display());
        return;
    }
    let path = CString::new(so.display().to_string()).unwrap();
    let h = unsafe { dlopen(path.as_ptr(), RTLD_NOW) };
    assert!(!h.is_null(), "dlopen {}", so.display());
    for name in SYMBOLS {
        let c = CString::new(name).unwrap();
        assert!(
            !unsafe { dlsym(h, c.as_ptr()) }.is_null(),
            "missing symbol {}",
            name
        );
    }
    unsafe {
        let get_version: extern "C" fn() -> *mut c_char =
            std::mem::transmute(dlsym(h, c"get_version".as_ptr()));
        let free: unsafe extern "C" fn(*mut c_char) =
            std::mem::transmute(dlsym(h, c"free_rust_string".as_ptr()));
        let health: extern "C" fn() -> c_int =
            std::mem::transmute(dlsym(h, c"health_check".as_ptr()));
        let p = get_version();
        assert_eq!(
            CStr::from_ptr(p).to_str().unwrap(),
            env!("CARGO_PKG_VERSION")
        );
        free(p);
        free(std::ptr::null_mut());
        assert_eq!(health(), 1);
    }
}
