//! Persistence: dirty tracking turned into row writes, loading live tasks, archiving
//! settled tasks out of memory, reloading after a failed write, crash recovery, reads of
//! archived tasks, and the one-time migration from the previous log/snapshot format.

use super::*;
use crate::store::{Op, StoredTask, TaskRow};

/// A task found by uuid: in memory, or archived and read back from the store.
pub enum TaskRef {
    Live(TaskIdx),
    Archived(Box<Task>),
}

impl Engine {
    pub(super) fn discard_dirty(&mut self) {
        self.dirty_steps.clear();
        self.dirty_tasks.clear();
        self.dirty_tpls.clear();
    }

    /// Take the durability ticket of the last operation (None in memory mode).
    pub fn take_sync_ticket(&mut self) -> Option<Ticket> {
        self.sync_ticket.take()
    }

    fn task_row(&mut self, t: TaskIdx) -> TaskRow {
        let tpl_id = self.templates[self.tasks[t].tpl].id;
        let task = &mut self.tasks[t];
        let created = !task.stored;
        task.stored = true;
        let archive = task.settled() && !task.archive_issued;
        if archive {
            task.archive_issued = true;
        }
        TaskRow {
            seq: task.seq as i64,
            uuid: *task.uuid.as_bytes(),
            identity: task.identity_hash.clone(),
            namespace: task.namespace.clone(),
            state: task.state.as_str(),
            created,
            archive,
            finished_at: task
                .archive_issued
                .then(|| task.completed_at.unwrap_or(task.updated_at)),
            nsteps: task.steps.len() as i64,
            body: task.encode_json(tpl_id),
        }
    }

    /// Queue one transaction's worth of row writes with everything the operation touched.
    /// With `sync` the caller must not acknowledge before the writes are durable: a ticket
    /// is left for the FFI layer to wait on outside the engine lock (group commit).
    pub fn commit(&mut self, sync: bool) -> Result<(), EngineError> {
        if self.store.is_none() {
            self.discard_dirty();
            return Ok(());
        }
        let mut ops: Vec<Op> = Vec::new();
        let mut tpls = std::mem::take(&mut self.dirty_tpls);
        tpls.sort_unstable();
        tpls.dedup();
        for i in tpls {
            if !self.templates[i].persisted {
                let e = &self.templates[i];
                ops.push(Op::Template {
                    id: e.id as i64,
                    source: e.source.clone(),
                    text: e.text.clone(),
                    env: e.env.clone(),
                });
                self.templates[i].persisted = true;
            }
        }
        // A touched step rewrites its task's row only when the task is new or now settled (its
        // archiving write). State changes and added steps mark the task themselves, and the
        // task's `updated_at`, which every step transition moves, is restored on load from the
        // steps' audit trails: so a step's change is one row, not two.
        let mut dirty_steps = std::mem::take(&mut self.dirty_steps);
        dirty_steps.sort_unstable();
        dirty_steps.dedup();
        let mut dirty_tasks = std::mem::take(&mut self.dirty_tasks);
        dirty_tasks.extend(dirty_steps.iter().map(|&(t, _)| t).filter(|&t| {
            let task = &self.tasks[t];
            !task.stored || (task.settled() && !task.archive_issued)
        }));
        dirty_tasks.sort_unstable();
        dirty_tasks.dedup();
        let mut archived = Vec::new();
        for &t in &dirty_tasks {
            let row = self.task_row(t);
            if row.archive {
                archived.push((t, self.tasks[t].uuid));
            }
            ops.push(Op::Task(row));
        }
        for (t, s) in dirty_steps {
            let task = &self.tasks[t];
            ops.push(Op::Step {
                task_seq: task.seq as i64,
                idx: s.0 as i64,
                body: task.steps[s].encode_json(),
            });
        }
        if ops.is_empty() {
            return Ok(());
        }
        let ticket = self.store.as_mut().unwrap().submit(ops);
        for (t, u) in archived {
            self.archiving.push_back((ticket.n(), t, u));
        }
        if sync {
            self.sync_ticket = Some(ticket);
        }
        Ok(())
    }

    /// Run before every operation: after a failed write, reload the live state from disk;
    /// then let archived tasks whose write is committed leave memory.
    pub fn housekeeping(&mut self) {
        let store = match &self.store {
            Some(s) => s,
            None => return,
        };
        if store.broken() {
            if let Err(e) = self.reload() {
                logging::error(&format!(
                    "reloading live state from the store failed (retried on the next call): {}",
                    e
                ));
            }
            return;
        }
        if crate::testing::archived_held() {
            return;
        }
        let committed = store.committed();
        while let Some(&(ticket, t, u)) = self.archiving.front() {
            if ticket > committed {
                break;
            }
            self.archiving.pop_front();
            if self.tasks.get(t).map(|x| x.uuid) == Some(u) {
                self.evict(t);
            }
        }
    }

