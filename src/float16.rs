//! float16 samples (feature `half`): [`half::f16`] data with `f16` spacing, every operation
//! rounded to float16 as numpy's `HALF_*` loops round it (each computed in f32 and rounded once
//! more, which is the correctly rounded f16 operation; see [`Precision`](crate::Precision)).

use core::ops::{Add, Div, Mul, Neg, Range, Sub};

use half::f16;

use crate::element::{Precision, sealed::Sealed as SealedPrecision};
use crate::stencil::weighted;
use crate::value::{
    Products, Value, each_interior_point, formula_weights, sealed::Sealed, uneven_points,
};

impl Sealed for f16 {}
impl SealedPrecision for f16 {}

/// numpy's float16: every operation computed in f32 and rounded to f16, which is the correctly
/// rounded f16 operation (f32 has 24 >= 2*11 + 2 bits, so the double rounding is innocuous).
/// `half`'s operators compute exactly that; `Half`'s (this crate's arithmetic type), the same
/// bits inlined, where it counts.
impl Precision for f16 {
    type Arithmetic = Half;
    const TWO: Self = f16::from_f32_const(2.0);
    const HALF: Self = f16::from_f32_const(0.5);
    const THREE_HALVES: Self = f16::from_f32_const(1.5);

    #[inline(always)]
    fn from_ticks(ticks: u64) -> Self {
        // Exact in f64 up to 2^53, far beyond f16's range (which overflows to inf from 65520):
        // one rounding.
        f16::from_f64(ticks as f64)
    }
}

/// A float16 whose operators are numpy's float16 operations (see [`op`]): `half`'s bits, in a
/// few inlined instructions where `half`'s software conversions are calls.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Half(f16);

impl From<f16> for Half {
    #[inline(always)]
    fn from(h: f16) -> Self {
        Self(h)
    }
}

impl From<Half> for f16 {
    #[inline(always)]
    fn from(h: Half) -> Self {
        h.0
    }
}

macro_rules! half_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for Half {
            type Output = Self;
            #[inline(always)]
            fn $method(self, rhs: Self) -> Self {
                Self(op(self.0, rhs.0, |a, b| a $op b))
            }
        }
    )*};
}
half_ops!(Add add +, Sub sub -, Mul mul *, Div div /);

