//! The embedded engine: task creation, readiness, dispatch bookkeeping, result
//! processing ("orchestration", run synchronously), retries, cancellation and recovery.
//!
//! Indexes keep per-operation cost proportional to the steps touched: a FIFO ready
//! queue, per-step parent/child lists, per-task state counters, a retry timer heap and
//! a pending-event map. Nothing in poll/complete scans all tasks.

mod batches;
mod decisions;
mod persistence;
pub use persistence::TaskRef;
mod readiness;
mod results;
mod state;
mod tasks;

use crate::json::{Map, Value};
use crate::logging;
use crate::model::*;
use crate::result::{CheckpointYield, ExecResult};
use crate::store::{Opened, Retention, Store, Ticket};
use crate::template::{StepType, Template};
use crate::time;
use crate::uuid::Uuid;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct BackoffConfig {
    pub base_ms: u64,
    pub max_ms: u64,
    pub multiplier: f64,
    pub jitter_pct: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            base_ms: 1000,
            max_ms: 60_000,
            multiplier: 2.0,
            jitter_pct: 0.15,
        }
    }
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub data_dir: Option<PathBuf>,
    pub completion_timeout_ms: u64,
    pub starvation_threshold_ms: u64,
    pub backoff: BackoffConfig,
    pub environment: Option<String>,
    /// Capacity of the in-process domain event buffer (oldest dropped beyond it).
    pub event_buffer: usize,
    /// Which archived (finished) tasks the store keeps.
    pub retention: Retention,
    /// Opt-in extension: add `"parents": [names]` to StepResponse items. Off by default so
    /// the output shape stays identical to the original's.
    pub expose_step_parents: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: None,
            completion_timeout_ms: 30_000,
            starvation_threshold_ms: 10_000,
            backoff: BackoffConfig::default(),
            environment: None,
            event_buffer: 1024,
            retention: Retention::default(),
            expose_step_parents: false,
        }
    }
}

pub struct TplEntry {
    pub id: u64,
    pub source: String,
    pub text: String,
    pub tpl: Arc<Template>,
    pub persisted: bool,
    /// The environment the template was resolved for (stored with it).
    pub env: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub t: TaskIdx,
    pub s: StepIdx,
    pub dispatched_ms: u64,
    pub pre_attempts: u32,
    pub pre_last_attempted: Option<i64>,
    pub correlation_id: Uuid,
}

struct Continuation {
    t: TaskIdx,
    s: StepIdx,
    checkpoint: Value,
    pre_attempts: u32,
    pre_last_attempted: Option<i64>,
    correlation_id: Uuid,
}

struct ReadyEntry {
    t: TaskIdx,
    s: StepIdx,
    /// The step's uuid: the slot may belong to another task by the time it is popped.
    step: Uuid,
    since_ms_us: u64,
}

