//! Client API request parsing and response shapes (docs/ffi-contract.md §4.6, §5.9).

use crate::engine::Engine;
use crate::json::{Map, Value};
use crate::model::{StepIdx, StepState, Task, TaskIdx};
use crate::result::Field;
use crate::time;
use crate::uuid::Uuid;

/// `TaskRequest` as serde would read it (required keys enforced, wrong types rejected).
#[derive(Debug, Clone)]
pub struct TaskRequest {
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub context: Value,
    pub initiator: String,
    pub source_system: String,
    pub reason: String,
    pub tags: Vec<String>,
    pub requested_at: Option<i64>,
    pub options: Value,
    pub priority: Option<i32>,
    pub correlation_id: Uuid,
    pub parent_correlation_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
}

fn req_string(m: &Map, k: &str) -> Result<String, String> {
    match m.get(k) {
        None => Err(format!("missing field `{}`", k)),
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => Err(format!(
            "invalid type: {}, expected a string for `{}`",
            v.type_name(),
            k
        )),
    }
}

/// `TaskRequest`'s fields in tasker-shared's declaration order (for its sequence form).
const TASK_REQUEST_FIELDS: &[Field] = &[
    Field("name", false),
    Field("namespace", false),
    Field("version", false),
    Field("context", false),
    Field("initiator", false),
    Field("source_system", false),
    Field("reason", false),
    Field("tags", true),
    Field("requested_at", true),
    Field("options", false),
    Field("priority", false),
    Field("correlation_id", true),
    Field("parent_correlation_id", false),
    Field("idempotency_key", false),
];

impl TaskRequest {
    pub fn from_value(v: &Value) -> Result<TaskRequest, String> {
        let m =
            &crate::result::struct_map(v, "request", "struct TaskRequest", TASK_REQUEST_FIELDS)?;
        let name = req_string(m, "name")?;
        let namespace = req_string(m, "namespace")?;
        let version = req_string(m, "version")?;
        let context = m.get("context").cloned().ok_or("missing field `context`")?;
        let initiator = req_string(m, "initiator")?;
        let source_system = req_string(m, "source_system")?;
        let reason = req_string(m, "reason")?;
        let tags = match m.get("tags") {
            None => Vec::new(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for x in a {
                    out.push(
                        x.as_str()
                            .ok_or_else(|| {
                                format!(
                                    "invalid type: {}, expected a string in `tags`",
                                    x.type_name()
                                )
                            })?
                            .to_string(),
                    );
                }
                out
            }
            Some(v) => {
                return Err(format!(
                    "invalid type: {}, expected a sequence for `tags`",
                    v.type_name()
                ))
            }
        };
        let requested_at = match m.get("requested_at") {
            None => None,
            Some(Value::Str(s)) => Some(time::parse_naive(s).ok_or_else(|| format!("invalid `requested_at` {:?}: trailing input or bad format (expected YYYY-MM-DDTHH:MM:SS[.fraction] without zone)", s))?),
            Some(v) => return Err(format!("invalid type: {}, expected a naive date and time string for `requested_at`", v.type_name())),
        };
        let options = match m.get("options") {
            None | Some(Value::Null) => Value::Null,
            Some(v @ Value::Object(_)) => v.clone(),
            Some(v) => {
                return Err(format!(
                    "invalid type: {}, expected a map for `options`",
                    v.type_name()
                ))
            }
        };
        let priority = match m.get("priority") {
            None | Some(Value::Null) => None,
            Some(Value::Int(i)) if *i >= i32::MIN as i64 && *i <= i32::MAX as i64 => {
                Some(*i as i32)
            }
            Some(v) => {
                return Err(format!(
                    "invalid type: {}, expected i32 for `priority`",
                    v.type_name()
                ))
            }
        };
        let uuid_of = |k: &str, v: &Value| -> Result<Uuid, String> {
            let s = v.as_str().ok_or_else(|| {
                format!("invalid type: {}, expected UUID for `{}`", v.type_name(), k)
            })?;
            crate::uuid::parse(s).map_err(|e| format!("invalid UUID for `{}`: {}", k, e))
        };
        let correlation_id = match m.get("correlation_id") {
            None => crate::uuid::new_v4(),
            Some(v) => uuid_of("correlation_id", v)?,
        };
        let parent_correlation_id = match m.get("parent_correlation_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(uuid_of("parent_correlation_id", v)?),
        };
        let idempotency_key = match m.get("idempotency_key") {
            None | Some(Value::Null) => None,
            Some(Value::Str(s)) => Some(s.clone()),
            Some(v) => {
                return Err(format!(
                    "invalid type: {}, expected a string for `idempotency_key`",
                    v.type_name()
                ))
            }
        };
        Ok(TaskRequest {
            name,
            namespace,
            version,
            context,
            initiator,
            source_system,
            reason,
            tags,
            requested_at,
            options,
            priority,
            correlation_id,
            parent_correlation_id,
            idempotency_key,
        })
    }
}

