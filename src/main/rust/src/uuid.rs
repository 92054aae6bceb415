//! UUID v4/v7 generation and parsing (std only).
//!
//! Randomness: a 64-bit seed from /dev/urandom (falling back to time, pid and an address)
//! fed through splitmix64 over an atomic counter, so generation is lock-free.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Uuid(pub u128);

static SEED: OnceLock<u64> = OnceLock::new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn seed() -> u64 {
    *SEED.get_or_init(|| {
        use std::io::Read;
        let mut buf = [0u8; 8];
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            if f.read_exact(&mut buf).is_ok() {
                return u64::from_le_bytes(buf);
            }
        }
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let local = 0u8;
        t ^ ((std::process::id() as u64) << 32) ^ (&local as *const u8 as u64)
    })
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform-ish random 64-bit value.
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

impl Uuid {
    pub const NIL: Uuid = Uuid(0);

    pub fn new_v4() -> Uuid {
        let hi = random_u64() as u128;
        let lo = random_u64() as u128;
        let mut v = (hi << 64) | lo;
        v &= !(0xF000u128 << 64);
        v |= 0x4000u128 << 64;
        v &= !(0xC000_0000_0000_0000u128);
        v |= 0x8000_0000_0000_0000u128;
        Uuid(v)
    }

    /// Time-ordered v7 (used for domain event ids, as the original does).
    pub fn new_v7() -> Uuid {
        let ms = (crate::time::now_micros() / 1000) as u128 & 0xFFFF_FFFF_FFFF;
        let r = Uuid::new_v4().0;
        let mut v = (ms << 80) | (r & ((1u128 << 80) - 1));
        v &= !(0xF000u128 << 64);
        v |= 0x7000u128 << 64;
        Uuid(v)
    }

    /// Deterministic v4-shaped id derived from a name (stable named_task/named_step ids).
    pub fn from_name(name: &str) -> Uuid {
        let d = crate::hash::sha256(name.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        let mut v = u128::from_be_bytes(b);
        v &= !(0xF000u128 << 64);
        v |= 0x4000u128 << 64;
        v &= !(0xC000_0000_0000_0000u128);
        v |= 0x8000_0000_0000_0000u128;
        Uuid(v)
    }

    /// Accepts hyphenated, simple (32 hex), braced and urn forms like `Uuid::parse_str`.
    pub fn parse(s: &str) -> Result<Uuid, String> {
        let t = if let Some(r) = s.strip_prefix("urn:uuid:") {
            r
        } else if s.starts_with('{') && s.ends_with('}') && s.len() >= 2 {
            &s[1..s.len() - 1]
        } else {
            s
        };
        let b = t.as_bytes();
        let hex: Vec<u8> = if b.len() == 36 {
            for &p in &[8usize, 13, 18, 23] {
                if b[p] != b'-' {
                    return Err(format!("invalid group separator in `{}`", s));
                }
            }
            b.iter().copied().filter(|&c| c != b'-').collect()
        } else if b.len() == 32 {
            b.to_vec()
        } else {
            return Err(format!("invalid length: expected length 32 for simple format or 36 for hyphenated, found {}", b.len()));
        };
        if hex.len() != 32 {
            return Err(format!("invalid uuid `{}`", s));
        }
        let mut v: u128 = 0;
        for c in hex {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(format!("invalid character in `{}`", s)),
            };
            v = (v << 4) | d as u128;
        }
        Ok(Uuid(v))
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_shape_and_parse() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let u = Uuid::new_v4();
            let s = u.to_string();
            assert_eq!(s.len(), 36);
            assert_eq!(&s[14..15], "4");
            assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"));
            assert_eq!(Uuid::parse(&s).unwrap(), u);
            assert!(seen.insert(u));
        }
        assert!(Uuid::parse("not-a-uuid").is_err());
        let u = Uuid::new_v7().to_string();
        assert_eq!(&u[14..15], "7");
        assert_eq!(
            Uuid::parse("0194C3A0B1C27D3E8F4A5B6C7D8E9F00")
                .unwrap()
                .to_string(),
            "0194c3a0-b1c2-7d3e-8f4a-5b6c7d8e9f00"
        );
    }
}
