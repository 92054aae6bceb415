//! Results and backoff: completions, retry decisions, backoff delays, checkpoints,
//! timeouts and the pending-event metrics.

use super::*;

impl Engine {
    /// Accept a parsed result for a pending event. Returns false if the event is unknown.
    pub fn complete(&mut self, event_id: Uuid, result: ExecResult) -> Result<bool, EngineError> {
        let pe = match self.pending.remove(&event_id) {
            Some(p) => p,
            None => {
                logging::warn(&format!("completion for unknown event {}", event_id));
                return Ok(false);
            }
        };
        if result.step_uuid != self.tasks[pe.t].steps[pe.s].uuid {
            logging::warn(&format!(
                "completion for event {} carries step_uuid {} but the event is for step {}; using the event's step",
                event_id, result.step_uuid, self.tasks[pe.t].steps[pe.s].uuid
            ));
        }
        self.apply_result(pe.t, pe.s, result, pe.correlation_id);
        self.commit(true)?;
        Ok(true)
    }

    pub(super) fn apply_result(&mut self, t: TaskIdx, s: StepIdx, result: ExecResult, corr: Uuid) {
        if self.tasks[t].steps[s].state != StepState::InProgress {
            logging::warn(&format!(
                "result for step {} in state {} ignored",
                self.tasks[t].steps[s].uuid,
                self.tasks[t].steps[s].state.as_str()
            ));
            return;
        }
        let stored = Arc::new(result.to_json());
        {
            let step = &mut self.tasks[t].steps[s];
            step.dep_entry = Some(dep_entry_from_stored(&stored));
            step.results = Some(stored.clone());
        }
        let worker = result.metadata.worker_id.clone();
        let ms = result.metadata.execution_time_ms;
        let to = if result.success {
            StepState::EnqueuedForOrchestration
        } else {
            StepState::EnqueuedAsErrorForOrchestration
        };
        self.set_step_state(
            t,
            s,
            to,
            Some((&stored, result.success, ms, worker)),
            Some(corr),
        );

        let now = time::now_micros();
        let cancelled = self.tasks[t].state == TaskState::Cancelled;
        // A finished task (cancelled, or failed through another branch) gets no new work.
        let finished = self.tasks[t].state.is_terminal();
        let mut outcome = crate::events::Outcome::Success;
        if result.success {
            self.set_step_state(t, s, StepState::Complete, None, Some(corr));
            let step = &mut self.tasks[t].steps[s];
            step.processed_at = Some(now);
            if !finished && result.normalized_status() == "completed" {
                let def_type = self.template_of(t).steps[self.tasks[t].steps[s].def_idx].step_type;
                match def_type {
                    StepType::Decision => self.process_decision(t, s, &result.result),
                    StepType::Batchable => self.process_batch(t, s, &result.result),
                    _ => {}
                }
            }
            if !finished {
                let children = self.tasks[t].steps[s].children.clone();
                for c in children {
                    self.try_ready(t, c);
                }
            }
        } else {
            self.tasks[t].steps[s].last_failure_at = Some(now);
            let step = &self.tasks[t].steps[s];
            // Retry decision reads only metadata.retryable + attempts (a template `retryable: false`
            // also makes it permanent, instead of stranding the step in waiting_for_retry).
            let retry = !finished
                && result.metadata.retryable
                && step.attempts < step.max_attempts
                && step.retryable;
            if cancelled {
                self.set_step_state(t, s, StepState::Cancelled, None, Some(corr));
                outcome = crate::events::Outcome::PermanentFailure;
            } else if retry {
                outcome = crate::events::Outcome::RetryableFailure;
                let delay_ms = self.backoff_delay_ms(&result, self.tasks[t].steps[s].attempts);
                self.set_step_state(t, s, StepState::WaitingForRetry, None, Some(corr));
                let due = now + delay_ms as i64 * 1000;
                let step = &mut self.tasks[t].steps[s];
                step.backoff_request_seconds = Some(delay_ms.div_ceil(1000) as i64);
                step.next_retry_at = Some(due);
                if delay_ms == 0 {
                    self.promote_retry(t, s, due);
                } else {
                    let u = self.tasks[t].steps[s].uuid;
                    self.retry_heap.push(Reverse((due, t, s, u)));
                }
            } else {
                outcome = crate::events::Outcome::PermanentFailure;
                self.set_step_state(t, s, StepState::Error, None, Some(corr));
            }
        }
        self.evaluate_task(t);
        crate::events::publish_for_step(self, t, s, &result, outcome);
    }

