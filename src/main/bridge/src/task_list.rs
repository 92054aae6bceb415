//! `client_list_tasks` with true task states.
//!
//! The orchestration's list endpoint (0.1.8) reports only `"completed"` or `"pending"` per task and filters on that
//! coarse flag, while `GET /v1/tasks/{uuid}` and our embedded engine report the task's state (`complete`, `error`,
//! `cancelled`, `steps_in_process`, …). So an unfiltered page takes each task's most recent transition from the
//! database, and a page filtered by state selects its tasks in the database and reads each one from the
//! orchestration.

use std::collections::HashMap;

use serde_json::{json, Value};
use tasker_shared::models::core::task_transition::TaskTransition;
use tasker_worker::{FfiClientBridge, FfiClientError};
use uuid::Uuid;

use crate::bridge::Handle;

/// The embedded engine's page bounds, so both backends page alike.
const MAX_LIMIT: i64 = 100;

pub struct ListParams<'a> {
    pub limit: i64,
    pub offset: i64,
    pub namespace: Option<&'a str>,
    pub status: Option<&'a str>,
}

impl ListParams<'_> {
    fn bounded(&self) -> (i64, i64) {
        (self.limit.clamp(1, MAX_LIMIT), self.offset.max(0))
    }
}

pub fn list_tasks(
    h: &Handle,
    client: &FfiClientBridge,
    params: &ListParams<'_>,
) -> Result<Value, FfiClientError> {
    match params.status {
        None => {
            let (limit, offset) = params.bounded();
            let mut page =
                client.list_tasks(limit as i32, offset as i32, params.namespace, None)?;
            with_task_states(h, &mut page)?;
            Ok(page)
        }
        Some(state) => tasks_in_state(h, client, params, state),
    }
}

fn db_error(e: sqlx::Error) -> FfiClientError {
    FfiClientError {
        message: format!("Database error while listing tasks: {e}"),
        is_recoverable: true,
    }
}

/// Replaces the list's coarse `status` of every task on the page by the task's current state.
fn with_task_states(h: &Handle, page: &mut Value) -> Result<(), FfiClientError> {
    let Some(tasks) = page.get_mut("tasks").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let uuids: Vec<Uuid> = tasks
        .iter()
        .filter_map(|t| t.get("task_uuid")?.as_str()?.parse().ok())
        .collect();
    if uuids.is_empty() {
        return Ok(());
    }
    let pool = h.context.database_pool().clone();
    let transitions = h
        .runtime
        .block_on(async move { TaskTransition::list_by_tasks(&pool, &uuids).await })
        .map_err(db_error)?;
    let current: HashMap<String, String> = transitions
        .into_iter()
        .filter(|t| t.most_recent)
        .map(|t| (t.task_uuid.to_string(), t.to_state))
        .collect();
    for task in tasks.iter_mut() {
        let state = task
            .get("task_uuid")
            .and_then(Value::as_str)
            .and_then(|u| current.get(u));
        if let (Some(state), Some(obj)) = (state.cloned(), task.as_object_mut()) {
            obj.insert("status".into(), Value::String(state));
        }
    }
    Ok(())
}

const PAGE_IN_STATE: &str = "\
SELECT t.task_uuid
FROM tasker.tasks t
JOIN tasker.task_transitions s ON s.task_uuid = t.task_uuid AND s.most_recent
JOIN tasker.named_tasks n ON n.named_task_uuid = t.named_task_uuid
JOIN tasker.task_namespaces ns ON ns.task_namespace_uuid = n.task_namespace_uuid
WHERE s.to_state = $1 AND ($2::text IS NULL OR ns.name = $2)
ORDER BY t.created_at DESC, t.task_uuid DESC
LIMIT $3 OFFSET $4";

const COUNT_IN_STATE: &str = "\
SELECT count(*)
FROM tasker.tasks t
JOIN tasker.task_transitions s ON s.task_uuid = t.task_uuid AND s.most_recent
JOIN tasker.named_tasks n ON n.named_task_uuid = t.named_task_uuid
JOIN tasker.task_namespaces ns ON ns.task_namespace_uuid = n.task_namespace_uuid
WHERE s.to_state = $1 AND ($2::text IS NULL OR ns.name = $2)";

/// A page of the tasks whose current state is `state`, newest first, with the embedded engine's pagination.
fn tasks_in_state(
    h: &Handle,
    client: &FfiClientBridge,
    params: &ListParams<'_>,
    state: &str,
) -> Result<Value, FfiClientError> {
    let (limit, offset) = params.bounded();
    let pool = h.context.database_pool().clone();
    let (state_arg, ns_arg) = (state.to_string(), params.namespace.map(str::to_string));
    let (uuids, total): (Vec<Uuid>, i64) = h
        .runtime
        .block_on(async move {
            let uuids = sqlx::query_scalar(PAGE_IN_STATE)
                .bind(&state_arg)
                .bind(&ns_arg)
                .bind(limit)
                .bind(offset)
                .fetch_all(&pool)
                .await?;
            let total = sqlx::query_scalar(COUNT_IN_STATE)
                .bind(&state_arg)
                .bind(&ns_arg)
                .fetch_one(&pool)
                .await?;
            Ok::<_, sqlx::Error>((uuids, total))
        })
        .map_err(db_error)?;
    let mut tasks = Vec::with_capacity(uuids.len());
    for uuid in uuids {
        let mut task = client.get_task(uuid)?;
        // The state may have moved on between the query and the read; the page keeps what it selected on.
        if task.get("status").and_then(Value::as_str) == Some(state) {
            if let Some(obj) = task.as_object_mut() {
                obj.remove("steps");
            }
            tasks.push(task);
        }
    }
    Ok(json!({
        "tasks": tasks,
        "pagination": pagination(limit, offset, total),
    }))
}

fn pagination(limit: i64, offset: i64, total: i64) -> Value {
    json!({
        "page": offset / limit + 1,
        "per_page": limit,
        "total_count": total,
        "total_pages": (total + limit - 1) / limit,
        "has_next": offset + limit < total,
        "has_previous": offset > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::pagination;
    use serde_json::json;

    #[test]
    fn pagination_matches_the_embedded_engine() {
        assert_eq!(
            pagination(15, 30, 31),
            json!({"page": 3, "per_page": 15, "total_count": 31, "total_pages": 3,
                   "has_next": false, "has_previous": true})
        );
        assert_eq!(
            pagination(50, 0, 0),
            json!({"page": 1, "per_page": 50, "total_count": 0, "total_pages": 0,
                   "has_next": false, "has_previous": false})
        );
    }
}