    fn evict(&mut self, t: TaskIdx) {
        if let Some(task) = self.tasks.remove(t) {
            self.task_index.remove(&task.uuid);
            self.identities.remove(&task.identity_hash);
            for step in &task.steps {
                self.step_index.remove(&step.uuid);
            }
        }
    }

    fn clear_live(&mut self) {
        self.tasks.clear();
        self.task_index.clear();
        self.step_index.clear();
        self.identities.clear();
        self.ready.clear();
        self.continuations.clear();
        self.retry_heap.clear();
        self.pending.clear();
        self.archiving.clear();
        self.discard_dirty();
        self.sync_ticket = None;
    }

    /// A write failed: every write not yet committed fails too, and memory is rebuilt from
    /// what is on disk (as after a restart: unacknowledged claims are dispatched again).
    fn reload(&mut self) -> Result<(), String> {
        self.clear_live();
        if let Some(s) = self.store.as_mut() {
            s.reset_after_failure();
        }
        self.load_from_store()?;
        logging::warn(&format!(
            "live state reloaded from the store after a failed write ({} task(s) in memory)",
            self.tasks.in_memory()
        ));
        Ok(())
    }

    /// Resolve template, step definitions, counters and indexes of a decoded task.
    fn rebuild(&self, task: &mut Task) -> Result<(), String> {
        rebuild(&self.templates, task)
    }

    fn decode_stored(&self, st: &StoredTask) -> Result<Task, String> {
        let path = self
            .store
            .as_ref()
            .map(|s| s.db_path().display().to_string())
            .unwrap_or_default();
        let bad = |what: &str, e: String| format!("data file {}: {}: {}", path, what, e);
        let v = crate::json::parse_stored(&st.body)
            .map_err(|e| bad(&format!("task row {}", st.seq), e.to_string()))?;
        let m = v
            .as_object()
            .ok_or_else(|| bad(&format!("task row {}", st.seq), "not an object".into()))?;
        let (mut task, tpl_id) = Task::decode(m, Some(&st.identity))
            .map_err(|e| bad(&format!("task row {}", st.seq), e))?;
        task.tpl = *self.tpl_by_id.get(&tpl_id).ok_or_else(|| {
            bad(
                &format!("task row {}", st.seq),
                format!("unknown template {}", tpl_id),
            )
        })?;
        for (i, body) in st.steps.iter().enumerate() {
            let sv = crate::json::parse_stored(body)
                .map_err(|e| bad(&format!("step row ({}, {})", st.seq, i), e.to_string()))?;
            let sm = sv.as_object().ok_or_else(|| {
                bad(
                    &format!("step row ({}, {})", st.seq, i),
                    "not an object".into(),
                )
            })?;
            task.steps.push(
                Step::decode(sm).map_err(|e| bad(&format!("step row ({}, {})", st.seq, i), e))?,
            );
        }
        // The row is not rewritten for every step transition (see `commit`); each transition
        // stamps its audit entry with the time it gave the task's `updated_at`.
        for step in &task.steps {
            if let Some(a) = step.audits.last() {
                task.updated_at = task.updated_at.max(a.at);
            }
        }
        task.archive_issued = st.archived;
        self.rebuild(&mut task)
            .map_err(|e| bad(&format!("task row {}", st.seq), e))?;
        Ok(task)
    }

    /// Bootstrap (and reload): stored templates, then live tasks only, then recovery.
    pub(super) fn load_from_store(&mut self) -> Result<(), String> {
        let store = self.store.as_ref().expect("durable mode");
        let tpls = store.load_templates()?;
        let live = store.load_live()?;
        let max_seq = store.max_seq()?;
        for (id, source, text, env) in tpls {
            if self.tpl_by_id.contains_key(&(id as u64)) {
                if let Some(&i) = self.tpl_by_id.get(&(id as u64)) {
                    self.templates[i].persisted = true;
                }
                continue;
            }
            let tpl = crate::template::parse_template(&source, &text, env.as_deref())
                .map_err(|e| format!("stored template could not be parsed: {}", e))?;
            self.add_template(id as u64, source, text, tpl, true);
        }
        for st in &live {
            let task = self.decode_stored(st)?;
            let uuid = task.uuid;
            let identity = task.identity_hash.clone();
            let t = self.tasks.insert(task);
            self.task_index.insert(uuid, t);
            self.identities.insert(identity, uuid);
            for s in StepIdx::all(self.tasks[t].steps.len()) {
                self.step_index.insert(self.tasks[t].steps[s].uuid, (t, s));
            }
        }
        self.next_seq = self.next_seq.max((max_seq + 1) as u64);
        self.recover();
        // Tasks that settled without being archived (recovery, or migrated data) leave now.
        let settled: Vec<TaskIdx> = self
            .tasks
            .indices()
            .into_iter()
            .filter(|&t| self.tasks[t].settled())
            .collect();
        if !settled.is_empty() {
            for t in settled {
                self.mark_task(t);
            }
            self.commit(true).map_err(|e| e.to_string())?;
            if let Some(ticket) = self.take_sync_ticket() {
                ticket.wait()?;
            }
            self.housekeeping();
        }
        Ok(())
    }

