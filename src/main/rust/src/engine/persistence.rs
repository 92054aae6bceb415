//! Persistence: dirty tracking, log records, snapshots, replay and crash recovery.

use super::*;

impl Engine {
    // ------------------------------------------------------------ persistence

    pub(super) fn discard_dirty(&mut self) {
        self.dirty_steps.clear();
        self.dirty_tasks.clear();
        self.dirty_tpls.clear();
    }

    /// Take the durability ticket of the last operation (None in memory mode).
    pub fn take_sync_ticket(&mut self) -> Option<SyncTicket> {
        self.sync_ticket.take()
    }

    /// Write one log record with everything the operation touched. With `sync` the record
    /// must be durable before the caller acknowledges: a ticket is left for the FFI layer
    /// to wait on outside the engine lock (group commit).
    pub fn commit(&mut self, sync: bool) -> Result<(), EngineError> {
        if self.store.is_none() {
            self.discard_dirty();
            return Ok(());
        }
        let mut ops: Vec<Value> = Vec::new();
        let mut seen_t = HashSet::new();
        let mut tpls = std::mem::take(&mut self.dirty_tpls);
        tpls.sort_unstable();
        tpls.dedup();
        for i in tpls {
            if !self.templates[i].persisted {
                ops.push(self.encode_template(i));
                self.templates[i].persisted = true;
            }
        }
        for t in std::mem::take(&mut self.dirty_tasks) {
            if seen_t.insert(t) {
                ops.push(self.encode_task(t));
            }
        }
        // Index order per task, so replay can append newly created steps in sequence.
        let mut dirty = std::mem::take(&mut self.dirty_steps);
        dirty.sort_unstable();
        dirty.dedup();
        for (t, s) in dirty {
            ops.push(self.tasks[t].steps[s].encode(self.tasks[t].uuid, s));
        }
        if ops.is_empty() {
            return Ok(());
        }
        let rec = crate::jobj![("ops", Value::Array(ops))].to_json();
        let store = self.store.as_mut().unwrap();
        store
            .append(rec.as_bytes(), false)
            .map_err(EngineError::Storage)?;
        if sync {
            self.sync_ticket = Some(store.ticket());
        }
        if store.wal_bytes() > self.config.snapshot_bytes {
            // The snapshot is fsynced, so it also makes this record durable.
            self.snapshot()?;
        }
        Ok(())
    }

    pub(super) fn encode_template(&self, i: usize) -> Value {
        let e = &self.templates[i];
        crate::jobj![
            ("k", "tpl"),
            ("id", e.id),
            ("source", e.source.as_str()),
            ("text", e.text.as_str()),
            ("env", self.config.environment.clone()),
        ]
    }

    pub(super) fn encode_task(&self, t: TaskIdx) -> Value {
        self.tasks[t].encode(self.templates[self.tasks[t].tpl].id)
    }

    /// Write all live state as a snapshot and start a fresh log.
    pub fn snapshot(&mut self) -> Result<(), EngineError> {
        if self.store.is_none() {
            return Ok(());
        }
        let mut recs: Vec<String> = Vec::new();
        let used: HashSet<usize> = self.tasks.iter().map(|t| t.tpl).collect();
        let mut used: Vec<usize> = used.into_iter().collect();
        used.sort_unstable();
        for i in used {
            recs.push(self.encode_template(i).to_json());
            self.templates[i].persisted = true;
        }
        for t in TaskIdx::all(self.tasks.len()) {
            recs.push(self.encode_task(t).to_json());
            for s in StepIdx::all(self.tasks[t].steps.len()) {
                recs.push(
                    self.tasks[t].steps[s]
                        .encode(self.tasks[t].uuid, s)
                        .to_json(),
                );
            }
        }
        self.store
            .as_mut()
            .unwrap()
            .write_snapshot(&recs)
            .map_err(EngineError::Storage)
    }

