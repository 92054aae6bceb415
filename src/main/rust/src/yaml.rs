//! YAML for task templates: yaml-rust2's parser (YAML 1.2, linear time, no recursion)
//! feeding a small node tree. Anchors, aliases, tags and complex keys are rejected with a
//! clear error. Scalars keep their source text so typed readers can take `1.0` as the
//! string "1.0" like serde_yaml does, while untyped data resolves with the YAML 1.2 core
//! schema (`resolve_plain`).

use crate::json::{KeyIndex, Map, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// `quoted` scalars are always strings; plain ones resolve via the core schema.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

#[derive(Debug, Clone)]
pub struct YamlError {
    pub line: usize,
    pub msg: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "YAML error at line {}: {}", self.line, self.msg)
    }
}

type R<T> = Result<T, YamlError>;

impl Yaml {
    pub fn null() -> Yaml {
        Yaml::Scalar {
            text: String::new(),
            quoted: false,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Yaml::Scalar { text, quoted: false } if is_null_text(text))
    }
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Resolve to JSON using the core schema.
    pub fn to_json(&self) -> Value {
        match self {
            Yaml::Scalar { text, quoted: true } => Value::Str(text.clone()),
            Yaml::Scalar {
                text,
                quoted: false,
            } => resolve_plain(text),
            Yaml::Seq(items) => Value::Array(items.iter().map(|y| y.to_json()).collect()),
            Yaml::Map(entries) => {
                let mut m = Map::with_capacity(entries.len());
                // Keys are unique: the parser rejects duplicates.
                for (k, v) in entries {
                    m.push(k.clone(), v.to_json());
                }
                Value::Object(m)
            }
        }
    }
}

fn is_null_text(t: &str) -> bool {
    matches!(t, "" | "~" | "null" | "Null" | "NULL")
}

