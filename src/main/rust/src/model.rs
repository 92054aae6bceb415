//! Task/step records and the two state machines.

use crate::json::{Map, ObjWriter, Value};
use crate::uuid::Uuid;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepState {
    Pending = 0,
    Enqueued,
    InProgress,
    EnqueuedForOrchestration,
    EnqueuedAsErrorForOrchestration,
    WaitingForRetry,
    Complete,
    Error,
    Cancelled,
    ResolvedManually,
}

/// Position of a live task in `Engine::tasks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskIdx(pub usize);

/// Position of a step in its task's `steps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepIdx(pub usize);

impl StepIdx {
    /// Every step index of a task with `n` steps, in creation order.
    pub fn all(n: usize) -> impl Iterator<Item = StepIdx> {
        (0..n).map(StepIdx)
    }
}

/// Tasks in memory. A slot is freed when its task leaves memory (archived) and reused, so
/// anything that keeps a `TaskIdx` across operations checks the step uuid before use.
#[derive(Default)]
pub struct Tasks {
    slots: Vec<Option<Task>>,
    free: Vec<usize>,
    live: usize,
}

impl Tasks {
    pub fn insert(&mut self, task: Task) -> TaskIdx {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(task);
                TaskIdx(i)
            }
            None => {
                self.slots.push(Some(task));
                TaskIdx(self.slots.len() - 1)
            }
        }
    }
    pub fn remove(&mut self, t: TaskIdx) -> Option<Task> {
        let task = self.slots.get_mut(t.0)?.take()?;
        self.live -= 1;
        self.free.push(t.0);
        Some(task)
    }
    pub fn get(&self, t: TaskIdx) -> Option<&Task> {
        self.slots.get(t.0).and_then(|s| s.as_ref())
    }
    /// Number of tasks in memory.
    pub fn in_memory(&self) -> usize {
        self.live
    }
    /// Positions of the tasks in memory.
    pub fn indices(&self) -> Vec<TaskIdx> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| TaskIdx(i))
            .collect()
    }
    pub fn iter(&self) -> impl Iterator<Item = (TaskIdx, &Task)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|t| (TaskIdx(i), t)))
    }
    pub fn clear(&mut self) {
        *self = Tasks::default();
    }
}

impl std::ops::Index<TaskIdx> for Tasks {
    type Output = Task;
    fn index(&self, i: TaskIdx) -> &Task {
        self.slots[i.0].as_ref().expect("task slot in use")
    }
}

impl std::ops::IndexMut<TaskIdx> for Tasks {
    fn index_mut(&mut self, i: TaskIdx) -> &mut Task {
        self.slots[i.0].as_mut().expect("task slot in use")
    }
}

impl std::ops::Index<StepIdx> for Vec<Step> {
    type Output = Step;
    fn index(&self, i: StepIdx) -> &Step {
        &self[i.0]
    }
}

impl std::ops::IndexMut<StepIdx> for Vec<Step> {
    fn index_mut(&mut self, i: StepIdx) -> &mut Step {
        &mut self[i.0]
    }
}

pub const STEP_STATES: usize = 10;

