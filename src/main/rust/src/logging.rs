//! stderr logger with a RUST_LOG level filter (std only).

use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

fn parse_level(s: &str) -> Option<u8> {
    match s.trim().to_ascii_lowercase().as_str() {
        "off" => Some(0),
        "error" => Some(1),
        "warn" | "warning" => Some(2),
        "info" => Some(3),
        "debug" => Some(4),
        "trace" => Some(5),
        _ => None,
    }
}

/// Max enabled level from RUST_LOG: the last bare level wins; `target=level`
/// directives only count when the target is ours. Default: info.
fn max_level() -> u8 {
    static L: OnceLock<u8> = OnceLock::new();
    *L.get_or_init(|| {
        let spec = std::env::var("RUST_LOG").unwrap_or_default();
        let mut lvl = 3u8;
        for d in spec.split(',') {
            let d = d.trim();
            if d.is_empty() {
                continue;
            }
            match d.split_once('=') {
                None => {
                    if let Some(l) = parse_level(d) {
                        lvl = l;
                    }
                }
                Some((target, l)) => {
                    if target.starts_with("tasker") {
                        if let Some(l) = parse_level(l) {
                            lvl = l;
                        }
                    }
                }
            }
        }
        lvl
    })
}

pub fn enabled(level: Level) -> bool {
    (level as u8) <= max_level()
}

/// One line: `<RFC3339> <LEVEL> tasker_engine: <msg>[ fields={..}]`.
pub fn log(level: Level, msg: &str, fields: Option<&[(String, String)]>) {
    if !enabled(level) {
        return;
    }
    let mut line = format!(
        "{} {} tasker_engine: {}",
        crate::time::rfc3339_z(crate::time::now_micros()),
        level.name(),
        msg
    );
    if let Some(f) = fields {
        line.push_str(" fields={");
        for (i, (k, v)) in f.iter().enumerate() {
            if i > 0 {
                line.push_str(", ");
            }
            line.push_str(&format!("{:?}: {:?}", k, v));
        }
        line.push('}');
    }
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

pub fn error(msg: &str) {
    log(Level::Error, msg, None)
}
pub fn warn(msg: &str) {
    log(Level::Warn, msg, None)
}
pub fn info(msg: &str) {
    log(Level::Info, msg, None)
}
pub fn debug(msg: &str) {
    if enabled(Level::Debug) {
        log(Level::Debug, msg, None)
    }
}