    /// Exponential backoff with jitter and cap; a server-requested delay wins (capped, no jitter).
    pub fn backoff_delay_ms(&self, result: &ExecResult, attempts: u32) -> u64 {
        let b = &self.config.backoff;
        if let Some(om) = &result.orchestration_metadata {
            for (k, v) in &om.headers {
                if k.eq_ignore_ascii_case("retry-after") {
                    let v = v.trim();
                    if let Ok(secs) = v.parse::<u64>() {
                        return secs.saturating_mul(1000).min(b.max_ms);
                    }
                    if let Some(at) = time::parse_http_date(v) {
                        let ms = ((at - time::now_micros()).max(0) / 1000) as u64;
                        return ms.min(b.max_ms);
                    }
                }
            }
            if let Some(h) = &om.backoff_hint {
                return (h.delay_seconds as u64 * 1000).min(b.max_ms);
            }
        }
        let raw = b.base_ms as f64 * b.multiplier.powi(attempts.min(64) as i32);
        let delay = if raw.is_finite() {
            raw.min(b.max_ms as f64)
        } else {
            b.max_ms as f64
        }
        .floor() as u64;
        let range = (delay as f64 * b.jitter_pct).floor() as u64;
        if range == 0 {
            return delay;
        }
        let j = crate::uuid::random_upto(range);
        if crate::uuid::random_u64() & 1 == 0 {
            delay.saturating_add(j).min(b.max_ms.max(delay))
        } else {
            delay.saturating_sub(j)
        }
    }

    /// Persist a checkpoint and queue a continuation. Ok(false) = unknown event / not allowed.
    pub fn checkpoint_yield(
        &mut self,
        event_id: Uuid,
        data: CheckpointYield,
    ) -> Result<bool, EngineError> {
        let pe = match self.pending.get(&event_id) {
            Some(p) => p.clone(),
            None => {
                logging::warn(&format!("checkpoint yield for unknown event {}", event_id));
                return Ok(false);
            }
        };
        let (t, s) = (pe.t, pe.s);
        if self.tasks[t].steps[s].uuid != data.step_uuid {
            logging::warn(&format!(
                "checkpoint yield for event {}: step_uuid {} does not match the event's step",
                event_id, data.step_uuid
            ));
            return Ok(false);
        }
        if self.tasks[t].state == TaskState::Cancelled
            || self.tasks[t].steps[s].state != StepState::InProgress
        {
            logging::warn(&format!(
                "checkpoint yield for event {} refused: task cancelled or step not in progress",
                event_id
            ));
            return Ok(false);
        }
        let ts = time::rfc3339_z(time::now_micros());
        let mut history = match self.tasks[t].steps[s].checkpoint.get("history") {
            Some(Value::Array(h)) => h.clone(),
            _ => Vec::new(),
        };
        history.push(crate::jobj![
            ("cursor", data.cursor.clone()),
            ("timestamp", ts.as_str())
        ]);
        let record = crate::jobj![
            ("cursor", data.cursor.clone()),
            ("items_processed", data.items_processed),
            ("timestamp", ts.as_str()),
            ("accumulated_results", data.accumulated_results.clone()),
            ("history", Value::Array(history)),
        ];
        self.tasks[t].steps[s].checkpoint = record;
        self.tasks[t].steps[s].updated_at = time::now_micros();
        self.mark_step(t, s);
        self.commit(true)?;
        self.pending.remove(&event_id);
        self.continuations.push_back(Continuation {
            t,
            s,
            checkpoint: data.to_json(),
            pre_attempts: pe.pre_attempts,
            pre_last_attempted: pe.pre_last_attempted,
            correlation_id: pe.correlation_id,
        });
        Ok(true)
    }

    // ------------------------------------------------------------ timeouts and metrics