impl StepState {
    pub fn as_str(self) -> &'static str {
        use StepState::*;
        match self {
            Pending => "pending",
            Enqueued => "enqueued",
            InProgress => "in_progress",
            EnqueuedForOrchestration => "enqueued_for_orchestration",
            EnqueuedAsErrorForOrchestration => "enqueued_as_error_for_orchestration",
            WaitingForRetry => "waiting_for_retry",
            Complete => "complete",
            Error => "error",
            Cancelled => "cancelled",
            ResolvedManually => "resolved_manually",
        }
    }
    pub fn parse(s: &str) -> Option<StepState> {
        use StepState::*;
        Some(match s {
            "pending" => Pending,
            "enqueued" => Enqueued,
            "in_progress" => InProgress,
            "enqueued_for_orchestration" => EnqueuedForOrchestration,
            "enqueued_as_error_for_orchestration" => EnqueuedAsErrorForOrchestration,
            "waiting_for_retry" => WaitingForRetry,
            "complete" => Complete,
            "error" => Error,
            "cancelled" => Cancelled,
            "resolved_manually" => ResolvedManually,
            _ => return None,
        })
    }
    pub fn satisfies_dependency(self) -> bool {
        matches!(self, StepState::Complete | StepState::ResolvedManually)
    }
    pub fn in_flight(self) -> bool {
        use StepState::*;
        matches!(
            self,
            Enqueued | InProgress | EnqueuedForOrchestration | EnqueuedAsErrorForOrchestration
        )
    }

    /// Legal step transitions (step_state_machine.rs).
    pub fn can_transition(self, to: StepState) -> bool {
        use StepState::*;
        match (self, to) {
            (_, Complete) | (_, ResolvedManually) => true, // complete_manually / resolve_manually (and normal completion paths)
            (Pending, Enqueued) | (Enqueued, InProgress) | (Pending, InProgress) => true,
            (InProgress, EnqueuedForOrchestration)
            | (InProgress, EnqueuedAsErrorForOrchestration) => true,
            (EnqueuedForOrchestration, Error) => true,
            (EnqueuedAsErrorForOrchestration, Error)
            | (EnqueuedAsErrorForOrchestration, WaitingForRetry) => true,
            (InProgress, WaitingForRetry)
            | (Enqueued, WaitingForRetry)
            | (Pending, WaitingForRetry) => true,
            (InProgress, Error) | (Pending, Error) | (Enqueued, Error) => true,
            (WaitingForRetry, Pending) | (Error, Pending) => true,
            (Pending, Cancelled)
            | (Enqueued, Cancelled)
            | (InProgress, Cancelled)
            | (EnqueuedForOrchestration, Cancelled)
            | (EnqueuedAsErrorForOrchestration, Cancelled)
            | (Error, Cancelled)
            | (WaitingForRetry, Cancelled) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    Pending = 0,
    Initializing,
    EnqueuingSteps,
    StepsInProcess,
    EvaluatingResults,
    WaitingForDependencies,
    WaitingForRetry,
    BlockedByFailures,
    Complete,
    Error,
    Cancelled,
    ResolvedManually,
}

const ALL_TASK_STATES: [TaskState; 12] = [
    TaskState::Pending,
    TaskState::Initializing,
    TaskState::EnqueuingSteps,
    TaskState::StepsInProcess,
    TaskState::EvaluatingResults,
    TaskState::WaitingForDependencies,
    TaskState::WaitingForRetry,
    TaskState::BlockedByFailures,
    TaskState::Complete,
    TaskState::Error,
    TaskState::Cancelled,
    TaskState::ResolvedManually,
];

impl TaskState {
    pub fn as_str(self) -> &'static str {
        use TaskState::*;
        match self {
            Pending => "pending",
            Initializing => "initializing",
            EnqueuingSteps => "enqueuing_steps",
            StepsInProcess => "steps_in_process",
            EvaluatingResults => "evaluating_results",
            WaitingForDependencies => "waiting_for_dependencies",
            WaitingForRetry => "waiting_for_retry",
            BlockedByFailures => "blocked_by_failures",
            Complete => "complete",
            Error => "error",
            Cancelled => "cancelled",
            ResolvedManually => "resolved_manually",
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        ALL_TASK_STATES.iter().copied().find(|t| t.as_str() == s)
    }
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Complete
                | TaskState::Error
                | TaskState::Cancelled
                | TaskState::ResolvedManually
        )
    }

    /// Legal task transitions (task_state_machine.rs), excluding manual resolution.
    pub fn can_transition(self, to: TaskState) -> bool {
        use TaskState::*;
        if to == Cancelled {
            return !self.is_terminal();
        }
        matches!(
            (self, to),
            (Pending, Initializing)
                | (Initializing, EnqueuingSteps)
                | (Initializing, Complete)
                | (Initializing, WaitingForDependencies)
                | (EnqueuingSteps, StepsInProcess)
                | (EnqueuingSteps, Error)
                | (StepsInProcess, EvaluatingResults)
                | (StepsInProcess, WaitingForRetry)
                | (StepsInProcess, Complete)
                | (StepsInProcess, Error)
                | (EvaluatingResults, Complete)
                | (EvaluatingResults, EnqueuingSteps)
                | (EvaluatingResults, WaitingForDependencies)
                | (EvaluatingResults, BlockedByFailures)
                | (WaitingForDependencies, EvaluatingResults)
                | (WaitingForRetry, EnqueuingSteps)
                | (BlockedByFailures, Error)
                | (Error, Pending)
        )
    }

    /// Shortest legal route to `target` (BFS over the transition table), excluding `self`.
    pub fn route_to(self, target: TaskState) -> Option<Vec<TaskState>> {
        if self == target {
            return Some(Vec::new());
        }
        let idx = |s: TaskState| s as usize;
        let mut prev: [Option<TaskState>; 12] = [None; 12];
        let mut seen = [false; 12];
        seen[idx(self)] = true;
        let mut q = std::collections::VecDeque::new();
        q.push_back(self);
        while let Some(s) = q.pop_front() {
            if s.is_terminal() && s != self {
                continue;
            }
            for &n in ALL_TASK_STATES.iter() {
                if n == TaskState::Cancelled && target != TaskState::Cancelled {
                    continue;
                }
                if !seen[idx(n)] && s.can_transition(n) {
                    seen[idx(n)] = true;
                    prev[idx(n)] = Some(s);
                    if n == target {
                        let mut path = vec![n];
                        let mut cur = s;
                        while cur != self {
                            path.push(cur);
                            cur = prev[idx(cur)].unwrap();
                        }
                        path.reverse();
                        return Some(path);
                    }
                    q.push_back(n);
                }
            }
        }
        None
    }
}

