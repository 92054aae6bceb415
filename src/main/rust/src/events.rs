//! Domain events declared by template steps (`publishes_events`), docs/ffi-contract.md §5.8.
//!
//! `fast` and `broadcast` events go to a bounded in-process buffer read by
//! `poll_in_process_events`; `durable` ones (and the durable half of `broadcast`) are
//! counted only, since there is no message queue in the embedded engine.

use crate::engine::Engine;
use crate::json::{Map, Value};
use crate::logging;
use crate::model::{StepIdx, TaskIdx};
use crate::result::ExecResult;
use crate::time;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    RetryableFailure,
    PermanentFailure,
}

/// Bounded buffer with broadcast-channel semantics: overflow drops the oldest event and
/// the next read reports the lag once (returns nothing), then continues with the oldest kept.
pub struct EventBuffer {
    cap: usize,
    buf: VecDeque<String>,
    lagged: u64,
    pub durable_count: u64,
    pub fast_count: u64,
    pub broadcast_count: u64,
}

impl EventBuffer {
    pub fn new(cap: usize) -> EventBuffer {
        EventBuffer {
            cap: cap.max(1),
            buf: VecDeque::new(),
            lagged: 0,
            durable_count: 0,
            fast_count: 0,
            broadcast_count: 0,
        }
    }

    pub fn push(&mut self, ev: String) {
        if self.buf.len() >= self.cap {
            self.buf.pop_front();
            self.lagged += 1;
        }
        self.buf.push_back(ev);
    }

    pub fn poll(&mut self) -> Option<String> {
        if self.lagged > 0 {
            logging::warn(&format!(
                "in-process event receiver lagged by {} event(s); oldest events were dropped",
                self.lagged
            ));
            self.lagged = 0;
            return None;
        }
        self.buf.pop_front()
    }
}

fn condition_matches(condition: &str, outcome: Outcome) -> bool {
    match condition {
        "success" => outcome == Outcome::Success,
        "failure" => outcome != Outcome::Success,
        "retryable_failure" => outcome == Outcome::RetryableFailure,
        "permanent_failure" => outcome == Outcome::PermanentFailure,
        "always" => true,
        _ => false,
    }
}

/// Raw `TaskSequenceStep` (NaiveDateTime fields use the `T` separator).
fn task_sequence_step(engine: &Engine, t: TaskIdx, s: StepIdx) -> Value {
    let task = &engine.tasks[t];
    let step = &task.steps[s];
    let def = &engine.template_of(t).steps[step.def_idx];
    let mut deps = Map::new();
    if let Value::Object(m) = crate::dispatch::dependency_results(engine, t, s) {
        for (k, _) in m.entries {
            if let Some(&i) = task.by_name.get(&k) {
                if let Some(r) = &task.steps[i].results {
                    deps.push(k, (**r).clone());
                }
            }
        }
    }
    crate::jobj![
        (
            "task",
            crate::jobj![
                ("task", crate::dispatch::task_dto(engine, t, time::naive_t)),
                ("task_name", task.name.as_str()),
                ("task_version", task.version.as_str()),
                ("namespace_name", task.namespace.as_str()),
            ]
        ),
        (
            "workflow_step",
            crate::dispatch::workflow_step_dto(
                engine,
                t,
                s,
                step.attempts,
                step.last_attempted_at,
                None,
                time::naive_t
            )
        ),
        ("dependency_results", Value::Object(deps)),
        ("step_definition", def.to_raw()),
    ]
}

/// Evaluate the step's declarations after a result was accepted and route matching events.
pub fn publish_for_step(
    engine: &mut Engine,
    t: TaskIdx,
    s: StepIdx,
    result: &ExecResult,
    outcome: Outcome,
) {
    let tpl = engine.template_of(t).clone();
    let step = &engine.tasks[t].steps[s];
    let def = &tpl.steps[step.def_idx];
    if def.publishes_events.is_empty() {
        return;
    }
    let mut tss: Option<Value> = None;
    let exec = result.to_json();
    for decl in &def.publishes_events {
        if !condition_matches(&decl.condition, outcome) {
            continue;
        }
        let task = &engine.tasks[t];
        let step = &task.steps[s];
        let tss_v = tss
            .get_or_insert_with(|| task_sequence_step(engine, t, s))
            .clone();
        let ev = crate::jobj![
            ("eventId", crate::uuid::new_v7().to_string()),
            ("eventName", decl.name.as_str()),
            ("eventVersion", "1.0"),
            (
                "metadata",
                crate::jobj![
                    ("taskUuid", task.uuid.to_string()),
                    ("stepUuid", step.uuid.to_string()),
                    ("stepName", step.name.as_str()),
                    ("namespace", task.namespace.as_str()),
                    ("correlationId", task.correlation_id.to_string()),
                    ("firedAt", time::rfc3339_offset(time::now_micros())),
                    ("firedBy", engine.worker_id.as_str()),
                ]
            ),
            (
                "payload",
                crate::jobj![
                    ("task_sequence_step", tss_v),
                    ("execution_result", exec.clone()),
                    ("payload", result.result.clone())
                ]
            ),
        ];
        match decl.delivery_mode.as_str() {
            "fast" => {
                engine.events.fast_count += 1;
                engine.events.push(ev.to_json());
            }
            "broadcast" => {
                engine.events.broadcast_count += 1;
                engine.events.durable_count += 1;
                engine.events.push(ev.to_json());
            }
            _ => {
                engine.events.durable_count += 1;
                logging::debug(&format!(
                    "durable domain event {} recorded (no queue in embedded mode)",
                    decl.name
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_lag_semantics() {
        let mut b = EventBuffer::new(2);
        b.push("1".into());
        b.push("2".into());
        b.push("3".into());
        assert_eq!(b.poll(), None); // lag reported once
        assert_eq!(b.poll().as_deref(), Some("2"));
        assert_eq!(b.poll().as_deref(), Some("3"));
        assert_eq!(b.poll(), None);
    }

    #[test]
    fn conditions() {
        assert!(condition_matches("failure", Outcome::RetryableFailure));
        assert!(condition_matches(
            "permanent_failure",
            Outcome::PermanentFailure
        ));
        assert!(!condition_matches(
            "retryable_failure",
            Outcome::PermanentFailure
        ));
        assert!(!condition_matches("success", Outcome::PermanentFailure));
        assert!(condition_matches("always", Outcome::Success));
    }
}
