//! `java.util.Random(seed).nextDouble()`, bit for bit, for a seeded `$random(seed)`.
//!
//! AWS documents that the same seed gives the same number but not the generator. Its JSONPath
//! twin `States.MathRandom` draws from `java.util.Random` (recorded; see fluxo-expr's
//! `intrinsic/java_random.rs`), so a seeded `$random` does too.

const MULTIPLIER: i64 = 0x5_DEEC_E66D;
const ADDEND: i64 = 0xB;
const MASK: i64 = (1 << 48) - 1;

/// The first `nextDouble()` of `new java.util.Random(seed)`: a number in `[0, 1)`.
pub(crate) fn first_double(seed: i64) -> f64 {
    let mut state = (seed ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| {
        state = (state.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND)) & MASK;
        // Java: (int) (seed >>> (48 - bits)).
        (state >> (48 - bits)) as i32
    };
    let high = i64::from(next(26)) << 27;
    let low = i64::from(next(27));
    (high + low) as f64 * (1.0 / (1_i64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_java() {
        // new java.util.Random(42).nextDouble()
        assert_eq!(super::first_double(42), 0.7275636800328681);
        // new java.util.Random(0).nextDouble()
        assert_eq!(super::first_double(0), 0.730967787376657);
    }
}
