//! The embedded engine: task creation, readiness, dispatch bookkeeping, result
//! processing ("orchestration", run synchronously), retries, cancellation and recovery.
//!
//! Indexes keep per-operation cost proportional to the steps touched: a FIFO ready
//! queue, per-step parent/child lists, per-task state counters, a retry timer heap and
//! a pending-event map. Nothing in poll/complete scans all tasks.

use crate::json::{Map, Value};
use crate::logging;
use crate::model::*;
use crate::result::{CheckpointYield, ExecResult};
use crate::template::{StepType, Template};
use crate::time;
use crate::uuid::Uuid;
use crate::wal::{Store, SyncTicket};
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
        BackoffConfig { base_ms: 1000, max_ms: 60_000, multiplier: 2.0, jitter_pct: 0.15 }
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
    /// WAL size that triggers a snapshot + compaction.
    pub snapshot_bytes: u64,
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
            snapshot_bytes: 64 * 1024 * 1024,
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
}

#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub t: usize,
    pub s: usize,
    pub dispatched_ms: u64,
    pub pre_attempts: u32,
    pub pre_last_attempted: Option<i64>,
    pub correlation_id: Uuid,
}

struct Continuation {
    t: usize,
    s: usize,
    checkpoint: Value,
    pre_attempts: u32,
    pre_last_attempted: Option<i64>,
    correlation_id: Uuid,
}

struct ReadyEntry {
    t: usize,
    s: usize,
    since_ms_us: u64,
}

/// Error from a client operation: `recoverable` follows the HTTP status semantics of the original.
#[derive(Debug)]
pub struct ClientError {
    pub message: String,
    pub recoverable: bool,
}

impl ClientError {
    pub fn new(m: impl Into<String>) -> ClientError {
        ClientError { message: m.into(), recoverable: false }
    }
}

pub struct Engine {
    pub worker_id: String,
    pub config: EngineConfig,
    pub templates: Vec<TplEntry>,
    pub tpl_by_key: HashMap<(String, String, String), usize>,
    tpl_by_id: HashMap<u64, usize>,
    pub tasks: Vec<Task>,
    pub task_index: HashMap<Uuid, usize>,
    pub step_index: HashMap<Uuid, (usize, usize)>,
    identities: HashMap<String, Uuid>,
    ready: VecDeque<ReadyEntry>,
    continuations: VecDeque<Continuation>,
    retry_heap: BinaryHeap<Reverse<(i64, usize, usize)>>,
    pub pending: HashMap<Uuid, PendingEvent>,
    pub events: crate::events::EventBuffer,
    pub core_running: bool,
    store: Option<Store>,
    dirty_tasks: Vec<usize>,
    dirty_steps: Vec<(usize, usize)>,
    dirty_tpls: Vec<usize>,
    next_seq: u64,
    pub latencies_us: Vec<u64>,
    /// Latency sampling is off unless a benchmark asks for it.
    pub record_latency: bool,
    /// Durability ticket of the last operation; the FFI layer waits on it after releasing the lock.
    sync_ticket: Option<SyncTicket>,
}

fn dep_entry_from_stored(v: &Value) -> Arc<str> {
    let err = match v.get("error") {
        Some(Value::Object(e)) => crate::jobj![
            ("message", e.get("message").cloned().unwrap_or(Value::Null)),
            ("error_type", e.get("error_type").cloned().unwrap_or(Value::Null)),
            ("retryable", e.get("retryable").cloned().unwrap_or(Value::Bool(false))),
            ("status_code", e.get("status_code").cloned().unwrap_or(Value::Null)),
            ("backtrace", e.get("backtrace").cloned().unwrap_or(Value::Null)),
        ],
        _ => Value::Null,
    };
    let entry = crate::jobj![
        ("step_uuid", v.get("step_uuid").cloned().unwrap_or(Value::Null)),
        ("success", v.get("success").cloned().unwrap_or(Value::Bool(false))),
        ("result", v.get("result").cloned().unwrap_or(Value::Null)),
        ("status", v.get("status").cloned().unwrap_or(Value::str(""))),
        ("error", err),
    ];
    Arc::from(entry.to_json().as_str())
}

pub fn template_id(source: &str, text: &str, env: Option<&str>) -> u64 {
    let d = crate::hash::sha256(format!("{}\u{0}{}\u{0}{}", source, env.unwrap_or(""), text).as_bytes());
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) & (i64::MAX as u64)
}

impl Engine {
    /// Build an engine: register templates, then (durable mode) replay the data directory.
    pub fn new(worker_id: String, config: EngineConfig, sources: Vec<(String, String)>) -> Result<Engine, String> {
        let mut e = Engine {
            worker_id,
            events: crate::events::EventBuffer::new(config.event_buffer),
            config,
            templates: Vec::new(),
            tpl_by_key: HashMap::new(),
            tpl_by_id: HashMap::new(),
            tasks: Vec::new(),
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
        };
        let env = e.config.environment.clone();
        for (source, text) in sources {
            let tpl = crate::template::parse_template(&source, &text, env.as_deref())?;
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
            let (store, records) = Store::open(&dir)?;
            e.store = Some(store);
            e.replay(records)?;
            e.recover();
            // Fold the replayed log into a fresh snapshot so restart cost stays bounded.
            e.snapshot()?;
        }
        Ok(e)
    }

    fn add_template(&mut self, id: u64, source: String, text: String, tpl: Template, persisted: bool) -> usize {
        if let Some(&i) = self.tpl_by_id.get(&id) {
            if persisted {
                self.templates[i].persisted = true;
            }
            return i;
        }
        self.templates.push(TplEntry { id, source, text, tpl: Arc::new(tpl), persisted });
        let i = self.templates.len() - 1;
        self.tpl_by_id.insert(id, i);
        i
    }

    pub fn template_of(&self, t: usize) -> &Arc<Template> {
        &self.templates[self.tasks[t].tpl].tpl
    }

