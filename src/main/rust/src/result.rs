//! Strict reading of `StepExecutionResult` and `CheckpointYieldData` (docs/ffi-contract.md §5.5, §5.6),
//! mirroring serde-derive rules: container defaults for absent keys, wrong types fail,
//! `null` only where the original type is an Option or a JSON value, unknown keys ignored.

use crate::json::{self, Map, Value};
use crate::time;
use crate::uuid::Uuid;

#[derive(Clone, Debug)]
pub struct ExecMetadata {
    pub execution_time_ms: i64,
    pub handler_version: Option<String>,
    pub retryable: bool,
    pub completed_at: i64,
    pub worker_id: Option<String>,
    pub worker_hostname: Option<String>,
    pub started_at: Option<i64>,
    pub custom: Map,
    pub error_code: Option<String>,
    pub error_type: Option<String>,
    pub context: Map,
}

#[derive(Clone, Debug)]
pub struct ExecError {
    pub message: String,
    pub error_type: Option<String>,
    pub backtrace: Option<Vec<String>>,
    pub retryable: bool,
    pub status_code: Option<u16>,
    pub context: Map,
}

#[derive(Clone, Debug)]
pub struct BackoffHint {
    pub backoff_type: String,
    pub delay_seconds: u32,
    pub context: Option<String>,
}

#[derive(Clone, Debug)]
pub struct OrchMetadata {
    pub headers: Vec<(String, String)>,
    pub error_context: Option<String>,
    pub backoff_hint: Option<BackoffHint>,
    pub custom: Map,
}

#[derive(Clone, Debug)]
pub struct ExecResult {
    pub step_uuid: Uuid,
    pub success: bool,
    pub result: Value,
    pub metadata: ExecMetadata,
    pub status: String,
    pub error: Option<ExecError>,
    pub orchestration_metadata: Option<OrchMetadata>,
}

type R<T> = Result<T, String>;

