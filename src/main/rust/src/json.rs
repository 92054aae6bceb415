//! JSON value and serializer; parsing is serde_json's (linear time, nesting limit 128).
//!
//! The value type is our own rather than `serde_json::Value` because it carries
//! pre-serialized fragments (`Raw`: cached dependency results and task contexts, written
//! verbatim into every step event instead of being re-serialized) and keeps insertion
//! order without an extra map crate. Integers stay integers (i64, or u64 above i64::MAX),
//! so strict typed reads can tell `12` from `12.0` the way serde_json does.

use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    Object(Map),
    /// Pre-serialized JSON text, emitted verbatim (used to avoid re-serializing cached results).
    Raw(Arc<str>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (UInt(a), UInt(b)) => a == b,
            (Int(a), UInt(b)) | (UInt(b), Int(a)) => *a >= 0 && *a as u64 == *b,
            (Float(a), Float(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Object(a), Object(b)) => a.entries == b.entries,
            (Raw(a), b) => parse(a).map(|v| &v == b).unwrap_or(false),
            (a, Raw(b)) => parse(b).map(|v| a == &v).unwrap_or(false),
            _ => false,
        }
    }
}

/// Finds earlier keys of an object being built in linear total time: a scan while the
/// object is small, a hash index once it has more than `KeyIndex::SCAN` entries.
#[derive(Default)]
pub(crate) struct KeyIndex {
    index: Option<std::collections::HashMap<String, usize>>,
}

impl KeyIndex {
    const SCAN: usize = 16;

    /// Position of `key` among `entries` (the entries built so far).
    pub(crate) fn find<V>(&mut self, entries: &[(String, V)], key: &str) -> Option<usize> {
        if self.index.is_none() {
            if entries.len() <= Self::SCAN {
                return entries.iter().position(|(k, _)| k == key);
            }
            let mut m = std::collections::HashMap::with_capacity(entries.len() * 2);
            for (i, (k, _)) in entries.iter().enumerate() {
                m.insert(k.clone(), i);
            }
            self.index = Some(m);
        }
        self.index.as_ref().and_then(|m| m.get(key).copied())
    }

    /// Record that `key` was appended at position `pos`.
    pub(crate) fn added(&mut self, key: &str, pos: usize) {
        if let Some(m) = self.index.as_mut() {
            m.insert(key.to_string(), pos);
        }
    }
}

/// Insertion-ordered object.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub entries: Vec<(String, Value)>,
}

impl Map {
    pub fn new() -> Map {
        Map {
            entries: Vec::new(),
        }
    }
    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: Vec::with_capacity(n),
        }
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// Insert or replace (keeps the original position on replace, like an ordered map).
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        if let Some(slot) = self.get_mut(&key) {
            *slot = value;
        } else {
            self.entries.push((key, value));
        }
    }
    /// Append without checking for an existing key; caller guarantees uniqueness.
    pub fn push(&mut self, key: impl Into<String>, value: Value) {
        self.entries.push((key.into(), value));
    }
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl Value {
    pub fn obj() -> Value {
        Value::Object(Map::new())
    }
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }
    pub fn opt_str(s: Option<&str>) -> Value {
        match s {
            Some(s) => Value::Str(s.to_string()),
            None => Value::Null,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::UInt(u) if *u <= i64::MAX as u64 => Some(*u as i64),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Int(i) if *i >= 0 => Some(*i as u64),
            Value::UInt(u) => Some(*u),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::UInt(u) => Some(*u as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }
    /// Materialize Raw values so they can be inspected.
    pub fn resolved(&self) -> Value {
        match self {
            Value::Raw(r) => parse(r).unwrap_or(Value::Null),
            v => v.clone(),
        }
    }
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128);
        write_value(&mut out, self);
        out
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::UInt(_) => "integer",
            Value::Float(_) => "floating point",
            Value::Str(_) => "string",
            Value::Array(_) => "sequence",
            Value::Object(_) => "map",
            Value::Raw(_) => "raw",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i as i64)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Value {
        Value::Int(i as i64)
    }
}
impl From<u64> for Value {
    fn from(u: u64) -> Value {
        if u <= i64::MAX as u64 {
            Value::Int(u as i64)
        } else {
            Value::UInt(u)
        }
    }
}
impl From<usize> for Value {
    fn from(u: usize) -> Value {
        Value::from(u as u64)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        match o {
            Some(v) => v.into(),
            None => Value::Null,
        }
    }
}