pub fn resolve_plain(t: &str) -> Value {
    if is_null_text(t) {
        return Value::Null;
    }
    match t {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let b = t.as_bytes();
    let (sign, digits) = match b[0] {
        b'-' | b'+' => (&t[..1], &t[1..]),
        _ => ("", t),
    };
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        let s = format!("{}{}", if sign == "-" { "-" } else { "" }, digits);
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
        if let Ok(u) = s.parse::<u64>() {
            return Value::UInt(u);
        }
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    if sign.is_empty() {
        if let Some(h) = t.strip_prefix("0x") {
            if let Ok(i) = i64::from_str_radix(h, 16) {
                return Value::Int(i);
            }
        }
        if let Some(o) = t.strip_prefix("0o") {
            if let Ok(i) = i64::from_str_radix(o, 8) {
                return Value::Int(i);
            }
        }
    }
    if is_float_text(digits) {
        if let Ok(f) = t.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(t.to_string())
}

fn is_float_text(s: &str) -> bool {
    // [0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)? with at least one digit and a '.' or exponent
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    let mut dot = false;
    if i < b.len() && b[i] == b'.' {
        dot = true;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    let mut exp = false;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        exp = true;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s0 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s0 {
            return false;
        }
    }
    i == b.len() && digits > 0 && (dot || exp)
}

/// Nesting limit for template YAML (block style once overflowed a 128 KiB stack at 200
/// in the old parser; the tree conversion and template reading recurse per level).
pub const MAX_DEPTH: usize = 100;

enum Frame {
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>, KeyIndex, Option<String>),
}

fn err(m: &Marker, msg: impl Into<String>) -> YamlError {
    YamlError {
        line: m.line(),
        msg: msg.into(),
    }
}

/// Parse a document (the first one if several) into a node, from yaml-rust2's event
/// stream. The tree is built with an explicit stack and nesting stops at `MAX_DEPTH`, so
/// no input can overflow the stack. Anchors, aliases and tags are rejected (templates do
/// not need them, and aliases could expand a small file into a huge tree); so are
/// duplicate and non-scalar keys.
pub fn parse(src: &str) -> R<Yaml> {
    // A UTF-8 byte order mark (editors on Windows write one) is not content.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut parser = Parser::new_from_str(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Yaml> = None;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            line: e.marker().line(),
            msg: if e.info().contains("recursion limit") {
                // The scanner's own flow-nesting limit: same meaning as ours.
                format!("nesting too deep ({})", e.info())
            } else {
                e.info().to_string()
            },
        })?;
        let seq = matches!(ev, Event::SequenceStart(..));
        let node = match ev {
            Event::StreamEnd => break,
            Event::DocumentEnd if root.is_some() => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                continue
            }
            Event::Alias(_) => return Err(err(&mark, "aliases are not supported")),
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 {
                    return Err(err(&mark, "anchors are not supported"));
                }
                if tag.is_some() {
                    return Err(err(&mark, "tags are not supported"));
                }
                Yaml::Scalar {
                    text,
                    quoted: style != TScalarStyle::Plain,
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                if anchor != 0 {
                    return Err(err(&mark, "anchors are not supported"));
                }
                if tag.is_some() {
                    return Err(err(&mark, "tags are not supported"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        &mark,
                        format!("nesting too deep (more than {} levels)", MAX_DEPTH),
                    ));
                }
                stack.push(if seq {
                    Frame::Seq(Vec::new())
                } else {
                    Frame::Map(Vec::new(), KeyIndex::default(), None)
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items)) => Yaml::Seq(items),
                _ => return Err(err(&mark, "unbalanced sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, None)) => Yaml::Map(entries),
                _ => return Err(err(&mark, "unbalanced mapping")),
            },
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(entries, keys, pending)) => match pending.take() {
                None => match node {
                    Yaml::Scalar { text, .. } => *pending = Some(text),
                    _ => return Err(err(&mark, "complex (non-scalar) keys are not supported")),
                },
                Some(k) => {
                    if keys.find(entries, &k).is_some() {
                        return Err(err(&mark, format!("duplicate key `{}`", k)));
                    }
                    keys.added(&k, entries.len());
                    entries.push((k, node));
                }
            },
        }
    }
    Ok(root.unwrap_or_else(Yaml::null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_mapping_parses_in_linear_time() {
        let n = 100_000;
        let mut block = String::new();
        let mut flow = String::from("{");
        for i in 0..n {
            block.push_str(&format!("key{}: {}\n", i, i));
            if i > 0 {
                flow.push_str(", ");
            }
            flow.push_str(&format!("key{}: {}", i, i));
        }
        flow.push('}');
        for text in [block, flow] {
            let t0 = std::time::Instant::now();
            let v = parse(&text).unwrap().to_json();
            let took = t0.elapsed();
            assert_eq!(v.as_object().unwrap().len(), n);
            assert_eq!(v.get("key77777").and_then(|x| x.as_i64()), Some(77_777));
            // Linear: ~0.3 s here; a quadratic parse would take minutes (margin for a loaded machine).
            assert!(took < std::time::Duration::from_secs(6), "{:?}", took);
        }
        // A flow sequence spread over many lines is collected in linear time too.
        let lines = format!("v: [\n{}]\n", "  1,\n".repeat(n));
        let t0 = std::time::Instant::now();
        let v = parse(&lines).unwrap().to_json();
        assert_eq!(
            v.get("v").and_then(|a| a.as_array()).map(|a| a.len()),
            Some(n)
        );
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(6),
            "{:?}",
            t0.elapsed()
        );
        let dup = "a: 1\nb: 2\n".to_string()
            + &(0..40).map(|i| format!("k{}: 0\n", i)).collect::<String>()
            + "b: 3\n";
        assert!(parse(&dup)
            .unwrap_err()
            .to_string()
            .contains("duplicate key `b`"));
    }

    #[test]
    fn deepest_allowed_nesting_fits_a_128k_stack() {
        let r = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let depth = MAX_DEPTH - 1;
                let mut block = String::new();
                for i in 0..depth {
                    block.push_str(&" ".repeat(i));
                    block.push_str("k:\n");
                }
                block.push_str(&" ".repeat(depth));
                block.push_str("k: 1\n");
                // The whole path a template value takes: parse, convert, serialize, drop.
                let block_ok = parse(&block).map(|y| y.to_json().to_json().len());
                let flow = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
                let flow_ok = parse(&flow).map(|y| y.to_json().to_json().len());
                let too_deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
                (block_ok, flow_ok, parse(&too_deep).is_err())
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        r.0.unwrap();
        r.1.unwrap();
        assert!(r.2);
    }

    #[test]
    fn template_like() {
        let src = r#"# comment
---
name: mathematical_sequence_ts   # trailing comment
namespace_name: linear_workflow_ts
version: 1.0.0
description: |
  Line one
  Line two
folded: >
  a
  b

  c
task_handler: { callable: LinearWorkflow.Handler, initialization: {} }
input_schema: { type: object, required: [even_number] }
steps:
  - name: linear_step_1
    handler: { callable: "X.Y", initialization: { operation: square, n: 2 } }
    dependencies: []
    retry: { retryable: true, max_attempts: 3, backoff: exponential }
    timeout_seconds: 30
  - name: 'linear_step_2'
    handler:
      callable: LinearWorkflow.StepHandlers.LinearStep2Handler
    dependencies:
    - linear_step_1
    ver: 1.0
    n: ~
    url: http://x:80/y
environments:
  test: { steps: [ { name: ALL, timeout_seconds: 10, retry: { max_attempts: 2 } } ] }
"#;
        let y = parse(src).unwrap();
        let j = y.to_json();
        assert_eq!(
            j.get("name").unwrap().as_str(),
            Some("mathematical_sequence_ts")
        );
        assert_eq!(j.get("version").unwrap().as_str(), Some("1.0.0"));
        assert_eq!(
            j.get("description").unwrap().as_str(),
            Some("Line one\nLine two\n")
        );
        assert_eq!(j.get("folded").unwrap().as_str(), Some("a b\nc\n"));
        let steps = j.get("steps").unwrap().as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0]
                .get("handler")
                .unwrap()
                .get("initialization")
                .unwrap()
                .to_json(),
            r#"{"operation":"square","n":2}"#
        );
        assert_eq!(
            steps[1].get("name").unwrap().as_str(),
            Some("linear_step_2")
        );
        assert_eq!(
            steps[1].get("dependencies").unwrap().to_json(),
            r#"["linear_step_1"]"#
        );
        assert!(matches!(steps[1].get("ver"), Some(Value::Float(_))));
        assert!(steps[1].get("n").unwrap().is_null());
        assert_eq!(steps[1].get("url").unwrap().as_str(), Some("http://x:80/y"));
        assert_eq!(
            j.get("environments").unwrap().to_json(),
            r#"{"test":{"steps":[{"name":"ALL","timeout_seconds":10,"retry":{"max_attempts":2}}]}}"#
        );
        // typed access keeps raw text
        match y.get("steps").unwrap() {
            Yaml::Seq(s) => match s[1].get("ver").unwrap() {
                Yaml::Scalar { text, .. } => assert_eq!(text, "1.0"),
                _ => panic!(),
            },
            _ => panic!(),
        }
    }

    #[test]
    fn block_scalar_chomping() {
        let y = parse("a: |-\n  x\n  y\n\nb: |+\n  k\n\nc: >\n  p\n    q\n  r\nd: 'it''s'\ne: \"tab\\tu\\u00e9\"\n").unwrap().to_json();
        assert_eq!(y.get("a").unwrap().as_str(), Some("x\ny"));
        assert_eq!(y.get("b").unwrap().as_str(), Some("k\n\n"));
        assert_eq!(y.get("c").unwrap().as_str(), Some("p\n  q\nr\n"));
        assert_eq!(y.get("d").unwrap().as_str(), Some("it's"));
        assert_eq!(y.get("e").unwrap().as_str(), Some("tab\tué"));
        let v = parse("n: 12\nf: 1.5e3\nh: 0x1F\nb: True\nt: ~\ns: 1.0.0\nneg: -7\n")
            .unwrap()
            .to_json();
        assert_eq!(
            v.to_json(),
            r#"{"n":12,"f":1500.0,"h":31,"b":true,"t":null,"s":"1.0.0","neg":-7}"#
        );
    }

    #[test]
    fn nested_sequences_and_errors() {
        let y = parse("a:\n  - - 1\n    - 2\n  - x: 1\n    y: [a, 'b c', \"d\\n\"]\n").unwrap();
        assert_eq!(
            y.to_json().to_json(),
            r#"{"a":[[1,2],{"x":1,"y":["a","b c","d\n"]}]}"#
        );
        let e = parse("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse("a: &x 1\n").is_err());
        assert!(parse("a: [1, 2\n").is_err());
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).unwrap_err().msg.contains("deep"));
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert!(e.msg.contains("duplicate"));
        let multi = parse("k: [a,\n  b]\np: plain\n  continued\n")
            .unwrap()
            .to_json();
        assert_eq!(multi.to_json(), r#"{"k":["a","b"],"p":"plain continued"}"#);
    }
}
