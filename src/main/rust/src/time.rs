//! UTC clock, formatting and parsing (std only; civil-from-days arithmetic).

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_micros() as i64,
        Err(_) => 0,
    }
}

/// Monotonic milliseconds for ages and timers (not persisted).
pub fn mono_ms() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => 0,
    }
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    micros: u32,
}

fn split(micros: i64) -> Parts {
    let secs = micros.div_euclid(1_000_000);
    let us = micros.rem_euclid(1_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: sod / 3600,
        mi: (sod / 60) % 60,
        s: sod % 60,
        micros: us,
    }
}

/// Appends `n` as exactly `width` decimal digits (`n` < 10^width).
fn push_digits(out: &mut String, mut n: u32, width: usize) {
    let mut buf = [b'0'; 6];
    for i in (0..width).rev() {
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[..width]).unwrap_or_default());
}

/// `YYYY-MM-DD<sep>HH:MM:SS`, then chrono's automatic fraction (none, 3 or 6 digits) when `auto` is set, or
/// always 6 digits. Written digit by digit: event timestamps are on the dispatch hot path.
fn write_parts(out: &mut String, micros: i64, sep: char, auto: bool) {
    let p = split(micros);
    if (0..=9999).contains(&p.y) {
        push_digits(out, p.y as u32, 4);
    } else {
        use std::fmt::Write;
        let _ = write!(out, "{:04}", p.y);
    }
    out.push('-');
    push_digits(out, p.mo, 2);
    out.push('-');
    push_digits(out, p.d, 2);
    out.push(sep);
    push_digits(out, p.h, 2);
    out.push(':');
    push_digits(out, p.mi, 2);
    out.push(':');
    push_digits(out, p.s, 2);
    if !auto {
        out.push('.');
        push_digits(out, p.micros, 6);
    } else if p.micros == 0 {
    } else if p.micros.is_multiple_of(1000) {
        out.push('.');
        push_digits(out, p.micros / 1000, 3);
    } else {
        out.push('.');
        push_digits(out, p.micros, 6);
    }
}

fn formatted(micros: i64, sep: char, auto: bool, suffix: &str) -> String {
    let mut out = String::with_capacity(32);
    write_parts(&mut out, micros, sep, auto);
    out.push_str(suffix);
    out
}

/// Appends the NaiveDateTime Display form (see `naive_space`) to `out`.
pub fn write_naive_space(out: &mut String, micros: i64) {
    write_parts(out, micros, ' ', true);
}

/// NaiveDateTime Display: `2026-02-15 19:43:46.123456` (step event DTO).
#[cfg(test)]
pub fn naive_space(micros: i64) -> String {
    formatted(micros, ' ', true, "")
}

/// NaiveDateTime serde form: `2026-02-15T19:43:46.123456`.
pub fn naive_t(micros: i64) -> String {
    formatted(micros, 'T', true, "")
}

/// DateTime<Utc> serde form: `2026-02-15T19:43:46.123456Z`.
pub fn rfc3339_z(micros: i64) -> String {
    formatted(micros, 'T', true, "Z")
}

/// DateTime<Utc>::to_rfc3339(): `+00:00` offset.
pub fn rfc3339_offset(micros: i64) -> String {
    formatted(micros, 'T', true, "+00:00")
}

/// `%Y-%m-%dT%H:%M:%S%.6fZ` (audit records).
pub fn rfc3339_6z(micros: i64) -> String {
    formatted(micros, 'T', false, "Z")
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), e.g. for Retry-After (tests build them).
#[cfg(test)]
pub fn split_for_http(micros: i64) -> String {
    let p = split(micros);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = micros.div_euclid(1_000_000).div_euclid(86_400);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        p.d,
        MONTHS[(p.mo - 1) as usize],
        p.y,
        p.h,
        p.mi,
        p.s
    )
}

// ---------------------------------------------------------------- parsing

fn num(b: &[u8], i: &mut usize, n: usize) -> Option<u32> {
    if *i + n > b.len() {
        return None;
    }
    let mut v = 0u32;
    for k in 0..n {
        let c = b[*i + k];
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    *i += n;
    Some(v)
}

fn expect(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    if b.get(*i) == Some(&c) {
        *i += 1;
        Some(())
    } else {
        None
    }
}

/// Date, time and optional fraction; returns micros (naive) and the index after.
fn parse_datetime_prefix(b: &[u8], seps: &[u8]) -> Option<(i64, usize)> {
    let mut i = 0;
    let y = num(b, &mut i, 4)? as i64;
    expect(b, &mut i, b'-')?;
    let mo = num(b, &mut i, 2)?;
    expect(b, &mut i, b'-')?;
    let d = num(b, &mut i, 2)?;
    let sep = *b.get(i)?;
    if !seps.contains(&sep) {
        return None;
    }
    i += 1;
    let h = num(b, &mut i, 2)?;
    expect(b, &mut i, b':')?;
    let mi = num(b, &mut i, 2)?;
    expect(b, &mut i, b':')?;
    let s = num(b, &mut i, 2)?;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59
    {
        return None;
    }
    let mut us: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale = 100_000u32;
        while i < b.len() && b[i].is_ascii_digit() {
            us += (b[i] - b'0') as u32 * scale;
            scale /= 10;
            i += 1;
        }
        if i == start || i - start > 9 {
            return None;
        }
    }
    let days = days_from_civil(y, mo, d);
    let micros = (days * 86_400 + (h * 3600 + mi * 60 + s) as i64) * 1_000_000 + us as i64;
    Some((micros, i))
}

