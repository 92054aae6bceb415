//! String ownership across the C ABI and panic containment.
//!
//! Every string handed to C is produced by `CString::into_raw` and must be
//! released exactly once through `free_rust_string`. Inputs are borrowed
//! `const char*`; null or invalid UTF-8 yields an error the caller turns into
//! the function's own error form.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Borrow a C string as UTF-8, naming the argument in the error.
///
/// # Safety
/// `ptr` must be null or point to a NUL-terminated string valid for the call.
pub unsafe fn read_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, String> {
    if ptr.is_null() {
        return Err(format!("{what} is null"));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|e| format!("{what} is not valid UTF-8: {e}"))
}

/// Hand a Rust string to C. Interior NUL bytes are replaced so the whole
/// message survives instead of being cut or dropped.
pub fn into_c(s: String) -> *mut c_char {
    let s = if s.contains('\0') { s.replace('\0', "\u{FFFD}") } else { s };
    match CString::new(s) {
        Ok(c) => c.into_raw(),
        Err(_) => std::ptr::null_mut(),
    }
}

/// Text of a panic payload, for error messages.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Run `f`, converting a panic into `on_panic(message)`.
pub fn guard<T>(on_panic: impl FnOnce(String) -> T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => on_panic(format!("panic: {}", panic_message(p.as_ref()))),
    }
}

/// `{"success":false,"error":…}` as used by bootstrap and the client calls.
pub fn error_json(msg: &str) -> String {
    serde_json::json!({"success": false, "error": msg}).to_string()
}

/// Free a string previously returned by this library. Null is a no-op.
///
/// # Safety
/// `ptr` must be null or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn free_rust_string(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(CString::from_raw(ptr))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_free() {
        let p = into_c("héllo".to_string());
        assert!(!p.is_null());
        let s = unsafe { read_str(p, "x") }.unwrap().to_string();
        assert_eq!(s, "héllo");
        unsafe { free_rust_string(p) };
        unsafe { free_rust_string(std::ptr::null_mut()) };
    }

    #[test]
    fn interior_nul_is_kept_visible() {
        let p = into_c("a\0b".to_string());
        let s = unsafe { read_str(p, "x") }.unwrap().to_string();
        assert_eq!(s, "a\u{FFFD}b");
        unsafe { free_rust_string(p) };
    }

    #[test]
    fn null_and_bad_utf8_inputs() {
        let e = unsafe { read_str(std::ptr::null(), "config_json") }.unwrap_err();
        assert_eq!(e, "config_json is null");
        let bad = [0xffu8, 0xfe, 0];
        let e = unsafe { read_str(bad.as_ptr() as *const c_char, "config_json") }.unwrap_err();
        assert!(e.starts_with("config_json is not valid UTF-8"), "{e}");
    }

    #[test]
    fn guard_turns_panic_into_value() {
        let v = guard(|m| m, || -> String { panic!("boom {}", 1) });
        assert_eq!(v, "panic: boom 1");
        let v: serde_json::Value = serde_json::from_str(&error_json("no db")).unwrap();
        assert_eq!(v, serde_json::json!({"success": false, "error": "no db"}));
    }
}
