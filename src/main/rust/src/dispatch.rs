//! Step event construction (docs/ffi-contract.md §5.4): snake_case `FfiStepEventDto` with
//! transitive dependency results keyed by concrete step name.

use crate::engine::Engine;
use crate::json::{Map, ObjWriter, Value};
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

/// Writes a timestamp in the event's NaiveDateTime form.
fn naive(w: &mut ObjWriter<'_>, k: &'static str, micros: i64) {
    w.str_with(k, |o| time::write_naive_space(o, micros));
}

fn opt_naive(w: &mut ObjWriter<'_>, k: &'static str, micros: Option<i64>) {
    match micros {
        Some(m) => naive(w, k, m),
        None => {
            w.raw(k, "null");
        }
    }
}

/// The task half of the event: `task_dto` with `time::naive_space`, written straight to text.
fn write_task(w: &mut ObjWriter<'_>, engine: &Engine, t: TaskIdx) {
    let task = &engine.tasks[t];
    w.uuid("task_uuid", &task.uuid)
        .uuid("named_task_uuid", &task.named_task_uuid)
        .str("name", &task.name)
        .str("namespace", &task.namespace)
        .str("version", &task.version)
        .raw("context", &task.context_raw)
        .uuid("correlation_id", &task.correlation_id)
        .opt_uuid("parent_correlation_id", task.parent_correlation_id.as_ref())
        .bool("complete", task.complete())
        .int("priority", task.priority.unwrap_or(0) as i64)
        .str("initiator", &task.initiator)
        .str("source_system", &task.source_system)
        .str("reason", &task.reason)
        .array("tags", |o| {
            for (i, tag) in task.tags.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                crate::json::write_str(o, tag);
            }
        })
        .str("identity_hash", &task.identity_hash);
    naive(w, "created_at", task.created_at);
    naive(w, "updated_at", task.updated_at);
    naive(w, "requested_at", task.requested_at);
}

/// The step half of the event: `workflow_step_dto` with `time::naive_space`, written straight to text.
fn write_step(
    w: &mut ObjWriter<'_>,
    engine: &Engine,
    t: TaskIdx,
    s: StepIdx,
    attempts: u32,
    last_attempted: Option<i64>,
    checkpoint: Option<&Value>,
) {
    let task = &engine.tasks[t];
    let step = &task.steps[s];
    w.uuid("workflow_step_uuid", &step.uuid)
        .uuid("task_uuid", &task.uuid)
        .uuid("named_step_uuid", &step.named_step_uuid)
        .str("name", &step.name)
        .str("template_step_name", &step.template_step_name)
        .bool("retryable", step.retryable)
        .uint("max_attempts", step.max_attempts as u64)
        .uint("attempts", attempts as u64)
        .bool("in_process", false)
        .bool("processed", step.processed_at.is_some())
        .value("inputs", &step.inputs);
    match &step.results {
        Some(r) => w.value("results", r),
        None => w.raw("results", "null"),
    };
    w.opt_int("backoff_request_seconds", step.backoff_request_seconds);
    opt_naive(w, "processed_at", step.processed_at);
    opt_naive(w, "last_attempted_at", last_attempted);
    naive(w, "created_at", step.created_at);
    naive(w, "updated_at", step.updated_at);
    w.value("checkpoint", checkpoint.unwrap_or(&step.checkpoint));
}

/// `dependency_results` straight to text, in the order of `dependency_results` above.
fn write_dependency_results(out: &mut String, engine: &Engine, t: TaskIdx, s: StepIdx) {
    let task = &engine.tasks[t];
    let parents = &task.steps[s].parents;
    out.push('{');
    let mut first = true;
    let mut entry = |out: &mut String, p: StepIdx| {
        let ps = &task.steps[p];
        if ps.state.satisfies_dependency() {
            if let Some(e) = &ps.dep_entry {
                if !first {
                    out.push(',');
                }
                first = false;
                crate::json::write_str(out, &ps.name);
                out.push(':');
                out.push_str(e);
            }
        }
    };
    // Most steps have parents without parents (or none at all): no walk needed.
    if parents.iter().all(|p| task.steps[p.0].parents.is_empty()) {
        for &p in parents {
            entry(out, p);
        }
    } else {
        let mut seen = vec![false; task.steps.len()];
        let mut queue: std::collections::VecDeque<StepIdx> = parents.iter().copied().collect();
        for &p in parents {
            seen[p.0] = true;
        }
        while let Some(p) = queue.pop_front() {
            entry(out, p);
            for &g in &task.steps[p].parents {
                if !seen[g.0] {
                    seen[g.0] = true;
                    queue.push_back(g);
                }
            }
        }
    }
    out.push('}');
}

