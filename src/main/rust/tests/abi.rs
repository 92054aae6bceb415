//! Integration tests driving the C ABI. One test binary (several modules) keeps the
//! release build fast; the engine is process-global, so tests serialize on a lock.

#[path = "abi/cdylib.rs"]
mod cdylib;
#[path = "abi/common.rs"]
mod common;
#[path = "abi/decisions_batches_checkpoints.rs"]
mod decisions_batches_checkpoints;
#[path = "abi/dispatch_and_results.rs"]
mod dispatch_and_results;
#[path = "abi/durability.rs"]
mod durability;
#[path = "abi/parsing.rs"]
mod parsing;
#[path = "abi/scale.rs"]
mod scale;
#[path = "abi/store.rs"]
mod store;
#[path = "abi/timeouts_events_and_client.rs"]
mod timeouts_events_and_client;
