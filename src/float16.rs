//! float16 samples (feature `half`): [`half::f16`] data with `f16` spacing, every operation
//! rounded to float16 as numpy's `HALF_*` loops round it (each computed in f32 and rounded once
//! more, which is the correctly rounded f16 operation; see [`Precision`](crate::Precision)).

use half::f16;

use crate::stencil::weighted;
use crate::value::{Products, Value, sealed::Sealed};

impl Sealed for f16 {}

/// numpy's formulas, unchanged, in float16: the spacing's `2. * dx` and the coefficients are
/// `f16` too (numpy's for `np.float16` spacing and float16 coordinates; a Python-float
/// spacing is computed in f64 and then cast, as for float32).
impl Value<f16> for f16 {
    type Out = f16;

    #[inline(always)]
    fn missing() -> Self {
        f16::NAN
    }

    #[inline(always)]
    fn difference(plus: Self, minus: Self, divisor: f16) -> f16 {
        (plus - minus) / divisor
    }

    /// numpy's float16 scalars (the edges of a 1-D input) compute as its arrays do.
    #[inline(always)]
    fn weighted(weights: [f16; 3], f: [Self; 3], _: Products) -> f16 {
        weighted(weights, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_rounds_to_float16() {
        // 2049 is not a float16 (11 significant bits): 2048 + 1 rounds to even, 2048.
        let h = f16::from_f32(2048.0);
        let one = f16::ONE;
        assert_eq!(f16::difference(h + one, f16::ZERO, one), h);
        // 65504 is float16's largest: the difference of ±65504 overflows to inf, as numpy's.
        let max = f16::MAX;
        assert_eq!(f16::difference(max, -max, f16::ONE), f16::INFINITY);
        // (0.1*1 + 0.1*1) + 0.1*1 in float16, not 0.3 rounded once.
        let w = f16::from_f32(0.1);
        let sum = (w + w) + w;
        assert_eq!(f16::weighted([w; 3], [one; 3], Products::Arrays), sum);
        assert_ne!(sum, f16::from_f64(0.1f64 * 3.0));
    }
}
