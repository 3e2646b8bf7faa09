//! How samples of every type become lanes of `f32` or `f64`: one at a time (`as`, round to
//! nearest) or `wide`'s lane count at a time, with SIMD widening for the integer types that
//! fit `i32` lanes (`crate::widen`).

use super::widen;
use super::{Lanes, Vectors};

mod sealed {
    pub trait Sealed<F> {}
}

/// A sample type whose values convert into the float type `F`, element by element or lanes at
/// a time. Sealed; the public face is `element::Sample`.
pub trait Convert<F: Vectors>: Copy + sealed::Sealed<F> {
    /// Whether the sample is `F` itself, its conversion the identity (the samples at a pointer
    /// may then be loaded as `F`).
    const IS_REAL: bool = false;

    /// The sample's value in `F`.
    fn convert(self) -> F;

    /// The `N` consecutive samples at `p` as `wide` lanes of `F`, each converted as by
    /// [`convert`](Self::convert). Pairs with a SIMD conversion override this.
    ///
    /// # Safety
    /// `p` must be valid for reads of `N` elements.
    #[inline(always)]
    unsafe fn load_wide(p: *const Self) -> F::Wide {
        // SAFETY: the caller guarantees the N elements at `p` are readable.
        <F::Wide as Lanes>::from_fn((), |k| unsafe { p.add(k).read() }.convert())
    }
}

impl sealed::Sealed<f64> for f64 {}
impl Convert<f64> for f64 {
    const IS_REAL: bool = true;

    #[inline(always)]
    fn convert(self) -> f64 {
        self
    }

    #[inline(always)]
    unsafe fn load_wide(p: *const Self) -> wide::f64x4 {
        // SAFETY: the caller guarantees 4 readable elements; no alignment is needed.
        wide::f64x4::new(unsafe { p.cast::<[f64; 4]>().read_unaligned() })
    }
}

impl sealed::Sealed<f32> for f32 {}
impl Convert<f32> for f32 {
    const IS_REAL: bool = true;

    #[inline(always)]
    fn convert(self) -> f32 {
        self
    }

    #[inline(always)]
    unsafe fn load_wide(p: *const Self) -> wide::f32x8 {
        // SAFETY: the caller guarantees 8 readable elements; no alignment is needed.
        wide::f32x8::new(unsafe { p.cast::<[f32; 8]>().read_unaligned() })
    }
}

macro_rules! integer_samples {
    ($($t:ty => $to_f32x8:expr),* $(,)?) => {$(
        impl sealed::Sealed<f64> for $t {}
        impl Convert<f64> for $t {
            #[inline(always)]
            fn convert(self) -> f64 {
                self as f64
            }
        }
        impl sealed::Sealed<f32> for $t {}
        impl Convert<f32> for $t {
            #[inline(always)]
            fn convert(self) -> f32 {
                self as f32
            }

            #[inline(always)]
            unsafe fn load_wide(p: *const Self) -> wide::f32x8 {
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
unsafe fn by_lanes<T: Convert<f32>>(p: *const T) -> wide::f32x8 {
    // SAFETY: the caller guarantees the 8 elements at `p` are readable.
    wide::f32x8::new(core::array::from_fn(|k| {
        unsafe { p.add(k).read() }.convert()
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

    /// The SIMD conversions equal `convert` lane by lane, extremes included.
    #[test]
    fn lane_loads_equal_scalar_conversion() {
        fn check<T: Convert<f32> + Convert<f64> + Copy>(values: [T; 8]) {
            // SAFETY: `values` holds 8 elements.
            let lanes32 = unsafe { <T as Convert<f32>>::load_wide(values.as_ptr()) }.to_array();
            // SAFETY: as above, 4 of them.
            let lanes64 = unsafe { <T as Convert<f64>>::load_wide(values.as_ptr()) }.to_array();
            for (k, v) in values.into_iter().enumerate() {
                assert_eq!(lanes32[k].to_bits(), Convert::<f32>::convert(v).to_bits());
                if k < 4 {
                    assert_eq!(lanes64[k].to_bits(), Convert::<f64>::convert(v).to_bits());
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
}