#[derive(Clone, Debug)]
pub struct Audit {
    pub audit_uuid: Uuid,
    pub transition_uuid: Uuid,
    pub from: Option<StepState>,
    pub to: StepState,
    pub at: i64,
    pub success: bool,
    pub result: Option<Arc<Value>>,
    pub execution_time_ms: Option<i64>,
    pub worker_uuid: Option<String>,
    pub correlation_id: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub uuid: Uuid,
    pub named_step_uuid: Uuid,
    pub name: String,
    pub template_step_name: String,
    pub def_idx: usize,
    pub state: StepState,
    pub attempts: u32,
    pub max_attempts: u32,
    pub retryable: bool,
    pub inputs: Value,
    pub results: Option<Arc<Value>>,
    /// Serialized DependencyResultDto for children (computed once per result).
    pub dep_entry: Option<Arc<str>>,
    pub checkpoint: Value,
    pub parents: Vec<StepIdx>,
    pub children: Vec<StepIdx>,
    pub created_at: i64,
    pub updated_at: i64,
    pub processed_at: Option<i64>,
    pub last_attempted_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub backoff_request_seconds: Option<i64>,
    pub next_retry_at: Option<i64>,
    pub audits: Vec<Audit>,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub uuid: Uuid,
    pub tpl: usize,
    pub named_task_uuid: Uuid,
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub context_raw: Arc<str>,
    pub initiator: String,
    pub source_system: String,
    pub reason: String,
    pub tags: Vec<String>,
    pub priority: Option<i32>,
    pub options: Value,
    pub correlation_id: Uuid,
    pub parent_correlation_id: Option<Uuid>,
    pub identity_hash: String,
    pub idempotency_key: Option<String>,
    pub requested_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub state: TaskState,
    pub steps: Vec<Step>,
    pub by_name: HashMap<String, StepIdx>,
    pub counts: [u32; STEP_STATES],
    pub seq: u64,
    /// Its row was written to the store at least once (later writes update it).
    pub stored: bool,
    /// The write that archives it (moves it out of memory) has been issued.
    pub archive_issued: bool,
}

impl Task {
    pub fn count(&self, s: StepState) -> u32 {
        self.counts[s as usize]
    }
    /// Steps that are queued, running or awaiting orchestration.
    pub fn in_flight(&self) -> u32 {
        self.count(StepState::Enqueued)
            + self.count(StepState::InProgress)
            + self.count(StepState::EnqueuedForOrchestration)
            + self.count(StepState::EnqueuedAsErrorForOrchestration)
    }
    /// Finished with nothing in flight: nothing can change it any more.
    pub fn settled(&self) -> bool {
        self.state.is_terminal() && self.in_flight() == 0
    }
    pub fn complete(&self) -> bool {
        self.state == TaskState::Complete
    }
}

// ---------------------------------------------------------------- persistence encoding

fn get_opt_i64(m: &Map, k: &str) -> Option<i64> {
    m.get(k).and_then(|v| v.as_i64())
}

fn get_str(m: &Map, k: &str) -> Result<String, String> {
    m.get(k)
        .and_then(|v| v.as_str())
        .map(|s| s.to_string())
        .ok_or_else(|| format!("missing `{}`", k))
}

fn get_uuid(m: &Map, k: &str) -> Result<Uuid, String> {
    crate::uuid::parse(&get_str(m, k)?)
}