fn in_flight(s: StepState) -> bool {
    s.in_flight()
}

struct Readiness {
    deps_satisfied: bool,
    retry_eligible: bool,
    ready: bool,
    total_parents: usize,
    completed_parents: usize,
}

fn readiness(task: &Task, s: StepIdx, now: i64) -> Readiness {
    let step = &task.steps[s];
    let completed_parents = step
        .parents
        .iter()
        .filter(|&&p| task.steps[p].state.satisfies_dependency())
        .count();
    let deps_satisfied = completed_parents == step.parents.len();
    let retry_eligible =
        step.attempts == 0 || (step.retryable && step.attempts < step.max_attempts);
    let ready = matches!(step.state, StepState::Pending | StepState::WaitingForRetry)
        && deps_satisfied
        && retry_eligible
        && step.next_retry_at.map(|n| n <= now).unwrap_or(true)
        && !task.state.is_terminal();
    Readiness {
        deps_satisfied,
        retry_eligible,
        ready,
        total_parents: step.parents.len(),
        completed_parents,
    }
}

fn execution_status(task: &Task, ready: usize) -> &'static str {
    let total = task.steps.len() as u32;
    let done = task.count(StepState::Complete) + task.count(StepState::ResolvedManually);
    if task.count(StepState::Error) > 0 {
        "blocked_by_failures"
    } else if ready > 0 {
        "has_ready_steps"
    } else if task.steps.iter().any(|s| in_flight(s.state)) {
        "processing"
    } else if total > 0 && done == total {
        "all_complete"
    } else {
        "waiting_for_dependencies"
    }
}

