//! Redelivery of steps whose worker died.
//!
//! tasker-core 0.1.8 never hands a claimed step to another worker: the claim moves the step to `in_progress`, and
//! only the orchestration's staleness detector ends such a task, as an error, after 30 minutes by default. A live
//! worker finishes every step it holds: its handler completes, or the dispatch channel fails it as retryable after
//! the completion timeout. So a step still `in_progress` long after that belongs to a worker that is gone. Each
//! bridge sweeps for such steps and fails them as retryable through the foundation's own completion service (the
//! same transition and orchestration message as a handler's failure); the orchestration then retries them within
//! the step's `max_attempts`, and a live worker runs them.
//!
//! A worker can also die between recording a step's result and telling the orchestration (the two are separate
//! writes), leaving the step in `enqueued_for_orchestration` or `enqueued_as_error_for_orchestration` with nobody to
//! send the notice. The sweep sends it again for such a step once it has waited the lease: the result is already
//! stored, and the orchestration moves the step on when it processes the notice. The foundation also writes the
//! state and the result separately: a worker killed between the two leaves the state without a result, which the
//! orchestration cannot process and this sweep cannot repair (nobody has the result); 0.1.8's staleness detector
//! ends such a task.

use std::sync::Arc;
use std::time::Duration;

use tasker_shared::config::QueueClassifier;
use tasker_shared::messaging::message::StepMessage;
use tasker_shared::messaging::StepExecutionResult;
use tasker_shared::system_context::SystemContext;
use tasker_worker::worker::services::FFICompletionService;
use uuid::Uuid;

/// Steps whose latest transition put them in progress longer than `$1` milliseconds ago (transition times are
/// UTC without a zone), oldest first.
const ORPHANED: &str = "\
SELECT t.workflow_step_uuid,
       EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - t.created_at))::float8
FROM tasker.workflow_step_transitions t
WHERE t.most_recent AND t.to_state = 'in_progress'
  AND t.created_at < (now() AT TIME ZONE 'UTC') - ($1::bigint * interval '1 millisecond')
ORDER BY t.created_at
LIMIT 100";

/// Steps whose result waits for an orchestration that was never told, longer than `$1` milliseconds.
const UNANNOUNCED: &str = "\
SELECT s.task_uuid, s.workflow_step_uuid, k.correlation_id
FROM tasker.workflow_step_transitions t
JOIN tasker.workflow_steps s ON s.workflow_step_uuid = t.workflow_step_uuid
JOIN tasker.tasks k ON k.task_uuid = s.task_uuid
WHERE t.most_recent
  AND t.to_state IN ('enqueued_for_orchestration', 'enqueued_as_error_for_orchestration')
  AND s.results IS NOT NULL
  AND t.created_at < (now() AT TIME ZONE 'UTC') - ($1::bigint * interval '1 millisecond')
ORDER BY t.created_at
LIMIT 100";

/// Starts the sweep on the worker's runtime; `None` when `lease` is zero (the sweep is off).
pub fn spawn(
    runtime: &tokio::runtime::Runtime,
    context: Arc<SystemContext>,
    worker_id: &str,
    lease: Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    if lease.is_zero() {
        return None;
    }
    // The completion service records a worker UUID on the transition: ours when the id ends in one.
    let uuid = worker_id
        .len()
        .checked_sub(36)
        .and_then(|i| Uuid::parse_str(&worker_id[i..]).ok())
        .unwrap_or_else(Uuid::now_v7);
    let service = FFICompletionService::new(uuid.to_string(), context.clone());
    let results_queue = QueueClassifier::from_queues_config(&context.tasker_config.common.queues)
        .step_results_queue_name()
        .to_string();
    let every = (lease / 4).clamp(Duration::from_secs(1), Duration::from_secs(30));
    Some(runtime.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&context, &service, &results_queue, lease).await {
                tracing::warn!(
                    "orphaned-step sweep failed (it runs again in {:?}): {}",
                    every,
                    e
                );
            }
        }
    }))
}

async fn sweep(
    context: &SystemContext,
    service: &FFICompletionService,
    results_queue: &str,
    lease: Duration,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(Uuid, f64)> = sqlx::query_as(ORPHANED)
        .bind(lease.as_millis() as i64)
        .fetch_all(context.database_pool())
        .await?;
    for (step, age_s) in rows {
        let result = StepExecutionResult::failure(
            step,
            format!(
                "The step was in progress for {:.0} s without a completion: the worker that claimed it is gone. \
                 Failed as retryable so that a live worker runs it.",
                age_s
            ),
            Some("WORKER_LOST".to_string()),
            Some("retryable_error".to_string()),
            true,
            (age_s * 1000.0) as i64,
            None,
        );
        match service.send_step_result(result).await {
            Ok(()) => tracing::warn!(
                %step,
                "orphaned step failed as retryable after {:.0} s in progress; tasker-core retries it",
                age_s
            ),
            // Another worker's sweep, or the late owner, moved it first.
            Err(e) => tracing::debug!(%step, "orphaned step not failed: {}", e),
        }
    }
    let waiting: Vec<(Uuid, Uuid, Uuid)> = sqlx::query_as(UNANNOUNCED)
        .bind(lease.as_millis() as i64)
        .fetch_all(context.database_pool())
        .await?;
    for (task, step, correlation) in waiting {
        // The notice the foundation's completion path sends after recording a result.
        let notice = StepMessage {
            task_uuid: task,
            step_uuid: step,
            correlation_id: correlation,
        };
        match context
            .message_client()
            .send_message(results_queue, &notice)
            .await
        {
            Ok(_) => {
                tracing::warn!(%step, "result of a dead worker's step announced to the orchestration again")
            }
            Err(e) => {
                tracing::warn!(%step, "could not announce a dead worker's step result: {}", e)
            }
        }
    }
    Ok(())
}
