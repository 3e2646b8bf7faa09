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

    /// Copies `width` columns of `rows` samples each, converted, into the rows of a buffer:
    /// sample `r` of column `c` (at `from + c * sc + r`) to `to + r * pitch + c` (the mixed
    /// layouts' transposing copy, `kernels::tiles`). `f64` and `f32` samples override it
    /// (`transpose`).
    ///
    /// # Safety
    /// For every `c < width` and `r < rows`, `from + c * sc + r` must be readable and `to + r *
    /// pitch + c` writable, with `width <= pitch`.
    #[inline(always)]
    unsafe fn copy_columns(
        from: *const Self,
        sc: isize,
        to: *mut F,
        (pitch, rows, width): (usize, usize, usize),
    ) {
        // SAFETY: the caller's contract.
        unsafe { columns_one_by_one(from, sc, to, (pitch, rows, width)) }
    }
}

/// [`Convert::copy_columns`] a sample at a time, down each column four rows a step.
///
/// A loop of one element per step (its index bounds-checked, or over `step_by(width)` slots)
/// ran at a speed that changed with the loop's place in the binary: the transposed 2048² call
/// took 2.0x to 4.0x the memcpy bound with the same instructions, in different builds.
///
/// # Safety
/// As for [`Convert::copy_columns`].
#[inline(always)]
pub(super) unsafe fn columns_one_by_one<T: Convert<F>, F: Vectors>(
    from: *const T,
    sc: isize,
    to: *mut F,
    (pitch, rows, width): (usize, usize, usize),
) {
    for c in 0..width {
        let from = from.wrapping_offset(c as isize * sc);
        let to = to.wrapping_add(c);
        let mut r = 0;
        // SAFETY: rows `r < rows` of column `c < width` are readable, and `r * pitch + c`
        // writable (the caller's contract).
        unsafe {
            while r + 4 <= rows {
                let v = [0, 1, 2, 3].map(|k| from.add(r + k).read().convert());
                for (k, v) in v.into_iter().enumerate() {
                    to.add((r + k) * pitch).write(v);
                }
                r += 4;
            }
            while r < rows {
                to.add(r * pitch).write(from.add(r).read().convert());
                r += 1;
            }
        }
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

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn copy_columns(from: *const f64, sc: isize, to: *mut f64, dims: (usize, usize, usize)) {
        // SAFETY: the caller's contract.
        unsafe { super::transpose::f64_pairs(from, sc, to, dims) }
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

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn copy_columns(from: *const f32, sc: isize, to: *mut f32, dims: (usize, usize, usize)) {
        // SAFETY: the caller's contract.
        unsafe { super::transpose::f32_quads(from, sc, to, dims) }
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
