//! YAML subset parser for task templates (std only).
//!
//! Supports: comments, `---`/`...` markers, block mappings and sequences (including
//! `- key: v` items), flow mappings/sequences, plain/single/double-quoted scalars
//! (multi-line plain and quoted scalars fold), `|`/`>` block scalars with chomping
//! indicators. Anchors, aliases, tags and complex keys are rejected with a clear error.
//! Scalars keep their source text so typed readers can take `1.0` as the string "1.0"
//! like serde_yaml does, while untyped data resolves with the YAML 1.2 core schema.

use crate::json::{KeyIndex, Map, Value};

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

/// Parse a document (the first one if several) into a node.
pub fn parse(src: &str) -> R<Yaml> {
    // A UTF-8 byte order mark (editors on Windows write one) is not content.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut p = P {
        lines: src.lines().map(|l| l.to_string()).collect(),
        pos: 0,
        depth: 0,
    };
    for (i, l) in p.lines.iter().enumerate() {
        let lead: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        if lead.contains('\t') && !l.trim().is_empty() && !l.trim_start().starts_with('#') {
            return Err(YamlError {
                line: i + 1,
                msg: "tab character used for indentation".into(),
            });
        }
    }
    p.skip();
    if p.pos >= p.lines.len() {
        return Ok(Yaml::null());
    }
    let ind = p.indent(p.pos);
    let v = p.block(ind as isize - 1)?;
    p.skip();
    if p.pos < p.lines.len() {
        let t = p.content(p.pos);
        if t != "---" && !t.starts_with("--- ") {
            return Err(p.err(
                p.pos,
                format!("unexpected content `{}` (bad indentation?)", t),
            ));
        }
    }
    Ok(v)
}

struct P {
    lines: Vec<String>,
    pos: usize,
    /// Nesting depth guard: deep input must fail cleanly, never overflow the stack.
    depth: usize,
}

/// Deepest nesting a template may use. 100 levels parse, convert and serialize on a
/// 128 KiB thread stack with room to spare (200 overflowed it in block style).
const MAX_DEPTH: usize = 100;

impl P {
    fn err(&self, i: usize, msg: impl Into<String>) -> YamlError {
        YamlError {
            line: i + 1,
            msg: msg.into(),
        }
    }

    fn indent(&self, i: usize) -> usize {
        self.lines[i].bytes().take_while(|&c| c == b' ').count()
    }

    /// Line content without indentation, comments or trailing blanks.
    fn content(&self, i: usize) -> String {
        strip_comment(self.lines[i].trim_start_matches(' '))
            .trim_end()
            .to_string()
    }

    fn is_blank(&self, i: usize) -> bool {
        let c = self.content(i);
        c.is_empty()
    }

    /// Skip blank/comment lines, document start markers and directives.
    fn skip(&mut self) {
        while self.pos < self.lines.len() {
            let c = self.content(self.pos);
            if c.is_empty() || (self.indent(self.pos) == 0 && (c == "---" || c.starts_with('%'))) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn at_end_marker(&self) -> bool {
        if self.pos >= self.lines.len() {
            return true;
        }
        let c = self.content(self.pos);
        self.indent(self.pos) == 0 && (c == "..." || c == "---" || c.starts_with("--- "))
    }

    /// Parse the node starting at the current line (which must be indented > parent).
    fn block(&mut self, parent: isize) -> R<Yaml> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let line = self.pos.min(self.lines.len().saturating_sub(1));
            return Err(self.err(line, "nesting too deep"));
        }
        let r = self.block_inner(parent);
        self.depth -= 1;
        r
    }

    fn block_inner(&mut self, parent: isize) -> R<Yaml> {
        self.skip();
        if self.at_end_marker() || (self.indent(self.pos) as isize) <= parent {
            return Ok(Yaml::null());
        }
        let n = self.indent(self.pos);
        let c = self.content(self.pos);
        if c == "-" || c.starts_with("- ") {
            self.seq(n)
        } else if split_key(&c).map_err(|m| self.err(self.pos, m))?.is_some() {
            self.map(n)
        } else {
            let line = self.pos;
            self.pos += 1;
            self.value_text(&c, parent, line)
        }
    }

