//! Integration tests driving the C ABI. One test binary (several modules) keeps the
//! release build fast; the engine is process-global, so tests serialize on a lock.

#[path = "abi/cdylib.rs"]
mod cdylib;
#[path = "abi/common.rs"]
mod common;
#[path = "abi/durability.rs"]
mod durability;
#[path = "abi/m1_workflow.rs"]
mod m1_workflow;
#[path = "abi/m2_dynamic.rs"]
mod m2_dynamic;
#[path = "abi/m2_ops.rs"]
mod m2_ops;
#[path = "abi/parsing.rs"]
mod parsing;
#[path = "abi/scale.rs"]
mod scale;
#[path = "abi/store.rs"]
mod store;
