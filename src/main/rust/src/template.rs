//! Task template model, YAML reading, validation and graph helpers.

use crate::json::{Map, Value};
use crate::yaml::{self, Yaml};
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepType {
    Standard,
    Decision,
    DeferredConvergence,
    Batchable,
    BatchWorker,
}

impl StepType {
    pub fn parse(s: &str) -> Option<StepType> {
        Some(match s {
            "standard" => StepType::Standard,
            "decision" => StepType::Decision,
            "deferred_convergence" => StepType::DeferredConvergence,
            "batchable" => StepType::Batchable,
            "batch_worker" => StepType::BatchWorker,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StepType::Standard => "standard",
            StepType::Decision => "decision",
            StepType::DeferredConvergence => "deferred_convergence",
            StepType::Batchable => "batchable",
            StepType::BatchWorker => "batch_worker",
        }
    }
}

#[derive(Clone, Debug)]
pub struct HandlerDef {
    pub callable: String,
    pub method: Option<String>,
    pub resolver: Option<String>,
    pub initialization: Map,
}

#[derive(Clone, Debug)]
pub struct RetryConfig {
    pub retryable: bool,
    pub max_attempts: u32,
    pub backoff: String,
    pub backoff_base_ms: Option<u64>,
    pub max_backoff_ms: Option<u64>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            retryable: true,
            max_attempts: 3,
            backoff: "exponential".into(),
            backoff_base_ms: Some(1000),
            max_backoff_ms: Some(30000),
        }
    }
}

impl RetryConfig {
    pub fn to_json(&self) -> Value {
        crate::jobj![
            ("retryable", self.retryable),
            ("max_attempts", self.max_attempts),
            ("backoff", self.backoff.as_str()),
            ("backoff_base_ms", self.backoff_base_ms),
            ("max_backoff_ms", self.max_backoff_ms),
        ]
    }
}

#[derive(Clone, Debug)]
pub struct EventDecl {
    pub name: String,
    pub description: String,
    pub condition: String,
    pub delivery_mode: String,
    pub publisher: Option<String>,
    pub schema: Value,
}

#[derive(Clone, Debug)]
pub struct BatchConfig {
    pub cursor_field: String,
    pub failure_strategy: String,
    pub raw: Value,
}

#[derive(Clone, Debug)]
pub struct StepDef {
    pub name: String,
    pub description: Option<String>,
    pub handler: HandlerDef,
    pub step_type: StepType,
    pub system_dependency: Option<String>,
    pub dependencies: Vec<String>,
    pub retry: RetryConfig,
    pub timeout_seconds: Option<u64>,
    pub publishes_events: Vec<EventDecl>,
    pub batch_config: Option<BatchConfig>,
}

impl StepDef {
    /// `StepDefinitionDto` as exported in the step event (no type/publishes_events/batch_config).
    pub fn to_dto(&self) -> Value {
        let mut h = Map::new();
        h.push("callable", Value::str(&self.handler.callable));
        if let Some(m) = &self.handler.method {
            h.push("method", Value::str(m));
        }
        if let Some(r) = &self.handler.resolver {
            h.push("resolver", Value::str(r));
        }
        h.push(
            "initialization",
            Value::Object(self.handler.initialization.clone()),
        );
        crate::jobj![
            ("name", self.name.as_str()),
            ("description", self.description.clone()),
            ("handler", Value::Object(h)),
            ("system_dependency", self.system_dependency.clone()),
            (
                "dependencies",
                Value::Array(self.dependencies.iter().map(Value::str).collect())
            ),
            ("timeout_seconds", self.timeout_seconds),
            ("retry", self.retry.to_json()),
        ]
    }

