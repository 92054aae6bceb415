//! Readiness: dependency checks, the ready queue, retry timers and dispatch (`poll`).

use super::*;

impl Engine {
    pub(super) fn parents_satisfied(&self, t: TaskIdx, s: StepIdx) -> bool {
        let task = &self.tasks[t];
        task.steps[s]
            .parents
            .iter()
            .all(|&p| task.steps[p].state.satisfies_dependency())
    }

    pub(super) fn enqueue(&mut self, t: TaskIdx, s: StepIdx) {
        if self.set_step_state(t, s, StepState::Enqueued, None, None) {
            let step = self.tasks[t].steps[s].uuid;
            self.ready.push_back(ReadyEntry {
                t,
                s,
                step,
                since_ms_us: mono_us(),
            });
        }
    }

    /// Enqueue a pending step whose dependencies are all satisfied.
    pub(super) fn try_ready(&mut self, t: TaskIdx, s: StepIdx) {
        if self.tasks[t].state.is_terminal() {
            return;
        }
        let st = self.tasks[t].steps[s].state;
        if st == StepState::Pending && self.parents_satisfied(t, s) {
            self.enqueue(t, s);
        }
    }

    /// Move retry-waiting steps whose backoff expired back into the ready queue.
    pub(super) fn promote_due_retries(&mut self) {
        let now = time::now_micros();
        while let Some(Reverse((due, t, s, u))) = self.retry_heap.peek().copied() {
            if due > now {
                break;
            }
            self.retry_heap.pop();
            if self.step_is(t, s, u) {
                self.promote_retry(t, s, due);
            }
        }
    }

    /// Milliseconds until the earliest retry backoff runs out (0 when one is due), None when no step waits for a
    /// retry: `wait_for_step_events` returns by then, so a caller may wait long while idle and still poll in time.
    pub fn next_retry_in_ms(&self) -> Option<u64> {
        let Reverse((due, ..)) = self.retry_heap.peek()?;
        let left_us = due.saturating_sub(time::now_micros()).max(0) as u64;
        Some(left_us.div_ceil(1000))
    }

    /// The slot still holds this step (slots of archived tasks are reused).
    pub(super) fn step_is(&self, t: TaskIdx, s: StepIdx, uuid: Uuid) -> bool {
        self.tasks
            .get(t)
            .and_then(|task| task.steps.get(s.0))
            .map(|st| st.uuid == uuid)
            .unwrap_or(false)
    }

    pub(super) fn promote_retry(&mut self, t: TaskIdx, s: StepIdx, due: i64) {
        let step = &self.tasks[t].steps[s];
        if step.state != StepState::WaitingForRetry
            || step.next_retry_at.map(|n| n != due).unwrap_or(false)
        {
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

    pub(super) fn poll_inner(&mut self) -> Option<String> {
        if let Some(c) = self.continuations.pop_front() {
            let event_id = crate::uuid::new_v4();
            let ev = crate::dispatch::build_step_event(
                self,
                c.t,
                c.s,
                event_id,
                c.correlation_id,
                c.pre_attempts,
                c.pre_last_attempted,
                Some(&c.checkpoint),
            );
            self.pending.insert(
                event_id,
                PendingEvent {
                    t: c.t,
                    s: c.s,
                    dispatched_ms: time::mono_ms(),
                    pre_attempts: c.pre_attempts,
                    pre_last_attempted: c.pre_last_attempted,
                    correlation_id: c.correlation_id,
                },
            );
            return Some(ev);
        }
        while let Some(entry) = self.ready.pop_front() {
            let (t, s) = (entry.t, entry.s);
            if !self.step_is(t, s, entry.step)
                || self.tasks[t].steps[s].state != StepState::Enqueued
            {
                continue; // cancelled or otherwise moved on
            }
            let corr = crate::uuid::new_v4();
            let pre_attempts = self.tasks[t].steps[s].attempts;
            let pre_last = self.tasks[t].steps[s].last_attempted_at;
            let event_id = crate::uuid::new_v4();
            // Hydrate before the claim: the handler sees the pre-claim attempt count.
            let ev = crate::dispatch::build_step_event(
                self,
                t,
                s,
                event_id,
                corr,
                pre_attempts,
                pre_last,
                None,
            );
            self.set_step_state(t, s, StepState::InProgress, None, Some(corr));
            let step = &mut self.tasks[t].steps[s];
            step.attempts += 1;
            step.last_attempted_at = Some(time::now_micros());
            self.pending.insert(
                event_id,
                PendingEvent {
                    t,
                    s,
                    dispatched_ms: time::mono_ms(),
                    pre_attempts,
                    pre_last_attempted: pre_last,
                    correlation_id: corr,
                },
            );
            if self.record_latency && self.latencies_us.len() < 4_000_000 {
                self.latencies_us
                    .push(mono_us().saturating_sub(entry.since_ms_us));
            }
            return Some(ev);
        }
        None
    }

    // ------------------------------------------------------------ completion
}
