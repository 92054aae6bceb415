//! tasker-engine: an embedded Tasker workflow engine exposing the same
//! C ABI as the Tasker TypeScript foundation library (`libtasker_ts`).

// The C ABI (`ffi`) is the crate's interface. `json`, `uuid` and `testing` are public for the
// integration tests and the benchmark only; everything else is private to the crate.
mod client;
mod config;
mod dispatch;
mod engine;
mod events;
pub mod ffi;
mod hash;
mod identity_filter;
pub mod json;
mod legacy;
mod logging;
mod model;
mod result;
mod store;
mod template;
pub mod testing;
mod time;
pub mod uuid;
mod wal_writes;
mod yaml;

pub use ffi::*;

/// Ready-to-dispatch latency samples (microseconds from a step becoming ready to
/// `poll_step_events` returning it), drained by the benchmark; the first call turns
/// sampling on for the running engine. Not part of the C ABI.
pub fn take_ready_latency_samples() -> Vec<u64> {
    let mut g = ffi::lock();
    match g.as_mut() {
        Some(e) => {
            e.record_latency = true;
            std::mem::take(&mut e.latencies_us)
        }
        None => Vec::new(),
    }
}
