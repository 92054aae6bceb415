//! tasker-engine: an embedded, std-only Tasker workflow engine exposing the same
//! C ABI as the Tasker TypeScript foundation library (`libtasker_ts`).

pub mod json;
pub mod yaml;
pub mod time;
pub mod uuid;
pub mod hash;
pub mod logging;
pub mod template;
pub mod result;
pub mod model;
pub mod engine;
pub mod dispatch;
pub mod client;
pub mod events;
pub mod wal;
pub mod config;
pub mod ffi;
pub mod testing;

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
