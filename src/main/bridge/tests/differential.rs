//! The embedded engine is a strict double of tasker-core: for every completion, checkpoint and task request body,
//! its parsers and tasker-shared's own serde types (`StepExecutionResult`, `CheckpointYieldData`, `TaskRequest`)
//! must both accept or both reject.
//!
//! The corpus is `tests/corpus/*.jsonl`: bodies the Java worker sent through the C ABI during the integration
//! suite (every example workflow: results of each handler family, failures with and without backoff, decision
//! and batch outcomes, checkpoints, task requests). Each body is also mutated: every field at every depth removed,
//! set to null and set to each JSON type; an unknown field added; each struct in serde's sequence form (an array
//! of its fields in declaration order, short and long); the body wrapped, truncated and followed by trailing text.

use serde_json::{json, Map, Value};
use tasker_shared::messaging::StepExecutionResult;
use tasker_shared::models::core::batch_worker::CheckpointYieldData;
use tasker_shared::models::core::task_request::TaskRequest;

type Verdict = fn(&str) -> Result<(), String>;

fn corpus(name: &str) -> Vec<String> {
    let path = format!("{}/tests/corpus/{}.jsonl", env!("CARGO_MANIFEST_DIR"), name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    assert!(!lines.is_empty(), "{path} is empty");
    lines
}

/// Values of every JSON type, each wrong for most fields.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(18_446_744_073_709_551_616u128 as f64),
        json!(""),
        json!("not-a-uuid"),
        json!("01936f47-2d56-7f1c-8b4d-3c5a6e7f8091"),
        json!([]),
        json!([1, "a"]),
        json!({}),
    ]
}

/// Every variant of `v` with one change at `path` or below: a field removed, or replaced by each value above.
fn mutations(v: &Value, depth: usize, out: &mut Vec<(String, Value)>) {
    if depth > 3 {
        return;
    }
    if let Value::Object(m) = v {
        for (k, child) in m {
            let mut removed = m.clone();
            removed.remove(k);
            out.push((format!("without {k}"), Value::Object(removed)));
            for r in replacements() {
                let mut replaced = m.clone();
                replaced.insert(k.clone(), r.clone());
                out.push((format!("{k} = {r}"), Value::Object(replaced)));
            }
            let mut inner = Vec::new();
            mutations(child, depth + 1, &mut inner);
            for (what, changed) in inner {
                let mut nested = m.clone();
                nested.insert(k.clone(), changed);
                out.push((format!("{k}.{what}"), Value::Object(nested)));
            }
        }
        let mut extra: Map<String, Value> = m.clone();
        extra.insert("an_unknown_field".into(), json!(1));
        out.push(("with an unknown field".into(), Value::Object(extra)));
    }
}

/// tasker-shared's struct fields in declaration order, by where the struct sits in a body (`""` is the body).
/// Serde-derived structs also read an array of their fields in that order.
const STRUCTS: &[(&str, &[&str])] = &[
    (
        "results:",
        &[
            "step_uuid",
            "success",
            "result",
            "metadata",
            "status",
            "error",
            "orchestration_metadata",
        ],
    ),
    (
        "results:metadata",
        &[
            "execution_time_ms",
            "handler_version",
            "retryable",
            "completed_at",
            "worker_id",
            "worker_hostname",
            "started_at",
            "custom",
            "error_code",
            "error_type",
            "context",
        ],
    ),
    (
        "results:error",
        &[
            "message",
            "error_type",
            "backtrace",
            "retryable",
            "status_code",
            "context",
        ],
    ),
    (
        "results:orchestration_metadata",
        &["headers", "error_context", "backoff_hint", "custom"],
    ),
    (
        "results:orchestration_metadata.backoff_hint",
        &["backoff_type", "delay_seconds", "context"],
    ),
    (
        "checkpoints:",
        &[
            "step_uuid",
            "cursor",
            "items_processed",
            "accumulated_results",
        ],
    ),
    (
        "task_requests:",
        &[
            "name",
            "namespace",
            "version",
            "context",
            "initiator",
            "source_system",
            "reason",
            "tags",
            "requested_at",
            "options",
            "priority",
            "correlation_id",
            "parent_correlation_id",
            "idempotency_key",
        ],
    ),
];

/// A value for a field the body lacks: null, except where serde has a default that null would not satisfy.
fn filler(field: &str) -> Value {
    match field {
        "tags" => json!([]),
        "requested_at" => json!("2026-12-01T10:00:00"),
        "correlation_id" => json!("01936f47-2d56-7f1c-8b4d-3c5a6e7f8091"),
        _ => Value::Null,
    }
}