/// Build an object from (key, value) pairs: `obj![("a", 1), ...]`.
#[macro_export]
macro_rules! jobj {
    (@unit $k:expr) => { () };
    ($(($k:expr, $v:expr)),* $(,)?) => {{
        // Sized once: growing the entries one push at a time showed in profiles.
        let mut m = $crate::json::Map::with_capacity(<[()]>::len(&[$($crate::jobj!(@unit $k)),*]));
        $( m.push($k, $crate::json::Value::from($v)); )*
        $crate::json::Value::Object(m)
    }};
}

// ---------------------------------------------------------------- serializer

pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::UInt(u) => out.push_str(itoa::Buffer::new().format(*u)),
        Value::Float(f) => write_f64(out, *f),
        Value::Str(s) => write_str(out, s),
        Value::Raw(r) => out.push_str(r),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, x);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, x);
            }
            out.push('}');
        }
    }
}

/// Float formatting close to serde_json: whole numbers keep ".0", non-finite becomes null.
pub fn write_f64(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    let s = format!("{:?}", f);
    out.push_str(&s);
}

pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Most strings need no escape: one scan, one copy.
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes one JSON object straight into a string (no intermediate `Value`): the stored
/// rows are written this way on the hot path.
pub struct ObjWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> ObjWriter<'a> {
    pub fn new(out: &'a mut String) -> ObjWriter<'a> {
        out.push('{');
        ObjWriter { out, first: true }
    }
    fn key(&mut self, k: &'static str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        // Keys are our own literals (hence 'static): nothing in them needs escaping.
        debug_assert!(!k.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
        self.out
    }
    pub fn str(&mut self, k: &'static str, v: &str) -> &mut Self {
        let o = self.key(k);
        write_str(o, v);
        self
    }
    pub fn opt_str(&mut self, k: &'static str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }
    pub fn uuid(&mut self, k: &'static str, u: &crate::uuid::Uuid) -> &mut Self {
        let mut buf = [0u8; 36];
        let text = u.hyphenated().encode_lower(&mut buf);
        let o = self.key(k);
        o.push('"');
        o.push_str(text);
        o.push('"');
        self
    }
    pub fn opt_uuid(&mut self, k: &'static str, u: Option<&crate::uuid::Uuid>) -> &mut Self {
        match u {
            Some(u) => self.uuid(k, u),
            None => self.raw(k, "null"),
        }
    }
    pub fn int(&mut self, k: &'static str, v: i64) -> &mut Self {
        self.key(k).push_str(itoa::Buffer::new().format(v));
        self
    }
    pub fn uint(&mut self, k: &'static str, v: u64) -> &mut Self {
        self.key(k).push_str(itoa::Buffer::new().format(v));
        self
    }
    pub fn opt_int(&mut self, k: &'static str, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(k, v),
            None => self.raw(k, "null"),
        }
    }
    pub fn bool(&mut self, k: &'static str, v: bool) -> &mut Self {
        self.raw(k, if v { "true" } else { "false" })
    }
    pub fn value(&mut self, k: &'static str, v: &Value) -> &mut Self {
        let o = self.key(k);
        write_value(o, v);
        self
    }
    /// Pre-serialized JSON text.
    pub fn raw(&mut self, k: &'static str, json: &str) -> &mut Self {
        let o = self.key(k);
        o.push_str(json);
        self
    }
    /// A nested array built by `f`, which writes comma-separated elements.
    pub fn array(&mut self, k: &'static str, f: impl FnOnce(&mut String)) -> &mut Self {
        let o = self.key(k);
        o.push('[');
        f(o);
        o.push(']');
        self
    }
    /// A nested object written by `f`.
    pub fn object(&mut self, k: &'static str, f: impl FnOnce(&mut ObjWriter<'_>)) -> &mut Self {
        let o = self.key(k);
        let mut inner = ObjWriter::new(o);
        f(&mut inner);
        inner.finish();
        self
    }
    /// A value of any kind written by `f` straight into the output (`f` must write one JSON value).
    pub fn with(&mut self, k: &'static str, f: impl FnOnce(&mut String)) -> &mut Self {
        f(self.key(k));
        self
    }
    /// A string value written by `f` straight into the output (`f` must write JSON-safe text).
    pub fn str_with(&mut self, k: &'static str, f: impl FnOnce(&mut String)) -> &mut Self {
        let o = self.key(k);
        o.push('"');
        f(o);
        o.push('"');
        self
    }
    pub fn finish(&mut self) {
        self.out.push('}');
    }
}

pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    write_str(&mut o, s);
    o
}

// ---------------------------------------------------------------- parser

/// A parse error from serde_json (its message ends with the line and column).
#[derive(Debug, Clone)]
pub struct ParseError {
    pub msg: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> ParseError {
        ParseError {
            msg: e.to_string(),
            line: e.line(),
            column: e.column(),
        }
    }
}

/// Nesting limit for JSON from outside, as serde_json's default: the 128th nested
/// container is an error.
const MAX_DEPTH: usize = 128;
/// Our stored rows wrap user JSON (itself within `MAX_DEPTH`) in a few more levels.
const STORED_MAX_DEPTH: usize = 192;

/// Builds our `Value` from serde_json's parser, enforcing the nesting limit (serde_json's
/// own limit is off so one parser serves both limits) and, when strict, rejecting
/// duplicate keys as serde derive rejects duplicate fields.
#[derive(Clone, Copy)]
struct Seed {
    depth: usize,
    max: usize,
    strict: bool,
}

impl Seed {
    fn nested<E: serde::de::Error>(self) -> Result<Seed, E> {
        if self.depth + 1 >= self.max {
            return Err(E::custom("recursion limit exceeded"));
        }
        Ok(Seed {
            depth: self.depth + 1,
            ..self
        })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Seed {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut m = Map::new();
        let mut keys = KeyIndex::default();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(inner)?;
            match keys.find(&m.entries, &k) {
                Some(pos) => {
                    if self.strict {
                        return Err(serde::de::Error::custom(format!("duplicate field `{}`", k)));
                    }
                    m.entries[pos].1 = v; // last one wins, like serde_json::Map
                }
                None => {
                    keys.added(&k, m.entries.len());
                    m.push(k, v);
                }
            }
        }
        Ok(Value::Object(m))
    }
}

fn parse_with(s: &str, max: usize, strict: bool, whole: bool) -> Result<Value, ParseError> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(s);
    de.disable_recursion_limit();
    let v = Seed {
        depth: 0,
        max,
        strict,
    }
    .deserialize(&mut de)?;
    if whole {
        de.end()?;
    }
    Ok(v)
}

/// Parse a complete document; trailing non-whitespace is an error (serde_json::from_str).
pub fn parse(s: &str) -> Result<Value, ParseError> {
    parse_with(s, MAX_DEPTH, false, true)
}

/// Parse one of our own stored rows (a higher nesting limit, see `STORED_MAX_DEPTH`).
pub fn parse_stored(s: &str) -> Result<Value, ParseError> {
    parse_with(s, STORED_MAX_DEPTH, false, true)
}

/// Strict parse that also rejects duplicate object keys (serde derive rejects duplicate fields;
/// rejecting them everywhere is a safe subset).
pub fn parse_strict(s: &str) -> Result<Value, ParseError> {
    parse_with(s, MAX_DEPTH, true, true)
}

/// Read one JSON value from the start and ignore whatever follows it
/// (serde_json::Deserializer without `end()`, as the client functions do).
pub fn parse_prefix(s: &str) -> Result<Value, ParseError> {
    parse_with(s, MAX_DEPTH, false, false)
}

