//! UUIDs are the `uuid` crate's type (layout, formatting, parsing, v4/v7 builders). This
//! module adds: random bits from a per-process generator seeded once from the OS (the
//! crate's default asks the OS for every id, a system call that showed up in profiles of
//! the hot path, which makes a dozen ids per step); the deterministic name-derived id used
//! for `named_task_uuid`/`named_step_uuid` (its bits must never change: stored data refers
//! to them); and a random source for backoff jitter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
pub use uuid::Uuid;

static SEED: OnceLock<u64> = OnceLock::new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn seed() -> u64 {
    *SEED.get_or_init(|| {
        let (hi, lo) = Uuid::new_v4().as_u64_pair();
        hi ^ lo.rotate_left(29)
    })
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn random_bytes() -> [u8; 16] {
    let a = random_u64();
    let b = random_u64();
    ((a as u128) << 64 | b as u128).to_be_bytes()
}

/// Random (v4) uuid.
pub fn new_v4() -> Uuid {
    uuid::Builder::from_random_bytes(random_bytes()).into_uuid()
}

/// Time-ordered (v7) uuid: millisecond timestamp, then random bits.
pub fn new_v7() -> Uuid {
    let ms = crate::time::now_micros().max(0) as u64 / 1000;
    let r = random_bytes();
    let mut rb = [0u8; 10];
    rb.copy_from_slice(&r[..10]);
    uuid::Builder::from_unix_timestamp_millis(ms, &rb).into_uuid()
}

/// Deterministic v4-shaped id number `n` of `base`: an audit entry's ids come from its step's
/// id and its position, so the step's row need not store them (two ids of 36 characters per
/// audit entry were a quarter of a step row, and every write of a step rewrites its row). Its
/// bits must never change: rows that omit the ids rely on them. Distinct for distinct
/// `(base, n)` up to the collision odds of 122 random-looking bits.
pub fn derived(base: &Uuid, n: u64) -> Uuid {
    let (hi, lo) = base.as_u64_pair();
    let a = splitmix64(lo ^ splitmix64(n ^ 0x6175_6469_745f_6964));
    let b = splitmix64(hi ^ a ^ n.rotate_left(32));
    uuid::Builder::from_random_bytes(((a as u128) << 64 | b as u128).to_be_bytes()).into_uuid()
}

/// Accepts hyphenated, simple (32 hex), braced and urn forms.
pub fn parse(s: &str) -> Result<Uuid, String> {
    Uuid::parse_str(s).map_err(|e| e.to_string())
}

/// Deterministic v4-shaped id from the SHA-256 of a name.
pub fn from_name(name: &str) -> Uuid {
    let d = crate::hash::sha256(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    let mut v = u128::from_be_bytes(b);
    v &= !(0xF000u128 << 64);
    v |= 0x4000u128 << 64;
    v &= !(0xC000_0000_0000_0000u128);
    v |= 0x8000_0000_0000_0000u128;
    Uuid::from_u128(v)
}

/// Random 64-bit value: splitmix64 over a counter from an OS-random seed (lock-free).
pub fn random_u64() -> u64 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    splitmix64(seed() ^ splitmix64(n))
}

/// Random integer in [0, n] inclusive.
pub fn random_upto(n: u64) -> u64 {
    if n == u64::MAX {
        return random_u64();
    }
    random_u64() % (n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse_and_name_ids_are_stable() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let u = new_v4().to_string();
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
            assert!(seen.insert(u));
        }
        let v = new_v7().to_string();
        assert_eq!(&v[14..15], "7");
        let ms = crate::time::now_micros() / 1000;
        let ts = u64::from_str_radix(&v.replace('-', "")[..12], 16).unwrap() as i64;
        assert!((ms - ts).abs() < 5_000, "v7 carries the time");
        assert_eq!(parse(&v).unwrap().to_string(), v);
        assert!(parse("not-a-uuid").is_err());
        assert_eq!(
            parse("0194C3A0B1C27D3E8F4A5B6C7D8E9F00")
                .unwrap()
                .to_string(),
            "0194c3a0-b1c2-7d3e-8f4a-5b6c7d8e9f00"
        );
        // Stored data refers to these: the derivation must not change.
        assert_eq!(
            from_name("wf/diamond/1.0.0").to_string(),
            from_name("wf/diamond/1.0.0").to_string()
        );
        assert_eq!(&from_name("x").to_string()[14..15], "4");
    }

    #[test]
    fn derived_ids_are_pinned_distinct_and_v4_shaped() {
        let base = parse("0194c3a0-b1c2-7d3e-8f4a-5b6c7d8e9f00").unwrap();
        // Step rows written since the derivation leave these ids out: the bits must not change.
        assert_eq!(derived(&base, 0).to_string(), derived(&base, 0).to_string());
        assert_eq!(
            derived(&base, 0).to_string(),
            "fe8e9011-a1e0-4e8c-8e7e-39e6120378a2"
        );
        let mut seen = std::collections::HashSet::new();
        for b in 0..200u64 {
            let base = Uuid::from_u64_pair(0x0194_c3a0_b1c2_7d3e, 0x8f4a_5b6c_7d8e_0000 | b);
            for n in 0..50 {
                let u = derived(&base, n).to_string();
                assert_eq!(&u[14..15], "4");
                assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
                assert!(seen.insert(u));
            }
        }
    }
}