    /// Find a task by uuid in memory or, archived, in the store.
    pub fn lookup(&self, uuid: Uuid) -> Result<Option<TaskRef>, String> {
        if let Some(t) = self.find_task(uuid) {
            return Ok(Some(TaskRef::Live(t)));
        }
        let store = match &self.store {
            Some(s) => s,
            None => return Ok(None),
        };
        match store.task_by_uuid(uuid.as_bytes())? {
            Some(st) => Ok(Some(TaskRef::Archived(Box::new(self.decode_stored(&st)?)))),
            None => Ok(None),
        }
    }

    /// Run `f` on the task with this uuid, wherever it is.
    pub fn with_task<R>(
        &self,
        uuid: Uuid,
        f: impl FnOnce(&Engine, &Task) -> R,
    ) -> Result<Option<R>, String> {
        Ok(match self.lookup(uuid)? {
            None => None,
            Some(TaskRef::Live(t)) => Some(f(self, &self.tasks[t])),
            Some(TaskRef::Archived(task)) => Some(f(self, &task)),
        })
    }

    /// An archived task read back by its creation sequence number.
    pub fn archived_by_seq(&self, seq: i64) -> Result<Option<Task>, String> {
        match self.store.as_ref() {
            None => Ok(None),
            Some(s) => match s.task_by_seq(seq)? {
                Some(st) => Ok(Some(self.decode_stored(&st)?)),
                None => Ok(None),
            },
        }
    }

    /// See `testing::store_identities_scanned`.
    pub fn store_identities_scanned(&self) -> Option<bool> {
        self.store.as_ref().map(|s| s.identities_scanned())
    }

    /// Uuid of the stored task holding this identity (archived tasks are not in memory).
    pub(super) fn stored_identity(&self, identity: &str) -> Result<Option<Uuid>, String> {
        match self.store.as_ref() {
            None => Ok(None),
            Some(s) => Ok(s.identity_owner(identity)?.map(Uuid::from_bytes)),
        }
    }