/// Stored in place of an audit's result when it is the step's current result (the
/// completion's audit entry), so the result is stored once.
const SAME_AS_RESULTS: i64 = 1;
/// Stored in place of an audit's correlation id when it is the previous entry's (a claim,
/// its result and its completion carry the same one).
const SAME_AS_PREVIOUS: i64 = 1;

impl Audit {
    /// The ids of audit entry `i` of step `step`, unless given (rows written before the
    /// ids were derived store random ones).
    pub fn ids(step: &Uuid, i: usize) -> (Uuid, Uuid) {
        (
            crate::uuid::derived(step, 2 * i as u64),
            crate::uuid::derived(step, 2 * i as u64 + 1),
        )
    }

    /// `ids` are those of this entry's position (`Audit::ids`): stored ids are left out
    /// when they equal them. A correlation id equal to the previous entry's (`prev`) is
    /// stored as `SAME_AS_PREVIOUS`.
    pub fn write(
        &self,
        out: &mut String,
        results: Option<&Arc<Value>>,
        ids: (Uuid, Uuid),
        prev: Option<&Uuid>,
    ) {
        let mut w = ObjWriter::new(out);
        if self.audit_uuid != ids.0 || self.transition_uuid != ids.1 {
            w.uuid("a", &self.audit_uuid)
                .uuid("t", &self.transition_uuid);
        }
        if let Some(f) = self.from {
            w.str("f", f.as_str());
        }
        w.str("to", self.to.as_str())
            .int("at", self.at)
            .bool("ok", self.success);
        match (&self.result, results) {
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) => {
                w.int("r", SAME_AS_RESULTS);
            }
            (Some(r), _) => {
                w.value("r", r);
            }
            (None, _) => {}
        };
        if let Some(ms) = self.execution_time_ms {
            w.int("ms", ms);
        }
        if let Some(wk) = self.worker_uuid.as_deref() {
            w.str("w", wk);
        }
        match self.correlation_id.as_ref() {
            Some(c) if Some(c) == prev => {
                w.int("c", SAME_AS_PREVIOUS);
            }
            Some(c) => {
                w.uuid("c", c);
            }
            None => {}
        }
        w.finish();
    }
    pub fn decode(
        v: &Value,
        results: Option<&Arc<Value>>,
        ids: (Uuid, Uuid),
        prev: Option<&Uuid>,
    ) -> Result<Audit, String> {
        let m = v.as_object().ok_or("audit not an object")?;
        let (audit_uuid, transition_uuid) = if m.contains_key("a") || m.contains_key("t") {
            (get_uuid(m, "a")?, get_uuid(m, "t")?)
        } else {
            ids
        };
        let result = match m.get("r") {
            None | Some(Value::Null) => None,
            Some(Value::Int(SAME_AS_RESULTS)) => Some(
                results
                    .cloned()
                    .ok_or("audit refers to the step result, which is missing")?,
            ),
            Some(v) => Some(Arc::new(v.clone())),
        };
        Ok(Audit {
            audit_uuid,
            transition_uuid,
            from: m
                .get("f")
                .and_then(|v| v.as_str())
                .and_then(StepState::parse),
            to: StepState::parse(&get_str(m, "to")?).ok_or("bad state")?,
            at: get_opt_i64(m, "at").unwrap_or(0),
            success: m.get("ok").and_then(|v| v.as_bool()).unwrap_or(false),
            result,
            execution_time_ms: get_opt_i64(m, "ms"),
            worker_uuid: m.get("w").and_then(|v| v.as_str()).map(|s| s.to_string()),
            correlation_id: match m.get("c") {
                Some(Value::Int(SAME_AS_PREVIOUS)) => prev.copied(),
                c => c
                    .and_then(|v| v.as_str())
                    .and_then(|s| crate::uuid::parse(s).ok()),
            },
        })
    }
}

/// The keys of a step result as `ExecResult::to_json` writes it, in order: (key, stored key,
/// whether a null is left out). `step_uuid` is left out when it is the step's own.
const RESULT_KEYS: [(&str, &str, bool); 7] = [
    ("step_uuid", "u", false),
    ("success", "ok", false),
    ("result", "result", false),
    ("metadata", "md", false),
    ("status", "status", false),
    ("error", "e", true),
    ("orchestration_metadata", "om", true),
];
const METADATA_KEYS: [(&str, bool); 11] = [
    // (key, whether its default is an empty object rather than null)
    ("execution_time_ms", false),
    ("handler_version", false),
    ("retryable", false),
    ("completed_at", false),
    ("worker_id", false),
    ("worker_hostname", false),
    ("started_at", false),
    ("custom", true),
    ("error_code", false),
    ("error_type", false),
    ("context", true),
];

