//! A tiny deterministic pseudo-random generator (SplitMix64) and string hashing, so that core needs
//! neither a random-number crate nor a clock: the same seed always gives the same ids and projects.

/// Adds the SplitMix64 increment and mixes the result: the step of [`SplitMix64`].
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijection on `u64` that spreads every input bit over the output.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A bijection on the low 48 bits: distinct inputs below 2^48 give distinct outputs, so ids made
/// from one seed and distinct counters never collide.
pub(crate) fn mix48(x: u64) -> u64 {
    const MASK: u64 = (1 << 48) - 1;
    let mut x = x & MASK;
    x ^= x >> 23;
    x = x.wrapping_mul(GOLDEN_GAMMA) & MASK;
    x ^= x >> 21;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & MASK;
    x ^ (x >> 25)
}

/// FNV-1a over bytes: a stable 64-bit hash of text, used to turn names into seeds.
pub(crate) fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
        }
        // A separator byte keeps ("ab", "c") and ("a", "bc") apart.
        hash = (hash ^ 0xFF).wrapping_mul(0x0100_0000_01B3);
    }
    hash
}

/// SplitMix64: small, fast and good enough for synthetic test data and retry jitter (not for
/// secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole output is fixed by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub(crate) fn range(&mut self, low: usize, high: usize) -> usize {
        let span = high.saturating_sub(low) as u64 + 1;
        low + (self.next_u64() % span) as usize
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len().saturating_sub(1))]
    }

    /// `true` with a probability of one in `n`.
    pub(crate) fn one_in(&mut self, n: u64) -> bool {
        self.next_u64() % n.max(1) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix48_is_injective_on_a_sample() {
        let outputs: std::collections::BTreeSet<u64> = (0..50_000).map(mix48).collect();
        assert_eq!(outputs.len(), 50_000);
        assert!(outputs.iter().all(|x| *x < 1 << 48));
    }

    #[test]
    fn generator_is_deterministic_and_ranges_hold() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            let x = a.range(5, 15);
            assert_eq!(x, b.range(5, 15));
            assert!((5..=15).contains(&x));
        }
        assert_eq!(a.range(3, 3), 3);
    }

    #[test]
    fn fnv_separates_parts() {
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