    /// Archived tasks for a listing: the matching count not served from memory and the
    /// newest `want` matching creation sequence numbers.
    pub fn archived_listing(
        &mut self,
        ns: Option<&str>,
        state: Option<&str>,
        want: usize,
    ) -> Result<(u64, Vec<i64>), String> {
        let resident: Vec<i64> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.archive_issued)
            .map(|(_, t)| t.seq as i64)
            .collect();
        match self.store.as_mut() {
            None => Ok((0, Vec::new())),
            Some(s) => s.archived_listing(ns, state, &resident, want),
        }
    }

    /// After loading: roll back unacknowledged claims and rebuild queues and timers.
    pub(super) fn recover(&mut self) {
        let mut order: Vec<TaskIdx> = self.tasks.indices();
        order.sort_by_key(|&t| self.tasks[t].seq);
        let mut redispatched = 0;
        for t in order {
            let terminal = self.tasks[t].state.is_terminal();
            let cancelled = self.tasks[t].state == TaskState::Cancelled;
            for s in StepIdx::all(self.tasks[t].steps.len()) {
                match self.tasks[t].steps[s].state {
                    StepState::InProgress
                    | StepState::EnqueuedForOrchestration
                    | StepState::EnqueuedAsErrorForOrchestration
                        if cancelled =>
                    {
                        // The lost execution of a cancelled task is not run again.
                        self.set_step_state(t, s, StepState::Cancelled, None, None);
                    }
                    StepState::InProgress => {
                        // The execution never acknowledged a result: it does not count as an attempt.
                        self.set_step_state(t, s, StepState::WaitingForRetry, None, None);
                        self.set_step_state(t, s, StepState::Pending, None, None);
                        let step = &mut self.tasks[t].steps[s];
                        step.attempts = step.attempts.saturating_sub(1);
                        self.push_ready(t, s);
                        redispatched += 1;
                    }
                    StepState::Enqueued if cancelled => {
                        self.set_step_state(t, s, StepState::Cancelled, None, None);
                    }
                    StepState::Enqueued => self.push_ready(t, s),
                    StepState::WaitingForRetry if !terminal => {
                        let due = self.tasks[t].steps[s].next_retry_at.unwrap_or(0);
                        self.tasks[t].steps[s].next_retry_at = Some(due);
                        let u = self.tasks[t].steps[s].uuid;
                        self.retry_heap.push(Reverse((due, t, s, u)));
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
                        self.push_ready(t, s);
                    }
                    StepState::Pending if !terminal => self.try_ready(t, s),
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

    /// Enqueue a recovered step even when its task is already finished: an errored task's
    /// in-flight steps still run to an end, as they would have without the restart.
    fn push_ready(&mut self, t: TaskIdx, s: StepIdx) {
        if self.tasks[t].steps[s].state == StepState::Pending {
            self.set_step_state(t, s, StepState::Enqueued, None, None);
        }
        if self.tasks[t].steps[s].state == StepState::Enqueued {
            let u = self.tasks[t].steps[s].uuid;
            self.ready.push_back(ReadyEntry {
                t,
                s,
                step: u,
                since_ms_us: mono_us(),
            });
        }
    }

    // ------------------------------------------------------------ migration

    /// Move a directory of the previous format into a new SQLite store, once: replay its
    /// records in memory, write every entity in one transaction to a database created under
    /// a temporary name, rename it into place, then set the old files aside.
    pub(super) fn migrate(
        &mut self,
        dir: &std::path::Path,
        records: Vec<Value>,
        lock: std::fs::File,
    ) -> Result<(), EngineError> {
        let n = records.len();
        self.replay_legacy(records).map_err(|e| {
            EngineError::Storage(format!("migrating data dir {}: {}", dir.display(), e))
        })?;
        let mut ops = Vec::new();
        let mut used: Vec<usize> = self.tasks.iter().map(|(_, t)| t.tpl).collect();
        used.sort_unstable();
        used.dedup();
        for i in used {
            let e = &self.templates[i];
            ops.push(Op::Template {
                id: e.id as i64,
                source: e.source.clone(),
                text: e.text.clone(),
                env: e.env.clone(),
            });
        }
        let mut order = self.tasks.indices();
        order.sort_by_key(|&t| self.tasks[t].seq);
        for t in order {
            self.tasks[t].stored = false;
            ops.push(Op::Task(self.task_row(t)));
            let task = &self.tasks[t];
            for s in StepIdx::all(task.steps.len()) {
                ops.push(Op::Step {
                    task_seq: task.seq as i64,
                    idx: s.0 as i64,
                    body: task.steps[s].encode_json(),
                });
            }
        }
        let tasks = self.tasks.in_memory();
        self.clear_live();
        self.next_seq = 0;
        let store = Store::finish_migration(dir, ops, self.config.retention.clone(), lock)
            .map_err(EngineError::Storage)?;
        logging::info(&format!(
            "data dir {}: migrated {} record(s), {} task(s), from the log/snapshot format into {}",
            dir.display(),
            n,
            tasks,
            store.db_path().display()
        ));
        self.store = Some(store);
        Ok(())
    }

    /// Apply the old format's entity records in order (templates, task headers, steps).
    fn replay_legacy(&mut self, records: Vec<Value>) -> Result<(), String> {
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
                    self.templates[idx].env = env;
                    tpl_ids.insert(id, idx);
                }
                Some("task") => {
                    let (mut task, tpl_id) = Task::decode(m, None)?;
                    task.tpl = *tpl_ids
                        .get(&tpl_id)
                        .or_else(|| self.tpl_by_id.get(&tpl_id))
                        .ok_or("task references an unknown template")?;
                    match self.task_index.get(&task.uuid) {
                        Some(&t) => {
                            task.steps = std::mem::take(&mut self.tasks[t].steps);
                            self.tasks[t] = task;
                        }
                        None => {
                            let u = task.uuid;
                            let t = self.tasks.insert(task);
                            self.task_index.insert(u, t);
                        }
                    }
                }
                Some("step") => {
                    let tu = m
                        .get("task")
                        .and_then(|v| v.as_str())
                        .and_then(|s| crate::uuid::parse(s).ok())
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
        for t in self.tasks.indices() {
            rebuild(&self.templates, &mut self.tasks[t])?;
        }
        Ok(())
    }
}

/// Resolve step definitions, counters and child lists of a decoded task.
fn rebuild(templates: &[TplEntry], task: &mut Task) -> Result<(), String> {
    let tpl = templates[task.tpl].tpl.clone();
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
    }
    for s in StepIdx::all(task.steps.len()) {
        for p in task.steps[s].parents.clone() {
            if p.0 < task.steps.len() {
                task.steps[p].children.push(s);
            }
        }
    }
    Ok(())
}
