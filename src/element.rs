//! Element types: the float types results are computed in ([`Real`]) and the sample types that
//! can be read into them ([`Sample`]).

use crate::lanes::Lanes;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A float type gradients are computed in: `f32` or `f64`.
///
/// Every operation of a gradient happens in this type, in numpy's order, so `f64` results equal
/// numpy's and `f32` results equal numpy's for `float32` data with `float32` spacing.
/// Sealed: only `f32` and `f64` implement it.
pub trait Real:
    num_traits::Float
    + Default
    + core::fmt::Debug
    + Send
    + Sync
    + Lanes<Elem = Self>
    + Sample<Self>
    + sealed::Sealed
{
    /// The SIMD lanes the interior stencils run on (a `wide` vector of this type).
    #[doc(hidden)]
    type Lanes: Lanes<Elem = Self>;
    /// `2.0`, numpy's `2.` literal.
    #[doc(hidden)]
    const TWO: Self;
    /// `0.5`, numpy's `0.5` literal.
    #[doc(hidden)]
    const HALF: Self;
    /// `1.5`, numpy's `1.5` literal.
    #[doc(hidden)]
    const THREE_HALVES: Self;

    /// `Some(1 / self)` when that reciprocal is exact and normal, i.e. `self` is ± a power of two
    /// whose reciprocal is normal. Then `x * r` is bit-identical to `x / self` for every `x`:
    /// both are the correctly rounded value of the same real number.
    #[doc(hidden)]
    fn exact_recip(self) -> Option<Self>;

    /// A timer's tick count (`as`, round to nearest).
    #[doc(hidden)]
    fn from_ticks(ticks: u64) -> Self;
}

impl Real for f64 {
    type Lanes = wide::f64x4;
    const TWO: Self = 2.0;
    const HALF: Self = 0.5;
    const THREE_HALVES: Self = 1.5;

    #[inline]
    fn exact_recip(self) -> Option<Self> {
        let (mantissa, _) = libm::frexp(self);
        let r = 1.0 / self;
        (self.is_normal() && mantissa.abs() == 0.5 && r.is_normal()).then_some(r)
    }

    #[inline(always)]
    fn from_ticks(ticks: u64) -> Self {
        ticks as f64
    }
}

impl Real for f32 {
    type Lanes = wide::f32x8;
    const TWO: Self = 2.0;
    const HALF: Self = 0.5;
    const THREE_HALVES: Self = 1.5;

    #[inline]
    fn exact_recip(self) -> Option<Self> {
        let (mantissa, _) = libm::frexpf(self);
        let r = 1.0 / self;
        (self.is_normal() && mantissa.abs() == 0.5 && r.is_normal()).then_some(r)
    }

    #[inline(always)]
    fn from_ticks(ticks: u64) -> Self {
        ticks as f32
    }
}

mod sample_sealed {
    pub trait Sealed<F> {}
}

/// A sample type whose values can be differentiated in the float type `F`.
///
/// `f32` data is differentiated in `f32` and `f64` data in `f64`; integer data (`i8`…`i64`,
/// `u8`…`u64`) is converted element by element into `F` (Rust's `as`, round to nearest) before
/// any arithmetic, exactly as numpy's `f.astype(np.float64)`, so differences never wrap in the
/// integer type (numpy issue #15207). An `f64` sample cannot be narrowed to `f32` by accident:
/// that pairing does not implement this trait.
pub trait Sample<F: Real>: Copy + sample_sealed::Sealed<F> {
    /// The sample's value in `F`.
    fn to_real(self) -> F;
}

impl sample_sealed::Sealed<f64> for f64 {}
impl Sample<f64> for f64 {
    #[inline(always)]
    fn to_real(self) -> f64 {
        self
    }
}

impl sample_sealed::Sealed<f32> for f32 {}
impl Sample<f32> for f32 {
    #[inline(always)]
    fn to_real(self) -> f32 {
        self
    }
}

macro_rules! integer_samples {
    ($($t:ty),*) => {$(
        impl sample_sealed::Sealed<f64> for $t {}
        impl Sample<f64> for $t {
            #[inline(always)]
            fn to_real(self) -> f64 {
                self as f64
            }
        }
        impl sample_sealed::Sealed<f32> for $t {}
        impl Sample<f32> for $t {
            #[inline(always)]
            fn to_real(self) -> f32 {
                self as f32
            }
        }
    )*};
}

integer_samples!(i8, i16, i32, i64, u8, u16, u32, u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_recip_only_for_powers_of_two() {
        for &d in &[1.0f64, 2.0, 0.5, -4.0, 1024.0, 2f64.powi(-1000)] {
            assert_eq!(d.exact_recip(), Some(1.0 / d), "{d}");
        }
        // 2^1023's reciprocal 2^-1023 is subnormal; 2^-1030 is itself subnormal.
        for &d in &[
            3.0f64,
            0.1,
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NAN,
            2f64.powi(1023),
            2f64.powi(-1030),
        ] {
            assert_eq!(d.exact_recip(), None, "{d}");
        }
        assert_eq!(0.25f32.exact_recip(), Some(4.0));
        assert_eq!(0.3f32.exact_recip(), None);
        assert_eq!(2f32.powi(127).exact_recip(), None);
    }

    #[test]
    fn integers_convert_without_wrapping() {
        assert_eq!(Sample::<f64>::to_real(u8::MAX), 255.0);
        assert_eq!(Sample::<f32>::to_real(i16::MIN), -32768.0);
        assert_eq!(Sample::<f64>::to_real(u64::MAX), 18446744073709551615.0);
        assert_eq!(Sample::<f64>::to_real(i64::MAX), 9223372036854775807.0);
    }
}