/// RFC 3339 with `Z`/`z` or `±HH:MM` (a subset of what chrono's DateTime parser accepts).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (micros, mut i) = parse_datetime_prefix(b, b"Tt ")?;
    match b.get(i)? {
        b'Z' | b'z' => {
            i += 1;
            if i == b.len() {
                Some(micros)
            } else {
                None
            }
        }
        &c @ (b'+' | b'-') => {
            i += 1;
            let oh = num(b, &mut i, 2)?;
            expect(b, &mut i, b':')?;
            let om = num(b, &mut i, 2)?;
            if i != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let off = (oh * 3600 + om * 60) as i64 * 1_000_000;
            Some(if c == b'+' {
                micros - off
            } else {
                micros + off
            })
        }
        _ => None,
    }
}

/// NaiveDateTime `YYYY-MM-DDTHH:MM:SS[.fraction]`, no zone (a trailing `Z` fails like chrono's "trailing input").
pub fn parse_naive(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (micros, i) = parse_datetime_prefix(b, b"T")?;
    if i == b.len() {
        Some(micros)
    } else {
        None
    }
}

/// HTTP / RFC 2822 date such as `Sun, 06 Nov 1994 08:49:37 GMT`; returns micros.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.find(',') {
        Some(p) => s[p + 1..].trim(),
        None => s,
    };
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() < 4 {
        return None;
    }
    let d: u32 = parts[0].parse().ok()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mo = MONTHS
        .iter()
        .position(|m| parts[1].eq_ignore_ascii_case(m))? as u32
        + 1;
    let y: i64 = parts[2].parse().ok()?;
    let t: Vec<&str> = parts[3].split(':').collect();
    if t.len() < 2 {
        return None;
    }
    let h: u32 = t[0].parse().ok()?;
    let mi: u32 = t[1].parse().ok()?;
    let sec: u32 = if t.len() > 2 { t[2].parse().ok()? } else { 0 };
    if d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut off_secs: i64 = 0;
    if let Some(z) = parts.get(4) {
        let zb = z.as_bytes();
        if (zb[0] == b'+' || zb[0] == b'-') && zb.len() == 5 {
            let v: i64 = z[1..].parse().ok()?;
            off_secs = (v / 100) * 3600 + (v % 100) * 60;
            if zb[0] == b'-' {
                off_secs = -off_secs;
            }
        } else if !(z.eq_ignore_ascii_case("GMT")
            || z.eq_ignore_ascii_case("UT")
            || z.eq_ignore_ascii_case("UTC")
            || *z == "Z")
        {
            return None;
        }
    }
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + (h * 3600 + mi * 60 + sec) as i64 - off_secs) * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        for days in [-800_000i64, -1, 0, 1, 19_000, 20_499, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn formats() {
        let t = parse_rfc3339("2026-02-15T19:43:46.123456Z").unwrap();
        assert_eq!(naive_space(t), "2026-02-15 19:43:46.123456");
        assert_eq!(naive_t(t), "2026-02-15T19:43:46.123456");
        assert_eq!(rfc3339_z(t), "2026-02-15T19:43:46.123456Z");
        assert_eq!(rfc3339_offset(t), "2026-02-15T19:43:46.123456+00:00");
        let t2 = parse_rfc3339("2026-02-15T19:43:46.120Z").unwrap();
        assert_eq!(rfc3339_z(t2), "2026-02-15T19:43:46.120Z");
        assert_eq!(rfc3339_6z(t2), "2026-02-15T19:43:46.120000Z");
        let t3 = parse_rfc3339("2026-02-15T21:43:46+02:00").unwrap();
        assert_eq!(naive_space(t3), "2026-02-15 19:43:46");
    }

    #[test]
    fn digit_writer_matches_format() {
        let reference = |micros: i64, sep: char| {
            let p = split(micros);
            let frac = if p.micros == 0 {
                String::new()
            } else if p.micros.is_multiple_of(1000) {
                format!(".{:03}", p.micros / 1000)
            } else {
                format!(".{:06}", p.micros)
            };
            format!(
                "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}{}",
                p.y, p.mo, p.d, sep, p.h, p.mi, p.s, frac
            )
        };
        let mut x: i64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..20_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Years -9999..=12000, with whole seconds and whole milliseconds now and then.
            let mut m = x.rem_euclid(srange()) - 377_705_116_800_000_000;
            if i % 3 == 0 {
                m -= m.rem_euclid(1_000_000);
            } else if i % 3 == 1 {
                m -= m.rem_euclid(1000);
            }
            assert_eq!(naive_space(m), reference(m, ' '), "{}", m);
            assert_eq!(naive_t(m), reference(m, 'T'), "{}", m);
        }
    }

    fn srange() -> i64 {
        // 22,000 years of microseconds.
        22_000 * 365 * 86_400 * 1_000_000
    }

    #[test]
    fn parse_rules() {
        assert!(parse_rfc3339("yesterday").is_none());
        assert!(parse_rfc3339("2026-02-15T19:43:46").is_none());
        assert!(parse_rfc3339("2026-02-30T19:43:46Z").is_none());
        assert!(parse_naive("2026-02-15T19:43:46.000Z").is_none());
        assert!(parse_naive("2026-02-15T19:43:46.5").is_some());
        let h = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(rfc3339_z(h), "1994-11-06T08:49:37Z");
        assert_eq!(split_for_http(h), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