impl Neg for Half {
    type Output = Self;
    /// Flips the sign bit, as numpy's negation (exact).
    #[inline(always)]
    fn neg(self) -> Self {
        Self(-self.0)
    }
}

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
        ((Half(plus) - Half(minus)) / Half(divisor)).0
    }

    /// numpy's float16 scalars (the edges of a 1-D input) compute as its arrays do.
    #[inline(always)]
    fn weighted(weights: [f16; 3], f: [Self; 3], _: Products) -> f16 {
        weighted(weights.map(Half), f.map(Half)).0
    }

    /// Eight points at a time in F16C lanes where the CPU has them (x86-64), the rest (and
    /// every point elsewhere) one at a time: the same operations, the same bits.
    #[inline]
    fn interior(src: &[f16], dst: &mut [f16], divisor: f16) {
        #[cfg(target_arch = "x86_64")]
        let done = match crate::isa::F16c::detect() {
            // SAFETY: the token shows the CPU runs F16C and AVX.
            Some(token) => unsafe { lanes::interior(token, src, dst, divisor) },
            None => 0,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let done = 0;
        let src = src.get(done..).unwrap_or_default();
        let dst = dst.get_mut(done..).unwrap_or_default();
        each_interior_point(src, dst, |plus, minus| {
            Self::difference(plus, minus, divisor)
        });
    }

    /// The weights of 8 points at a time in F16C lanes where the CPU has them (x86-64), a block
    /// of [`WEIGHT_BLOCK`] points before their products; the rest (and every point elsewhere)
    /// one at a time: the same operations, the same bits.
    #[inline]
    fn uneven_interior(
        x: &[f16],
        points: Range<usize>,
        sample: impl Fn(usize) -> Self,
        mut write: impl FnMut(usize, f16),
    ) {
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
        let mut from = points.start;
        #[cfg(target_arch = "x86_64")]
        if let Some(token) = crate::isa::F16c::detect() {
            let mut w = [[f16::ZERO; WEIGHT_BLOCK]; 3];
            while from < points.end {
                let to = points.end.min(from + WEIGHT_BLOCK);
                // SAFETY: the token shows the CPU runs F16C and AVX.
                let done = unsafe { lanes::weights(token, x, from..to, &mut w) };
                if done == 0 {
                    break;
                }
                // Point `i`'s weights at `i - from` of each array.
                let at = |i: usize| {
                    let k = i.wrapping_sub(from);
                    w.each_ref().map(|w| w.get(k).copied().unwrap_or(f16::NAN))
                };
                uneven_points(from..from + done, &sample, &mut write, at);
                from += done;
            }
        }
        uneven_points(from..points.end, &sample, &mut write, formula_weights(x));
    }

    /// A contiguous line: weights and products together, 8 points at a time in F16C lanes
    /// where the CPU has them, the rest as [`uneven_interior`](Self::uneven_interior).
    #[inline]
    fn uneven_slice(x: &[f16], points: Range<usize>, src: &[f16], dst: &mut [f16]) {
        let start = points.start;
        #[cfg(target_arch = "x86_64")]
        let done = match crate::isa::F16c::detect() {
            // SAFETY: the token shows the CPU runs F16C and AVX.
            Some(token) => unsafe { lanes::uneven(token, x, points.clone(), src, dst) },
            None => 0,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let done = 0;
        let sample = |j: usize| src.get(j).copied().unwrap_or(f16::NAN);
        Self::uneven_interior(x, start + done..points.end, sample, |i, v| {
            if let Some(o) = dst.get_mut(i.wrapping_sub(start)) {
                *o = v;
            }
        });
    }
}

/// Points whose float16 coordinate weights are computed together (384 bytes of stack).
#[cfg(target_arch = "x86_64")]
const WEIGHT_BLOCK: usize = 64;

/// numpy's float16 interior in F16C lanes: eight samples widened to f32 at once (exact), the
/// difference in f32 rounded to float16 and widened again, the quotient in f32 rounded to
/// float16 — each rounding to nearest even, as [`narrow`]'s.
#[cfg(target_arch = "x86_64")]
mod lanes {
    use core::arch::x86_64::{
        __m256, _MM_FROUND_TO_NEAREST_INT, _mm_loadu_si128, _mm_storeu_si128, _mm256_add_ps,
        _mm256_cvtph_ps, _mm256_cvtps_ph, _mm256_div_ps, _mm256_mul_ps, _mm256_set1_ps,
        _mm256_sub_ps, _mm256_xor_ps,
    };
    use core::ops::Range;

    use half::f16;

    use crate::isa::F16c;

    /// `dst[i] = (src[i + 2] - src[i]) / divisor` (each operation rounded to float16) for the
    /// first multiple of 8 points both slices allow; returns how many it computed.
    ///
    /// # Safety
    /// The CPU runs F16C and AVX (the token's word, taken by the caller).
    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn interior(_: F16c, src: &[f16], dst: &mut [f16], divisor: f16) -> usize {
        let n = dst.len().min(src.len().saturating_sub(2));
        let d = _mm256_set1_ps(super::widen(divisor));
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: `i + 8 <= n`, so `src[i .. i + 10]` and `dst[i .. i + 8]` are in their
            // slices: each load reads 8 samples (16 bytes, unaligned), the store writes 8.
            unsafe {
                let minus = _mm256_cvtph_ps(_mm_loadu_si128(src.as_ptr().add(i).cast()));
                let plus = _mm256_cvtph_ps(_mm_loadu_si128(src.as_ptr().add(i + 2).cast()));
                let difference = _mm256_sub_ps(plus, minus);
                let rounded = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(difference);
                let q = _mm256_div_ps(_mm256_cvtph_ps(rounded), d);
                let out = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(q);
                _mm_storeu_si128(dst.as_mut_ptr().add(i).cast(), out);
            }
            i += 8;
        }
        i
    }

    /// [`weights`] of the first multiple of 8 points of `points` (all in `1..x.len()-1`), and
    /// their products with the samples `src` (the line, `x.len()` of them), summed as numpy
    /// does (`(a*f0 + b*f1) + c*f2`, each operation rounded), into `dst[i - points.start]`;
    /// returns how many points it computed (none if the points are not all interior, or the
    /// slices too short).
    ///
    /// # Safety
    /// The CPU runs F16C and AVX (the token's word, taken by the caller).
    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn uneven(
        _: F16c,
        x: &[f16],
        points: Range<usize>,
        src: &[f16],
        dst: &mut [f16],
    ) -> usize {
        if points.start == 0 || points.end >= x.len() || points.end >= src.len() {
            return 0;
        }
        let n = points.len().min(dst.len());
        let round = |v: __m256| _mm256_cvtph_ps(_mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v));
        let mut k = 0;
        while k + 8 <= n {
            let i = points.start + k;
            // SAFETY: `1 <= i` and `i + 8 <= points.end`, below both `x.len()` and `src.len()`,
            // so `x[i - 1 .. i + 9]` and `src[i - 1 .. i + 9]` are in their slices (unaligned
            // loads of 8); `k + 8 <= n <= dst.len()`, so the store writes `dst[k .. k + 8]`.
            unsafe {
                let [a, b, c] = weights_at(x.as_ptr(), i).map(round);
                let f = |j: usize| _mm256_cvtph_ps(_mm_loadu_si128(src.as_ptr().add(j).cast()));
                let first = round(_mm256_mul_ps(a, f(i - 1)));
                let second = round(_mm256_mul_ps(b, f(i)));
                let sum = round(_mm256_add_ps(first, second));
                let third = round(_mm256_mul_ps(c, f(i + 1)));
                let out = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm256_add_ps(sum, third));
                _mm_storeu_si128(dst.as_mut_ptr().add(k).cast(), out);
            }
            k += 8;
        }
        k
    }

    /// The weights of points `i .. i + 8` from positions `x` (each operation rounded to
    /// float16; the weights themselves not yet rounded: their last operation is in f32).
    ///
    /// # Safety
    /// `x[i - 1 .. i + 9]` is readable; the CPU runs F16C and AVX.
    #[target_feature(enable = "avx,f16c")]
    #[inline]
    unsafe fn weights_at(x: *const f16, i: usize) -> [__m256; 3] {
        let round = |v: __m256| _mm256_cvtph_ps(_mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v));
        // SAFETY: the caller's range.
        let at = |j: usize| unsafe { _mm256_cvtph_ps(_mm_loadu_si128(x.add(j).cast())) };
        let (before, here, after) = (at(i - 1), at(i), at(i + 1));
        let dx1 = round(_mm256_sub_ps(here, before));
        let dx2 = round(_mm256_sub_ps(after, here));
        let sum = round(_mm256_add_ps(dx1, dx2));
        // -dx2 / (dx1 * (dx1 + dx2)), (dx2 - dx1) / (dx1 * dx2), dx1 / (dx2 * (dx1 + dx2))
        let negated = _mm256_xor_ps(dx2, _mm256_set1_ps(-0.0));
        let a = _mm256_div_ps(negated, round(_mm256_mul_ps(dx1, sum)));
        let b = _mm256_div_ps(
            round(_mm256_sub_ps(dx2, dx1)),
            round(_mm256_mul_ps(dx1, dx2)),
        );
        let c = _mm256_div_ps(dx1, round(_mm256_mul_ps(dx2, sum)));
        [a, b, c]
    }

    /// numpy's non-uniform interior weights `a, b, c` (`stencil::interior_weights` on the
    /// rounded steps, each operation rounded to float16) of the first multiple of 8 points of
    /// `points` (all in `1..x.len()-1`, at most `B` of them) into `w[.][i - points.start]`;
    /// returns how many it computed (none for points that are not all interior).
    ///
    /// # Safety
    /// The CPU runs F16C and AVX (the token's word, taken by the caller).
    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn weights<const B: usize>(
        _: F16c,
        x: &[f16],
        points: Range<usize>,
        w: &mut [[f16; B]; 3],
    ) -> usize {
        if points.start == 0 || points.end >= x.len() {
            return 0;
        }
        let n = points.len().min(B);
        let [wa, wb, wc] = w;
        let mut k = 0;
        while k + 8 <= n {
            let i = points.start + k;
            // SAFETY: `1 <= i` and `i + 8 <= points.end < x.len()`, so `x[i - 1 .. i + 9]` is in
            // the slice (three unaligned loads of 8); `k + 8 <= n <= B`, so the stores write
            // elements `k .. k + 8` of each weight array.
            unsafe {
                let [a, b, c] = weights_at(x.as_ptr(), i);
                for (weight, out) in [(a, &mut *wa), (b, &mut *wb), (c, &mut *wc)] {
                    let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(weight);
                    _mm_storeu_si128(out.as_mut_ptr().add(k).cast(), h);
                }
            }
            k += 8;
        }
        k
    }
}