    /// Raw serde form of the template step (used inside domain event payloads).
    pub fn to_raw(&self) -> Value {
        let mut v = self.to_dto();
        if let Value::Object(m) = &mut v {
            m.insert(
                "handler",
                crate::jobj![
                    ("callable", self.handler.callable.as_str()),
                    ("method", self.handler.method.clone()),
                    ("resolver", self.handler.resolver.clone()),
                    (
                        "initialization",
                        Value::Object(self.handler.initialization.clone())
                    ),
                ],
            );
            m.push("type", Value::str(self.step_type.as_str()));
            m.push(
                "publishes_events",
                Value::Array(
                    self.publishes_events
                        .iter()
                        .map(|e| {
                            crate::jobj![
                                ("name", e.name.as_str()),
                                ("description", e.description.as_str()),
                                ("condition", e.condition.as_str()),
                                ("schema", e.schema.clone()),
                                ("delivery_mode", e.delivery_mode.as_str()),
                                ("publisher", e.publisher.clone()),
                            ]
                        })
                        .collect(),
                ),
            );
            m.push(
                "batch_config",
                self.batch_config
                    .as_ref()
                    .map(|b| b.raw.clone())
                    .unwrap_or(Value::Null),
            );
        }
        v
    }
}

#[derive(Clone, Debug)]
pub struct Template {
    pub source: String,
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub steps: Vec<StepDef>,
    pub index: HashMap<String, usize>,
    /// Template-level dependents of each step.
    pub children: Vec<Vec<usize>>,
    pub has_decision: bool,
    /// Each step's `StepDefinitionDto` JSON, written once: every event of the step carries it unchanged.
    pub step_dtos: Vec<std::sync::Arc<str>>,
}

impl Template {
    pub fn key(&self) -> (String, String, String) {
        (
            self.namespace.clone(),
            self.name.clone(),
            self.version.clone(),
        )
    }

    /// Steps created with the task.
    pub fn initial_step_set(&self) -> Vec<usize> {
        if !self.has_decision {
            return (0..self.steps.len())
                .filter(|&i| {
                    !matches!(
                        self.steps[i].step_type,
                        StepType::BatchWorker | StepType::DeferredConvergence
                    )
                })
                .collect();
        }
        let mut desc: HashSet<usize> = HashSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            if s.step_type == StepType::Decision {
                let mut q: VecDeque<usize> = self.children[i].iter().copied().collect();
                while let Some(c) = q.pop_front() {
                    if desc.insert(c) {
                        q.extend(self.children[c].iter().copied());
                    }
                }
            }
        }
        (0..self.steps.len())
            .filter(|i| !desc.contains(i) && self.steps[*i].step_type != StepType::BatchWorker)
            .collect()
    }

    /// Descendants reachable from a decision step, stopping at (but including) other decisions.
    pub fn decision_reachable(&self, decision: usize) -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut q: VecDeque<usize> = self.children[decision].iter().copied().collect();
        while let Some(c) = q.pop_front() {
            if seen.insert(c) && self.steps[c].step_type != StepType::Decision {
                q.extend(self.children[c].iter().copied());
            }
        }
        seen
    }
}

// ---------------------------------------------------------------- reading

struct Ctx<'a> {
    source: &'a str,
    step: Option<String>,
}

impl<'a> Ctx<'a> {
    fn err(&self, msg: impl AsRef<str>) -> String {
        match &self.step {
            Some(s) => format!("template `{}`: step `{}`: {}", self.source, s, msg.as_ref()),
            None => format!("template `{}`: {}", self.source, msg.as_ref()),
        }
    }
}

fn kind(y: &Yaml) -> &'static str {
    match y {
        Yaml::Scalar { .. } => "scalar",
        Yaml::Seq(_) => "sequence",
        Yaml::Map(_) => "mapping",
    }
}

fn map_entries<'y>(y: &'y Yaml, what: &str, c: &Ctx) -> Result<&'y Vec<(String, Yaml)>, String> {
    match y {
        Yaml::Map(m) => Ok(m),
        other => Err(c.err(format!(
            "`{}` must be a mapping, found {}",
            what,
            kind(other)
        ))),
    }
}

fn req_str(m: &Yaml, key: &str, c: &Ctx) -> Result<String, String> {
    match m.get(key) {
        None => Err(c.err(format!("missing field `{}`", key))),
        Some(y) => match opt_str_of(y, key, c)? {
            Some(s) => Ok(s),
            None => Err(c.err(format!("field `{}` must be a string, found null", key))),
        },
    }
}