fn invalid(v: &Value, expected: &str, path: &str) -> String {
    let found = match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{}`", b),
        Value::Int(i) => format!("integer `{}`", i),
        Value::UInt(u) => format!("integer `{}`", u),
        Value::Float(f) => format!("floating point `{}`", f),
        Value::Str(s) => format!("string {:?}", s),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
        Value::Raw(_) => "raw".into(),
    };
    format!("{}: invalid type: {}, expected {}", path, found, expected)
}

fn obj<'a>(v: &'a Value, path: &str, what: &str) -> R<&'a Map> {
    v.as_object().ok_or_else(|| invalid(v, what, path))
}

/// One field of a foundation struct, in declaration order; `omissible` when serde has a default for it.
pub(crate) struct Field(pub &'static str, pub bool);

/// A foundation struct's fields as a map. Serde-derived structs also read a JSON array of their fields in
/// declaration order, so tasker-shared accepts that form and we must too. In it, a missing trailing element is
/// an error unless the field has a serde default (even for an `Option`), and extra elements are an error.
pub(crate) fn struct_map<'a>(
    v: &'a Value,
    path: &str,
    what: &str,
    fields: &[Field],
) -> R<std::borrow::Cow<'a, Map>> {
    let Value::Array(items) = v else {
        return obj(v, path, what).map(std::borrow::Cow::Borrowed);
    };
    let required = fields.iter().rposition(|f| !f.1).map_or(0, |i| i + 1);
    if items.len() > fields.len() || items.len() < required {
        return Err(format!(
            "{}: invalid length {}, expected {} with {} elements",
            path,
            items.len(),
            what,
            fields.len()
        ));
    }
    let mut m = Map::with_capacity(items.len());
    for (f, item) in fields.iter().zip(items) {
        m.insert(f.0, item.clone());
    }
    Ok(std::borrow::Cow::Owned(m))
}

const RESULT_FIELDS: &[Field] = &[
    Field("step_uuid", true),
    Field("success", true),
    Field("result", true),
    Field("metadata", true),
    Field("status", true),
    Field("error", true),
    Field("orchestration_metadata", true),
];
const METADATA_FIELDS: &[Field] = &[
    Field("execution_time_ms", true),
    Field("handler_version", true),
    Field("retryable", true),
    Field("completed_at", true),
    Field("worker_id", true),
    Field("worker_hostname", true),
    Field("started_at", true),
    Field("custom", true),
    Field("error_code", true),
    Field("error_type", true),
    Field("context", true),
];
const ERROR_FIELDS: &[Field] = &[
    Field("message", false),
    Field("error_type", false),
    Field("backtrace", false),
    Field("retryable", false),
    Field("status_code", false),
    Field("context", true),
];
const ORCHESTRATION_FIELDS: &[Field] = &[
    Field("headers", false),
    Field("error_context", false),
    Field("backoff_hint", false),
    Field("custom", false),
];
const BACKOFF_FIELDS: &[Field] = &[
    Field("backoff_type", false),
    Field("delay_seconds", false),
    Field("context", false),
];
const CHECKPOINT_FIELDS: &[Field] = &[
    Field("step_uuid", false),
    Field("cursor", false),
    Field("items_processed", false),
    Field("accumulated_results", false),
];

fn string(v: &Value, path: &str) -> R<String> {
    v.as_str()
        .map(|s| s.to_string())
        .ok_or_else(|| invalid(v, "a string", path))
}

fn opt_string(v: Option<&Value>, path: &str) -> R<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => string(v, path).map(Some),
    }
}

fn boolean(v: &Value, path: &str) -> R<bool> {
    v.as_bool().ok_or_else(|| invalid(v, "a boolean", path))
}

fn uuid(v: &Value, path: &str) -> R<Uuid> {
    let s = v.as_str().ok_or_else(|| invalid(v, "UUID", path))?;
    crate::uuid::parse(s).map_err(|e| format!("{}: UUID parsing failed: {}", path, e))
}

fn value_map(v: Option<&Value>, path: &str) -> R<Map> {
    match v {
        None => Ok(Map::new()),
        Some(v) => obj(v, path, "a map").cloned(),
    }
}

fn datetime(v: &Value, path: &str) -> R<i64> {
    let s = v
        .as_str()
        .ok_or_else(|| invalid(v, "an RFC 3339 formatted date and time string", path))?;
    time::parse_rfc3339(s)
        .ok_or_else(|| format!("{}: input is not an RFC 3339 date and time: {:?}", path, s))
}

fn parse_metadata(v: Option<&Value>, now: i64) -> R<ExecMetadata> {
    let m = match v {
        None => std::borrow::Cow::Owned(Map::new()),
        Some(v) => struct_map(
            v,
            "metadata",
            "struct StepExecutionMetadata",
            METADATA_FIELDS,
        )?,
    };
    let execution_time_ms = match m.get("execution_time_ms") {
        None => 0,
        Some(Value::Int(i)) => *i,
        Some(other) => return Err(invalid(other, "i64", "metadata.execution_time_ms")),
    };
    Ok(ExecMetadata {
        execution_time_ms,
        handler_version: opt_string(m.get("handler_version"), "metadata.handler_version")?,
        retryable: match m.get("retryable") {
            None => false,
            Some(v) => boolean(v, "metadata.retryable")?,
        },
        completed_at: match m.get("completed_at") {
            None => now,
            Some(v) => datetime(v, "metadata.completed_at")?,
        },
        worker_id: opt_string(m.get("worker_id"), "metadata.worker_id")?,
        worker_hostname: opt_string(m.get("worker_hostname"), "metadata.worker_hostname")?,
        started_at: match m.get("started_at") {
            None | Some(Value::Null) => None,
            Some(v) => Some(datetime(v, "metadata.started_at")?),
        },
        custom: value_map(m.get("custom"), "metadata.custom")?,
        error_code: opt_string(m.get("error_code"), "metadata.error_code")?,
        error_type: opt_string(m.get("error_type"), "metadata.error_type")?,
        context: value_map(m.get("context"), "metadata.context")?,
    })
}

fn parse_error(v: &Value) -> R<Option<ExecError>> {
    if v.is_null() {
        return Ok(None);
    }
    let m = &struct_map(v, "error", "struct StepExecutionError", ERROR_FIELDS)?;
    let message = match m.get("message") {
        None => return Err("error: missing field `message`".into()),
        Some(v) => string(v, "error.message")?,
    };
    let retryable = match m.get("retryable") {
        None => return Err("error: missing field `retryable`".into()),
        Some(v) => boolean(v, "error.retryable")?,
    };
    let backtrace = match m.get("backtrace") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, it) in items.iter().enumerate() {
                out.push(string(it, &format!("error.backtrace[{}]", i))?);
            }
            Some(out)
        }
        Some(other) => return Err(invalid(other, "a sequence", "error.backtrace")),
    };
    let status_code = match m.get("status_code") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n <= u16::MAX as u64 && !matches!(v, Value::Float(_)) => Some(n as u16),
            _ => return Err(invalid(v, "u16", "error.status_code")),
        },
    };
    Ok(Some(ExecError {
        message,
        error_type: opt_string(m.get("error_type"), "error.error_type")?,
        backtrace,
        retryable,
        status_code,
        context: value_map(m.get("context"), "error.context")?,
    }))
}

fn parse_orch(v: &Value) -> R<Option<OrchMetadata>> {
    if v.is_null() {
        return Ok(None);
    }
    let m = &struct_map(
        v,
        "orchestration_metadata",
        "struct OrchestrationMetadata",
        ORCHESTRATION_FIELDS,
    )?;
    let headers = match m.get("headers") {
        None => return Err("orchestration_metadata: missing field `headers`".into()),
        Some(h) => {
            let hm = obj(h, "orchestration_metadata.headers", "a map")?;
            let mut out = Vec::new();
            for (k, v) in hm.iter() {
                out.push((
                    k.clone(),
                    string(v, &format!("orchestration_metadata.headers.{}", k))?,
                ));
            }
            out
        }
    };
    let custom = match m.get("custom") {
        None => return Err("orchestration_metadata: missing field `custom`".into()),
        Some(c) => obj(c, "orchestration_metadata.custom", "a map")?.clone(),
    };
    let backoff_hint = match m.get("backoff_hint") {
        None | Some(Value::Null) => None,
        Some(h) => {
            let hm = &struct_map(
                h,
                "orchestration_metadata.backoff_hint",
                "struct BackoffHint",
                BACKOFF_FIELDS,
            )?;
            let bt = match hm.get("backoff_type") {
                None => {
                    return Err(
                        "orchestration_metadata.backoff_hint: missing field `backoff_type`".into(),
                    )
                }
                Some(v) => string(v, "orchestration_metadata.backoff_hint.backoff_type")?,
            };
            if !matches!(
                bt.as_str(),
                "ServerRequested" | "RateLimit" | "ServiceUnavailable" | "Custom"
            ) {
                return Err(format!(
                    "orchestration_metadata.backoff_hint.backoff_type: unknown variant `{}`, expected one of `ServerRequested`, `RateLimit`, `ServiceUnavailable`, `Custom`",
                    bt
                ));
            }
            let delay = match hm.get("delay_seconds") {
                None => {
                    return Err(
                        "orchestration_metadata.backoff_hint: missing field `delay_seconds`".into(),
                    )
                }
                Some(v @ Value::Int(i)) if *i < 0 || *i > u32::MAX as i64 => {
                    return Err(invalid(
                        v,
                        "u32",
                        "orchestration_metadata.backoff_hint.delay_seconds",
                    ))
                }
                Some(Value::Int(i)) => *i as u32,
                Some(v) => {
                    return Err(invalid(
                        v,
                        "u32",
                        "orchestration_metadata.backoff_hint.delay_seconds",
                    ))
                }
            };
            Some(BackoffHint {
                backoff_type: bt,
                delay_seconds: delay,
                context: opt_string(
                    hm.get("context"),
                    "orchestration_metadata.backoff_hint.context",
                )?,
            })
        }
    };
    Ok(Some(OrchMetadata {
        headers,
        error_context: opt_string(
            m.get("error_context"),
            "orchestration_metadata.error_context",
        )?,
        backoff_hint,
        custom,
    }))
}

/// `serde_json::from_str::<StepExecutionResult>` equivalent.
pub fn parse_step_result(text: &str) -> R<ExecResult> {
    let v = json::parse_strict(text).map_err(|e| e.to_string())?;
    from_value_strict(&v, time::now_micros())
}

pub fn from_value_strict(v: &Value, now: i64) -> R<ExecResult> {
    let m = &struct_map(v, "result", "struct StepExecutionResult", RESULT_FIELDS)?;
    Ok(ExecResult {
        step_uuid: match m.get("step_uuid") {
            None => Uuid::nil(),
            Some(v) => uuid(v, "step_uuid")?,
        },
        success: match m.get("success") {
            None => false,
            Some(v) => boolean(v, "success")?,
        },
        result: m.get("result").cloned().unwrap_or(Value::Null),
        metadata: parse_metadata(m.get("metadata"), now)?,
        status: match m.get("status") {
            None => String::new(),
            Some(v) => string(v, "status")?,
        },
        error: match m.get("error") {
            None => None,
            Some(v) => parse_error(v)?,
        },
        orchestration_metadata: match m.get("orchestration_metadata") {
            None => None,
            Some(v) => parse_orch(v)?,
        },
    })
}

impl ExecResult {
    /// `normalized_status()`: empty status maps to completed/failed by `success`.
    pub fn normalized_status(&self) -> &str {
        if self.status.is_empty() {
            if self.success {
                "completed"
            } else {
                "failed"
            }
        } else {
            &self.status
        }
    }

    /// Failure as produced for FFI timeouts and checkpoint errors (docs/ffi-contract.md §6.3/§6.6).
    pub fn failure(
        step_uuid: Uuid,
        message: &str,
        error_type: &str,
        retryable: bool,
        execution_time_ms: i64,
    ) -> ExecResult {
        let now = time::now_micros();
        ExecResult {
            step_uuid,
            success: false,
            result: Value::obj(),
            metadata: ExecMetadata {
                execution_time_ms,
                handler_version: None,
                retryable,
                completed_at: now,
                worker_id: None,
                worker_hostname: None,
                started_at: None,
                custom: Map::new(),
                error_code: None,
                error_type: Some(error_type.to_string()),
                context: Map::new(),
            },
            status: "failed".into(),
            error: Some(ExecError {
                message: message.to_string(),
                error_type: Some(error_type.to_string()),
                backtrace: None,
                retryable,
                status_code: None,
                context: Map::new(),
            }),
            orchestration_metadata: None,
        }
    }

    pub fn error_json(&self) -> Value {
        match &self.error {
            None => Value::Null,
            Some(e) => crate::jobj![
                ("message", e.message.as_str()),
                ("error_type", e.error_type.clone()),
                (
                    "backtrace",
                    e.backtrace
                        .as_ref()
                        .map(|b| Value::Array(b.iter().map(Value::str).collect()))
                ),
                ("retryable", e.retryable),
                ("status_code", e.status_code.map(|c| c as u32)),
                ("context", Value::Object(e.context.clone())),
            ],
        }
    }

    /// Full serialized form, as serde would write the stored result.
    pub fn to_json(&self) -> Value {
        let md = &self.metadata;
        let metadata = crate::jobj![
            ("execution_time_ms", md.execution_time_ms),
            ("handler_version", md.handler_version.clone()),
            ("retryable", md.retryable),
            ("completed_at", time::rfc3339_z(md.completed_at)),
            ("worker_id", md.worker_id.clone()),
            ("worker_hostname", md.worker_hostname.clone()),
            ("started_at", md.started_at.map(time::rfc3339_z)),
            ("custom", Value::Object(md.custom.clone())),
            ("error_code", md.error_code.clone()),
            ("error_type", md.error_type.clone()),
            ("context", Value::Object(md.context.clone())),
        ];
        let orch = match &self.orchestration_metadata {
            None => Value::Null,
            Some(o) => {
                let mut h = Map::new();
                for (k, v) in &o.headers {
                    h.insert(k.clone(), Value::str(v));
                }
                crate::jobj![
                    ("headers", Value::Object(h)),
                    ("error_context", o.error_context.clone()),
                    (
                        "backoff_hint",
                        match &o.backoff_hint {
                            None => Value::Null,
                            Some(b) => crate::jobj![
                                ("backoff_type", b.backoff_type.as_str()),
                                ("delay_seconds", b.delay_seconds),
                                ("context", b.context.clone()),
                            ],
                        }
                    ),
                    ("custom", Value::Object(o.custom.clone())),
                ]
            }
        };
        crate::jobj![
            ("step_uuid", self.step_uuid.to_string()),
            ("success", self.success),
            ("result", self.result.clone()),
            ("metadata", metadata),
            ("status", self.status.as_str()),
            ("error", self.error_json()),
            ("orchestration_metadata", orch),
        ]
    }
}

#[derive(Clone, Debug)]
pub struct CheckpointYield {
    pub step_uuid: Uuid,
    pub cursor: Value,
    pub items_processed: u64,
    pub accumulated_results: Option<Value>,
}

impl CheckpointYield {
    pub fn to_json(&self) -> Value {
        crate::jobj![
            ("step_uuid", self.step_uuid.to_string()),
            ("cursor", self.cursor.clone()),
            ("items_processed", self.items_processed),
            ("accumulated_results", self.accumulated_results.clone()),
        ]
    }
}

/// `serde_json::from_str::<CheckpointYieldData>` equivalent (no container default).
pub fn parse_checkpoint(text: &str) -> R<CheckpointYield> {
    let v = json::parse_strict(text).map_err(|e| e.to_string())?;
    let m = &struct_map(
        &v,
        "checkpoint",
        "struct CheckpointYieldData",
        CHECKPOINT_FIELDS,
    )?;
    let step_uuid = match m.get("step_uuid") {
        None => return Err("missing field `step_uuid`".into()),
        Some(v) => uuid(v, "step_uuid")?,
    };
    let cursor = match m.get("cursor") {
        None => return Err("missing field `cursor`".into()),
        Some(v) => v.clone(),
    };
    let items_processed = match m.get("items_processed") {
        None => return Err("missing field `items_processed`".into()),
        Some(v @ Value::Float(_)) => return Err(invalid(v, "u64", "items_processed")),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| invalid(v, "u64", "items_processed"))?,
    };
    let accumulated_results = match m.get("accumulated_results") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    Ok(CheckpointYield {
        step_uuid,
        cursor,
        items_processed,
        accumulated_results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: &str = "0194c3a0-b1c2-4d3e-8f4a-5b6c7d8e9f00";

    #[test]
    fn accepts_minimal_and_defaults() {
        let r = parse_step_result("{}").unwrap();
        assert!(!r.success && r.step_uuid == Uuid::nil() && r.result.is_null());
        assert_eq!(r.normalized_status(), "failed");
        let r = parse_step_result(&format!(
            r#"{{"step_uuid":"{}","success":true,"result":{{"a":1}},"metadata":{{"execution_time_ms":5,"handler_name":"x","custom":{{}}}},"status":"completed","extra":1}}  "#,
            U
        ))
        .unwrap();
        assert!(r.success);
        assert_eq!(r.metadata.execution_time_ms, 5);
        let j = r.to_json().to_json();
        assert!(j.contains("\"orchestration_metadata\":null"));
        assert!(!j.contains("handler_name"));
    }

    #[test]
    fn strict_rejections() {
        let bad = [
            r#"{"success":"true"}"#,
            r#"{"metadata":{"execution_time_ms":12.5}}"#,
            r#"{"metadata":{"custom":null}}"#,
            r#"{"metadata":{"context":"x"}}"#,
            r#"{"metadata":{"completed_at":"yesterday"}}"#,
            r#"{"metadata":{"completed_at":null}}"#,
            r#"{"metadata":null}"#,
            r#"{"status":null}"#,
            r#"{"error":{"message":"m"}}"#,
            r#"{"error":{"message":"m","retryable":true,"context":null}}"#,
            r#"{"error":{"message":"m","retryable":true,"status_code":70000}}"#,
            r#"{"orchestration_metadata":{"headers":{}}}"#,
            r#"{"orchestration_metadata":{"headers":{"a":1},"custom":{}}}"#,
            r#"{"orchestration_metadata":{"headers":{},"custom":{},"backoff_hint":{"backoff_type":"server_requested","delay_seconds":1}}}"#,
            r#"{"step_uuid":null}"#,
            r#"{"step_uuid":"nope"}"#,
            r#"{} x"#,
            r#"[1]"#,
            r#"[null, true, {}, {}, "completed", null, null, 1]"#,
            r#"{"success":true,"success":false}"#,
        ];
        for b in bad {
            assert!(parse_step_result(b).is_err(), "should reject {}", b);
        }
        let ok = [
            r#"{"error":null,"orchestration_metadata":null,"result":null}"#,
            // serde's sequence form: the fields in tasker-shared's declaration order, all defaulted.
            r#"[]"#,
            r#"["0194c3a0-b1c2-4d3e-8f4a-5b6c7d8e9f00", true, {"n": 1}, [5], "completed"]"#,
            r#"{"metadata":{"started_at":null,"worker_id":null,"completed_at":"2026-01-01T00:00:00Z"}}"#,
            r#"{"orchestration_metadata":{"headers":{"Retry-After":"3"},"custom":{},"backoff_hint":{"backoff_type":"RateLimit","delay_seconds":2}}}"#,
        ];
        for o in ok {
            assert!(parse_step_result(o).is_ok(), "should accept {}", o);
        }
    }

    #[test]
    fn checkpoint_rules() {
        assert!(parse_checkpoint(&format!(
            r#"{{"step_uuid":"{}","cursor":null,"items_processed":3}}"#,
            U
        ))
        .is_ok());
        assert!(
            parse_checkpoint(&format!(r#"{{"step_uuid":"{}","items_processed":3}}"#, U)).is_err()
        );
        assert!(parse_checkpoint(&format!(
            r#"{{"step_uuid":"{}","cursor":1,"items_processed":-1}}"#,
            U
        ))
        .is_err());
        assert!(parse_checkpoint(r#"{"cursor":1,"items_processed":1}"#).is_err());
    }
}