fn is_default_metadata(v: &Value, object: bool) -> bool {
    match v {
        Value::Object(m) => object && m.is_empty(),
        Value::Null => !object,
        _ => false,
    }
}

fn has_keys<'a>(m: &Map, keys: impl ExactSizeIterator<Item = &'a str>) -> bool {
    m.len() == keys.len() && m.entries.iter().zip(keys).all(|((k, _), want)| k == want)
}

/// Writes a result in the stored compact form (`"rs"`): every null or empty metadata field
/// and the step's own uuid left out, which is a third of a finished step's row. Returns false,
/// writing nothing, for a result of any other shape (rows of earlier builds), which is
/// stored as it is.
fn write_compact_result(w: &mut ObjWriter<'_>, r: &Value, step: &Uuid) -> bool {
    let Some(m) = r.as_object() else { return false };
    if !has_keys(m, RESULT_KEYS.iter().map(|k| k.0)) {
        return false;
    }
    let Some(md) = m.entries[3].1.as_object() else {
        return false;
    };
    if !has_keys(md, METADATA_KEYS.iter().map(|k| k.0)) {
        return false;
    }
    w.object("rs", |o| {
        for ((_, v), (key, short, null_left_out)) in m.entries.iter().zip(RESULT_KEYS) {
            match key {
                "step_uuid" => {
                    let mut buf = [0u8; 36];
                    if v.as_str() != Some(&*step.hyphenated().encode_lower(&mut buf)) {
                        o.value("u", v);
                    }
                }
                "metadata" => {
                    o.object(short, |mo| {
                        for ((_, v), (key, object)) in md.entries.iter().zip(METADATA_KEYS) {
                            if !is_default_metadata(v, object) {
                                mo.value(key, v);
                            }
                        }
                    });
                }
                _ => {
                    if !(null_left_out && v.is_null()) {
                        o.value(short, v);
                    }
                }
            }
        }
    });
    true
}

/// The result `write_compact_result` stored, with every key in its place again.
fn read_compact_result(c: &Value, step: &Uuid) -> Result<Value, String> {
    let c = c.as_object().ok_or("stored result not an object")?;
    let md = c
        .get("md")
        .and_then(|v| v.as_object())
        .ok_or("stored result without its metadata")?;
    let mut metadata = Map::with_capacity(METADATA_KEYS.len());
    for (key, object) in METADATA_KEYS {
        let v = match md.get(key) {
            Some(v) => v.clone(),
            None if object => Value::Object(Map::new()),
            None => Value::Null,
        };
        metadata.push(key, v);
    }
    let mut out = Map::with_capacity(RESULT_KEYS.len());
    for (key, short, _) in RESULT_KEYS {
        let v = match key {
            "step_uuid" => c
                .get("u")
                .cloned()
                .unwrap_or_else(|| Value::Str(step.to_string())),
            "metadata" => Value::Object(std::mem::take(&mut metadata)),
            "success" | "result" | "status" => c
                .get(short)
                .cloned()
                .ok_or_else(|| format!("stored result without {key}"))?,
            _ => c.get(short).cloned().unwrap_or(Value::Null),
        };
        out.push(key, v);
    }
    Ok(Value::Object(out))
}