    pub fn supported_namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self.tpl_by_key.keys().map(|k| k.0.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    // ------------------------------------------------------------ state helpers

    fn mark_step(&mut self, t: usize, s: usize) {
        self.dirty_steps.push((t, s));
    }
    fn mark_task(&mut self, t: usize) {
        self.dirty_tasks.push(t);
    }

    /// Apply a legal step transition, keep counters and audit trail in sync.
    fn set_step_state(&mut self, t: usize, s: usize, to: StepState, result: Option<(&Arc<Value>, bool, i64, Option<String>)>, corr: Option<Uuid>) -> bool {
        let now = time::now_micros();
        let task = &mut self.tasks[t];
        let step = &mut task.steps[s];
        let from = step.state;
        if !from.can_transition(to) {
            logging::error(&format!("illegal step transition {} -> {} for step {} ({})", from.as_str(), to.as_str(), step.name, step.uuid));
            return false;
        }
        task.counts[from as usize] -= 1;
        task.counts[to as usize] += 1;
        step.state = to;
        step.updated_at = now;
        let (res, success, ms, worker) = match result {
            Some((r, ok, ms, w)) => (Some(r.clone()), ok, Some(ms), w),
            None => (None, to == StepState::Complete, None, None),
        };
        step.audits.push(Audit {
            audit_uuid: Uuid::new_v4(),
            transition_uuid: Uuid::new_v4(),
            from: Some(from),
            to,
            at: now,
            success,
            result: res,
            execution_time_ms: ms,
            worker_uuid: worker,
            correlation_id: corr,
        });
        task.updated_at = now;
        self.mark_step(t, s);
        true
    }

    /// Move the task along the shortest legal route to `target`.
    fn move_task(&mut self, t: usize, target: TaskState) {
        let task = &mut self.tasks[t];
        if task.state == target {
            return;
        }
        match task.state.route_to(target) {
            Some(path) => {
                let now = time::now_micros();
                for st in path {
                    logging::debug(&format!("task {} {} -> {}", task.uuid, task.state.as_str(), st.as_str()));
                    task.state = st;
                }
                task.updated_at = now;
                if target == TaskState::Complete {
                    task.completed_at = Some(now);
                }
                self.mark_task(t);
            }
            None => logging::error(&format!("no legal task transition {} -> {} for task {}", task.state.as_str(), target.as_str(), task.uuid)),
        }
    }

    /// Task finaliser (semantics §2.3) over the per-task counters.
    fn evaluate_task(&mut self, t: usize) {
        let task = &self.tasks[t];
        if task.state.is_terminal() {
            return;
        }
        let total = task.steps.len() as u32;
        let done = task.count(StepState::Complete) + task.count(StepState::ResolvedManually);
        let in_flight = task.count(StepState::Enqueued)
            + task.count(StepState::InProgress)
            + task.count(StepState::EnqueuedForOrchestration)
            + task.count(StepState::EnqueuedAsErrorForOrchestration);
        if task.count(StepState::Error) > 0 {
            self.move_task(t, TaskState::BlockedByFailures);
            self.move_task(t, TaskState::Error);
            logging::warn(&format!("task {} failed: a step failed permanently", self.tasks[t].uuid));
        } else if done == total {
            self.move_task(t, TaskState::Complete);
        } else if in_flight > 0 {
            self.move_task(t, TaskState::StepsInProcess);
        } else if task.count(StepState::WaitingForRetry) > 0 {
            self.move_task(t, TaskState::WaitingForRetry);
        } else {
            self.move_task(t, TaskState::WaitingForDependencies);
        }
    }

    fn parents_satisfied(&self, t: usize, s: usize) -> bool {
        let task = &self.tasks[t];
        task.steps[s].parents.iter().all(|&p| task.steps[p].state.satisfies_dependency())
    }

    fn enqueue(&mut self, t: usize, s: usize) {
        if self.set_step_state(t, s, StepState::Enqueued, None, None) {
            self.ready.push_back(ReadyEntry { t, s, since_ms_us: mono_us() });
        }
    }

    /// Enqueue a pending step whose dependencies are all satisfied.
    fn try_ready(&mut self, t: usize, s: usize) {
        if self.tasks[t].state.is_terminal() {
            return;
        }
        let st = self.tasks[t].steps[s].state;
        if st == StepState::Pending && self.parents_satisfied(t, s) {
            self.enqueue(t, s);
        }
    }

    fn add_step(&mut self, t: usize, def_idx: usize, name: String, inputs: Value) -> usize {
        let tpl = self.template_of(t).clone();
        let def = &tpl.steps[def_idx];
        let now = time::now_micros();
        let task = &mut self.tasks[t];
        let uuid = Uuid::new_v7();
        let step = Step {
            uuid,
            named_step_uuid: Uuid::from_name(&format!("{}/{}/{}#{}", tpl.namespace, tpl.name, tpl.version, def.name)),
            name: name.clone(),
            template_step_name: def.name.clone(),
            def_idx,
            state: StepState::Pending,
            attempts: 0,
            max_attempts: def.retry.max_attempts,
            retryable: def.retry.retryable,
            inputs,
            results: None,
            dep_entry: None,
            checkpoint: Value::Null,
            parents: Vec::new(),
            children: Vec::new(),
            created_at: now,
            updated_at: now,
            processed_at: None,
            last_attempted_at: None,
            last_failure_at: None,
            backoff_request_seconds: None,
            next_retry_at: None,
            audits: Vec::new(),
        };
        task.steps.push(step);
        let s = task.steps.len() - 1;
        task.by_name.insert(name, s);
        task.counts[StepState::Pending as usize] += 1;
        self.step_index.insert(uuid, (t, s));
        self.mark_step(t, s);
        s
    }

    fn add_edge(&mut self, t: usize, from: usize, to: usize) {
        let task = &mut self.tasks[t];
        if from == to || task.steps[to].parents.contains(&from) {
            return;
        }
        task.steps[to].parents.push(from);
        task.steps[from].children.push(to);
        self.mark_step(t, to);
    }

    // ------------------------------------------------------------ task creation

    pub fn create_task(&mut self, req: crate::client::TaskRequest) -> Result<usize, ClientError> {
        let key = (req.namespace.clone(), req.name.clone(), req.version.clone());
        let tpl_idx = match self.tpl_by_key.get(&key) {
            Some(&i) => i,
            None => {
                return Err(ClientError::new(format!(
                    "API error (404): Task template not found: {}/{}/{}",
                    req.namespace, req.name, req.version
                )))
            }
        };
        if req.name.is_empty() || req.name.len() > 255 {
            return Err(ClientError::new("API error (400): name must be between 1 and 255 characters"));
        }
        if req.version.is_empty() || req.version.len() > 50 {
            return Err(ClientError::new("API error (400): version must be between 1 and 50 characters"));
        }
        if let Some(p) = req.priority {
            if !(-100..=100).contains(&p) {
                return Err(ClientError::new("API error (400): priority must be between -100 and 100"));
            }
        }
        let tpl = self.templates[tpl_idx].tpl.clone();
        let named_task_uuid = Uuid::from_name(&format!("{}/{}/{}", tpl.namespace, tpl.name, tpl.version));
        let identity_hash = match &req.idempotency_key {
            Some(k) => crate::hash::sha256_hex(format!("{}:{}", named_task_uuid, k).as_bytes()),
            None => crate::hash::sha256_hex(format!("{}:{}", named_task_uuid, crate::json::canonical(&req.context)).as_bytes()),
        };
        if let Some(existing) = self.identities.get(&identity_hash) {
            return Err(ClientError::new(format!(
                "API error (409): A task with the same identity already exists (task_uuid={}, identity_hash={})",
                existing, identity_hash
            )));
        }
        let now = time::now_micros();
        let uuid = Uuid::new_v7();
        let context_raw: Arc<str> = Arc::from(req.context.to_json().as_str());
        let task = Task {
            uuid,
            tpl: tpl_idx,
            named_task_uuid,
            name: req.name,
            namespace: req.namespace,
            version: req.version,
            context: req.context,
            context_raw,
            initiator: req.initiator,
            source_system: req.source_system,
            reason: req.reason,
            tags: req.tags,
            priority: req.priority,
            options: req.options,
            correlation_id: req.correlation_id,
            parent_correlation_id: req.parent_correlation_id,
            identity_hash: identity_hash.clone(),
            idempotency_key: req.idempotency_key,
            requested_at: req.requested_at.unwrap_or(now),
            created_at: now,
            updated_at: now,
            completed_at: None,
            state: TaskState::Pending,
            steps: Vec::new(),
            by_name: HashMap::new(),
            counts: [0; STEP_STATES],
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.tasks.push(task);
        let t = self.tasks.len() - 1;
        self.task_index.insert(uuid, t);
        self.identities.insert(identity_hash, uuid);
        if !self.templates[tpl_idx].persisted {
            self.dirty_tpls.push(tpl_idx);
        }
        self.move_task(t, TaskState::Initializing);
        let initial = tpl.initial_step_set();
        for &d in &initial {
            let def = &tpl.steps[d];
            let inputs = if def.handler.initialization.is_empty() { Value::Null } else { Value::Object(def.handler.initialization.clone()) };
            self.add_step(t, d, def.name.clone(), inputs);
        }
        // Edges only between steps that exist at creation ("provides").
        for s in 0..self.tasks[t].steps.len() {
            let d = self.tasks[t].steps[s].def_idx;
            for dep in &tpl.steps[d].dependencies {
                if let Some(&p) = self.tasks[t].by_name.get(dep) {
                    self.add_edge(t, p, s);
                }
            }
        }
        for s in 0..self.tasks[t].steps.len() {
            self.try_ready(t, s);
        }
        self.evaluate_task(t);
        self.mark_task(t);
        Ok(t)
    }

    // ------------------------------------------------------------ dispatch

    /// Move retry-waiting steps whose backoff expired back into the ready queue.
    fn promote_due_retries(&mut self) {
        let now = time::now_micros();
        while let Some(Reverse((due, t, s))) = self.retry_heap.peek().copied() {
            if due > now {
                break;
            }
            self.retry_heap.pop();
            self.promote_retry(t, s, due);
        }
    }

    fn promote_retry(&mut self, t: usize, s: usize, due: i64) {
        let step = &self.tasks[t].steps[s];
        if step.state != StepState::WaitingForRetry || step.next_retry_at.map(|n| n != due).unwrap_or(false) {
            return; // stale timer
        }
        if self.tasks[t].state.is_terminal() {
            return;
        }
        self.set_step_state(t, s, StepState::Pending, None, None);
        self.tasks[t].steps[s].next_retry_at = None;
        self.try_ready(t, s);
        self.evaluate_task(t);
    }

    /// One event (serialized) or None. Claims the step (attempts += 1).
    pub fn poll(&mut self) -> Option<String> {
        if !self.core_running {
            return None;
        }
        self.promote_due_retries();
        let out = self.poll_inner();
        // Claims are not logged: on restart an unacknowledged claim is rolled back (see recover()).
        self.discard_dirty();
        out
    }

    fn poll_inner(&mut self) -> Option<String> {
        if let Some(c) = self.continuations.pop_front() {
            let event_id = Uuid::new_v4();
            let ev = crate::dispatch::build_step_event(self, c.t, c.s, event_id, c.correlation_id, c.pre_attempts, c.pre_last_attempted, Some(&c.checkpoint));
            self.pending.insert(
                event_id,
                PendingEvent { t: c.t, s: c.s, dispatched_ms: time::mono_ms(), pre_attempts: c.pre_attempts, pre_last_attempted: c.pre_last_attempted, correlation_id: c.correlation_id },
            );
            return Some(ev);
        }
        while let Some(entry) = self.ready.pop_front() {
            let (t, s) = (entry.t, entry.s);
            if self.tasks[t].steps[s].state != StepState::Enqueued {
                continue; // cancelled or otherwise moved on
            }
            let corr = Uuid::new_v4();
            let pre_attempts = self.tasks[t].steps[s].attempts;
            let pre_last = self.tasks[t].steps[s].last_attempted_at;
            let event_id = Uuid::new_v4();
            // Hydrate before the claim: the handler sees the pre-claim attempt count.
            let ev = crate::dispatch::build_step_event(self, t, s, event_id, corr, pre_attempts, pre_last, None);
            self.set_step_state(t, s, StepState::InProgress, None, Some(corr));
            let step = &mut self.tasks[t].steps[s];
            step.attempts += 1;
            step.last_attempted_at = Some(time::now_micros());
            self.pending.insert(
                event_id,
                PendingEvent { t, s, dispatched_ms: time::mono_ms(), pre_attempts, pre_last_attempted: pre_last, correlation_id: corr },
            );
            if self.record_latency && self.latencies_us.len() < 4_000_000 {
                self.latencies_us.push(mono_us().saturating_sub(entry.since_ms_us));
            }
            return Some(ev);
        }
        None
    }

    // ------------------------------------------------------------ completion

    /// Accept a parsed result for a pending event. Returns false if the event is unknown.
    pub fn complete(&mut self, event_id: Uuid, result: ExecResult) -> Result<bool, String> {
        let pe = match self.pending.remove(&event_id) {
            Some(p) => p,
            None => {
                logging::warn(&format!("completion for unknown event {}", event_id));
                return Ok(false);
            }
        };
        if result.step_uuid != self.tasks[pe.t].steps[pe.s].uuid {
            logging::warn(&format!(
                "completion for event {} carries step_uuid {} but the event is for step {}; using the event's step",
                event_id, result.step_uuid, self.tasks[pe.t].steps[pe.s].uuid
            ));
        }
        self.apply_result(pe.t, pe.s, result, pe.correlation_id);
        self.commit(true)?;
        Ok(true)
    }

    fn apply_result(&mut self, t: usize, s: usize, result: ExecResult, corr: Uuid) {
        if self.tasks[t].steps[s].state != StepState::InProgress {
            logging::warn(&format!("result for step {} in state {} ignored", self.tasks[t].steps[s].uuid, self.tasks[t].steps[s].state.as_str()));
            return;
        }
        let stored = Arc::new(result.to_json());
        {
            let step = &mut self.tasks[t].steps[s];
            step.dep_entry = Some(dep_entry_from_stored(&stored));
            step.results = Some(stored.clone());
        }
        let worker = result.metadata.worker_id.clone();
        let ms = result.metadata.execution_time_ms;
        let to = if result.success { StepState::EnqueuedForOrchestration } else { StepState::EnqueuedAsErrorForOrchestration };
        self.set_step_state(t, s, to, Some((&stored, result.success, ms, worker)), Some(corr));

        let now = time::now_micros();
        let cancelled = self.tasks[t].state == TaskState::Cancelled;
        // A finished task (cancelled, or failed through another branch) gets no new work.
        let finished = self.tasks[t].state.is_terminal();
        let mut outcome = crate::events::Outcome::Success;
        if result.success {
            self.set_step_state(t, s, StepState::Complete, None, Some(corr));
            let step = &mut self.tasks[t].steps[s];
            step.processed_at = Some(now);
            if !finished && result.normalized_status() == "completed" {
                let def_type = self.template_of(t).steps[self.tasks[t].steps[s].def_idx].step_type;
                match def_type {
                    StepType::Decision => self.process_decision(t, s, &result.result),
                    StepType::Batchable => self.process_batch(t, s, &result.result),
                    _ => {}
                }
            }
            if !finished {
                let children = self.tasks[t].steps[s].children.clone();
                for c in children {
                    self.try_ready(t, c);
                }
            }
        } else {
            self.tasks[t].steps[s].last_failure_at = Some(now);
            let step = &self.tasks[t].steps[s];
            // Retry decision reads only metadata.retryable + attempts (a template `retryable: false`
            // also makes it permanent, instead of stranding the step in waiting_for_retry).
            let retry = !finished && result.metadata.retryable && step.attempts < step.max_attempts && step.retryable;
            if cancelled {
                self.set_step_state(t, s, StepState::Cancelled, None, Some(corr));
                outcome = crate::events::Outcome::PermanentFailure;
            } else if retry {
                outcome = crate::events::Outcome::RetryableFailure;
                let delay_ms = self.backoff_delay_ms(&result, self.tasks[t].steps[s].attempts);
                self.set_step_state(t, s, StepState::WaitingForRetry, None, Some(corr));
                let due = now + delay_ms as i64 * 1000;
                let step = &mut self.tasks[t].steps[s];
                step.backoff_request_seconds = Some(((delay_ms + 999) / 1000) as i64);
                step.next_retry_at = Some(due);
                if delay_ms == 0 {
                    self.promote_retry(t, s, due);
                } else {
                    self.retry_heap.push(Reverse((due, t, s)));
                }
            } else {
                outcome = crate::events::Outcome::PermanentFailure;
                self.set_step_state(t, s, StepState::Error, None, Some(corr));
            }
        }
        self.evaluate_task(t);
        crate::events::publish_for_step(self, t, s, &result, outcome);
    }

    /// Exponential backoff with jitter and cap; a server-requested delay wins (capped, no jitter).
    pub fn backoff_delay_ms(&self, result: &ExecResult, attempts: u32) -> u64 {
        let b = &self.config.backoff;
        if let Some(om) = &result.orchestration_metadata {
            for (k, v) in &om.headers {
                if k.eq_ignore_ascii_case("retry-after") {
                    let v = v.trim();
                    if let Ok(secs) = v.parse::<u64>() {
                        return secs.saturating_mul(1000).min(b.max_ms);
                    }
                    if let Some(at) = time::parse_http_date(v) {
                        let ms = ((at - time::now_micros()).max(0) / 1000) as u64;
                        return ms.min(b.max_ms);
                    }
                }
            }
            if let Some(h) = &om.backoff_hint {
                return (h.delay_seconds as u64 * 1000).min(b.max_ms);
            }
        }
        let raw = b.base_ms as f64 * b.multiplier.powi(attempts.min(64) as i32);
        let delay = if raw.is_finite() { raw.min(b.max_ms as f64) } else { b.max_ms as f64 }.floor() as u64;
        let range = (delay as f64 * b.jitter_pct).floor() as u64;
        if range == 0 {
            return delay;
        }
        let j = crate::uuid::random_upto(range);
        if crate::uuid::random_u64() & 1 == 0 {
            delay.saturating_add(j).min(b.max_ms.max(delay))
        } else {
            delay.saturating_sub(j)
        }
    }

    // ------------------------------------------------------------ decision points and batches

    fn process_decision(&mut self, t: usize, s: usize, result: &Value) {
        let tpl = self.template_of(t).clone();
        let step_name = self.tasks[t].steps[s].name.clone();
        let outcome = match result.get("decision_point_outcome") {
            Some(o) => o,
            None => {
                logging::warn(&format!("decision step `{}` returned no decision_point_outcome; continuing", step_name));
                return;
            }
        };
        let names: Vec<String> = match outcome.get("type").and_then(|v| v.as_str()) {
            Some("no_branches") => return,
            Some("create_steps") => match outcome.get("step_names").and_then(|v| v.as_array()) {
                Some(a) if a.iter().all(|x| x.as_str().is_some()) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                _ => {
                    logging::warn(&format!("decision step `{}`: malformed create_steps outcome; continuing", step_name));
                    return;
                }
            },
            _ => {
                logging::warn(&format!("decision step `{}`: malformed decision_point_outcome; continuing", step_name));
                return;
            }
        };
        if names.is_empty() {
            return;
        }
        let reachable = tpl.decision_reachable(self.tasks[t].steps[s].def_idx);
        let mut create: Vec<usize> = Vec::new();
        for n in &names {
            match tpl.index.get(n) {
                Some(&d) if reachable.contains(&d) => {
                    if !create.contains(&d) {
                        create.push(d);
                    }
                }
                _ => {
                    logging::warn(&format!(
                        "decision step `{}`: invalid step name `{}` (not a descendant of the decision); no steps created",
                        step_name, n
                    ));
                    return;
                }
            }
        }
        // Add (to a fixpoint) the exit decision points of the branches being created and every
        // deferred_convergence step whose dependencies intersect the set being created.
        loop {
            let mut added = false;
            for (i, d) in tpl.steps.iter().enumerate() {
                let nested_exit = d.step_type == StepType::Decision && reachable.contains(&i);
                if (d.step_type == StepType::DeferredConvergence || nested_exit)
                    && !create.contains(&i)
                    && d.dependencies.iter().any(|dep| tpl.index.get(dep).map(|x| create.contains(x)).unwrap_or(false))
                {
                    create.push(i);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
        let created_names: HashSet<String> = create.iter().map(|&d| tpl.steps[d].name.clone()).collect();
        let mut new_steps = Vec::new();
        for &d in &create {
            let def = &tpl.steps[d];
            if self.tasks[t].by_name.contains_key(&def.name) {
                continue;
            }
            let inputs = if def.handler.initialization.is_empty() { Value::Null } else { Value::Object(def.handler.initialization.clone()) };
            let ns = self.add_step(t, d, def.name.clone(), inputs);
            new_steps.push((ns, d));
        }
        for &(ns, d) in &new_steps {
            let def = &tpl.steps[d];
            let deferred = def.step_type == StepType::DeferredConvergence;
            for dep in &def.dependencies {
                if created_names.contains(dep) || self.tasks[t].by_name.contains_key(dep) {
                    if let Some(&p) = self.tasks[t].by_name.get(dep) {
                        self.add_edge(t, p, ns);
                    }
                } else if !deferred {
                    self.add_edge(t, s, ns);
                }
            }
            if self.tasks[t].steps[ns].parents.is_empty() && !deferred {
                self.add_edge(t, s, ns);
            }
        }
        logging::debug(&format!("decision `{}` created {} step(s)", step_name, new_steps.len()));
        for (ns, _) in new_steps {
            self.try_ready(t, ns);
        }
    }

    fn process_batch(&mut self, t: usize, s: usize, result: &Value) {
        let tpl = self.template_of(t).clone();
        let step_name = self.tasks[t].steps[s].name.clone();
        let def_idx = self.tasks[t].steps[s].def_idx;
        let outcome = match result.get("batch_processing_outcome") {
            Some(o) => o,
            None => {
                logging::warn(&format!("batchable step `{}` returned no batch_processing_outcome; continuing", step_name));
                return;
            }
        };
        // Idempotent: skip if workers already hang off this step.
        let existing_worker = self.tasks[t].steps[s]
            .children
            .iter()
            .any(|&c| tpl.steps[self.tasks[t].steps[c].def_idx].step_type == StepType::BatchWorker);
        if existing_worker {
            return;
        }
        let (template_name, cursors, no_op): (String, Vec<Value>, bool) = match outcome.get("type").and_then(|v| v.as_str()) {
            Some("no_batches") => {
                match tpl.steps[def_idx].handler.initialization.get("worker_template_name").and_then(|v| v.as_str()) {
                    Some(n) => (
                        n.to_string(),
                        vec![crate::jobj![("batch_id", "000"), ("start_cursor", 0), ("end_cursor", 0), ("batch_size", 0)]],
                        true,
                    ),
                    None => {
                        logging::warn(&format!(
                            "batchable step `{}`: no_batches without `worker_template_name` in handler initialization; no placeholder worker created",
                            step_name
                        ));
                        return;
                    }
                }
            }
            Some("create_batches") => {
                let parsed = (|| -> Option<(String, Vec<Value>)> {
                    let name = outcome.get("worker_template_name")?.as_str()?.to_string();
                    outcome.get("worker_count")?.as_u64().filter(|&n| n <= u32::MAX as u64)?;
                    outcome.get("total_items")?.as_u64()?;
                    let mut cs = Vec::new();
                    for c in outcome.get("cursor_configs")?.as_array()? {
                        let bid = c.get("batch_id")?.as_str()?.to_string();
                        let start = c.get("start_cursor")?.clone();
                        let end = c.get("end_cursor")?.clone();
                        let size = c.get("batch_size")?.as_u64().filter(|&n| n <= u32::MAX as u64)?;
                        cs.push(crate::jobj![("batch_id", bid), ("start_cursor", start), ("end_cursor", end), ("batch_size", size)]);
                    }
                    Some((name, cs))
                })();
                match parsed {
                    Some((n, cs)) => (n, cs, false),
                    None => {
                        logging::warn(&format!("batchable step `{}`: malformed create_batches outcome; continuing", step_name));
                        return;
                    }
                }
            }
            _ => {
                logging::warn(&format!("batchable step `{}`: malformed batch_processing_outcome; continuing", step_name));
                return;
            }
        };
        let wdef_idx = match tpl.index.get(&template_name) {
            Some(&i) if tpl.steps[i].step_type == StepType::BatchWorker => i,
            _ => {
                logging::warn(&format!("batchable step `{}`: worker template `{}` is not a batch_worker step", step_name, template_name));
                return;
            }
        };
        let wdef = tpl.steps[wdef_idx].clone();
        let bc = match &wdef.batch_config {
            Some(b) => b.clone(),
            None => {
                logging::warn(&format!("batch worker template `{}` is missing batch configuration", template_name));
                return;
            }
        };
        let mut workers = Vec::new();
        for c in cursors {
            let bid = c.get("batch_id").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let name = format!("{}_{}", template_name, bid);
            if self.tasks[t].by_name.contains_key(&name) {
                logging::warn(&format!("batch worker `{}` already exists; skipped", name));
                continue;
            }
            let mut inputs: Map = wdef.handler.initialization.clone();
            inputs.insert("cursor", c);
            inputs.insert("batch_metadata", crate::jobj![("cursor_field", bc.cursor_field.as_str()), ("failure_strategy", bc.failure_strategy.as_str())]);
            inputs.insert("is_no_op", Value::Bool(no_op));
            inputs.insert("__template_step_name", Value::str(&template_name));
            let ws = self.add_step(t, wdef_idx, name, Value::Object(inputs));
            self.add_edge(t, s, ws);
            workers.push(ws);
        }
        // Convergence steps that list the worker template.
        for (i, d) in tpl.steps.iter().enumerate() {
            if d.step_type != StepType::DeferredConvergence || !d.dependencies.contains(&template_name) || self.tasks[t].by_name.contains_key(&d.name) {
                continue;
            }
            let inputs = if d.handler.initialization.is_empty() { Value::Null } else { Value::Object(d.handler.initialization.clone()) };
            let cs = self.add_step(t, i, d.name.clone(), inputs);
            for dep in &d.dependencies {
                if *dep == template_name {
                    for &w in &workers {
                        self.add_edge(t, w, cs);
                    }
                } else if let Some(&p) = self.tasks[t].by_name.get(dep) {
                    self.add_edge(t, p, cs);
                }
            }
            if self.tasks[t].steps[cs].parents.is_empty() {
                self.add_edge(t, s, cs);
            }
            workers.push(cs);
        }
        for w in workers {
            self.try_ready(t, w);
        }
    }

    // ------------------------------------------------------------ checkpoints

    /// Persist a checkpoint and queue a continuation. Ok(false) = unknown event / not allowed.
    pub fn checkpoint_yield(&mut self, event_id: Uuid, data: CheckpointYield) -> Result<bool, String> {
        let pe = match self.pending.get(&event_id) {
            Some(p) => p.clone(),
            None => {
                logging::warn(&format!("checkpoint yield for unknown event {}", event_id));
                return Ok(false);
            }
        };
        let (t, s) = (pe.t, pe.s);
        if self.tasks[t].steps[s].uuid != data.step_uuid {
            logging::warn(&format!("checkpoint yield for event {}: step_uuid {} does not match the event's step", event_id, data.step_uuid));
            return Ok(false);
        }
        if self.tasks[t].state == TaskState::Cancelled || self.tasks[t].steps[s].state != StepState::InProgress {
            logging::warn(&format!("checkpoint yield for event {} refused: task cancelled or step not in progress", event_id));
            return Ok(false);
        }
        let ts = time::rfc3339_z(time::now_micros());
        let mut history = match self.tasks[t].steps[s].checkpoint.get("history") {
            Some(Value::Array(h)) => h.clone(),
            _ => Vec::new(),
        };
        history.push(crate::jobj![("cursor", data.cursor.clone()), ("timestamp", ts.as_str())]);
        let record = crate::jobj![
            ("cursor", data.cursor.clone()),
            ("items_processed", data.items_processed),
            ("timestamp", ts.as_str()),
            ("accumulated_results", data.accumulated_results.clone()),
            ("history", Value::Array(history)),
        ];
        self.tasks[t].steps[s].checkpoint = record;
        self.tasks[t].steps[s].updated_at = time::now_micros();
        self.mark_step(t, s);
        self.commit(true)?;
        self.pending.remove(&event_id);
        self.continuations.push_back(Continuation {
            t,
            s,
            checkpoint: data.to_json(),
            pre_attempts: pe.pre_attempts,
            pre_last_attempted: pe.pre_last_attempted,
            correlation_id: pe.correlation_id,
        });
        Ok(true)
    }

    // ------------------------------------------------------------ timeouts and metrics

    /// Fail every pending event older than the completion timeout with a retryable ffi_timeout.
    pub fn cleanup_timeouts(&mut self) -> Result<usize, String> {
        let now = time::mono_ms();
        let limit = self.config.completion_timeout_ms;
        let expired: Vec<Uuid> = self.pending.iter().filter(|(_, p)| now.saturating_sub(p.dispatched_ms) > limit).map(|(k, _)| *k).collect();
        for id in &expired {
            if let Some(pe) = self.pending.remove(id) {
                let step_uuid = self.tasks[pe.t].steps[pe.s].uuid;
                logging::warn(&format!("FFI dispatch: event {} for step {} timed out after {}ms", id, step_uuid, limit));
                let r = ExecResult::failure(step_uuid, &format!("FFI handler timed out after {}ms", limit), "ffi_timeout", true, limit as i64);
                self.apply_result(pe.t, pe.s, r, pe.correlation_id);
            }
        }
        if !expired.is_empty() {
            self.commit(true)?;
        }
        Ok(expired.len())
    }

    pub fn starving(&self) -> Vec<(Uuid, u64)> {
        let now = time::mono_ms();
        self.pending
            .iter()
            .map(|(k, p)| (*k, now.saturating_sub(p.dispatched_ms)))
            .filter(|(_, age)| *age > self.config.starvation_threshold_ms)
            .collect()
    }

    pub fn metrics_json(&self) -> Value {
        let now = time::mono_ms();
        let mut oldest: Option<(u64, Uuid)> = None;
        let mut newest: Option<u64> = None;
        let mut starving = 0usize;
        for (k, p) in &self.pending {
            let age = now.saturating_sub(p.dispatched_ms);
            if age > self.config.starvation_threshold_ms {
                starving += 1;
            }
            if oldest.map(|(a, _)| age > a).unwrap_or(true) {
                oldest = Some((age, *k));
            }
            if newest.map(|n| age < n).unwrap_or(true) {
                newest = Some(age);
            }
        }
        crate::jobj![
            ("pending_count", self.pending.len()),
            ("starvation_detected", starving > 0),
            ("starving_event_count", starving),
            ("oldest_pending_age_ms", oldest.map(|o| o.0)),
            ("newest_pending_age_ms", newest),
            ("oldest_event_id", oldest.map(|o| o.1.to_string())),
        ]
    }

    // ------------------------------------------------------------ cancel

    pub fn cancel_task(&mut self, t: usize) -> Result<(), ClientError> {
        let state = self.tasks[t].state;
        if state == TaskState::Cancelled {
            return Ok(());
        }
        if state.is_terminal() {
            return Err(ClientError::new(format!("API error (409): Task {} cannot be cancelled in state {}", self.tasks[t].uuid, state.as_str())));
        }
        for s in 0..self.tasks[t].steps.len() {
            let st = self.tasks[t].steps[s].state;
            if matches!(st, StepState::Pending | StepState::Enqueued | StepState::WaitingForRetry) {
                self.set_step_state(t, s, StepState::Cancelled, None, None);
                self.tasks[t].steps[s].next_retry_at = None;
            }
        }
        // Continuations of in-flight checkpointed steps keep running to a final result (accepted, no new dispatch).
        self.move_task(t, TaskState::Cancelled);
        self.commit(true).map_err(ClientError::new)?;
        Ok(())
    }

    pub fn graceful_shutdown(&mut self) {
        self.core_running = false;
    }

    // ------------------------------------------------------------ persistence

    fn discard_dirty(&mut self) {
        self.dirty_steps.clear();
        self.dirty_tasks.clear();
        self.dirty_tpls.clear();
    }

    /// Take the durability ticket of the last operation (None in memory mode).
    pub fn take_sync_ticket(&mut self) -> Option<SyncTicket> {
        self.sync_ticket.take()
    }

    /// Write one log record with everything the operation touched. With `sync` the record
    /// must be durable before the caller acknowledges: a ticket is left for the FFI layer
    /// to wait on outside the engine lock (group commit).
    pub fn commit(&mut self, sync: bool) -> Result<(), String> {
        if self.store.is_none() {
            self.discard_dirty();
            return Ok(());
        }
        let mut ops: Vec<Value> = Vec::new();
        let mut seen_t = HashSet::new();
        let mut tpls = std::mem::take(&mut self.dirty_tpls);
        tpls.sort_unstable();
        tpls.dedup();
        for i in tpls {
            if !self.templates[i].persisted {
                ops.push(self.encode_template(i));
                self.templates[i].persisted = true;
            }
        }
        for t in std::mem::take(&mut self.dirty_tasks) {
            if seen_t.insert(t) {
                ops.push(self.encode_task(t));
            }
        }
        // Index order per task, so replay can append newly created steps in sequence.
        let mut dirty = std::mem::take(&mut self.dirty_steps);
        dirty.sort_unstable();
        dirty.dedup();
        for (t, s) in dirty {
            ops.push(self.tasks[t].steps[s].encode(self.tasks[t].uuid, s));
        }
        if ops.is_empty() {
            return Ok(());
        }
        let rec = crate::jobj![("ops", Value::Array(ops))].to_json();
        let store = self.store.as_mut().unwrap();
        store.append(rec.as_bytes(), false)?;
        if sync {
            self.sync_ticket = Some(store.ticket());
        }
        if store.wal_bytes() > self.config.snapshot_bytes {
            // The snapshot is fsynced, so it also makes this record durable.
            self.snapshot()?;
        }
        Ok(())
    }

    fn encode_template(&self, i: usize) -> Value {
        let e = &self.templates[i];
        crate::jobj![
            ("k", "tpl"),
            ("id", e.id),
            ("source", e.source.as_str()),
            ("text", e.text.as_str()),
            ("env", self.config.environment.clone()),
        ]
    }

    fn encode_task(&self, t: usize) -> Value {
        self.tasks[t].encode(self.templates[self.tasks[t].tpl].id)
    }

    /// Write all live state as a snapshot and start a fresh log.
    pub fn snapshot(&mut self) -> Result<(), String> {
        if self.store.is_none() {
            return Ok(());
        }
        let mut recs: Vec<String> = Vec::new();
        let used: HashSet<usize> = self.tasks.iter().map(|t| t.tpl).collect();
        let mut used: Vec<usize> = used.into_iter().collect();
        used.sort_unstable();
        for i in used {
            recs.push(self.encode_template(i).to_json());
            self.templates[i].persisted = true;
        }
        for t in 0..self.tasks.len() {
            recs.push(self.encode_task(t).to_json());
            for s in 0..self.tasks[t].steps.len() {
                recs.push(self.tasks[t].steps[s].encode(self.tasks[t].uuid, s).to_json());
            }
        }
        self.store.as_mut().unwrap().write_snapshot(&recs)
    }

    /// Apply snapshot + log entities in order.
    fn replay(&mut self, records: Vec<Value>) -> Result<(), String> {
        let mut tpl_ids: HashMap<u64, usize> = HashMap::new();
        for rec in records {
            let m = match rec.as_object() {
                Some(m) => m,
                None => return Err("data directory record is not an object".into()),
            };
            match m.get("k").and_then(|v| v.as_str()) {
                Some("tpl") => {
                    let id = m.get("id").and_then(|v| v.as_u64()).ok_or("template record without id")?;
                    let source = m.get("source").and_then(|v| v.as_str()).unwrap_or("").to_string();
                    let text = m.get("text").and_then(|v| v.as_str()).unwrap_or("").to_string();
                    let env = m.get("env").and_then(|v| v.as_str()).map(|s| s.to_string());
                    let tpl = crate::template::parse_template(&source, &text, env.as_deref())
                        .map_err(|e| format!("stored template could not be parsed: {}", e))?;
                    let idx = self.add_template(id, source, text, tpl, true);
                    tpl_ids.insert(id, idx);
                }
                Some("task") => {
                    let (mut task, tpl_id) = Task::decode(m)?;
                    task.tpl = *tpl_ids.get(&tpl_id).or_else(|| self.tpl_by_id.get(&tpl_id)).ok_or("task references an unknown template")?;
                    match self.task_index.get(&task.uuid) {
                        Some(&t) => {
                            let steps = std::mem::take(&mut self.tasks[t].steps);
                            task.steps = steps;
                            self.tasks[t] = task;
                        }
                        None => {
                            self.task_index.insert(task.uuid, self.tasks.len());
                            self.tasks.push(task);
                        }
                    }
                }
                Some("step") => {
                    let tu = m.get("task").and_then(|v| v.as_str()).and_then(|s| Uuid::parse(s).ok()).ok_or("step record without task")?;
                    let i = m.get("i").and_then(|v| v.as_u64()).ok_or("step record without index")? as usize;
                    let t = *self.task_index.get(&tu).ok_or("step record for an unknown task")?;
                    let step = Step::decode(m)?;
                    let steps = &mut self.tasks[t].steps;
                    if i < steps.len() {
                        steps[i] = step;
                    } else if i == steps.len() {
                        steps.push(step);
                    } else {
                        return Err(format!("step record index {} out of order", i));
                    }
                }
                other => return Err(format!("unknown record kind {:?}", other)),
            }
        }
        // Rebuild derived indexes.
        let mut max_seq = 0;
        for t in 0..self.tasks.len() {
            let tpl = self.templates[self.tasks[t].tpl].tpl.clone();
            let task = &mut self.tasks[t];
            max_seq = max_seq.max(task.seq + 1);
            self.identities.insert(task.identity_hash.clone(), task.uuid);
            task.by_name.clear();
            task.counts = [0; STEP_STATES];
            for s in 0..task.steps.len() {
                let step = &mut task.steps[s];
                step.def_idx = *tpl.index.get(&step.template_step_name).ok_or_else(|| format!("stored step `{}` missing from its template", step.template_step_name))?;
                step.children.clear();
                step.dep_entry = step.results.as_ref().map(|r| dep_entry_from_stored(r));
                task.counts[step.state as usize] += 1;
                task.by_name.insert(step.name.clone(), s);
                self.step_index.insert(step.uuid, (t, s));
            }
            for s in 0..task.steps.len() {
                for p in task.steps[s].parents.clone() {
                    if p < task.steps.len() {
                        task.steps[p].children.push(s);
                    }
                }
            }
        }
        self.next_seq = max_seq;
        Ok(())
    }

    /// After replay: roll back unacknowledged claims and rebuild queues and timers.
    fn recover(&mut self) {
        let mut order: Vec<usize> = (0..self.tasks.len()).collect();
        order.sort_by_key(|&t| self.tasks[t].seq);
        let mut redispatched = 0;
        for t in order {
            if self.tasks[t].state.is_terminal() {
                continue;
            }
            for s in 0..self.tasks[t].steps.len() {
                match self.tasks[t].steps[s].state {
                    StepState::InProgress => {
                        // The execution never acknowledged a result: it does not count as an attempt.
                        self.set_step_state(t, s, StepState::WaitingForRetry, None, None);
                        self.set_step_state(t, s, StepState::Pending, None, None);
                        let step = &mut self.tasks[t].steps[s];
                        step.attempts = step.attempts.saturating_sub(1);
                        self.enqueue(t, s);
                        redispatched += 1;
                    }
                    StepState::Enqueued => {
                        self.ready.push_back(ReadyEntry { t, s, since_ms_us: mono_us() });
                    }
                    StepState::WaitingForRetry => {
                        let due = self.tasks[t].steps[s].next_retry_at.unwrap_or(0);
                        self.tasks[t].steps[s].next_retry_at = Some(due);
                        self.retry_heap.push(Reverse((due, t, s)));
                    }
                    StepState::EnqueuedForOrchestration | StepState::EnqueuedAsErrorForOrchestration => {
                        logging::warn(&format!("step {} recovered in {}; re-dispatching", self.tasks[t].steps[s].uuid, self.tasks[t].steps[s].state.as_str()));
                        self.set_step_state(t, s, StepState::Error, None, None);
                        self.set_step_state(t, s, StepState::Pending, None, None);
                        self.enqueue(t, s);
                    }
                    StepState::Pending => self.try_ready(t, s),
                    _ => {}
                }
            }
            self.evaluate_task(t);
        }
        if redispatched > 0 {
            logging::info(&format!("recovery: {} in-flight step(s) will be dispatched again", redispatched));
        }
        self.discard_dirty();
    }

    pub fn find_task(&self, uuid: Uuid) -> Option<usize> {
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
    use super::*;

    fn engine(b: BackoffConfig) -> Engine {
        let cfg = EngineConfig { backoff: b, ..EngineConfig::default() };
        Engine::new("w".into(), cfg, Vec::new()).unwrap()
    }

    fn failure_with(orch: Option<&str>) -> ExecResult {
        let mut v = crate::json::parse(r#"{"success":false,"metadata":{"retryable":true}}"#).unwrap();
        if let Some(o) = orch {
            v.as_object_mut().unwrap().insert("orchestration_metadata", crate::json::parse(o).unwrap());
        }
        crate::result::from_value_strict(&v, 0).unwrap()
    }

    #[test]
    fn exponential_backoff_with_cap_and_jitter() {
        let e = engine(BackoffConfig { base_ms: 1000, max_ms: 60_000, multiplier: 2.0, jitter_pct: 0.0 });
        let r = failure_with(None);
        assert_eq!(e.backoff_delay_ms(&r, 1), 2000);
        assert_eq!(e.backoff_delay_ms(&r, 3), 8000);
        assert_eq!(e.backoff_delay_ms(&r, 10), 60_000);
        assert_eq!(e.backoff_delay_ms(&r, 500), 60_000);
        let e = engine(BackoffConfig { base_ms: 1000, max_ms: 60_000, multiplier: 2.0, jitter_pct: 0.15 });
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d = e.backoff_delay_ms(&r, 2);
            assert!((3400..=4600).contains(&d), "{}", d);
            seen.insert(d);
        }
        assert!(seen.len() > 10, "jitter varies");
        for _ in 0..100 {
            assert!(e.backoff_delay_ms(&r, 20) <= 60_000);
        }
    }

    #[test]
    fn server_requested_delays() {
        let e = engine(BackoffConfig { base_ms: 1000, max_ms: 60_000, multiplier: 2.0, jitter_pct: 0.15 });
        assert_eq!(e.backoff_delay_ms(&failure_with(Some(r#"{"headers":{"Retry-After":"7"},"custom":{}}"#)), 1), 7000);
        assert_eq!(e.backoff_delay_ms(&failure_with(Some(r#"{"headers":{"retry-after":"999"},"custom":{}}"#)), 1), 60_000);
        let hint = r#"{"headers":{},"custom":{},"backoff_hint":{"backoff_type":"ServiceUnavailable","delay_seconds":3}}"#;
        assert_eq!(e.backoff_delay_ms(&failure_with(Some(hint)), 1), 3000);
        let future = crate::time::now_micros() + 20_000_000;
        let p = crate::time::split_for_http(future);
        let d = e.backoff_delay_ms(&failure_with(Some(&format!(r#"{{"headers":{{"Retry-After":"{}"}},"custom":{{}}}}"#, p))), 1);
        assert!((18_000..=20_000).contains(&d), "{}", d);
        // without server input: configured exponential backoff
        let d = e.backoff_delay_ms(&failure_with(Some(r#"{"headers":{},"custom":{}}"#)), 1);
        assert!((1700..=2300).contains(&d), "{}", d);
    }
}