fn opt_str_of(y: &Yaml, key: &str, c: &Ctx) -> Result<Option<String>, String> {
    match y {
        Yaml::Scalar { text, quoted } => {
            if !quoted && y.is_null() {
                Ok(None)
            } else {
                Ok(Some(text.clone()))
            }
        }
        other => Err(c.err(format!(
            "field `{}` must be a string, found {}",
            key,
            kind(other)
        ))),
    }
}

fn opt_str(m: &Yaml, key: &str, c: &Ctx) -> Result<Option<String>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(y) => opt_str_of(y, key, c),
    }
}

fn opt_bool(m: &Yaml, key: &str, c: &Ctx) -> Result<Option<bool>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(y) if y.is_null() => Ok(None),
        Some(y) => match y.to_json() {
            Value::Bool(b) if matches!(y, Yaml::Scalar { quoted: false, .. }) => Ok(Some(b)),
            _ => Err(c.err(format!("field `{}` must be a boolean", key))),
        },
    }
}

fn opt_u64(m: &Yaml, key: &str, c: &Ctx) -> Result<Option<u64>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(y) if y.is_null() => Ok(None),
        Some(y) => match (y, y.to_json().as_u64()) {
            (Yaml::Scalar { quoted: false, .. }, Some(n)) => Ok(Some(n)),
            _ => Err(c.err(format!("field `{}` must be a non-negative integer", key))),
        },
    }
}

fn str_list(m: &Yaml, key: &str, c: &Ctx) -> Result<Vec<String>, String> {
    match m.get(key) {
        None => Ok(Vec::new()),
        Some(Yaml::Seq(items)) => {
            let mut out = Vec::new();
            for it in items {
                match opt_str_of(it, key, c)? {
                    Some(s) => out.push(s),
                    None => return Err(c.err(format!("`{}` entries must be strings", key))),
                }
            }
            Ok(out)
        }
        Some(y) if y.is_null() => {
            Err(c.err(format!("field `{}` must be a sequence, found null", key)))
        }
        Some(other) => Err(c.err(format!(
            "field `{}` must be a sequence, found {}",
            key,
            kind(other)
        ))),
    }
}

fn json_object(y: Option<&Yaml>, key: &str, c: &Ctx) -> Result<Map, String> {
    match y {
        None => Ok(Map::new()),
        Some(y) if y.is_null() => {
            Err(c.err(format!("field `{}` must be a mapping, found null", key)))
        }
        Some(y) => match y.to_json() {
            Value::Object(m) => Ok(m),
            _ => Err(c.err(format!("field `{}` must be a mapping", key))),
        },
    }
}

fn read_handler(y: &Yaml, c: &Ctx) -> Result<HandlerDef, String> {
    map_entries(y, "handler", c)?;
    let callable = req_str(y, "callable", c)?;
    if callable.is_empty() {
        return Err(c.err("handler `callable` must not be empty"));
    }
    Ok(HandlerDef {
        callable,
        method: opt_str(y, "method", c)?,
        resolver: opt_str(y, "resolver", c)?,
        initialization: json_object(y.get("initialization"), "initialization", c)?,
    })
}

/// serde semantics: when `retry` is present each missing key takes its field default.
fn read_retry(y: Option<&Yaml>, c: &Ctx) -> Result<RetryConfig, String> {
    let y = match y {
        None => return Ok(RetryConfig::default()),
        Some(y) => y,
    };
    map_entries(y, "retry", c)?;
    let backoff = opt_str(y, "backoff", c)?.unwrap_or_else(|| "exponential".into());
    if !matches!(
        backoff.as_str(),
        "none" | "linear" | "exponential" | "fibonacci"
    ) {
        return Err(c.err(format!("unknown variant `{}` for `retry.backoff`, expected one of `none`, `linear`, `exponential`, `fibonacci`", backoff)));
    }
    let max_attempts = opt_u64(y, "max_attempts", c)?.unwrap_or(3);
    if max_attempts > u32::MAX as u64 {
        return Err(c.err("retry.max_attempts out of range"));
    }
    if !(1..=100).contains(&max_attempts) {
        crate::logging::warn(&c.err(format!(
            "retry.max_attempts {} is outside the validator range 1..100",
            max_attempts
        )));
    }
    Ok(RetryConfig {
        retryable: opt_bool(y, "retryable", c)?.unwrap_or(true),
        max_attempts: max_attempts as u32,
        backoff,
        backoff_base_ms: opt_u64(y, "backoff_base_ms", c)?,
        max_backoff_ms: opt_u64(y, "max_backoff_ms", c)?,
    })
}