/// One float16 operation, as numpy's loop does it: both operands widened to f32 (exactly), the
/// operation in f32, the result rounded to float16.
#[inline(always)]
fn op(a: f16, b: f16, f: impl Fn(f32, f32) -> f32) -> f16 {
    narrow(f(widen(a), widen(b)))
}

/// `h` in f32, exactly: its bits moved into place and re-biased; a subnormal is normalised by
/// one exact f32 subtraction (F. Giesen's `half_to_float`).
#[inline(always)]
fn widen(h: f16) -> f32 {
    const SHIFTED_EXP: u32 = 0x7c00 << 13;
    let h = u32::from(h.to_bits());
    let mut o = (h & 0x7fff) << 13;
    let exp = o & SHIFTED_EXP;
    o += (127 - 15) << 23;
    if exp == SHIFTED_EXP {
        // Inf or NaN: the exponent all ones.
        o += (128 - 16) << 23;
    } else if exp == 0 {
        // Zero or subnormal: 2^-14 * 0.m as (1.m - 1) * 2^-14, exact.
        o += 1 << 23;
        o = (f32::from_bits(o) - f32::from_bits(113 << 23)).to_bits();
    }
    f32::from_bits(o | (h & 0x8000) << 16)
}

/// `x` rounded to the nearest float16, ties to even; overflow to ±inf, NaN to NaN
/// (F. Giesen's `float_to_half_fast3_rtne`).
#[inline(always)]
fn narrow(x: f32) -> f16 {
    const F32_INF: u32 = 255 << 23;
    // 2^16: at and above it (and for inf and NaN) float16 has only inf and NaN.
    const F16_MAX: u32 = (127 + 16) << 23;
    // 2^-1: adding it aligns a subnormal float16's 10 bits at the bottom of the f32, rounded
    // to nearest even by the addition itself.
    const DENORM_MAGIC: u32 = ((127 - 15) + (23 - 10) + 1) << 23;
    let bits = x.to_bits();
    let sign = bits & 0x8000_0000;
    let u = bits ^ sign;
    let o = if u >= F16_MAX {
        if u > F32_INF { 0x7e00 } else { 0x7c00 }
    } else if u < 113 << 23 {
        // Below 2^-14, float16's least normal: a subnormal or zero.
        (f32::from_bits(u) + f32::from_bits(DENORM_MAGIC)).to_bits() - DENORM_MAGIC
    } else {
        // Re-bias, then round to nearest even: add half an ulp minus one, plus the kept
        // mantissa's last bit; a carry into the exponent (up to inf) is the right result.
        let odd = (u >> 13) & 1;
        // (`u >= 2^-14`, so subtracting the bias difference, 112 << 23, cannot wrap.)
        (u - ((127 - 15) << 23) + 0xfff + odd) >> 13
    };
    f16::from_bits((o | sign >> 16) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a` and `b` are the same float16 (any NaN matching any NaN).
    fn same(a: f16, b: f16) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn widening_is_exact_for_every_float16() {
        for bits in 0..=u16::MAX {
            let h = f16::from_bits(bits);
            let (ours, theirs) = (widen(h), h.to_f32());
            assert!(ours.to_bits() == theirs.to_bits() || ours.is_nan() && theirs.is_nan());
        }
    }

    #[test]
    fn narrowing_rounds_to_nearest_even_at_every_boundary() {
        // Every float16 value, the f32 midpoint between it and the next one up, and the f32
        // neighbours of both: where each rounding decision is made (ties included), from the
        // subnormals through the overflow to inf, both signs.
        let mut checked = 0;
        for bits in 0..0x7c00u16 {
            let (lo, hi) = (widen(f16::from_bits(bits)), widen(f16::from_bits(bits + 1)));
            let mid = lo + (hi - lo) / 2.0; // exact: one more bit than float16 has
            for x in [lo, mid, hi] {
                for y in [
                    // (Below +0.0 is a NaN pattern: checked too.)
                    f32::from_bits(x.to_bits().wrapping_sub(1)),
                    x,
                    f32::from_bits(x.to_bits() + 1),
                ] {
                    for y in [y, -y] {
                        assert!(same(narrow(y), f16::from_f32(y)), "{y:e}");
                        checked += 1;
                    }
                }
            }
        }
        for y in [
            f32::INFINITY,
            f32::NAN,
            f32::MAX,
            65519.996,
            65520.0,
            1e-30,
            f32::MIN_POSITIVE,
        ] {
            for y in [y, -y] {
                assert!(same(narrow(y), f16::from_f32(y)), "{y:e}");
            }
        }
        // And a spread of f32 bit patterns (a stride prime to every field).
        for k in 0..1_000_000u32 {
            let y = f32::from_bits(k.wrapping_mul(4_294_967_291u32 / 1_000_003));
            assert!(same(narrow(y), f16::from_f32(y)), "{y:e}");
        }
        assert!(checked > 500_000);
    }

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