/// The step event (`FfiStepEventDto`), written straight to JSON text: it is built for every dispatch, under the
/// engine lock. `event_json_matches_the_value_form` holds it to the `task_dto`/`workflow_step_dto` form.
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
    let dto = &engine.template_of(t).step_dtos[step.def_idx];
    let mut out = String::with_capacity(1536 + task.context_raw.len() + dto.len());
    let mut w = ObjWriter::new(&mut out);
    w.uuid("event_id", &event_id)
        .uuid("task_uuid", &task.uuid)
        .uuid("step_uuid", &step.uuid)
        .uuid("correlation_id", &correlation_id)
        .uuid("trace_id", &correlation_id)
        .str_with("span_id", |o| {
            let mut buf = [0u8; 36];
            o.push_str("span-");
            o.push_str(step.uuid.hyphenated().encode_lower(&mut buf));
        })
        .uuid("task_correlation_id", &task.correlation_id)
        .opt_uuid("parent_correlation_id", task.parent_correlation_id.as_ref())
        .object("task", |o| write_task(o, engine, t))
        .object("workflow_step", |o| {
            write_step(o, engine, t, s, attempts, last_attempted, checkpoint)
        })
        .raw("step_definition", dto)
        .with("dependency_results", |o| {
            write_dependency_results(o, engine, t, s)
        })
        .finish();
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;

    /// The event as it was built before the direct writer: a `Value` tree, then serialized.
    fn value_form(
        e: &Engine,
        t: TaskIdx,
        s: StepIdx,
        id: Uuid,
        corr: Uuid,
        cp: Option<&Value>,
    ) -> String {
        let task = &e.tasks[t];
        let step = &task.steps[s];
        let (attempts, last) = (step.attempts, step.last_attempted_at);
        crate::jobj![
            ("event_id", id.to_string()),
            ("task_uuid", task.uuid.to_string()),
            ("step_uuid", step.uuid.to_string()),
            ("correlation_id", corr.to_string()),
            ("trace_id", corr.to_string()),
            ("span_id", format!("span-{}", step.uuid)),
            ("task_correlation_id", task.correlation_id.to_string()),
            (
                "parent_correlation_id",
                task.parent_correlation_id.map(|u| u.to_string())
            ),
            ("task", task_dto(e, t, time::naive_space)),
            (
                "workflow_step",
                workflow_step_dto(e, t, s, attempts, last, cp, time::naive_space)
            ),
            (
                "step_definition",
                e.template_of(t).steps[step.def_idx].to_dto()
            ),
            ("dependency_results", dependency_results(e, t, s)),
        ]
        .to_json()
    }

    const TPL: &str = "name: shapes\nnamespace_name: ns\nversion: 1.0.0\nsteps:\n  - { name: a, description: \"first \\\"one\\\"\", handler: { callable: A, method: run, initialization: { k: [1, 2.5, \"é\"] } } }\n  - { name: b, handler: { callable: B }, dependencies: [a], retry: { max_attempts: 7, backoff_base_ms: 10 } }\n  - { name: c, handler: { callable: C }, dependencies: [a], timeout_seconds: 30 }\n  - { name: d, handler: { callable: D }, dependencies: [b, c] }\n  - { name: e, handler: { callable: E }, dependencies: [d] }\n";

    #[test]
    fn event_json_matches_the_value_form() {
        let mut e = Engine::new(
            "w".into(),
            EngineConfig::default(),
            vec![("shapes.yaml".into(), TPL.into())],
        )
        .unwrap();
        let req = crate::json::parse(
            r#"{"name":"shapes","namespace":"ns","version":"1.0.0","context":{"q":"a\"b\n","n":[1,{"x":null}]},"initiator":"me","source_system":"tab\tsys","reason":"why","tags":["x","y\\z"],"priority":3,"parent_correlation_id":"0190a0b0-0000-7000-8000-000000000001"}"#,
        )
        .unwrap();
        let t = e
            .create_task(crate::client::TaskRequest::from_value(&req).unwrap())
            .unwrap();
        let checkpoint = crate::json::parse(r#"{"cursor":5,"items_processed":2}"#).unwrap();
        let mut round = 0;
        loop {
            let n = e.tasks[t].steps.len();
            for s in 0..n {
                let s = StepIdx(s);
                let (id, corr) = (crate::uuid::new_v4(), crate::uuid::new_v7());
                for cp in [None, Some(&checkpoint)] {
                    let step = &e.tasks[t].steps[s];
                    let ours = build_step_event(
                        &e,
                        t,
                        s,
                        id,
                        corr,
                        step.attempts,
                        step.last_attempted_at,
                        cp,
                    );
                    assert_eq!(
                        ours,
                        value_form(&e, t, s, id, corr, cp),
                        "step {} round {}",
                        s.0,
                        round
                    );
                }
            }
            let Some(ev) = e.poll() else { break };
            let ev = crate::json::parse(&ev).unwrap();
            let id = ev.get("event_id").and_then(Value::as_str).unwrap();
            let body = format!(
                r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true,"s":"ü\u0001","r":{}}},"metadata":{{"execution_time_ms":3,"retryable":false}}}}"#,
                ev.get("step_uuid").and_then(Value::as_str).unwrap(),
                round
            );
            let result = crate::result::parse_step_result(&body).unwrap();
            assert!(e.complete(id.parse().unwrap(), result).unwrap());
            round += 1;
        }
        assert_eq!(round, 5, "every step ran");
    }
}
