//! Step event construction (contract §5.4): snake_case `FfiStepEventDto` with
//! transitive dependency results keyed by concrete step name.

use crate::engine::Engine;
use crate::json::{Map, Value};
use crate::model::{StepIdx, TaskIdx};
use crate::time;
use crate::uuid::Uuid;

/// Transitive ancestors that are processed and have results: (name, cached DependencyResultDto).
pub fn dependency_results(engine: &Engine, t: TaskIdx, s: StepIdx) -> Value {
    let task = &engine.tasks[t];
    let mut seen = vec![false; task.steps.len()];
    let mut queue: std::collections::VecDeque<StepIdx> =
        task.steps[s].parents.iter().copied().collect();
    for &p in &task.steps[s].parents {
        seen[p.0] = true;
    }
    let mut m = Map::with_capacity(queue.len());
    while let Some(p) = queue.pop_front() {
        let ps = &task.steps[p];
        if ps.state.satisfies_dependency() {
            if let Some(entry) = &ps.dep_entry {
                m.push(ps.name.clone(), Value::Raw(entry.clone()));
            }
        }
        for &g in &ps.parents {
            if !seen[g.0] {
                seen[g.0] = true;
                queue.push_back(g);
            }
        }
    }
    Value::Object(m)
}

pub fn task_dto(engine: &Engine, t: TaskIdx, naive: fn(i64) -> String) -> Value {
    let task = &engine.tasks[t];
    crate::jobj![
        ("task_uuid", task.uuid.to_string()),
        ("named_task_uuid", task.named_task_uuid.to_string()),
        ("name", task.name.as_str()),
        ("namespace", task.namespace.as_str()),
        ("version", task.version.as_str()),
        ("context", Value::Raw(task.context_raw.clone())),
        ("correlation_id", task.correlation_id.to_string()),
        (
            "parent_correlation_id",
            task.parent_correlation_id.map(|u| u.to_string())
        ),
        ("complete", task.complete()),
        ("priority", task.priority.unwrap_or(0)),
        ("initiator", task.initiator.as_str()),
        ("source_system", task.source_system.as_str()),
        ("reason", task.reason.as_str()),
        (
            "tags",
            Value::Array(task.tags.iter().map(Value::str).collect())
        ),
        ("identity_hash", task.identity_hash.as_str()),
        ("created_at", naive(task.created_at)),
        ("updated_at", naive(task.updated_at)),
        ("requested_at", naive(task.requested_at)),
    ]
}

#[allow(clippy::too_many_arguments)]
pub fn workflow_step_dto(
    engine: &Engine,
    t: TaskIdx,
    s: StepIdx,
    attempts: u32,
    last_attempted: Option<i64>,
    checkpoint: Option<&Value>,
    naive: fn(i64) -> String,
) -> Value {
    let task = &engine.tasks[t];
    let step = &task.steps[s];
    crate::jobj![
        ("workflow_step_uuid", step.uuid.to_string()),
        ("task_uuid", task.uuid.to_string()),
        ("named_step_uuid", step.named_step_uuid.to_string()),
        ("name", step.name.as_str()),
        ("template_step_name", step.template_step_name.as_str()),
        ("retryable", step.retryable),
        ("max_attempts", step.max_attempts),
        ("attempts", attempts),
        ("in_process", false),
        ("processed", step.processed_at.is_some()),
        ("inputs", step.inputs.clone()),
        ("results", step.results.as_ref().map(|r| (**r).clone())),
        ("backoff_request_seconds", step.backoff_request_seconds),
        ("processed_at", step.processed_at.map(naive)),
        ("last_attempted_at", last_attempted.map(naive)),
        ("created_at", naive(step.created_at)),
        ("updated_at", naive(step.updated_at)),
        (
            "checkpoint",
            match checkpoint {
                Some(c) => c.clone(),
                None => step.checkpoint.clone(),
            }
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
pub fn build_step_event(
    engine: &Engine,
    t: TaskIdx,
    s: StepIdx,
    event_id: Uuid,
    correlation_id: Uuid,
    attempts: u32,
    last_attempted: Option<i64>,
    checkpoint: Option<&Value>,
) -> String {
    let task = &engine.tasks[t];
    let step = &task.steps[s];
    let def = &engine.template_of(t).steps[step.def_idx];
    let ev = crate::jobj![
        ("event_id", event_id.to_string()),
        ("task_uuid", task.uuid.to_string()),
        ("step_uuid", step.uuid.to_string()),
        ("correlation_id", correlation_id.to_string()),
        ("trace_id", correlation_id.to_string()),
        ("span_id", format!("span-{}", step.uuid)),
        ("task_correlation_id", task.correlation_id.to_string()),
        (
            "parent_correlation_id",
            task.parent_correlation_id.map(|u| u.to_string())
        ),
        ("task", task_dto(engine, t, time::naive_space)),
        (
            "workflow_step",
            workflow_step_dto(
                engine,
                t,
                s,
                attempts,
                last_attempted,
                checkpoint,
                time::naive_space
            )
        ),
        ("step_definition", def.to_dto()),
        ("dependency_results", dependency_results(engine, t, s)),
    ];
    ev.to_json()
}

// ------------------------------------------------------------------ wake-ups (ABI extension)

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Wakes `wait_for_step_events` callers when a step may have become dispatchable.
///
/// A generation counter moves on every operation that can make a step ready (a completion, a checkpoint, a new
/// task, a timeout sweep) or that stops the worker. A poll that finds nothing records the generation it saw, under
/// the engine lock; a waiter sleeps only while the generation is still that one. An operation that lands after
/// the empty poll moves the generation, so no wake-up is lost, and one that landed before it made the poll
/// non-empty. Waking is a condvar, never a spin; a notifier takes the condvar's mutex only when someone waits.
pub struct Wake {
    generation: AtomicU64,
    empty_at: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    cv: Condvar,
}

/// The engine's single wake-up point (one worker per process).
pub static WAKE: Wake = Wake::new();

impl Default for Wake {
    fn default() -> Self {
        Wake::new()
    }
}

impl Wake {
    pub const fn new() -> Wake {
        Wake {
            generation: AtomicU64::new(0),
            // No empty poll seen yet: the first wait returns at once and the caller polls.
            empty_at: AtomicU64::new(u64::MAX),
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            cv: Condvar::new(),
        }
    }

    /// Something that may make a step ready, or stop the worker, happened.
    pub fn notify(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            self.cv.notify_all();
        }
    }

    /// A poll found no event. Call it with the engine lock held, so it orders against the operations it races.
    pub fn polled_empty(&self) {
        self.empty_at
            .store(self.generation.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Whether something happened since the last empty poll, waiting up to `timeout` for it.
    pub fn wait(&self, timeout: Duration) -> bool {
        if self.changed() {
            return true;
        }
        if timeout.is_zero() {
            return false;
        }
        let deadline = Instant::now() + timeout;
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let woken = loop {
            if self.changed() {
                break true;
            }
            let now = Instant::now();
            if now >= deadline {
                break false;
            }
            guard = match self.cv.wait_timeout(guard, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        };
        drop(guard);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        woken
    }

    fn changed(&self) -> bool {
        self.generation.load(Ordering::SeqCst) != self.empty_at.load(Ordering::SeqCst)
    }
}