    /// Apply snapshot + log entities in order.
    pub(super) fn replay(&mut self, records: Vec<Value>) -> Result<(), String> {
        let mut tpl_ids: HashMap<u64, usize> = HashMap::new();
        for rec in records {
            let m = match rec.as_object() {
                Some(m) => m,
                None => return Err("data directory record is not an object".into()),
            };
            match m.get("k").and_then(|v| v.as_str()) {
                Some("tpl") => {
                    let id = m
                        .get("id")
                        .and_then(|v| v.as_u64())
                        .ok_or("template record without id")?;
                    let source = m
                        .get("source")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let text = m
                        .get("text")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let env = m.get("env").and_then(|v| v.as_str()).map(|s| s.to_string());
                    let tpl = crate::template::parse_template(&source, &text, env.as_deref())
                        .map_err(|e| format!("stored template could not be parsed: {}", e))?;
                    let idx = self.add_template(id, source, text, tpl, true);
                    tpl_ids.insert(id, idx);
                }
                Some("task") => {
                    let (mut task, tpl_id) = Task::decode(m)?;
                    task.tpl = *tpl_ids
                        .get(&tpl_id)
                        .or_else(|| self.tpl_by_id.get(&tpl_id))
                        .ok_or("task references an unknown template")?;
                    match self.task_index.get(&task.uuid) {
                        Some(&t) => {
                            let steps = std::mem::take(&mut self.tasks[t].steps);
                            task.steps = steps;
                            self.tasks[t] = task;
                        }
                        None => {
                            self.task_index.insert(task.uuid, TaskIdx(self.tasks.len()));
                            self.tasks.push(task);
                        }
                    }
                }
                Some("step") => {
                    let tu = m
                        .get("task")
                        .and_then(|v| v.as_str())
                        .and_then(|s| Uuid::parse(s).ok())
                        .ok_or("step record without task")?;
                    let i = m
                        .get("i")
                        .and_then(|v| v.as_u64())
                        .ok_or("step record without index")? as usize;
                    let t = *self
                        .task_index
                        .get(&tu)
                        .ok_or("step record for an unknown task")?;
                    let step = Step::decode(m)?;
                    let steps = &mut self.tasks[t].steps;
                    if i < steps.len() {
                        steps[i] = step;
                    } else if i == steps.len() {
                        steps.push(step);
                    } else {
                        return Err(format!("step record index {} out of order", i));
                    }
                }
                other => return Err(format!("unknown record kind {:?}", other)),
            }
        }
        // Rebuild derived indexes.
        let mut max_seq = 0;
        for t in TaskIdx::all(self.tasks.len()) {
            let tpl = self.templates[self.tasks[t].tpl].tpl.clone();
            let task = &mut self.tasks[t];
            max_seq = max_seq.max(task.seq + 1);
            self.identities
                .insert(task.identity_hash.clone(), task.uuid);
            task.by_name.clear();
            task.counts = [0; STEP_STATES];
            for s in StepIdx::all(task.steps.len()) {
                let step = &mut task.steps[s];
                step.def_idx = *tpl.index.get(&step.template_step_name).ok_or_else(|| {
                    format!(
                        "stored step `{}` missing from its template",
                        step.template_step_name
                    )
                })?;
                step.children.clear();
                step.dep_entry = step.results.as_ref().map(|r| dep_entry_from_stored(r));
                task.counts[step.state as usize] += 1;
                task.by_name.insert(step.name.clone(), s);
                self.step_index.insert(step.uuid, (t, s));
            }
            for s in StepIdx::all(task.steps.len()) {
                for p in task.steps[s].parents.clone() {
                    if p.0 < task.steps.len() {
                        task.steps[p].children.push(s);
                    }
                }
            }
        }
        self.next_seq = max_seq;
        Ok(())
    }

    /// After replay: roll back unacknowledged claims and rebuild queues and timers.
    pub(super) fn recover(&mut self) {
        let mut order: Vec<TaskIdx> = TaskIdx::all(self.tasks.len()).collect();
        order.sort_by_key(|&t| self.tasks[t].seq);
        let mut redispatched = 0;
        for t in order {
            if self.tasks[t].state.is_terminal() {
                continue;
            }
            for s in StepIdx::all(self.tasks[t].steps.len()) {
                match self.tasks[t].steps[s].state {
                    StepState::InProgress => {
                        // The execution never acknowledged a result: it does not count as an attempt.
                        self.set_step_state(t, s, StepState::WaitingForRetry, None, None);
                        self.set_step_state(t, s, StepState::Pending, None, None);
                        let step = &mut self.tasks[t].steps[s];
                        step.attempts = step.attempts.saturating_sub(1);
                        self.enqueue(t, s);
                        redispatched += 1;
                    }
                    StepState::Enqueued => {
                        self.ready.push_back(ReadyEntry {
                            t,
                            s,
                            since_ms_us: mono_us(),
                        });
                    }
                    StepState::WaitingForRetry => {
                        let due = self.tasks[t].steps[s].next_retry_at.unwrap_or(0);
                        self.tasks[t].steps[s].next_retry_at = Some(due);
                        self.retry_heap.push(Reverse((due, t, s)));
                    }
                    StepState::EnqueuedForOrchestration
                    | StepState::EnqueuedAsErrorForOrchestration => {
                        logging::warn(&format!(
                            "step {} recovered in {}; re-dispatching",
                            self.tasks[t].steps[s].uuid,
                            self.tasks[t].steps[s].state.as_str()
                        ));
                        self.set_step_state(t, s, StepState::Error, None, None);
                        self.set_step_state(t, s, StepState::Pending, None, None);
                        self.enqueue(t, s);
                    }
                    StepState::Pending => self.try_ready(t, s),
                    _ => {}
                }
            }
            self.evaluate_task(t);
        }
        if redispatched > 0 {
            logging::info(&format!(
                "recovery: {} in-flight step(s) will be dispatched again",
                redispatched
            ));
        }
        self.discard_dirty();
    }
}