impl Step {
    /// The stored form of a step (one row). Absent keys read as null (and the row key
    /// names the task and index): the body is what every write of the step costs.
    pub fn encode_json(&self) -> String {
        let mut out = String::with_capacity(2048);
        let mut w = ObjWriter::new(&mut out);
        w.uuid("uuid", &self.uuid)
            .uuid("nsu", &self.named_step_uuid)
            .str("name", &self.name)
            .str("tsn", &self.template_step_name)
            .str("state", self.state.as_str())
            .uint("attempts", self.attempts as u64)
            .uint("max", self.max_attempts as u64)
            .bool("retryable", self.retryable);
        if !self.inputs.is_null() {
            w.value("inputs", &self.inputs);
        }
        if let Some(r) = &self.results {
            if !write_compact_result(&mut w, r, &self.uuid) {
                w.value("results", r);
            }
        }
        if !self.checkpoint.is_null() {
            w.value("checkpoint", &self.checkpoint);
        }
        if !self.parents.is_empty() {
            w.array("parents", |o| {
                for (i, p) in self.parents.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    o.push_str(&p.0.to_string());
                }
            });
        }
        w.int("created_at", self.created_at)
            .int("updated_at", self.updated_at);
        for (k, v) in [
            ("processed_at", self.processed_at),
            ("last_attempted_at", self.last_attempted_at),
            ("last_failure_at", self.last_failure_at),
            ("backoff", self.backoff_request_seconds),
            ("next_retry_at", self.next_retry_at),
        ] {
            if let Some(v) = v {
                w.int(k, v);
            }
        }
        w.array("audits", |o| {
            for (i, a) in self.audits.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                let prev = i
                    .checked_sub(1)
                    .and_then(|p| self.audits[p].correlation_id.as_ref());
                a.write(o, self.results.as_ref(), Audit::ids(&self.uuid, i), prev);
            }
        })
        .finish();
        out
    }

    /// Decode a step record; `def_idx` and `dep_entry` are resolved by the caller.
    pub fn decode(m: &Map) -> Result<Step, String> {
        let uuid = get_uuid(m, "uuid")?;
        let results = match m.get("rs") {
            Some(c) => Some(Arc::new(read_compact_result(c, &uuid)?)),
            None => m
                .get("results")
                .filter(|v| !v.is_null())
                .map(|v| Arc::new(v.clone())),
        };
        let mut audits = Vec::new();
        if let Some(Value::Array(a)) = m.get("audits") {
            for (i, x) in a.iter().enumerate() {
                let prev = audits.last().and_then(|p: &Audit| p.correlation_id);
                audits.push(Audit::decode(
                    x,
                    results.as_ref(),
                    Audit::ids(&uuid, i),
                    prev.as_ref(),
                )?);
            }
        }
        Ok(Step {
            uuid,
            named_step_uuid: get_uuid(m, "nsu")?,
            name: get_str(m, "name")?,
            template_step_name: get_str(m, "tsn")?,
            def_idx: 0,
            state: StepState::parse(&get_str(m, "state")?).ok_or("bad step state")?,
            attempts: get_opt_i64(m, "attempts").unwrap_or(0) as u32,
            max_attempts: get_opt_i64(m, "max").unwrap_or(1) as u32,
            retryable: m.get("retryable").and_then(|v| v.as_bool()).unwrap_or(true),
            inputs: m.get("inputs").cloned().unwrap_or(Value::Null),
            results,
            dep_entry: None,
            checkpoint: m.get("checkpoint").cloned().unwrap_or(Value::Null),
            parents: m
                .get("parents")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_u64())
                        .map(|x| StepIdx(x as usize))
                        .collect()
                })
                .unwrap_or_default(),
            children: Vec::new(),
            created_at: get_opt_i64(m, "created_at").unwrap_or(0),
            updated_at: get_opt_i64(m, "updated_at").unwrap_or(0),
            processed_at: get_opt_i64(m, "processed_at"),
            last_attempted_at: get_opt_i64(m, "last_attempted_at"),
            last_failure_at: get_opt_i64(m, "last_failure_at"),
            backoff_request_seconds: get_opt_i64(m, "backoff"),
            next_retry_at: get_opt_i64(m, "next_retry_at"),
            audits,
        })
    }
}

