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
