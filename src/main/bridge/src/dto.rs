//! The JSON documents of the C ABI (docs/ffi-contract.md §5), built from the foundation's types. Every field is
//! mapped by hand, so a change in the foundation's types fails the build instead of changing the wire format.

use serde_json::{json, Map, Value};
use tasker_shared::events::domain_events::DomainEvent;
use tasker_shared::messaging::StepExecutionResult;
use tasker_shared::models::core::task_template::{BackoffStrategy, StepDefinition};
use tasker_worker::worker::{FfiDispatchMetrics, FfiStepEvent};

/// `poll_step_events`: snake_case, timestamps as the foundation's naive `to_string()` (space separator).
pub fn step_event(event: &FfiStepEvent) -> Value {
    let seq = &event.execution_event.payload.task_sequence_step;
    let task = &seq.task.task;
    let step = &seq.workflow_step;
    let mut deps = Map::new();
    for (name, result) in &seq.dependency_results {
        deps.insert(name.clone(), dependency_result(result));
    }
    json!({
        "event_id": event.event_id.to_string(),
        "task_uuid": event.task_uuid.to_string(),
        "step_uuid": event.step_uuid.to_string(),
        "correlation_id": event.correlation_id.to_string(),
        "trace_id": event.trace_id,
        "span_id": event.span_id,
        "task_correlation_id": task.correlation_id.to_string(),
        "parent_correlation_id": task.parent_correlation_id.map(|u| u.to_string()),
        "task": {
            "task_uuid": task.task_uuid.to_string(),
            "named_task_uuid": task.named_task_uuid.to_string(),
            "name": seq.task.task_name,
            "namespace": seq.task.namespace_name,
            "version": seq.task.task_version,
            "context": task.context,
            "correlation_id": task.correlation_id.to_string(),
            "parent_correlation_id": task.parent_correlation_id.map(|u| u.to_string()),
            "complete": task.complete,
            "priority": task.priority,
            "initiator": task.initiator,
            "source_system": task.source_system,
            "reason": task.reason,
            "tags": task.tags,
            "identity_hash": task.identity_hash,
            "created_at": task.created_at.to_string(),
            "updated_at": task.updated_at.to_string(),
            "requested_at": task.requested_at.to_string(),
        },
        "workflow_step": {
            "workflow_step_uuid": step.workflow_step_uuid.to_string(),
            "task_uuid": step.task_uuid.to_string(),
            "named_step_uuid": step.named_step_uuid.to_string(),
            "name": step.name,
            "template_step_name": step.template_step_name,
            "retryable": step.retryable,
            "max_attempts": step.max_attempts.unwrap_or(1),
            "attempts": step.attempts.unwrap_or(0),
            "in_process": step.in_process,
            "processed": step.processed,
            "inputs": step.inputs,
            "results": step.results,
            "backoff_request_seconds": step.backoff_request_seconds,
            "processed_at": step.processed_at.map(|t| t.to_string()),
            "last_attempted_at": step.last_attempted_at.map(|t| t.to_string()),
            "created_at": step.created_at.to_string(),
            "updated_at": step.updated_at.to_string(),
            "checkpoint": step.checkpoint,
        },
        "step_definition": step_definition(&seq.step_definition),
        "dependency_results": Value::Object(deps),
    })
}

fn step_definition(def: &StepDefinition) -> Value {
    let mut handler = Map::new();
    handler.insert(
        "callable".into(),
        Value::String(def.handler.callable.clone()),
    );
    // method and resolver are absent when unset (docs/ffi-contract.md §5.4), initialization always present.
    if let Some(m) = &def.handler.method {
        handler.insert("method".into(), Value::String(m.clone()));
    }
    if let Some(r) = &def.handler.resolver {
        handler.insert("resolver".into(), Value::String(r.clone()));
    }
    let init: Map<String, Value> = def
        .handler
        .initialization
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    handler.insert("initialization".into(), Value::Object(init));
    json!({
        "name": def.name,
        "description": def.description,
        "handler": Value::Object(handler),
        "system_dependency": def.system_dependency,
        "dependencies": def.dependencies,
        "timeout_seconds": def.timeout_seconds,
        "retry": {
            "retryable": def.retry.retryable,
            "max_attempts": def.retry.max_attempts,
            "backoff": backoff_name(&def.retry.backoff),
            "backoff_base_ms": def.retry.backoff_base_ms,
            "max_backoff_ms": def.retry.max_backoff_ms,
        },
    })
}

fn backoff_name(b: &BackoffStrategy) -> &'static str {
    match b {
        BackoffStrategy::None => "none",
        BackoffStrategy::Linear => "linear",
        BackoffStrategy::Exponential => "exponential",
        BackoffStrategy::Fibonacci => "fibonacci",
    }
}

fn dependency_result(r: &StepExecutionResult) -> Value {
    json!({
        "step_uuid": r.step_uuid.to_string(),
        "success": r.success,
        "result": r.result,
        "status": r.status,
        "error": r.error.as_ref().map(|e| json!({
            "message": e.message,
            "error_type": e.error_type,
            "retryable": e.retryable,
            "status_code": e.status_code,
            "backtrace": e.backtrace,
        })),
    })
}

/// `get_ffi_dispatch_metrics`.
pub fn metrics(m: &FfiDispatchMetrics) -> Value {
    json!({
        "pending_count": m.pending_count,
        "starvation_detected": m.starvation_detected,
        "starving_event_count": m.starving_event_count,
        "oldest_pending_age_ms": m.oldest_pending_age_ms,
        "newest_pending_age_ms": m.newest_pending_age_ms,
        "oldest_event_id": m.oldest_event_id.map(|u| u.to_string()),
    })
}

/// `poll_in_process_events`: camelCase envelope, RFC 3339 `firedAt` (the C-era format), raw snake_case payload.
pub fn domain_event(e: &DomainEvent) -> Value {
    json!({
        "eventId": e.event_id.to_string(),
        "eventName": e.event_name,
        "eventVersion": e.event_version,
        "metadata": {
            "taskUuid": e.metadata.task_uuid.to_string(),
            "stepUuid": e.metadata.step_uuid.map(|u| u.to_string()),
            "stepName": e.metadata.step_name,
            "namespace": e.metadata.namespace,
            "correlationId": e.metadata.correlation_id.to_string(),
            "firedAt": e.metadata.fired_at.to_rfc3339(),
            "firedBy": e.metadata.fired_by,
        },
        "payload": serde_json::to_value(&e.payload).unwrap_or(Value::Null),
    })
}

/// `{"success":false,"error":msg}` (docs/ffi-contract.md §4).
pub fn error(msg: &str) -> String {
    json!({"success": false, "error": msg}).to_string()
}