/// The sequence form of each struct in the body: every prefix of its fields (absent ones as null), and one
/// element too many.
fn sequences(name: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    for (at, fields) in STRUCTS {
        let Some(path) = at.strip_prefix(name).and_then(|p| p.strip_prefix(':')) else {
            continue;
        };
        let keys: Vec<&str> = if path.is_empty() {
            vec![]
        } else {
            path.split('.').collect()
        };
        let Some(Value::Object(m)) = keys.iter().try_fold(v, |cur, k| cur.get(k)) else {
            continue;
        };
        let all: Vec<Value> = fields
            .iter()
            .map(|f| m.get(*f).cloned().unwrap_or_else(|| filler(f)))
            .collect();
        for n in 0..=all.len() + 1 {
            let mut items: Vec<Value> = all.iter().take(n).cloned().collect();
            if n > all.len() {
                items.push(json!(1));
            }
            let mut changed = v.clone();
            let slot = keys
                .iter()
                .fold(&mut changed, |cur, k| cur.get_mut(*k).expect("path exists"));
            *slot = Value::Array(items);
            out.push((
                format!(
                    "{} as a sequence of {n}",
                    if path.is_empty() { "the body" } else { path }
                ),
                changed,
            ));
        }
    }
}

fn texts(name: &str, seed: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(seed).expect("corpus lines are JSON");
    let mut out = vec![("as sent".to_string(), seed.to_string())];
    let mut changed = Vec::new();
    mutations(&v, 0, &mut changed);
    sequences(name, &v, &mut changed);
    out.extend(changed.into_iter().map(|(w, v)| (w, v.to_string())));
    for whole in [
        json!([v.clone()]),
        json!(v.to_string()),
        json!(42),
        Value::Null,
    ] {
        out.push((format!("the body as {}", kind(&whole)), whole.to_string()));
    }
    out.push(("trailing text".into(), format!("{seed} x")));
    out.push(("a second value".into(), format!("{seed}{seed}")));
    out.push(("truncated".into(), seed[..seed.len() / 2].to_string()));
    out.push(("empty".into(), String::new()));
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn shared<T: serde::de::DeserializeOwned>(text: &str) -> Result<(), String> {
    serde_json::from_str::<T>(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs every case; returns how many there were, and fails listing every disagreement.
fn differential(name: &str, engine: Verdict, foundation: Verdict) -> usize {
    let mut cases = 0;
    let mut sequences_accepted = 0;
    let mut disagreements = Vec::new();
    for (line, seed) in corpus(name).iter().enumerate() {
        for (what, text) in texts(name, seed) {
            cases += 1;
            let (e, f) = (engine(&text), foundation(&text));
            if what == "as sent" {
                assert!(
                    e.is_ok() && f.is_ok(),
                    "{name}:{} as sent: engine {e:?}, tasker-shared {f:?}",
                    line + 1
                );
            }
            if e.is_ok() && f.is_ok() && what.contains("as a sequence") {
                sequences_accepted += 1;
            }
            if e.is_ok() != f.is_ok() {
                disagreements.push(format!(
                    "{name}:{} {what}: engine {}, tasker-shared {}\n    {text}",
                    line + 1,
                    e.map(|_| "accepts".to_string())
                        .unwrap_or_else(|e| format!("rejects ({e})")),
                    f.map(|_| "accepts".to_string())
                        .unwrap_or_else(|e| format!("rejects ({e})")),
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {cases} {name} cases disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // The sequence form is not only rejected: both sides read the full-length one.
    assert!(
        sequences_accepted > 0,
        "no {name} case in the sequence form was accepted"
    );
    println!("{name}: {cases} cases, engine and tasker-shared agree on all");
    cases
}

#[test]
fn step_results_agree_with_step_execution_result() {
    let n = differential(
        "results",
        tasker_engine::testing::check_step_result,
        shared::<StepExecutionResult>,
    );
    assert!(n > 1000, "only {n} cases");
}

#[test]
fn checkpoints_agree_with_checkpoint_yield_data() {
    let n = differential(
        "checkpoints",
        tasker_engine::testing::check_checkpoint,
        shared::<CheckpointYieldData>,
    );
    assert!(n > 100, "only {n} cases");
}

#[test]
fn task_requests_agree_with_task_request() {
    let n = differential(
        "task_requests",
        tasker_engine::testing::check_task_request,
        shared::<TaskRequest>,
    );
    assert!(n > 100, "only {n} cases");
}
