//! `libtasker_bridge`: the worker's C ABI over the published tasker-core 0.1.8
//! worker foundation. Work in progress: see README.md for what is exported so far.

pub mod bootstrap_input;
pub mod ffi;

pub use ffi::free_rust_string;