/// Why the engine could not start or could not persist an operation. The message is shown
/// as is (bootstrap prefixes it with `Bootstrap failed: `).
#[derive(Debug)]
pub enum EngineError {
    /// A template handed to the engine is invalid (the message names the source).
    Template(String),
    /// The data directory could not be opened, read or written (the message names the file).
    Storage(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Template(m) | EngineError::Storage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for EngineError {}

/// Error from a client operation: `recoverable` follows the HTTP status semantics of the original.
#[derive(Debug)]
pub struct ClientError {
    pub message: String,
    pub recoverable: bool,
}

impl ClientError {
    pub fn new(m: impl Into<String>) -> ClientError {
        ClientError {
            message: m.into(),
            recoverable: false,
        }
    }
}

pub struct Engine {
    pub worker_id: String,
    pub config: EngineConfig,
    pub templates: Vec<TplEntry>,
    pub tpl_by_key: HashMap<(String, String, String), usize>,
    tpl_by_id: HashMap<u64, usize>,
    pub tasks: Tasks,
    pub task_index: HashMap<Uuid, TaskIdx>,
    pub step_index: HashMap<Uuid, (TaskIdx, StepIdx)>,
    identities: HashMap<String, Uuid>,
    ready: VecDeque<ReadyEntry>,
    continuations: VecDeque<Continuation>,
    retry_heap: BinaryHeap<Reverse<(i64, TaskIdx, StepIdx, Uuid)>>,
    pub pending: HashMap<Uuid, PendingEvent>,
    pub events: crate::events::EventBuffer,
    pub core_running: bool,
    store: Option<Store>,
    dirty_tasks: Vec<TaskIdx>,
    dirty_steps: Vec<(TaskIdx, StepIdx)>,
    dirty_tpls: Vec<usize>,
    next_seq: u64,
    pub latencies_us: Vec<u64>,
    /// Latency sampling is off unless a benchmark asks for it.
    pub record_latency: bool,
    /// Durability ticket of the last operation; the FFI layer waits on it after releasing the lock.
    sync_ticket: Option<Ticket>,
    /// Settled tasks whose archiving write has been issued: they leave memory once the
    /// store has committed that ticket.
    archiving: VecDeque<(u64, TaskIdx, Uuid)>,
}

/// The `DependencyResultDto` children see, written from the stored result without copying its parts (a result
/// can be large, and this runs on every completion).
fn dep_entry_from_stored(v: &Value) -> Arc<str> {
    const NULL: &Value = &Value::Null;
    const FALSE: &Value = &Value::Bool(false);
    let field = |m: &'static str, or: &'static Value| v.get(m).unwrap_or(or);
    let mut out = String::with_capacity(128);
    let mut w = crate::json::ObjWriter::new(&mut out);
    w.value("step_uuid", field("step_uuid", NULL))
        .value("success", field("success", FALSE))
        .value("result", field("result", NULL));
    match v.get("status") {
        Some(s) => w.value("status", s),
        None => w.str("status", ""),
    };
    match v.get("error") {
        Some(Value::Object(e)) => w.object("error", |o| {
            let part = |k: &'static str, or: &'static Value| e.get(k).unwrap_or(or);
            o.value("message", part("message", NULL))
                .value("error_type", part("error_type", NULL))
                .value("retryable", part("retryable", FALSE))
                .value("status_code", part("status_code", NULL))
                .value("backtrace", part("backtrace", NULL));
        }),
        _ => w.raw("error", "null"),
    };
    w.finish();
    Arc::from(out)
}

pub fn template_id(source: &str, text: &str, env: Option<&str>) -> u64 {
    let d = crate::hash::sha256(
        format!("{}\u{0}{}\u{0}{}", source, env.unwrap_or(""), text).as_bytes(),
    );
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) & (i64::MAX as u64)
}

impl Engine {
    /// Build an engine: register templates, then (durable mode) replay the data directory.
    pub fn new(
        worker_id: String,
        config: EngineConfig,
        sources: Vec<(String, String)>,
    ) -> Result<Engine, EngineError> {
        let mut e = Engine {
            worker_id,
            events: crate::events::EventBuffer::new(config.event_buffer),
            config,
            templates: Vec::new(),
            tpl_by_key: HashMap::new(),
            tpl_by_id: HashMap::new(),
            tasks: Tasks::default(),
            task_index: HashMap::new(),
            step_index: HashMap::new(),
            identities: HashMap::new(),
            ready: VecDeque::new(),
            continuations: VecDeque::new(),
            retry_heap: BinaryHeap::new(),
            pending: HashMap::new(),
            core_running: true,
            store: None,
            dirty_tasks: Vec::new(),
            dirty_steps: Vec::new(),
            dirty_tpls: Vec::new(),
            next_seq: 0,
            latencies_us: Vec::new(),
            record_latency: false,
            sync_ticket: None,
            archiving: VecDeque::new(),
        };
        let env = e.config.environment.clone();
        for (source, text) in sources {
            let tpl = crate::template::parse_template(&source, &text, env.as_deref())
                .map_err(EngineError::Template)?;
            let id = template_id(&source, &text, env.as_deref());
            let idx = e.add_template(id, source, text, tpl, false);
            let key = e.templates[idx].tpl.key();
            if let Some(old) = e.tpl_by_key.insert(key.clone(), idx) {
                if old != idx {
                    logging::warn(&format!(
                        "template {}/{}/{} from `{}` replaces the one from `{}`",
                        key.0, key.1, key.2, e.templates[idx].source, e.templates[old].source
                    ));
                }
            }
        }
        if let Some(dir) = e.config.data_dir.clone() {
            match Store::open(&dir, e.config.retention.clone()).map_err(EngineError::Storage)? {
                Opened::Ready(store) => e.store = Some(*store),
                Opened::Legacy(records, lock) => e.migrate(&dir, records, lock)?,
            }
            e.load_from_store().map_err(EngineError::Storage)?;
        }
        Ok(e)
    }

    fn add_template(
        &mut self,
        id: u64,
        source: String,
        text: String,
        tpl: Template,
        persisted: bool,
    ) -> usize {
        if let Some(&i) = self.tpl_by_id.get(&id) {
            if persisted {
                self.templates[i].persisted = true;
            }
            return i;
        }
        self.templates.push(TplEntry {
            id,
            source,
            text,
            tpl: Arc::new(tpl),
            persisted,
            env: self.config.environment.clone(),
        });
        let i = self.templates.len() - 1;
        self.tpl_by_id.insert(id, i);
        i
    }

    pub fn template_of(&self, t: TaskIdx) -> &Arc<Template> {
        &self.templates[self.tasks[t].tpl].tpl
    }

    pub fn supported_namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self.tpl_by_key.keys().map(|k| k.0.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn graceful_shutdown(&mut self) {
        self.core_running = false;
    }

    pub fn find_task(&self, uuid: Uuid) -> Option<TaskIdx> {
        self.task_index.get(&uuid).copied()
    }
}

fn mono_us() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

#[cfg(test)]
mod tests {
    use super::dep_entry_from_stored;

    #[test]
    fn dependency_entry_keeps_the_dto_fields_in_order_with_defaults() {
        let stored = crate::json::parse(
            r#"{"step_uuid":"u","success":false,"status":"failed","result":{"big":[1,2]},"metadata":{"x":1},"error":{"error_type":"T","message":"m","extra":1}}"#,
        )
        .unwrap();
        assert_eq!(
            &*dep_entry_from_stored(&stored),
            r#"{"step_uuid":"u","success":false,"result":{"big":[1,2]},"status":"failed","error":{"message":"m","error_type":"T","retryable":false,"status_code":null,"backtrace":null}}"#
        );
        let bare = crate::json::parse(r#"{"error":"not an object"}"#).unwrap();
        assert_eq!(
            &*dep_entry_from_stored(&bare),
            r#"{"step_uuid":null,"success":false,"result":null,"status":"","error":null}"#
        );
    }
}
