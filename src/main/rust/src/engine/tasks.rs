//! Task creation and cancellation.

use super::*;

impl Engine {
    // ------------------------------------------------------------ task creation

    pub fn create_task(&mut self, req: crate::client::TaskRequest) -> Result<TaskIdx, ClientError> {
        let key = (req.namespace.clone(), req.name.clone(), req.version.clone());
        let tpl_idx = match self.tpl_by_key.get(&key) {
            Some(&i) => i,
            None => {
                return Err(ClientError::new(format!(
                    "API error (404): Task template not found: {}/{}/{}",
                    req.namespace, req.name, req.version
                )))
            }
        };
        if req.name.is_empty() || req.name.len() > 255 {
            return Err(ClientError::new(
                "API error (400): name must be between 1 and 255 characters",
            ));
        }
        if req.version.is_empty() || req.version.len() > 50 {
            return Err(ClientError::new(
                "API error (400): version must be between 1 and 50 characters",
            ));
        }
        if let Some(p) = req.priority {
            if !(-100..=100).contains(&p) {
                return Err(ClientError::new(
                    "API error (400): priority must be between -100 and 100",
                ));
            }
        }
        let tpl = self.templates[tpl_idx].tpl.clone();
        let named_task_uuid =
            crate::uuid::from_name(&format!("{}/{}/{}", tpl.namespace, tpl.name, tpl.version));
        let identity_hash = match &req.idempotency_key {
            Some(k) => crate::hash::sha256_hex(format!("{}:{}", named_task_uuid, k).as_bytes()),
            None => crate::hash::sha256_hex(
                format!(
                    "{}:{}",
                    named_task_uuid,
                    crate::json::canonical(&req.context)
                )
                .as_bytes(),
            ),
        };
        // Live tasks are in memory; finished ones only in the store.
        let existing = match self.identities.get(&identity_hash) {
            Some(u) => Some(*u),
            None => self
                .stored_identity(&identity_hash)
                .map_err(ClientError::new)?,
        };
        if let Some(existing) = existing {
            return Err(ClientError::new(format!(
                "API error (409): A task with the same identity already exists (task_uuid={}, identity_hash={})",
                existing, identity_hash
            )));
        }
        let now = time::now_micros();
        let uuid = crate::uuid::new_v7();
        let context_raw: Arc<str> = Arc::from(req.context.to_json().as_str());
        let task = Task {
            uuid,
            tpl: tpl_idx,
            named_task_uuid,
            name: req.name,
            namespace: req.namespace,
            version: req.version,
            context_raw,
            initiator: req.initiator,
            source_system: req.source_system,
            reason: req.reason,
            tags: req.tags,
            priority: req.priority,
            options: req.options,
            correlation_id: req.correlation_id,
            parent_correlation_id: req.parent_correlation_id,
            identity_hash: identity_hash.clone(),
            idempotency_key: req.idempotency_key,
            requested_at: req.requested_at.unwrap_or(now),
            created_at: now,
            updated_at: now,
            completed_at: None,
            state: TaskState::Pending,
            steps: Vec::new(),
            by_name: HashMap::new(),
            counts: [0; STEP_STATES],
            seq: self.next_seq,
            stored: false,
            archive_issued: false,
        };
        self.next_seq += 1;
        let t = self.tasks.insert(task);
        self.task_index.insert(uuid, t);
        self.identities.insert(identity_hash, uuid);
        if !self.templates[tpl_idx].persisted {
            self.dirty_tpls.push(tpl_idx);
        }
        self.move_task(t, TaskState::Initializing);
        let initial = tpl.initial_step_set();
        for &d in &initial {
            let def = &tpl.steps[d];
            let inputs = if def.handler.initialization.is_empty() {
                Value::Null
            } else {
                Value::Object(def.handler.initialization.clone())
            };
            self.add_step(t, d, def.name.clone(), inputs);
        }
        // Edges only between steps that exist at creation ("provides").
        for s in StepIdx::all(self.tasks[t].steps.len()) {
            let d = self.tasks[t].steps[s].def_idx;
            for dep in &tpl.steps[d].dependencies {
                if let Some(&p) = self.tasks[t].by_name.get(dep) {
                    self.add_edge(t, p, s);
                }
            }
        }
        for s in StepIdx::all(self.tasks[t].steps.len()) {
            self.try_ready(t, s);
        }
        self.evaluate_task(t);
        self.mark_task(t);
        Ok(t)
    }

    // ------------------------------------------------------------ dispatch

    // ------------------------------------------------------------ cancel

    /// Cancel of a task that has already left memory: it is finished, so this only reports.
    pub fn cancel_finished(task: &Task) -> Result<(), ClientError> {
        if task.state == TaskState::Cancelled {
            return Ok(());
        }
        Err(ClientError::new(format!(
            "API error (409): Task {} cannot be cancelled in state {}",
            task.uuid,
            task.state.as_str()
        )))
    }

    pub fn cancel_task(&mut self, t: TaskIdx) -> Result<(), ClientError> {
        let state = self.tasks[t].state;
        if state == TaskState::Cancelled {
            return Ok(());
        }
        if state.is_terminal() {
            return Err(ClientError::new(format!(
                "API error (409): Task {} cannot be cancelled in state {}",
                self.tasks[t].uuid,
                state.as_str()
            )));
        }
        for s in StepIdx::all(self.tasks[t].steps.len()) {
            let st = self.tasks[t].steps[s].state;
            if matches!(
                st,
                StepState::Pending | StepState::Enqueued | StepState::WaitingForRetry
            ) {
                self.set_step_state(t, s, StepState::Cancelled, None, None);
                self.tasks[t].steps[s].next_retry_at = None;
            }
        }
        // Continuations of in-flight checkpointed steps keep running to a final result (accepted, no new dispatch).
        self.move_task(t, TaskState::Cancelled);
        self.commit(true)
            .map_err(|e| ClientError::new(e.to_string()))?;
        Ok(())
    }
}