/// Key-order-independent canonical text (objects sorted by key), used for identity hashing.
pub fn canonical(v: &Value) -> String {
    fn go(out: &mut String, v: &Value) {
        match v {
            Value::Object(m) => {
                let mut es: Vec<&(String, Value)> = m.entries.iter().collect();
                es.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (k, x)) in es.iter().map(|e| (&e.0, &e.1)).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    go(out, x);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    go(out, x);
                }
                out.push(']');
            }
            Value::Raw(r) => go(out, &parse(r).unwrap_or(Value::Null)),
            other => write_value(out, other),
        }
    }
    let mut s = String::new();
    go(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread with a 128 KiB stack (a small handler-pool stack).
    pub(crate) fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .expect("no stack overflow")
    }

    #[test]
    fn wide_object_parses_in_linear_time() {
        let n = 100_000;
        let mut s = String::from("{");
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&format!("\"key{}\":{}", i, i));
        }
        s.push('}');
        let t0 = std::time::Instant::now();
        let v = parse(&s).unwrap();
        let took = t0.elapsed();
        assert_eq!(v.as_object().unwrap().len(), n);
        assert_eq!(v.get("key99999").and_then(|x| x.as_i64()), Some(99_999));
        // Linear parsing takes tens of milliseconds; the quadratic duplicate scan took ~17 s.
        assert!(took < std::time::Duration::from_secs(2), "{:?}", took);
        // Duplicates are still found in a wide object: strict parsing rejects, lenient keeps the last.
        let dup = format!("{},\"key5\":-1}}", &s[..s.len() - 1]);
        assert!(parse_strict(&dup)
            .unwrap_err()
            .to_string()
            .contains("duplicate field `key5`"));
        let v = parse(&dup).unwrap();
        assert_eq!(v.as_object().unwrap().len(), n);
        assert_eq!(v.get("key5").and_then(|x| x.as_i64()), Some(-1));
        assert_eq!(v.as_object().unwrap().entries[5].0, "key5");
    }

    #[test]
    fn deepest_allowed_nesting_fits_a_128k_stack() {
        on_small_stack(|| {
            for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
                let ok = format!(
                    "{}1{}",
                    open.repeat(MAX_DEPTH - 1),
                    close.repeat(MAX_DEPTH - 1)
                );
                parse(&ok).unwrap();
                let stored = format!(
                    "{}1{}",
                    open.repeat(STORED_MAX_DEPTH - 1),
                    close.repeat(STORED_MAX_DEPTH - 1)
                );
                parse_stored(&stored).unwrap();
                let deep = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
                assert!(parse(&deep).is_err());
            }
        });
    }

    #[test]
    fn roundtrip_and_order() {
        let s = r#"{"b":1,"a":[true,false,null],"c":{"z":"x","y":-5},"f":1.5,"g":1.0,"big":18446744073709551615}"#;
        let v = parse(s).unwrap();
        assert_eq!(v.to_json(), s);
        assert!(matches!(v.get("g"), Some(Value::Float(_))));
        assert!(matches!(v.get("big"), Some(Value::UInt(_))));
    }

    #[test]
    fn escapes_and_surrogates() {
        let v = parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00\u0001""#).unwrap();
        assert_eq!(v.as_str().unwrap(), "a\"b\\c/\né😀\u{1}");
        assert_eq!(v.to_json(), "\"a\\\"b\\\\c/\\né😀\\u0001\"");
        assert!(parse(r#""\ud83d""#).is_err());
        assert!(parse(r#""\ude00""#).is_err());
    }

    #[test]
    fn errors() {
        assert!(parse("{} x").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("01").is_err());
        assert!(parse("{\"a\":1,}").is_err());
        assert!(parse("\"\n\"").is_err());
        assert!(parse_strict(r#"{"a":1,"a":2}"#).is_err());
        assert_eq!(parse(r#"{"a":1,"a":2}"#).unwrap().to_json(), r#"{"a":2}"#);
        assert!(parse_prefix("{\"a\":1} trailing").is_ok());
        let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse(&deep).is_ok());
        let deeper = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(&deeper).is_err());
        assert!(parse_stored(&format!("[[[[{}]]]]", deeper)).is_ok());
        let too_deep = format!(
            "{}{}",
            "[".repeat(STORED_MAX_DEPTH),
            "]".repeat(STORED_MAX_DEPTH)
        );
        assert!(parse_stored(&too_deep).is_err());
        let e = parse("{\n  \"a\": }").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn canonical_sorts() {
        let a = parse(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        let b = parse(r#"{"a":{"c":3,"d":2},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
    }
}
