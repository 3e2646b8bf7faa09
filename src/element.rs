//! Element types: the float types results are computed in ([`Real`]) and the sample types that
//! can be read into them ([`Sample`]).

use crate::lanes::Lanes;
use crate::widen;

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
    /// 256-bit AVX lanes, for the sweeps taken at run time when the CPU has AVX2.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx: Lanes<Elem = Self>;
    /// 512-bit AVX-512F lanes, for the dividing sweeps taken at run time when the CPU has them.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx512: Lanes<Elem = Self>;
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
    #[inline]
    fn exact_recip(self) -> Option<Self> {
        // ± a power of two: a normal number whose significand, implicit bit included, is a
        // single bit (`frexp`'s mantissa of ±0.5, without its recursion on subnormals).
        let power_of_two = self.is_normal() && self.integer_decode().0.is_power_of_two();
        let r = Self::one() / self;
        (power_of_two && r.is_normal()).then_some(r)
    }

    /// A timer's tick count (`as`, round to nearest).
    #[doc(hidden)]
    fn from_ticks(ticks: u64) -> Self;
}

impl Real for f64 {
    type Lanes = wide::f64x4;
    #[cfg(target_arch = "x86_64")]
    type Avx = crate::lanes::avx2::F64x4;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = crate::lanes::avx512::F64x8;
    const TWO: Self = 2.0;
    const HALF: Self = 0.5;
    const THREE_HALVES: Self = 1.5;

    #[inline(always)]
    fn from_ticks(ticks: u64) -> Self {
        ticks as f64
    }
}

impl Real for f32 {
    type Lanes = wide::f32x8;
    #[cfg(target_arch = "x86_64")]
    type Avx = crate::lanes::avx2::F32x8;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = crate::lanes::avx512::F32x16;
    const TWO: Self = 2.0;
    const HALF: Self = 0.5;
    const THREE_HALVES: Self = 1.5;

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
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder};
/// // u8 samples are converted before differencing: 0 - 255 does not wrap to 1.
/// let mut d = [0.0f32; 2];
/// gradient_1d(&[255u8, 0], &mut d, AxisSpacing::Uniform(1.0), EdgeOrder::First)?;
/// assert_eq!(d, [-255.0, -255.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub trait Sample<F: Real>: Copy + sample_sealed::Sealed<F> {
    /// The sample's value in `F`.
    ///
    /// ```
    /// use numgrad::Sample;
    /// assert_eq!(Sample::<f32>::to_real(-3i16), -3.0f32);
    /// assert_eq!(Sample::<f64>::to_real(u64::MAX), 18446744073709551616.0); // 2^64, rounded
    /// ```
    fn to_real(self) -> F;

    /// The `N` consecutive samples at `p` as lanes of `F` (`N` = the lane count of `F`), each
    /// converted as by [`to_real`](Self::to_real). Pairs with a SIMD conversion override this.
    ///
    /// # Safety
    /// `p` must be valid for reads of `N` elements.
    #[doc(hidden)]
    #[inline(always)]
    unsafe fn load_lanes(p: *const Self) -> F::Lanes {
        // SAFETY: the caller guarantees the N elements at `p` are readable.
        <F::Lanes as Lanes>::from_fn(|k| unsafe { p.add(k).read() }.to_real())
    }
}

impl sample_sealed::Sealed<f64> for f64 {}
impl Sample<f64> for f64 {
    #[inline(always)]
    fn to_real(self) -> f64 {
        self
    }

    #[inline(always)]
    unsafe fn load_lanes(p: *const Self) -> wide::f64x4 {
        // SAFETY: the caller guarantees 4 readable elements; no alignment is needed.
        wide::f64x4::new(unsafe { p.cast::<[f64; 4]>().read_unaligned() })
    }
}

impl sample_sealed::Sealed<f32> for f32 {}
impl Sample<f32> for f32 {
    #[inline(always)]
    fn to_real(self) -> f32 {
        self
    }

    #[inline(always)]
    unsafe fn load_lanes(p: *const Self) -> wide::f32x8 {
        // SAFETY: the caller guarantees 8 readable elements; no alignment is needed.
        wide::f32x8::new(unsafe { p.cast::<[f32; 8]>().read_unaligned() })
    }
}

macro_rules! integer_samples {
    ($($t:ty => $to_f32x8:expr),* $(,)?) => {$(
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

            #[inline(always)]
            unsafe fn load_lanes(p: *const Self) -> wide::f32x8 {
                // SAFETY: the caller guarantees 8 readable elements.
                unsafe { $to_f32x8(p) }
            }
        }
    )*};
}

/// Lane by lane, for the types whose values may not fit `i32` lanes.
///
/// # Safety
/// `p` is valid for reads of 8 elements.
#[inline(always)]
unsafe fn by_lanes<T: Sample<f32>>(p: *const T) -> wide::f32x8 {
    // SAFETY: the caller guarantees the 8 elements at `p` are readable.
    wide::f32x8::new(core::array::from_fn(|k| {
        unsafe { p.add(k).read() }.to_real()
    }))
}

integer_samples!(
    i8 => widen::i8s,
    u8 => widen::u8s,
    i16 => widen::i16s,
    u16 => widen::u16s,
    i32 => widen::i32s,
    i64 => by_lanes,
    u32 => by_lanes,
    u64 => by_lanes,
);

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

    /// The SIMD conversions equal `to_real` lane by lane, extremes included.
    #[test]
    fn lane_loads_equal_scalar_conversion() {
        fn check<T: Sample<f32> + Sample<f64> + Copy>(values: [T; 8]) {
            // SAFETY: `values` holds 8 elements.
            let lanes32 = unsafe { <T as Sample<f32>>::load_lanes(values.as_ptr()) }.to_array();
            // SAFETY: as above, 4 of them.
            let lanes64 = unsafe { <T as Sample<f64>>::load_lanes(values.as_ptr()) }.to_array();
            for (k, v) in values.into_iter().enumerate() {
                assert_eq!(lanes32[k].to_bits(), Sample::<f32>::to_real(v).to_bits());
                if k < 4 {
                    assert_eq!(lanes64[k].to_bits(), Sample::<f64>::to_real(v).to_bits());
                }
            }
        }
        check([i8::MIN, -1, 0, 1, i8::MAX, 5, -7, 100]);
        check([0u8, 1, 127, 128, 200, u8::MAX, 3, 9]);
        check([i16::MIN, -1, 0, 1, i16::MAX, -300, 301, 12345]);
        check([0u16, 1, 32767, 32768, 40000, u16::MAX, 7, 8]);
        check([
            i32::MIN,
            -1,
            0,
            16_777_217,
            i32::MAX,
            -16_777_219,
            33_554_435,
            7,
        ]);
        check([0u32, 1, 16_777_217, u32::MAX, 1 << 31, (1 << 31) + 1, 7, 8]);
        check([
            i64::MIN,
            -1,
            0,
            1,
            i64::MAX,
            (1 << 53) + 1,
            -(1 << 60) - 3,
            7,
        ]);
        check([
            0u64,
            1,
            u64::MAX,
            1 << 63,
            (1 << 63) + 1,
            (1 << 53) + 1,
            7,
            8,
        ]);
    }

    #[test]
    fn integers_convert_without_wrapping() {
        assert_eq!(Sample::<f64>::to_real(u8::MAX), 255.0);
        assert_eq!(Sample::<f32>::to_real(i16::MIN), -32768.0);
        assert_eq!(Sample::<f64>::to_real(u64::MAX), 18446744073709551615.0);
        assert_eq!(Sample::<f64>::to_real(i64::MAX), 9223372036854775807.0);
    }
}
