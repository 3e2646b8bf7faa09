//! Element types: the float types numpy's formulas are evaluated in ([`Precision`]), those with
//! vector lanes ([`Real`]), and the sample types that can be read into them ([`Sample`]).

use crate::lanes::{Arith, Convert, Vectors};

pub(crate) mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A float type numpy's formulas are evaluated in: the spacing, the coefficients and (for real
/// and half-precision samples) every result. `f64`, `f32` and, with the feature `half`,
/// [`half::f16`], each operation rounded to the type as numpy's loop for that dtype rounds it.
///
/// [`Real`] adds the vector lanes of `f32` and `f64`; `f16` is a precision of
/// [`gradient_values`](crate::gradient_values) only. Sealed.
pub trait Precision:
    num_traits::Float + Default + core::fmt::Debug + Send + Sync + sealed::Sealed
{
    /// `2.0`, numpy's `2.` literal.
    #[doc(hidden)]
    const TWO: Self;
    /// `0.5`, numpy's `0.5` literal.
    #[doc(hidden)]
    const HALF: Self;
    /// `1.5`, numpy's `1.5` literal.
    #[doc(hidden)]
    const THREE_HALVES: Self;

    /// The type whose operators compute this type's operations where speed matters (the
    /// coordinate weights and steps): the type itself, or for `f16` its operations inlined.
    #[doc(hidden)]
    type Arithmetic: Arith + From<Self> + Into<Self>;

    /// `Some(1 / self)` when that reciprocal is exact and normal, i.e. `self` is ± a power of two
    /// whose reciprocal is normal. Then `x * r` is bit-identical to `x / self` for every `x`:
    /// both are the correctly rounded value of the same real number.
    #[doc(hidden)]
    #[inline]
    fn exact_recip(self) -> Option<Self> {
        // ± a power of two: a normal number whose significand, implicit bit included, is a
        // single bit (`frexp`'s mantissa of ±0.5, without its recursion on subnormals).
        let power_of_two = self.is_normal() && self.integer_decode().0.is_power_of_two();
        let r = Self::one() / self;
        (power_of_two && r.is_normal()).then_some(r)
    }

    /// A timer's tick count, rounded once to nearest.
    #[doc(hidden)]
    fn from_ticks(ticks: u64) -> Self;
}

/// A float type gradients are computed in with vector lanes: `f32` or `f64`.
///
/// Every operation of a gradient happens in this type, in numpy's order, so `f64` results equal
/// numpy's and `f32` results equal numpy's for `float32` data with `float32` spacing.
/// Sealed: only `f32` and `f64` implement it.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder, GradientError, Real, Sample};
/// // Code generic over the float type (and the sample type).
/// fn first_slope<T: Sample<F>, F: Real>(f: &[T], h: F) -> Result<F, GradientError> {
///     let mut d = [F::zero(); 2];
///     gradient_1d(f, &mut d, AxisSpacing::Uniform(h), EdgeOrder::First)?;
///     Ok(d[0])
/// }
/// assert_eq!(first_slope(&[1.0f64, 3.0], 0.5f64)?, 4.0);
/// assert_eq!(first_slope(&[1i16, 3], 0.5f32)?, 4.0);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub trait Real: Precision + Vectors + Sample<Self> {}

impl Real for f64 {}
impl Real for f32 {}

macro_rules! precision {
    ($($t:ty),*) => {$(
        impl Precision for $t {
            type Arithmetic = $t;
            const TWO: Self = 2.0;
            const HALF: Self = 0.5;
            const THREE_HALVES: Self = 1.5;

            #[inline(always)]
            fn from_ticks(ticks: u64) -> Self {
                ticks as $t
            }
        }
    )*};
}

precision!(f64, f32);

/// A sample type whose values can be differentiated in the float type `F`.
///
/// `f32` data is differentiated in `f32` and `f64` data in `f64`; integer data (`i8`…`i64`,
/// `u8`…`u64`) is converted element by element into `F` (Rust's `as`, round to nearest) before
/// any arithmetic, exactly as numpy's `f.astype(np.float64)`, so differences never wrap in the
/// integer type (numpy issue #15207). An `f64` sample cannot be narrowed to `f32` by accident:
/// that pairing does not implement this trait. Sealed.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder};
/// // u8 samples are converted before differencing: 0 - 255 does not wrap to 1.
/// let mut d = [0.0f32; 2];
/// gradient_1d(&[255u8, 0], &mut d, AxisSpacing::Uniform(1.0), EdgeOrder::First)?;
/// assert_eq!(d, [-255.0, -255.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub trait Sample<F: Real>: Convert<F> {
    /// The sample's value in `F`.
    ///
    /// ```
    /// use numgrad::Sample;
    /// assert_eq!(Sample::<f32>::to_real(-3i16), -3.0f32);
    /// assert_eq!(Sample::<f64>::to_real(u64::MAX), 18446744073709551616.0); // 2^64, rounded
    /// ```
    #[inline(always)]
    fn to_real(self) -> F {
        self.convert()
    }
}

impl<F: Real, T: Convert<F>> Sample<F> for T {}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2^e, built from its bits (Miri perturbs `powi`, which is not required to be exact).
    fn pow2(e: i32) -> f64 {
        if e >= -1022 {
            f64::from_bits(((e + 1023) as u64) << 52)
        } else {
            f64::from_bits(1u64 << (e + 1074))
        }
    }

    #[test]
    fn exact_recip_only_for_powers_of_two() {
        for d in [1.0f64, 2.0, 0.5, -4.0, 1024.0, pow2(-1000)] {
            assert_eq!(d.exact_recip(), Some(1.0 / d), "{d}");
        }
        // 2^1023's reciprocal 2^-1023 is subnormal; 2^-1030 is itself subnormal.
        for d in [
            3.0f64,
            0.1,
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NAN,
            pow2(1023),
            pow2(-1030),
        ] {
            assert_eq!(d.exact_recip(), None, "{d}");
        }
        assert_eq!(0.25f32.exact_recip(), Some(4.0));
        assert_eq!(0.3f32.exact_recip(), None);
        assert_eq!(f32::from_bits(254 << 23).exact_recip(), None); // 2^127
    }

    #[test]
    fn integers_convert_without_wrapping() {
        assert_eq!(Sample::<f64>::to_real(u8::MAX), 255.0);
        assert_eq!(Sample::<f32>::to_real(i16::MIN), -32768.0);
        assert_eq!(Sample::<f64>::to_real(u64::MAX), 18446744073709551615.0);
        assert_eq!(Sample::<f64>::to_real(i64::MAX), 9223372036854775807.0);
    }
}