pub fn task_response(task: &Task) -> Value {
    let now = time::now_micros();
    let mut steps = Vec::with_capacity(task.steps.len());
    let mut ready_count = 0usize;
    for (s, step) in StepIdx::all(task.steps.len()).zip(task.steps.iter()) {
        let r = readiness(task, s, now);
        if r.ready {
            ready_count += 1;
        }
        steps.push(crate::jobj![
            ("workflow_step_uuid", step.uuid.to_string()),
            ("task_uuid", task.uuid.to_string()),
            ("named_step_uuid", step.named_step_uuid.to_string()),
            ("name", step.name.as_str()),
            ("current_state", step.state.as_str()),
            ("dependencies_satisfied", r.deps_satisfied),
            ("retry_eligible", r.retry_eligible),
            ("ready_for_execution", r.ready),
            ("last_failure_at", step.last_failure_at.map(time::naive_t)),
            ("next_retry_at", step.next_retry_at.map(time::naive_t)),
            ("total_parents", r.total_parents),
            ("completed_parents", r.completed_parents),
            ("attempts", step.attempts),
            ("max_attempts", step.max_attempts),
            ("backoff_request_seconds", step.backoff_request_seconds),
            (
                "last_attempted_at",
                step.last_attempted_at.map(time::naive_t)
            ),
        ]);
    }
    let total = task.steps.len() as i64;
    let completed =
        (task.count(StepState::Complete) + task.count(StepState::ResolvedManually)) as i64;
    let failed = task.count(StepState::Error) as i64;
    let pending = (task.count(StepState::Pending) + task.count(StepState::WaitingForRetry)) as i64;
    let in_progress = task.steps.iter().filter(|s| in_flight(s.state)).count() as i64;
    let status = execution_status(task, ready_count);
    let recommended = match status {
        "blocked_by_failures" => "handle_failures",
        "has_ready_steps" => "execute_ready_steps",
        "processing" => "wait_for_completion",
        "all_complete" => "finalize_task",
        _ => "wait_for_dependencies",
    };
    let health = if failed > 0 {
        "blocked"
    } else if task.count(StepState::WaitingForRetry) > 0 {
        "recovering"
    } else {
        "healthy"
    };
    let pct = if total > 0 {
        ((completed as f64 / total as f64) * 10000.0).round() / 100.0
    } else {
        0.0
    };
    crate::jobj![
        ("task_uuid", task.uuid.to_string()),
        ("name", task.name.as_str()),
        ("namespace", task.namespace.as_str()),
        ("version", task.version.as_str()),
        ("status", task.state.as_str()),
        ("created_at", time::rfc3339_z(task.created_at)),
        ("updated_at", time::rfc3339_z(task.updated_at)),
        ("completed_at", task.completed_at.map(time::rfc3339_z)),
        ("context", Value::Raw(task.context_raw.clone())),
        ("initiator", task.initiator.as_str()),
        ("source_system", task.source_system.as_str()),
        ("reason", task.reason.as_str()),
        ("priority", task.priority),
        (
            "tags",
            Value::Array(task.tags.iter().map(Value::str).collect())
        ),
        ("correlation_id", task.correlation_id.to_string()),
        (
            "parent_correlation_id",
            task.parent_correlation_id.map(|u| u.to_string())
        ),
        ("total_steps", total),
        ("pending_steps", pending),
        ("in_progress_steps", in_progress),
        ("completed_steps", completed),
        ("failed_steps", failed),
        ("ready_steps", ready_count),
        ("execution_status", status),
        ("recommended_action", recommended),
        ("completion_percentage", Value::Float(pct)),
        ("health_status", health),
        ("steps", Value::Array(steps)),
    ]
}

/// Parent step names in template dependency order (creation order within one template step).
fn parent_names(engine: &Engine, task: &Task, s: StepIdx) -> Value {
    let step = &task.steps[s];
    let deps = &engine.templates[task.tpl].tpl.steps[step.def_idx].dependencies;
    let mut ps: Vec<(usize, StepIdx)> = step
        .parents
        .iter()
        .map(|&p| {
            (
                deps.iter()
                    .position(|d| *d == task.steps[p].template_step_name)
                    .unwrap_or(usize::MAX),
                p,
            )
        })
        .collect();
    ps.sort_unstable();
    Value::Array(
        ps.into_iter()
            .map(|(_, p)| Value::str(&task.steps[p].name))
            .collect(),
    )
}

pub fn step_response(engine: &Engine, task: &Task, s: StepIdx) -> Value {
    let mut v = step_response_base(task, s);
    if engine.config.expose_step_parents {
        if let Value::Object(m) = &mut v {
            m.push("parents", parent_names(engine, task, s));
        }
    }
    v
}

fn step_response_base(task: &Task, s: StepIdx) -> Value {
    let step = &task.steps[s];
    let r = readiness(task, s, time::now_micros());
    crate::jobj![
        ("step_uuid", step.uuid.to_string()),
        ("task_uuid", task.uuid.to_string()),
        ("name", step.name.as_str()),
        ("created_at", time::rfc3339_z(step.created_at)),
        ("updated_at", time::rfc3339_z(step.updated_at)),
        ("completed_at", step.processed_at.map(time::rfc3339_z)),
        ("results", step.results.as_ref().map(|r| (**r).clone())),
        ("current_state", step.state.as_str()),
        ("dependencies_satisfied", r.deps_satisfied),
        ("retry_eligible", r.retry_eligible),
        ("ready_for_execution", r.ready),
        ("total_parents", r.total_parents),
        ("completed_parents", r.completed_parents),
        ("attempts", step.attempts),
        ("max_attempts", step.max_attempts),
        ("last_failure_at", step.last_failure_at.map(time::rfc3339_z)),
        ("next_retry_at", step.next_retry_at.map(time::rfc3339_z)),
        (
            "last_attempted_at",
            step.last_attempted_at.map(time::rfc3339_z)
        ),
    ]
}

