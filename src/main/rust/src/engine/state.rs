//! Step and task state transitions with their counters, audit trail and dirty marks;
//! task evaluation; adding steps and edges.

use super::*;

impl Engine {
    // ------------------------------------------------------------ state helpers

    pub(super) fn mark_step(&mut self, t: TaskIdx, s: StepIdx) {
        self.dirty_steps.push((t, s));
    }
    pub(super) fn mark_task(&mut self, t: TaskIdx) {
        self.dirty_tasks.push(t);
    }

    /// Apply a legal step transition, keep counters and audit trail in sync.
    pub(super) fn set_step_state(
        &mut self,
        t: TaskIdx,
        s: StepIdx,
        to: StepState,
        result: Option<(&Arc<Value>, bool, i64, Option<String>)>,
        corr: Option<Uuid>,
    ) -> bool {
        let now = time::now_micros();
        let task = &mut self.tasks[t];
        let step = &mut task.steps[s];
        let from = step.state;
        if !from.can_transition(to) {
            logging::error(&format!(
                "illegal step transition {} -> {} for step {} ({})",
                from.as_str(),
                to.as_str(),
                step.name,
                step.uuid
            ));
            return false;
        }
        task.counts[from as usize] -= 1;
        task.counts[to as usize] += 1;
        step.state = to;
        step.updated_at = now;
        let (res, success, ms, worker) = match result {
            Some((r, ok, ms, w)) => (Some(r.clone()), ok, Some(ms), w),
            None => (None, to == StepState::Complete, None, None),
        };
        let (audit_uuid, transition_uuid) = Audit::ids(&step.uuid, step.audits.len());
        step.audits.push(Audit {
            audit_uuid,
            transition_uuid,
            from: Some(from),
            to,
            at: now,
            success,
            result: res,
            execution_time_ms: ms,
            worker_uuid: worker,
            correlation_id: corr,
        });
        task.updated_at = now;
        self.mark_step(t, s);
        true
    }

    /// Move the task along the shortest legal route to `target`.
    pub(super) fn move_task(&mut self, t: TaskIdx, target: TaskState) {
        let task = &mut self.tasks[t];
        if task.state == target {
            return;
        }
        match task.state.route_to(target) {
            Some(path) => {
                let now = time::now_micros();
                for st in path {
                    logging::debug(&format!(
                        "task {} {} -> {}",
                        task.uuid,
                        task.state.as_str(),
                        st.as_str()
                    ));
                    task.state = st;
                }
                task.updated_at = now;
                if target == TaskState::Complete {
                    task.completed_at = Some(now);
                }
                self.mark_task(t);
            }
            None => logging::error(&format!(
                "no legal task transition {} -> {} for task {}",
                task.state.as_str(),
                target.as_str(),
                task.uuid
            )),
        }
    }

    /// Task finaliser over the per-task counters.
    pub(super) fn evaluate_task(&mut self, t: TaskIdx) {
        let task = &self.tasks[t];
        if task.state.is_terminal() {
            return;
        }
        let total = task.steps.len() as u32;
        let done = task.count(StepState::Complete) + task.count(StepState::ResolvedManually);
        let in_flight = task.count(StepState::Enqueued)
            + task.count(StepState::InProgress)
            + task.count(StepState::EnqueuedForOrchestration)
            + task.count(StepState::EnqueuedAsErrorForOrchestration);
        if task.count(StepState::Error) > 0 {
            self.move_task(t, TaskState::BlockedByFailures);
            self.move_task(t, TaskState::Error);
            logging::warn(&format!(
                "task {} failed: a step failed permanently",
                self.tasks[t].uuid
            ));
        } else if done == total {
            self.move_task(t, TaskState::Complete);
        } else if in_flight > 0 {
            self.move_task(t, TaskState::StepsInProcess);
        } else if task.count(StepState::WaitingForRetry) > 0 {
            self.move_task(t, TaskState::WaitingForRetry);
        } else {
            self.move_task(t, TaskState::WaitingForDependencies);
        }
    }

    pub(super) fn add_step(
        &mut self,
        t: TaskIdx,
        def_idx: usize,
        name: String,
        inputs: Value,
    ) -> StepIdx {
        let tpl = self.template_of(t).clone();
        let def = &tpl.steps[def_idx];
        let now = time::now_micros();
        let task = &mut self.tasks[t];
        let uuid = crate::uuid::new_v7();
        let step = Step {
            uuid,
            named_step_uuid: crate::uuid::from_name(&format!(
                "{}/{}/{}#{}",
                tpl.namespace, tpl.name, tpl.version, def.name
            )),
            name: name.clone(),
            template_step_name: def.name.clone(),
            def_idx,
            state: StepState::Pending,
            attempts: 0,
            max_attempts: def.retry.max_attempts,
            retryable: def.retry.retryable,
            inputs,
            results: None,
            dep_entry: None,
            checkpoint: Value::Null,
            parents: Vec::new(),
            children: Vec::new(),
            created_at: now,
            updated_at: now,
            processed_at: None,
            last_attempted_at: None,
            last_failure_at: None,
            backoff_request_seconds: None,
            next_retry_at: None,
            audits: Vec::new(),
        };
        task.steps.push(step);
        let s = StepIdx(task.steps.len() - 1);
        task.by_name.insert(name, s);
        task.counts[StepState::Pending as usize] += 1;
        self.step_index.insert(uuid, (t, s));
        self.mark_step(t, s);
        // The task row holds the step count the load reads by.
        self.mark_task(t);
        s
    }

    pub(super) fn add_edge(&mut self, t: TaskIdx, from: StepIdx, to: StepIdx) {
        let task = &mut self.tasks[t];
        if from == to || task.steps[to].parents.contains(&from) {
            return;
        }
        task.steps[to].parents.push(from);
        task.steps[from].children.push(to);
        self.mark_step(t, to);
    }
}