fn read_events(y: Option<&Yaml>, c: &Ctx) -> Result<Vec<EventDecl>, String> {
    let items = match y {
        None => return Ok(Vec::new()),
        Some(Yaml::Seq(items)) => items,
        Some(other) => {
            return Err(c.err(format!(
                "`publishes_events` must be a sequence, found {}",
                kind(other)
            )))
        }
    };
    let mut out = Vec::new();
    for it in items {
        map_entries(it, "publishes_events[]", c)?;
        let name = req_str(it, "name", c)?;
        let name_ok = name.contains('.')
            && !name.starts_with('.')
            && !name.ends_with('.')
            && !name.contains("..")
            && name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '.');
        if !name_ok {
            return Err(c.err(format!(
                "invalid event name `{}` (expected lowercase `namespace.action` with [a-z0-9_.])",
                name
            )));
        }
        let description = req_str(it, "description", c)?;
        let condition = opt_str(it, "condition", c)?.unwrap_or_else(|| "success".into());
        if !matches!(
            condition.as_str(),
            "success" | "failure" | "retryable_failure" | "permanent_failure" | "always"
        ) {
            return Err(c.err(format!(
                "event `{}`: unknown condition `{}`",
                name, condition
            )));
        }
        let delivery_mode = opt_str(it, "delivery_mode", c)?.unwrap_or_else(|| "durable".into());
        if !matches!(delivery_mode.as_str(), "durable" | "fast" | "broadcast") {
            return Err(c.err(format!(
                "event `{}`: unknown delivery_mode `{}`",
                name, delivery_mode
            )));
        }
        let schema = match it.get("schema") {
            None => return Err(c.err(format!("event `{}`: missing field `schema`", name))),
            Some(s) => s.to_json(),
        };
        out.push(EventDecl {
            name,
            description,
            condition,
            delivery_mode,
            publisher: opt_str(it, "publisher", c)?,
            schema,
        });
    }
    Ok(out)
}

fn read_batch_config(y: Option<&Yaml>, c: &Ctx) -> Result<Option<BatchConfig>, String> {
    let y = match y {
        None => return Ok(None),
        Some(y) if y.is_null() => return Ok(None),
        Some(y) => y,
    };
    map_entries(y, "batch_config", c)?;
    let fs = opt_str(y, "failure_strategy", c)?.unwrap_or_else(|| "continue_on_failure".into());
    if !matches!(fs.as_str(), "continue_on_failure" | "fail_fast" | "isolate") {
        return Err(c.err(format!("unknown failure_strategy `{}`", fs)));
    }
    Ok(Some(BatchConfig {
        cursor_field: opt_str(y, "cursor_field", c)?.unwrap_or_default(),
        failure_strategy: fs,
        raw: y.to_json(),
    }))
}

