//! UUIDs come from the `uuid` crate (v4, and v7 for time-ordered task and step ids). This
//! module adds what the crate does not have: the deterministic name-derived id used for
//! `named_task_uuid`/`named_step_uuid` (its bits must never change: stored data refers to
//! them), string parsing with our error text, and a random source for backoff jitter.

pub use uuid::Uuid;

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

/// Uniform random 64-bit value (from the OS random source behind `Uuid::new_v4`).
pub fn random_u64() -> u64 {
    let (hi, lo) = Uuid::new_v4().as_u64_pair();
    // v4 fixes 6 bits; mixing both halves keeps every output bit random.
    hi.rotate_left(32) ^ lo
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
        let u = Uuid::new_v4().to_string();
        assert_eq!(&u[14..15], "4");
        let v = Uuid::now_v7().to_string();
        assert_eq!(&v[14..15], "7");
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
}
