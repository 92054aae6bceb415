//! Decision points: `decision_point_outcome` creates the chosen branches.

use super::*;

impl Engine {
    // ------------------------------------------------------------ decision points and batches

    pub(super) fn process_decision(&mut self, t: TaskIdx, s: StepIdx, result: &Value) {
        let tpl = self.template_of(t).clone();
        let step_name = self.tasks[t].steps[s].name.clone();
        let outcome = match result.get("decision_point_outcome") {
            Some(o) => o,
            None => {
                logging::warn(&format!(
                    "decision step `{}` returned no decision_point_outcome; continuing",
                    step_name
                ));
                return;
            }
        };
        let names: Vec<String> = match outcome.get("type").and_then(|v| v.as_str()) {
            Some("no_branches") => return,
            Some("create_steps") => match outcome.get("step_names").and_then(|v| v.as_array()) {
                Some(a) if a.iter().all(|x| x.as_str().is_some()) => {
                    a.iter().map(|x| x.as_str().unwrap().to_string()).collect()
                }
                _ => {
                    logging::warn(&format!(
                        "decision step `{}`: malformed create_steps outcome; continuing",
                        step_name
                    ));
                    return;
                }
            },
            _ => {
                logging::warn(&format!(
                    "decision step `{}`: malformed decision_point_outcome; continuing",
                    step_name
                ));
                return;
            }
        };
        if names.is_empty() {
            return;
        }
        let reachable = tpl.decision_reachable(self.tasks[t].steps[s].def_idx);
        let mut create: Vec<usize> = Vec::new();
        for n in &names {
            match tpl.index.get(n) {
                Some(&d) if reachable.contains(&d) => {
                    if !create.contains(&d) {
                        create.push(d);
                    }
                }
                _ => {
                    logging::warn(&format!(
                        "decision step `{}`: invalid step name `{}` (not a descendant of the decision); no steps created",
                        step_name, n
                    ));
                    return;
                }
            }
        }
        // Add (to a fixpoint) the exit decision points of the branches being created and every
        // deferred_convergence step whose dependencies intersect the set being created.
        loop {
            let mut added = false;
            for (i, d) in tpl.steps.iter().enumerate() {
                let nested_exit = d.step_type == StepType::Decision && reachable.contains(&i);
                if (d.step_type == StepType::DeferredConvergence || nested_exit)
                    && !create.contains(&i)
                    && d.dependencies.iter().any(|dep| {
                        tpl.index
                            .get(dep)
                            .map(|x| create.contains(x))
                            .unwrap_or(false)
                    })
                {
                    create.push(i);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
        let created_names: HashSet<String> =
            create.iter().map(|&d| tpl.steps[d].name.clone()).collect();
        let mut new_steps = Vec::new();
        for &d in &create {
            let def = &tpl.steps[d];
            if self.tasks[t].by_name.contains_key(&def.name) {
                continue;
            }
            let inputs = if def.handler.initialization.is_empty() {
                Value::Null
            } else {
                Value::Object(def.handler.initialization.clone())
            };
            let ns = self.add_step(t, d, def.name.clone(), inputs);
            new_steps.push((ns, d));
        }
        for &(ns, d) in &new_steps {
            let def = &tpl.steps[d];
            let deferred = def.step_type == StepType::DeferredConvergence;
            for dep in &def.dependencies {
                if created_names.contains(dep) || self.tasks[t].by_name.contains_key(dep) {
                    if let Some(&p) = self.tasks[t].by_name.get(dep) {
                        self.add_edge(t, p, ns);
                    }
                } else if !deferred {
                    self.add_edge(t, s, ns);
                }
            }
            if self.tasks[t].steps[ns].parents.is_empty() && !deferred {
                self.add_edge(t, s, ns);
            }
        }
        logging::debug(&format!(
            "decision `{}` created {} step(s)",
            step_name,
            new_steps.len()
        ));
        for (ns, _) in new_steps {
            self.try_ready(t, ns);
        }
    }
}