fn read_step(y: &Yaml, source: &str, idx: usize) -> Result<StepDef, String> {
    let mut c = Ctx {
        source,
        step: Some(format!("#{}", idx + 1)),
    };
    map_entries(y, "steps[]", &c)?;
    let name = req_str(y, "name", &c)?;
    c.step = Some(name.clone());
    if name.is_empty() {
        return Err(c.err("step name must not be empty"));
    }
    let handler = match y.get("handler") {
        None => return Err(c.err("missing field `handler`")),
        Some(h) => read_handler(h, &c)?,
    };
    if y.get("type").is_some() && y.get("step_type").is_some() {
        return Err(c.err("both `type` and its alias `step_type` given"));
    }
    let step_type = match opt_str(y, "type", &c)?.or(opt_str(y, "step_type", &c)?) {
        None => StepType::Standard,
        Some(t) => StepType::parse(&t).ok_or_else(|| {
            c.err(format!(
                "unknown step type `{}`, expected one of `standard`, `decision`, `deferred_convergence`, `batchable`, `batch_worker`",
                t
            ))
        })?,
    };
    Ok(StepDef {
        description: opt_str(y, "description", &c)?,
        handler,
        step_type,
        system_dependency: opt_str(y, "system_dependency", &c)?,
        dependencies: str_list(y, "dependencies", &c)?,
        retry: read_retry(y.get("retry"), &c)?,
        timeout_seconds: opt_u64(y, "timeout_seconds", &c)?,
        publishes_events: read_events(y.get("publishes_events"), &c)?,
        batch_config: read_batch_config(y.get("batch_config"), &c)?,
        name,
    })
}

/// Apply `environments.<env>` overrides.
fn apply_environment(t: &mut Template, root: &Yaml, env: &str) -> Result<(), String> {
    let c = Ctx {
        source: &t.source.clone(),
        step: None,
    };
    let envs = match root.get("environments") {
        None => return Ok(()),
        Some(e) => e,
    };
    let e = match envs.get(env) {
        None => return Ok(()),
        Some(e) => e,
    };
    let overrides = match e.get("steps") {
        None => return Ok(()),
        Some(Yaml::Seq(s)) => s.clone(),
        Some(_) => return Err(c.err(format!("environments.{}.steps must be a sequence", env))),
    };
    for o in &overrides {
        let name = req_str(o, "name", &c)?;
        let targets: Vec<usize> = if name == "ALL" {
            (0..t.steps.len()).collect()
        } else {
            t.index.get(&name).copied().into_iter().collect()
        };
        for i in targets {
            let sc = Ctx {
                source: &t.source.clone(),
                step: Some(t.steps[i].name.clone()),
            };
            if let Some(h) = o.get("handler") {
                let init = json_object(h.get("initialization"), "initialization", &sc)?;
                for (k, v) in init.entries {
                    t.steps[i].handler.initialization.insert(k, v);
                }
            }
            if let Some(ts) = opt_u64(o, "timeout_seconds", &sc)? {
                t.steps[i].timeout_seconds = Some(ts);
            }
            if o.get("retry").is_some() {
                t.steps[i].retry = read_retry(o.get("retry"), &sc)?;
            }
        }
    }
    Ok(())
}