pub fn audit_history(task: &Task, s: StepIdx) -> Value {
    let step = &task.steps[s];
    let mut out = Vec::with_capacity(step.audits.len());
    for a in &step.audits {
        let mut m = Map::new();
        m.push("audit_uuid", Value::str(a.audit_uuid.to_string()));
        m.push("workflow_step_uuid", Value::str(step.uuid.to_string()));
        m.push("transition_uuid", Value::str(a.transition_uuid.to_string()));
        m.push("task_uuid", Value::str(task.uuid.to_string()));
        m.push("recorded_at", Value::str(time::rfc3339_6z(a.at)));
        if let Some(w) = &a.worker_uuid {
            m.push("worker_uuid", Value::str(w));
        }
        if let Some(c) = a.correlation_id {
            m.push("correlation_id", Value::str(c.to_string()));
        }
        m.push("success", Value::Bool(a.success));
        if let Some(ms) = a.execution_time_ms {
            m.push("execution_time_ms", Value::Int(ms));
        }
        if let Some(r) = &a.result {
            m.push("result", (**r).clone());
        }
        m.push("step_name", Value::str(&step.name));
        if let Some(f) = a.from {
            m.push("from_state", Value::str(f.as_str()));
        }
        m.push("to_state", Value::str(a.to.as_str()));
        out.push(Value::Object(m));
    }
    Value::Array(out)
}

/// `TaskListResponse` with pagination; newest tasks first. Tasks in memory are merged with
/// archived tasks from the store (durable mode) by creation order.
pub fn list_tasks(engine: &mut Engine, params: &Value) -> Result<Value, String> {
    let limit = params.get("limit").and_then(|v| v.as_i64()).unwrap_or(50) as i32;
    let offset = params.get("offset").and_then(|v| v.as_i64()).unwrap_or(0) as i32;
    let limit = limit.clamp(1, 100) as usize;
    let offset = offset.max(0) as usize;
    let ns = params.get("namespace").and_then(|v| v.as_str());
    let status = params.get("status").and_then(|v| v.as_str());
    let mut live: Vec<(u64, TaskIdx)> = engine
        .tasks
        .iter()
        .filter(|(_, t)| ns.map(|n| t.namespace == n).unwrap_or(true))
        .filter(|(_, t)| status.map(|st| t.state.as_str() == st).unwrap_or(true))
        .map(|(i, t)| (t.seq, i))
        .collect();
    live.sort_unstable_by_key(|x| std::cmp::Reverse(x.0));
    let (archived_total, archived) = engine.archived_listing(ns, status, offset + limit)?;
    // Merge both newest-first sequences, then cut the page.
    enum Item {
        Live(TaskIdx),
        Archived(i64),
    }
    let mut page = Vec::with_capacity(limit);
    let (mut i, mut j, mut pos) = (0, 0, 0);
    while page.len() < limit && (i < live.len() || j < archived.len()) {
        let take_live = match (live.get(i), archived.get(j)) {
            (Some(l), Some(&a)) => l.0 as i64 > a,
            (Some(_), None) => true,
            _ => false,
        };
        let item = if take_live {
            i += 1;
            Item::Live(live[i - 1].1)
        } else {
            j += 1;
            Item::Archived(archived[j - 1])
        };
        if pos >= offset {
            page.push(item);
        }
        pos += 1;
    }
    let mut tasks = Vec::with_capacity(page.len());
    for item in page {
        match item {
            Item::Live(t) => tasks.push(task_response(&engine.tasks[t])),
            Item::Archived(seq) => {
                if let Some(task) = engine.archived_by_seq(seq)? {
                    tasks.push(task_response(&task));
                }
            }
        }
    }
    let total = live.len() + archived_total as usize;
    let total_pages = if total == 0 { 0 } else { total.div_ceil(limit) };
    let page = offset / limit + 1;
    Ok(crate::jobj![
        ("tasks", Value::Array(tasks)),
        (
            "pagination",
            crate::jobj![
                ("page", page),
                ("per_page", limit),
                ("total_count", total),
                ("total_pages", total_pages),
                ("has_next", offset + limit < total),
                ("has_previous", offset > 0),
            ]
        ),
    ])
}