impl Task {
    /// The stored form of a task header (steps are separate rows); absent keys read as null.
    pub fn encode_json(&self, tpl_id: u64) -> String {
        let mut out = String::with_capacity(512 + self.context_raw.len());
        let mut w = ObjWriter::new(&mut out);
        w.uuid("uuid", &self.uuid)
            .uint("tpl", tpl_id)
            .uuid("named_task_uuid", &self.named_task_uuid)
            .str("name", &self.name)
            .str("namespace", &self.namespace)
            .str("version", &self.version)
            .raw("context", &self.context_raw)
            .str("initiator", &self.initiator)
            .str("source_system", &self.source_system)
            .str("reason", &self.reason);
        if !self.tags.is_empty() {
            w.array("tags", |o| {
                for (i, t) in self.tags.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    crate::json::write_str(o, t);
                }
            });
        }
        if let Some(p) = self.priority {
            w.int("priority", p as i64);
        }
        if !self.options.is_null() {
            w.value("options", &self.options);
        }
        w.uuid("correlation_id", &self.correlation_id);
        if let Some(p) = self.parent_correlation_id.as_ref() {
            w.uuid("parent_correlation_id", p);
        }
        // The identity hash is the row's `identity` column, and `requested_at` is usually the
        // creation time: left out, they are restored on load (`Task::decode`).
        if let Some(k) = self.idempotency_key.as_deref() {
            w.str("idempotency_key", k);
        }
        if self.requested_at != self.created_at {
            w.int("requested_at", self.requested_at);
        }
        w.int("created_at", self.created_at)
            .int("updated_at", self.updated_at);
        if let Some(c) = self.completed_at {
            w.int("completed_at", c);
        }
        w.str("state", self.state.as_str())
            .uint("seq", self.seq)
            .finish();
        out
    }

    /// `identity`: the row's identity column, for bodies that leave the hash out.
    pub fn decode(m: &Map, identity: Option<&str>) -> Result<(Task, u64), String> {
        let created_at = get_opt_i64(m, "created_at").unwrap_or(0);
        let context = m.get("context").cloned().unwrap_or(Value::Null);
        let context_raw: Arc<str> = Arc::from(context.to_json().as_str());
        let t = Task {
            uuid: get_uuid(m, "uuid")?,
            tpl: 0,
            named_task_uuid: get_uuid(m, "named_task_uuid")?,
            name: get_str(m, "name")?,
            namespace: get_str(m, "namespace")?,
            version: get_str(m, "version")?,
            context_raw,
            initiator: get_str(m, "initiator")?,
            source_system: get_str(m, "source_system")?,
            reason: get_str(m, "reason")?,
            tags: m
                .get("tags")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(|s| s.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            priority: m.get("priority").and_then(|v| v.as_i64()).map(|p| p as i32),
            options: m.get("options").cloned().unwrap_or(Value::Null),
            correlation_id: get_uuid(m, "correlation_id")?,
            parent_correlation_id: m
                .get("parent_correlation_id")
                .and_then(|v| v.as_str())
                .and_then(|s| crate::uuid::parse(s).ok()),
            identity_hash: match (m.get("identity_hash"), identity) {
                (Some(_), _) | (None, None) => get_str(m, "identity_hash")?,
                (None, Some(id)) => id.to_string(),
            },
            idempotency_key: m
                .get("idempotency_key")
                .and_then(|v| v.as_str())
                .map(|s| s.to_string()),
            requested_at: get_opt_i64(m, "requested_at").unwrap_or(created_at),
            created_at,
            updated_at: get_opt_i64(m, "updated_at").unwrap_or(0),
            completed_at: get_opt_i64(m, "completed_at"),
            state: TaskState::parse(&get_str(m, "state")?).ok_or("bad task state")?,
            steps: Vec::new(),
            by_name: HashMap::new(),
            counts: [0; STEP_STATES],
            seq: m.get("seq").and_then(|v| v.as_u64()).unwrap_or(0),
            stored: true,
            archive_issued: false,
        };
        let tpl = m.get("tpl").and_then(|v| v.as_u64()).ok_or("missing tpl")?;
        Ok((t, tpl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_routes_are_legal() {
        use TaskState::*;
        let r = WaitingForRetry.route_to(StepsInProcess).unwrap();
        assert_eq!(r, vec![EnqueuingSteps, StepsInProcess]);
        let r = StepsInProcess.route_to(BlockedByFailures).unwrap();
        assert_eq!(r, vec![EvaluatingResults, BlockedByFailures]);
        assert!(Complete.route_to(Error).is_none());
        for s in [
            StepsInProcess,
            WaitingForRetry,
            WaitingForDependencies,
            EvaluatingResults,
        ] {
            for t in [
                Complete,
                Error,
                StepsInProcess,
                WaitingForDependencies,
                WaitingForRetry,
            ] {
                let path = s.route_to(t).unwrap_or_else(|| panic!("{:?}->{:?}", s, t));
                let mut cur = s;
                for p in path {
                    assert!(cur.can_transition(p));
                    cur = p;
                }
            }
        }
    }

    #[test]
    fn audit_ids_are_left_out_when_derived_and_kept_when_stored() {
        let step = crate::uuid::new_v7();
        let derived = Audit::ids(&step, 3);
        let audit = |ids: (Uuid, Uuid)| Audit {
            audit_uuid: ids.0,
            transition_uuid: ids.1,
            from: Some(StepState::Enqueued),
            to: StepState::InProgress,
            at: 7,
            success: false,
            result: None,
            execution_time_ms: None,
            worker_uuid: None,
            correlation_id: None,
        };
        let mut out = String::new();
        audit(derived).write(&mut out, None, derived, None);
        assert!(!out.contains("\"a\"") && !out.contains("\"t\""), "{}", out);
        let back = Audit::decode(&crate::json::parse(&out).unwrap(), None, derived, None).unwrap();
        assert_eq!((back.audit_uuid, back.transition_uuid), derived);
        // A row of the earlier form (random ids) reads back its own ids.
        let random = (crate::uuid::new_v4(), crate::uuid::new_v4());
        let mut out = String::new();
        audit(random).write(&mut out, None, derived, None);
        assert!(out.contains(&random.0.to_string()) && out.contains(&random.1.to_string()));
        let back = Audit::decode(&crate::json::parse(&out).unwrap(), None, derived, None).unwrap();
        assert_eq!((back.audit_uuid, back.transition_uuid), random);
        // A correlation id repeated from the previous entry is stored as a marker; one that
        // differs, or the first, in full.
        let (c1, c2) = (crate::uuid::new_v4(), crate::uuid::new_v4());
        let with = |c: Uuid| Audit {
            correlation_id: Some(c),
            ..audit(derived)
        };
        for (c, prev, full) in [
            (c1, Some(c1), false),
            (c1, Some(c2), true),
            (c1, None, true),
        ] {
            let mut out = String::new();
            with(c).write(&mut out, None, derived, prev.as_ref());
            assert_eq!(out.contains(&c.to_string()), full, "{}", out);
            let back = Audit::decode(
                &crate::json::parse(&out).unwrap(),
                None,
                derived,
                prev.as_ref(),
            )
            .unwrap();
            assert_eq!(back.correlation_id, Some(c));
        }
    }

    #[test]
    fn stored_results_leave_out_defaults_and_read_back_identically() {
        let step = crate::uuid::new_v7();
        let other = crate::uuid::new_v7();
        let text = |v: &Value| {
            let mut o = String::new();
            crate::json::write_value(&mut o, v);
            o
        };
        let results = [
            // A plain success: all of its metadata defaults but three fields are left out.
            format!(r#"{{"step_uuid":"{step}","success":true,"result":{{"ok":true,"n":null}}}}"#),
            // A failure with an error, custom metadata, a worker and another step's uuid.
            format!(
                r#"{{"step_uuid":"{other}","success":false,"status":"failed","result":null,
                "error":{{"message":"boom","error_type":"E","retryable":true,"context":{{"k":1}}}},
                "metadata":{{"execution_time_ms":12,"retryable":true,"worker_id":"w1","custom":{{"a":[1,null]}},
                "context":{{"c":"x"}},"error_code":"X1","started_at":"2026-12-03T10:00:00Z"}}}}"#
            ),
        ];
        for (i, r) in results.iter().enumerate() {
            let stored = crate::result::parse_step_result(r).unwrap().to_json();
            let mut out = String::new();
            let mut w = ObjWriter::new(&mut out);
            assert!(write_compact_result(&mut w, &stored, &step), "{}", r);
            w.finish();
            assert!(!out.contains(&step.to_string()), "{}", out);
            for absent in [
                "handler_version",
                "worker_hostname",
                "error_type\":null",
                "\"om\"",
            ] {
                assert!(!out.contains(absent), "{} in {}", absent, out);
            }
            let c = crate::json::parse(&out).unwrap();
            let back =
                read_compact_result(c.as_object().unwrap().get("rs").unwrap(), &step).unwrap();
            assert_eq!(text(&back), text(&stored), "result {}", i);
            if i == 0 {
                assert!(out.len() * 2 < text(&stored).len(), "{}", out);
            }
        }
        // A result of another shape (an earlier build's row) is not compacted.
        let odd = crate::json::parse(r#"{"step_uuid":"x","success":true}"#).unwrap();
        let mut out = String::new();
        assert!(!write_compact_result(
            &mut ObjWriter::new(&mut out),
            &odd,
            &step
        ));
        assert_eq!(out, "{");
    }

    #[test]
    fn step_transitions() {
        use StepState::*;
        assert!(Pending.can_transition(Enqueued));
        assert!(!Complete.can_transition(Pending));
        assert!(!WaitingForRetry.can_transition(Enqueued));
        assert!(!Cancelled.can_transition(Pending));
    }
}