/// Parse and validate one template. `environment` selects an `environments` block (None = ignore, like the original).
pub fn parse_template(
    source: &str,
    text: &str,
    environment: Option<&str>,
) -> Result<Template, String> {
    let root = yaml::parse(text).map_err(|e| format!("template `{}`: {}", source, e))?;
    let c = Ctx { source, step: None };
    map_entries(&root, "document", &c)?;
    let name = req_str(&root, "name", &c)?;
    let namespace = req_str(&root, "namespace_name", &c)?;
    let version = req_str(&root, "version", &c)?;
    if name.is_empty() || namespace.is_empty() || version.is_empty() {
        return Err(c.err("`name`, `namespace_name` and `version` must not be empty"));
    }
    // Queue-name constraints of the original (tasker-shared validation): identifier, max 29 chars.
    let ns_ok = namespace.len() <= 29
        && namespace
            .chars()
            .next()
            .map(|ch| ch.is_ascii_alphabetic() || ch == '_')
            .unwrap_or(false)
        && namespace
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if !ns_ok {
        return Err(c.err(format!(
            "invalid namespace_name `{}` (expected [A-Za-z_][A-Za-z0-9_]*, at most 29 characters)",
            namespace
        )));
    }
    if name.len() > 255 || version.len() > 50 {
        return Err(c.err("`name` must be at most 255 and `version` at most 50 characters"));
    }
    if let Some(md) = root.get("metadata") {
        for k in ["created_at", "updated_at"] {
            if let Some(Yaml::Scalar { text, .. }) = md.get(k) {
                if !md.get(k).map(|y| y.is_null()).unwrap_or(true)
                    && crate::time::parse_rfc3339(text).is_none()
                {
                    return Err(c.err(format!(
                        "metadata.{} `{}` is not an RFC 3339 timestamp",
                        k, text
                    )));
                }
            }
        }
    }
    // Validated (must be a string when present), not kept: nothing reads it.
    opt_str(&root, "description", &c)?;
    let mut steps = Vec::new();
    match root.get("steps") {
        None => {}
        Some(Yaml::Seq(items)) => {
            for (i, it) in items.iter().enumerate() {
                steps.push(read_step(it, source, i)?);
            }
        }
        Some(other) => {
            return Err(c.err(format!("`steps` must be a sequence, found {}", kind(other))))
        }
    }
    let mut index = HashMap::new();
    for (i, s) in steps.iter().enumerate() {
        if index.insert(s.name.clone(), i).is_some() {
            return Err(format!(
                "template `{}`: step `{}`: duplicate step name",
                source, s.name
            ));
        }
    }
    let mut children = vec![Vec::new(); steps.len()];
    for (i, s) in steps.iter().enumerate() {
        let mut seen = HashSet::new();
        for d in &s.dependencies {
            match index.get(d) {
                None => {
                    return Err(format!(
                        "template `{}`: step `{}`: depends on unknown step `{}`",
                        source, s.name, d
                    ))
                }
                Some(&p) => {
                    if p == i {
                        return Err(format!(
                            "template `{}`: step `{}`: depends on itself (cycle)",
                            source, s.name
                        ));
                    }
                    if seen.insert(p) {
                        children[p].push(i);
                    }
                }
            }
        }
        if s.step_type == StepType::Decision && s.dependencies.is_empty() {
            return Err(format!(
                "template `{}`: step `{}`: a decision step must have at least one dependency",
                source, s.name
            ));
        }
    }
    // Cycle check (Kahn).
    let mut indeg: Vec<usize> = vec![0; steps.len()];
    for ch in &children {
        for &c2 in ch {
            indeg[c2] += 1;
        }
    }
    let mut q: VecDeque<usize> = (0..steps.len()).filter(|&i| indeg[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = q.pop_front() {
        seen += 1;
        for &c2 in &children[i] {
            indeg[c2] -= 1;
            if indeg[c2] == 0 {
                q.push_back(c2);
            }
        }
    }
    if seen != steps.len() {
        let bad = (0..steps.len()).find(|&i| indeg[i] > 0).unwrap();
        return Err(format!(
            "template `{}`: step `{}`: dependency cycle detected",
            source, steps[bad].name
        ));
    }
    let has_decision = steps.iter().any(|s| s.step_type == StepType::Decision);
    let mut t = Template {
        source: source.to_string(),
        name,
        namespace,
        version,
        steps,
        index,
        children,
        has_decision,
        step_dtos: Vec::new(),
    };
    if let Some(env) = environment {
        apply_environment(&mut t, &root, env)?;
    }
    for s in &t.steps {
        if s.step_type == StepType::BatchWorker && s.batch_config.is_none() {
            crate::logging::warn(&format!(
                "template `{}`: batch_worker step `{}` has no batch_config (worker creation will fail)",
                source, s.name
            ));
        }
    }
    t.step_dtos = t
        .steps
        .iter()
        .map(|s| s.to_dto().to_json().into())
        .collect();
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "---\nname: t\nnamespace_name: ns\nversion: 1.0.0\nsteps:\n  - name: a\n    handler: { callable: A }\n  - name: b\n    handler: { callable: B, method: run }\n    dependencies: [a]\n    retry: { max_attempts: 5 }\n    extra_unknown: 1\nenvironments:\n  test: { steps: [ { name: ALL, retry: { max_attempts: 2 }, handler: { initialization: { x: 1 } } } ] }\n";

    #[test]
    fn defaults_and_env() {
        let t = parse_template("t.yaml", T, None).unwrap();
        assert_eq!(t.steps[0].retry.max_attempts, 3);
        assert_eq!(t.steps[0].retry.backoff_base_ms, Some(1000));
        assert_eq!(t.steps[1].retry.max_attempts, 5);
        assert_eq!(t.steps[1].retry.backoff_base_ms, None);
        assert_eq!(
            t.steps[1].to_dto().to_json(),
            r#"{"name":"b","description":null,"handler":{"callable":"B","method":"run","initialization":{}},"system_dependency":null,"dependencies":["a"],"timeout_seconds":null,"retry":{"retryable":true,"max_attempts":5,"backoff":"exponential","backoff_base_ms":null,"max_backoff_ms":null}}"#
        );
        let t2 = parse_template("t.yaml", T, Some("test")).unwrap();
        assert_eq!(t2.steps[0].retry.max_attempts, 2);
        assert_eq!(
            t2.steps[0]
                .handler
                .initialization
                .get("x")
                .unwrap()
                .as_i64(),
            Some(1)
        );
    }

    #[test]
    fn validation_errors() {
        let cyc = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    handler: { callable: A }\n    dependencies: [b]\n  - name: b\n    handler: { callable: B }\n    dependencies: [a]\n";
        assert!(parse_template("c.yaml", cyc, None)
            .unwrap_err()
            .contains("cycle"));
        let unk = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    handler: { callable: A }\n    dependencies: [zz]\n";
        let e = parse_template("u.yaml", unk, None).unwrap_err();
        assert!(
            e.contains("u.yaml") && e.contains("`a`") && e.contains("zz"),
            "{}",
            e
        );
        let dup = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    handler: { callable: A }\n  - name: a\n    handler: { callable: A }\n";
        assert!(parse_template("d.yaml", dup, None)
            .unwrap_err()
            .contains("duplicate"));
        let bad = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    type: deferred\n    handler: { callable: A }\n";
        assert!(parse_template("b.yaml", bad, None)
            .unwrap_err()
            .contains("deferred"));
        let badns = "name: t\nnamespace_name: my-ns\nversion: '1'\n";
        assert!(parse_template("n.yaml", badns, None)
            .unwrap_err()
            .contains("namespace_name"));
        let badev = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n    handler: { callable: A }\n    publishes_events:\n      - { name: NoDot, description: d, schema: {} }\n";
        assert!(parse_template("e.yaml", badev, None)
            .unwrap_err()
            .contains("event name"));
        let miss = "name: t\nversion: '1'\n";
        assert!(parse_template("m.yaml", miss, None)
            .unwrap_err()
            .contains("namespace_name"));
        let nohandler = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - name: a\n";
        assert!(parse_template("h.yaml", nohandler, None)
            .unwrap_err()
            .contains("handler"));
    }

    #[test]
    fn initial_sets() {
        let d = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - { name: v, handler: { callable: V } }\n  - { name: d, type: decision, handler: { callable: D }, dependencies: [v] }\n  - { name: x, handler: { callable: X }, dependencies: [d] }\n  - { name: y, handler: { callable: Y }, dependencies: [d] }\n  - { name: f, step_type: deferred_convergence, handler: { callable: F }, dependencies: [x, y] }\n";
        let t = parse_template("d.yaml", d, None).unwrap();
        assert_eq!(t.initial_step_set(), vec![0, 1]);
        let b = "name: t\nnamespace_name: ns\nversion: '1'\nsteps:\n  - { name: b, type: batchable, handler: { callable: B } }\n  - { name: w, type: batch_worker, handler: { callable: W }, dependencies: [b], batch_config: { batch_size: 10, parallelism: 2, cursor_field: id, worker_template: w } }\n  - { name: agg, type: deferred_convergence, handler: { callable: A }, dependencies: [w] }\n";
        let t = parse_template("b.yaml", b, None).unwrap();
        assert_eq!(t.initial_step_set(), vec![0]);
    }
}