    fn seq(&mut self, n: usize) -> R<Yaml> {
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.at_end_marker() {
                break;
            }
            let ind = self.indent(self.pos);
            let c = self.content(self.pos);
            if ind != n || !(c == "-" || c.starts_with("- ")) {
                if ind > n {
                    return Err(self.err(self.pos, "bad indentation of a sequence entry"));
                }
                break;
            }
            if c == "-" {
                self.pos += 1;
                items.push(self.block(n as isize)?);
            } else {
                // Re-indent the item content in place so nested mappings line up.
                let rest = &c[1..];
                let spaces = rest.len() - rest.trim_start().len();
                let col = n + 1 + spaces;
                let raw = self.lines[self.pos].clone();
                let raw_rest = &raw[n + 1 + spaces..];
                self.lines[self.pos] = format!("{}{}", " ".repeat(col), raw_rest);
                items.push(self.block(n as isize)?);
            }
        }
        Ok(Yaml::Seq(items))
    }

    fn map(&mut self, n: usize) -> R<Yaml> {
        let mut entries: Vec<(String, Yaml)> = Vec::new();
        let mut keys = KeyIndex::default();
        loop {
            self.skip();
            if self.at_end_marker() {
                break;
            }
            let ind = self.indent(self.pos);
            if ind < n {
                break;
            }
            let line = self.pos;
            let c = self.content(line);
            if ind > n {
                return Err(self.err(line, format!("bad indentation of a mapping entry `{}`", c)));
            }
            if c == "-" || c.starts_with("- ") {
                return Err(self.err(line, "sequence entry where a mapping key was expected"));
            }
            let (key, rest) = match split_key(&c).map_err(|m| self.err(line, m))? {
                Some(kv) => kv,
                None => return Err(self.err(line, format!("expected `key: value`, found `{}`", c))),
            };
            if keys.find(&entries, &key).is_some() {
                return Err(self.err(line, format!("duplicate key `{}`", key)));
            }
            self.pos += 1;
            let v = if rest.is_empty() {
                self.skip();
                if !self.at_end_marker() && self.indent(self.pos) == n {
                    let c2 = self.content(self.pos);
                    if c2 == "-" || c2.starts_with("- ") {
                        self.seq(n)?
                    } else {
                        Yaml::null()
                    }
                } else {
                    self.block(n as isize)?
                }
            } else {
                self.value_text(&rest, n as isize, line)?
            };
            keys.added(&key, entries.len());
            entries.push((key, v));
        }
        Ok(Yaml::Map(entries))
    }

    /// A value written on a line (after `key:` or `- `); may continue on following lines
    /// that are indented more than `parent`.
    fn value_text(&mut self, text: &str, parent: isize, line: usize) -> R<Yaml> {
        let t = text.trim();
        let first = t.chars().next().unwrap_or(' ');
        match first {
            '|' | '>' => self.block_scalar(t, parent, line),
            '[' | '{' => {
                let mut buf = t.to_string();
                let mut scan = FlowScan::default();
                while !scan.balanced(&buf) {
                    if self.pos >= self.lines.len() {
                        return Err(self.err(line, "unterminated flow collection"));
                    }
                    buf.push(' ');
                    buf.push_str(&self.content(self.pos));
                    self.pos += 1;
                }
                let mut f = Flow {
                    s: &buf,
                    b: buf.as_bytes(),
                    i: 0,
                    line,
                    depth: 0,
                };
                let v = f.value()?;
                f.ws();
                if f.i < f.b.len() {
                    return Err(self.err(line, "unexpected characters after flow collection"));
                }
                Ok(v)
            }
            '"' | '\'' => {
                let mut buf = t.to_string();
                loop {
                    match quoted_end(&buf) {
                        Some(end) => {
                            let tail = buf[end..].trim();
                            if !tail.is_empty() {
                                return Err(self.err(
                                    line,
                                    format!(
                                        "unexpected characters after quoted scalar: `{}`",
                                        tail
                                    ),
                                ));
                            }
                            let s = unquote(&buf[..end]).map_err(|m| self.err(line, m))?;
                            return Ok(Yaml::Scalar {
                                text: s,
                                quoted: true,
                            });
                        }
                        None => {
                            if self.pos >= self.lines.len() {
                                return Err(self.err(line, "unterminated quoted scalar"));
                            }
                            // Multi-line quoted scalar: raw line (comments are content here).
                            let next = self.lines[self.pos].trim().to_string();
                            self.pos += 1;
                            if next.is_empty() {
                                buf.push('\n');
                            } else {
                                if !buf.ends_with('\n') {
                                    buf.push(' ');
                                }
                                buf.push_str(&next);
                            }
                        }
                    }
                }
            }
            '&' | '*' | '!' => Err(self.err(line, "anchors, aliases and tags are not supported")),
            '?' if t == "?" || t.starts_with("? ") => {
                Err(self.err(line, "complex mapping keys are not supported"))
            }
            _ => {
                // Plain scalar, possibly folded over more-indented continuation lines.
                let mut s = t.to_string();
                loop {
                    if self.pos >= self.lines.len() {
                        break;
                    }
                    if self.is_blank(self.pos) {
                        // Only continue across blank lines if a continuation follows.
                        let mut j = self.pos;
                        while j < self.lines.len() && self.is_blank(j) {
                            j += 1;
                        }
                        if j < self.lines.len()
                            && (self.indent(j) as isize) > parent
                            && !self.looks_structural(j)
                        {
                            for _ in self.pos..j {
                                s.push('\n');
                            }
                            self.pos = j;
                            let c = self.content(j);
                            s.push_str(&c);
                            self.pos += 1;
                            continue;
                        }
                        break;
                    }
                    if (self.indent(self.pos) as isize) > parent && !self.looks_structural(self.pos)
                    {
                        let c = self.content(self.pos);
                        if !s.ends_with('\n') {
                            s.push(' ');
                        }
                        s.push_str(&c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok(Yaml::Scalar {
                    text: s,
                    quoted: false,
                })
            }
        }
    }

    fn looks_structural(&self, i: usize) -> bool {
        let c = self.content(i);
        c == "-" || c.starts_with("- ") || matches!(split_key(&c), Ok(Some(_)))
    }

    fn block_scalar(&mut self, header: &str, parent: isize, line: usize) -> R<Yaml> {
        let literal = header.starts_with('|');
        let mut chomp = 'c';
        let mut explicit: Option<usize> = None;
        for ch in header[1..].chars() {
            match ch {
                '-' => chomp = '-',
                '+' => chomp = '+',
                '1'..='9' => explicit = Some(ch as usize - '0' as usize),
                ' ' => break,
                _ => {
                    return Err(self.err(line, format!("invalid block scalar header `{}`", header)))
                }
            }
        }
        // Content lines: raw text (comments are content), until a line indented <= parent.
        let mut raw: Vec<String> = Vec::new();
        let mut block_indent: Option<usize> =
            explicit.map(|e| (parent + 1).max(0) as usize + e - 1);
        while self.pos < self.lines.len() {
            let l = &self.lines[self.pos];
            if l.trim().is_empty() {
                raw.push(String::new());
                self.pos += 1;
                continue;
            }
            let ind = self.indent(self.pos);
            if (ind as isize) <= parent {
                break;
            }
            let bi = *block_indent.get_or_insert(ind);
            if ind < bi {
                break;
            }
            raw.push(l[bi..].to_string());
            self.pos += 1;
        }
        // Trailing blank lines belong to chomping, not content.
        let mut trailing = 0;
        while raw.last().map(|s| s.is_empty()).unwrap_or(false) {
            raw.pop();
            trailing += 1;
        }
        let mut out = String::new();
        if literal {
            out = raw.join("\n");
        } else {
            let mut prev_more = false;
            for (i, l) in raw.iter().enumerate() {
                let more = l.starts_with(' ') || l.starts_with('\t');
                if i > 0 {
                    let prev_empty = raw[i - 1].is_empty();
                    if l.is_empty() || more || prev_more {
                        out.push('\n');
                    } else if !prev_empty {
                        out.push(' ');
                    }
                }
                out.push_str(l);
                prev_more = more;
            }
        }
        if !raw.is_empty() {
            match chomp {
                '-' => {}
                '+' => {
                    out.push('\n');
                    for _ in 0..trailing {
                        out.push('\n');
                    }
                }
                _ => out.push('\n'),
            }
        }
        Ok(Yaml::Scalar {
            text: out,
            quoted: true,
        })
    }
}

/// Strip a trailing `# comment` that is outside quotes and preceded by whitespace.
fn strip_comment(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    let mut prev: u8 = b' ';
    while i < b.len() {
        let c = b[i];
        if c == b'#' && (prev == b' ' || prev == b'\t') {
            return &s[..i];
        }
        if (c == b'"' || c == b'\'')
            && matches!(prev, b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-')
        {
            // skip the quoted run
            let q = c;
            i += 1;
            while i < b.len() {
                if q == b'"' && b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == q {
                    if q == b'\'' && i + 1 < b.len() && b[i + 1] == b'\'' {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            prev = q;
            i += 1;
            continue;
        }
        prev = c;
        i += 1;
    }
    s
}

/// If the text starts with a quoted scalar, the byte index just after its closing quote.
fn quoted_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let q = b[0];
    let mut i = 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && i + 1 < b.len() && b[i + 1] == b'\'' {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

fn unquote(s: &str) -> Result<String, String> {
    let q = s.as_bytes()[0];
    let inner = &s[1..s.len() - 1];
    if q == b'\'' {
        return Ok(inner.replace("''", "'"));
    }
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars
            .next()
            .ok_or("dangling escape in double-quoted scalar")?;
        match e {
            'n' => out.push('\n'),
            't' | '\t' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'e' => out.push('\u{1b}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            ' ' => out.push(' '),
            '"' => out.push('"'),
            '/' => out.push('/'),
            '\\' => out.push('\\'),
            'N' => out.push('\u{85}'),
            '_' => out.push('\u{a0}'),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                let cp = u32::from_str_radix(&hex, 16)
                    .map_err(|_| format!("invalid escape \\{}{}", e, hex))?;
                out.push(
                    char::from_u32(cp)
                        .ok_or_else(|| format!("invalid code point \\{}{}", e, hex))?,
                );
            }
            other => return Err(format!("unknown escape `\\{}`", other)),
        }
    }
    Ok(out)
}

/// Split `key: rest` (plain or quoted key). Ok(None) when the line is not a mapping entry.
fn split_key(c: &str) -> Result<Option<(String, String)>, String> {
    if c.is_empty() {
        return Ok(None);
    }
    let first = c.as_bytes()[0];
    if first == b'"' || first == b'\'' {
        let end = match quoted_end(c) {
            Some(e) => e,
            None => return Ok(None),
        };
        let after = c[end..].trim_start();
        if after == ":" || after.starts_with(": ") {
            return Ok(Some((unquote(&c[..end])?, after[1..].trim().to_string())));
        }
        return Ok(None);
    }
    if matches!(
        first,
        b'[' | b'{' | b'|' | b'>' | b'&' | b'*' | b'!' | b'#' | b'%' | b'@' | b'`'
    ) {
        return Ok(None);
    }
    let b = c.as_bytes();
    for i in 0..b.len() {
        if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
            let key = c[..i].trim_end().to_string();
            if key.is_empty() {
                return Ok(None);
            }
            return Ok(Some((key, c[i + 1..].trim().to_string())));
        }
    }
    Ok(None)
}

/// Whether a flow collection being collected line by line is closed. Resumes where the last
/// call stopped, so collecting an n-line collection is linear (an unterminated quoted
/// string is rescanned from its opening quote).
#[derive(Default)]
struct FlowScan {
    depth: i32,
    pos: usize,
}

impl FlowScan {
    fn balanced(&mut self, s: &str) -> bool {
        let b = s.as_bytes();
        while self.pos < b.len() {
            match b[self.pos] {
                b'"' | b'\'' => {
                    if let Some(e) = quoted_end(&s[self.pos..]) {
                        self.pos += e;
                        continue;
                    } else {
                        return false;
                    }
                }
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' => self.depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.depth <= 0
    }
}

struct Flow<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    line: usize,
    depth: usize,
}

impl<'a> Flow<'a> {
    fn err(&self, m: impl Into<String>) -> YamlError {
        YamlError {
            line: self.line + 1,
            msg: m.into(),
        }
    }
    fn ws(&mut self) {
        while self.i < self.b.len() && (self.b[self.i] == b' ' || self.b[self.i] == b'\t') {
            self.i += 1;
        }
    }
    fn value(&mut self) -> R<Yaml> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let r = self.value_inner();
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self) -> R<Yaml> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.err("unterminated flow sequence")),
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Yaml::Seq(items));
                        }
                        _ => {}
                    }
                    items.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {}
                        _ => return Err(self.err("expected `,` or `]` in flow sequence")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut entries: Vec<(String, Yaml)> = Vec::new();
                let mut keys = KeyIndex::default();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.err("unterminated flow mapping")),
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Yaml::Map(entries));
                        }
                        _ => {}
                    }
                    let key = match self.scalar(true)? {
                        Yaml::Scalar { text, .. } => text,
                        _ => return Err(self.err("invalid flow mapping key")),
                    };
                    self.ws();
                    let v = if self.b.get(self.i) == Some(&b':') {
                        self.i += 1;
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') | Some(b'}') => Yaml::null(),
                            _ => self.value()?,
                        }
                    } else {
                        Yaml::null()
                    };
                    if keys.find(&entries, &key).is_some() {
                        return Err(self.err(format!("duplicate key `{}`", key)));
                    }
                    keys.added(&key, entries.len());
                    entries.push((key, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => return Err(self.err("expected `,` or `}` in flow mapping")),
                    }
                }
            }
            _ => self.scalar(false),
        }
    }
    fn scalar(&mut self, is_key: bool) -> R<Yaml> {
        self.ws();
        // `get` is O(1); re-validating the rest of the input here made wide mappings quadratic.
        let s = self
            .s
            .get(self.i..)
            .ok_or_else(|| self.err("invalid utf-8"))?;
        if s.starts_with('"') || s.starts_with('\'') {
            let end = quoted_end(s).ok_or_else(|| self.err("unterminated quoted scalar"))?;
            let text = unquote(&s[..end]).map_err(|m| self.err(m))?;
            self.i += end;
            return Ok(Yaml::Scalar { text, quoted: true });
        }
        if s.starts_with('&') || s.starts_with('*') || s.starts_with('!') {
            return Err(self.err("anchors, aliases and tags are not supported"));
        }
        let b = s.as_bytes();
        let mut j = 0;
        while j < b.len() {
            let c = b[j];
            if c == b',' || c == b']' || c == b'}' || c == b'[' || c == b'{' {
                break;
            }
            if c == b':'
                && (j + 1 == b.len() || matches!(b[j + 1], b' ' | b',' | b']' | b'}') || is_key)
                && (is_key || j + 1 == b.len() || b[j + 1] == b' ')
            {
                break;
            }
            j += 1;
        }
        let text = s[..j].trim().to_string();
        self.i += j;
        Ok(Yaml::Scalar {
            text,
            quoted: false,
        })
    }
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
            assert!(took < std::time::Duration::from_secs(2), "{:?}", took);
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
            t0.elapsed() < std::time::Duration::from_secs(2),
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
