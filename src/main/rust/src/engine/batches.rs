//! Batches: `batch_processing_outcome` creates batch workers and their convergence steps.

use super::*;

impl Engine {
    pub(super) fn process_batch(&mut self, t: TaskIdx, s: StepIdx, result: &Value) {
        let tpl = self.template_of(t).clone();
        let step_name = self.tasks[t].steps[s].name.clone();
        let def_idx = self.tasks[t].steps[s].def_idx;
        let outcome = match result.get("batch_processing_outcome") {
            Some(o) => o,
            None => {
                logging::warn(&format!(
                    "batchable step `{}` returned no batch_processing_outcome; continuing",
                    step_name
                ));
                return;
            }
        };
        // Idempotent: skip if workers already hang off this step.
        let existing_worker = self.tasks[t].steps[s]
            .children
            .iter()
            .any(|&c| tpl.steps[self.tasks[t].steps[c].def_idx].step_type == StepType::BatchWorker);
        if existing_worker {
            return;
        }
        let (template_name, cursors, no_op): (String, Vec<Value>, bool) = match outcome
            .get("type")
            .and_then(|v| v.as_str())
        {
            Some("no_batches") => {
                match tpl.steps[def_idx]
                    .handler
                    .initialization
                    .get("worker_template_name")
                    .and_then(|v| v.as_str())
                {
                    Some(n) => (
                        n.to_string(),
                        vec![crate::jobj![
                            ("batch_id", "000"),
                            ("start_cursor", 0),
                            ("end_cursor", 0),
                            ("batch_size", 0)
                        ]],
                        true,
                    ),
                    None => {
                        logging::warn(&format!(
                            "batchable step `{}`: no_batches without `worker_template_name` in handler initialization; no placeholder worker created",
                            step_name
                        ));
                        return;
                    }
                }
            }
            Some("create_batches") => {
                let parsed = (|| -> Option<(String, Vec<Value>)> {
                    let name = outcome.get("worker_template_name")?.as_str()?.to_string();
                    outcome
                        .get("worker_count")?
                        .as_u64()
                        .filter(|&n| n <= u32::MAX as u64)?;
                    outcome.get("total_items")?.as_u64()?;
                    let mut cs = Vec::new();
                    for c in outcome.get("cursor_configs")?.as_array()? {
                        let bid = c.get("batch_id")?.as_str()?.to_string();
                        let start = c.get("start_cursor")?.clone();
                        let end = c.get("end_cursor")?.clone();
                        let size = c
                            .get("batch_size")?
                            .as_u64()
                            .filter(|&n| n <= u32::MAX as u64)?;
                        cs.push(crate::jobj![
                            ("batch_id", bid),
                            ("start_cursor", start),
                            ("end_cursor", end),
                            ("batch_size", size)
                        ]);
                    }
                    Some((name, cs))
                })();
                match parsed {
                    Some((n, cs)) => (n, cs, false),
                    None => {
                        logging::warn(&format!(
                            "batchable step `{}`: malformed create_batches outcome; continuing",
                            step_name
                        ));
                        return;
                    }
                }
            }
            _ => {
                logging::warn(&format!(
                    "batchable step `{}`: malformed batch_processing_outcome; continuing",
                    step_name
                ));
                return;
            }
        };
        let wdef_idx = match tpl.index.get(&template_name) {
            Some(&i) if tpl.steps[i].step_type == StepType::BatchWorker => i,
            _ => {
                logging::warn(&format!(
                    "batchable step `{}`: worker template `{}` is not a batch_worker step",
                    step_name, template_name
                ));
                return;
            }
        };
        let wdef = tpl.steps[wdef_idx].clone();
        let bc = match &wdef.batch_config {
            Some(b) => b.clone(),
            None => {
                logging::warn(&format!(
                    "batch worker template `{}` is missing batch configuration",
                    template_name
                ));
                return;
            }
        };
        let mut workers = Vec::new();
        for c in cursors {
            let bid = c
                .get("batch_id")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let name = format!("{}_{}", template_name, bid);
            if self.tasks[t].by_name.contains_key(&name) {
                logging::warn(&format!("batch worker `{}` already exists; skipped", name));
                continue;
            }
            let mut inputs: Map = wdef.handler.initialization.clone();
            inputs.insert("cursor", c);
            inputs.insert(
                "batch_metadata",
                crate::jobj![
                    ("cursor_field", bc.cursor_field.as_str()),
                    ("failure_strategy", bc.failure_strategy.as_str())
                ],
            );
            inputs.insert("is_no_op", Value::Bool(no_op));
            inputs.insert("__template_step_name", Value::str(&template_name));
            let ws = self.add_step(t, wdef_idx, name, Value::Object(inputs));
            self.add_edge(t, s, ws);
            workers.push(ws);
        }
        // Convergence steps that list the worker template.
        for (i, d) in tpl.steps.iter().enumerate() {
            if d.step_type != StepType::DeferredConvergence
                || !d.dependencies.contains(&template_name)
                || self.tasks[t].by_name.contains_key(&d.name)
            {
                continue;
            }
            let inputs = if d.handler.initialization.is_empty() {
                Value::Null
            } else {
                Value::Object(d.handler.initialization.clone())
            };
            let cs = self.add_step(t, i, d.name.clone(), inputs);
            for dep in &d.dependencies {
                if *dep == template_name {
                    for &w in &workers {
                        self.add_edge(t, w, cs);
                    }
                } else if let Some(&p) = self.tasks[t].by_name.get(dep) {
                    self.add_edge(t, p, cs);
                }
            }
            if self.tasks[t].steps[cs].parents.is_empty() {
                self.add_edge(t, s, cs);
            }
            workers.push(cs);
        }
        for w in workers {
            self.try_ready(t, w);
        }
    }
}