    /// Fail every pending event older than the completion timeout with a retryable ffi_timeout.
    pub fn cleanup_timeouts(&mut self) -> Result<usize, EngineError> {
        let now = time::mono_ms();
        let limit = self.config.completion_timeout_ms;
        let expired: Vec<Uuid> = self
            .pending
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.dispatched_ms) > limit)
            .map(|(k, _)| *k)
            .collect();
        for id in &expired {
            if let Some(pe) = self.pending.remove(id) {
                let step_uuid = self.tasks[pe.t].steps[pe.s].uuid;
                logging::warn(&format!(
                    "FFI dispatch: event {} for step {} timed out after {}ms",
                    id, step_uuid, limit
                ));
                let r = ExecResult::failure(
                    step_uuid,
                    &format!("FFI handler timed out after {}ms", limit),
                    "ffi_timeout",
                    true,
                    limit as i64,
                );
                self.apply_result(pe.t, pe.s, r, pe.correlation_id);
            }
        }
        if !expired.is_empty() {
            self.commit(true)?;
        }
        Ok(expired.len())
    }

    pub fn starving(&self) -> Vec<(Uuid, u64)> {
        let now = time::mono_ms();
        self.pending
            .iter()
            .map(|(k, p)| (*k, now.saturating_sub(p.dispatched_ms)))
            .filter(|(_, age)| *age > self.config.starvation_threshold_ms)
            .collect()
    }

    pub fn metrics_json(&self) -> Value {
        let now = time::mono_ms();
        let mut oldest: Option<(u64, Uuid)> = None;
        let mut newest: Option<u64> = None;
        let mut starving = 0usize;
        for (k, p) in &self.pending {
            let age = now.saturating_sub(p.dispatched_ms);
            if age > self.config.starvation_threshold_ms {
                starving += 1;
            }
            if oldest.map(|(a, _)| age > a).unwrap_or(true) {
                oldest = Some((age, *k));
            }
            if newest.map(|n| age < n).unwrap_or(true) {
                newest = Some(age);
            }
        }
        crate::jobj![
            ("pending_count", self.pending.len()),
            ("starvation_detected", starving > 0),
            ("starving_event_count", starving),
            ("oldest_pending_age_ms", oldest.map(|o| o.0)),
            ("newest_pending_age_ms", newest),
            ("oldest_event_id", oldest.map(|o| o.1.to_string())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(b: BackoffConfig) -> Engine {
        let cfg = EngineConfig {
            backoff: b,
            ..EngineConfig::default()
        };
        Engine::new("w".into(), cfg, Vec::new()).unwrap()
    }

    fn failure_with(orch: Option<&str>) -> ExecResult {
        let mut v =
            crate::json::parse(r#"{"success":false,"metadata":{"retryable":true}}"#).unwrap();
        if let Some(o) = orch {
            v.as_object_mut()
                .unwrap()
                .insert("orchestration_metadata", crate::json::parse(o).unwrap());
        }
        crate::result::from_value_strict(&v, 0).unwrap()
    }

    #[test]
    fn exponential_backoff_with_cap_and_jitter() {
        let e = engine(BackoffConfig {
            base_ms: 1000,
            max_ms: 60_000,
            multiplier: 2.0,
            jitter_pct: 0.0,
        });
        let r = failure_with(None);
        assert_eq!(e.backoff_delay_ms(&r, 1), 2000);
        assert_eq!(e.backoff_delay_ms(&r, 3), 8000);
        assert_eq!(e.backoff_delay_ms(&r, 10), 60_000);
        assert_eq!(e.backoff_delay_ms(&r, 500), 60_000);
        let e = engine(BackoffConfig {
            base_ms: 1000,
            max_ms: 60_000,
            multiplier: 2.0,
            jitter_pct: 0.15,
        });
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d = e.backoff_delay_ms(&r, 2);
            assert!((3400..=4600).contains(&d), "{}", d);
            seen.insert(d);
        }
        assert!(seen.len() > 10, "jitter varies");
        for _ in 0..100 {
            assert!(e.backoff_delay_ms(&r, 20) <= 60_000);
        }
    }

    #[test]
    fn server_requested_delays() {
        let e = engine(BackoffConfig {
            base_ms: 1000,
            max_ms: 60_000,
            multiplier: 2.0,
            jitter_pct: 0.15,
        });
        assert_eq!(
            e.backoff_delay_ms(
                &failure_with(Some(r#"{"headers":{"Retry-After":"7"},"custom":{}}"#)),
                1
            ),
            7000
        );
        assert_eq!(
            e.backoff_delay_ms(
                &failure_with(Some(r#"{"headers":{"retry-after":"999"},"custom":{}}"#)),
                1
            ),
            60_000
        );
        let hint = r#"{"headers":{},"custom":{},"backoff_hint":{"backoff_type":"ServiceUnavailable","delay_seconds":3}}"#;
        assert_eq!(e.backoff_delay_ms(&failure_with(Some(hint)), 1), 3000);
        let future = crate::time::now_micros() + 20_000_000;
        let p = crate::time::split_for_http(future);
        let d = e.backoff_delay_ms(
            &failure_with(Some(&format!(
                r#"{{"headers":{{"Retry-After":"{}"}},"custom":{{}}}}"#,
                p
            ))),
            1,
        );
        assert!((18_000..=20_000).contains(&d), "{}", d);
        // without server input: configured exponential backoff
        let d = e.backoff_delay_ms(&failure_with(Some(r#"{"headers":{},"custom":{}}"#)), 1);
        assert!((1700..=2300).contains(&d), "{}", d);
    }
}
