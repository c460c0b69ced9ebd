//! `java.util.Random`, bit for bit.
//!
//! A seeded `States.MathRandom` must return what AWS returns for the same seed, and AWS draws
//! it from `new Random(seed).nextInt(end - start) + start`.

const MULTIPLIER: i64 = 0x5_DEEC_E66D;
const ADDEND: i64 = 0xB;
const MASK: i64 = (1 << 48) - 1;

pub(crate) struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    pub(crate) fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            seed: (seed ^ MULTIPLIER) & MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND)) & MASK;
        // Java: (int) (seed >>> (48 - bits)); the truncation to 32 bits is intended.
        (self.seed >> (48 - bits)) as i32
    }

    /// `Random.nextInt()`.
    #[cfg(test)]
    pub(crate) fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `Random.nextInt(bound)` for `bound > 0`.
    pub(crate) fn next_int_bounded(&mut self, bound: i32) -> i32 {
        debug_assert!(bound > 0);
        if bound & bound.wrapping_neg() == bound {
            // Power of two: take the high bits.
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let value = bits % bound;
            // Java rejects the draw when `bits - value + (bound - 1)` overflows an int.
            if bits.wrapping_sub(value).wrapping_add(bound - 1) >= 0 {
                return value;
            }
        }
    }

    /// `Random.nextDouble()`.
    #[cfg(test)]
    pub(crate) fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1_i64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_java_for_seed_42() {
        assert_eq!(JavaRandom::new(42).next_int(), -1_170_105_035);
        assert_eq!(JavaRandom::new(42).next_double(), 0.7275636800328681);
        // AWS: States.MathRandom(-5, 5, 42) returned -5.
        assert_eq!(JavaRandom::new(42).next_int_bounded(10), 0);
    }

    #[test]
    fn bounded_draws_stay_in_range() {
        let mut random = JavaRandom::new(-10);
        for bound in [1, 2, 7, 64, 1000, i32::MAX] {
            let value = random.next_int_bounded(bound);
            assert!((0..bound).contains(&value));
        }
    }
}
