//! The loop every kernel runs: points `start..end` of an output line, whole lanes first, then
//! the scalar remainder, with the same formula instantiated at both widths.

use crate::element::Real;
use crate::lanes::{Lanes, Step};

/// A formula giving the lanes of points `i .. i + L::N` of an output line.
pub(crate) trait Points<F: Real> {
    /// The values of points `i .. i + L::N`.
    ///
    /// # Safety
    /// The implementor's documented range contract holds for every one of those points.
    unsafe fn at<L: Lanes<Elem = F>>(&self, i: usize) -> L;
}

/// Writes `points.at(i)` to `dst + i * so` for every `i` in `start..end`, `L::N` points at a
/// time.
///
/// With `STREAM` (unit stride only), every store is non-temporal, the single points before the
/// first aligned lane group and after the last one included: mixing ordinary and streaming
/// stores in one cache line costs more than either. The caller streams its other stores to
/// the same lines too (a line's edges).
///
/// # Safety
/// `points.at` is callable for every point of `start..end`, and `dst + i * so` is valid for
/// writes for each of them.
#[inline(always)]
pub(crate) unsafe fn sweep<F, L, P, SO, const STREAM: bool>(
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    L: Lanes<Elem = F>,
    P: Points<F>,
    SO: Step,
{
    let at = |i: usize| dst.wrapping_offset(i as isize * so.get());
    let n = L::N;
    let mut i = start;
    if STREAM && SO::UNIT {
        while i < end && !(at(i) as usize).is_multiple_of(L::STREAM_ALIGN) {
            // SAFETY: i < end; one lane needs no more than the element's alignment.
            unsafe { points.at::<F>(i).stream(at(i)) };
            i += 1;
        }
        while i + n <= end {
            // SAFETY: points i .. i + N are below `end`; `at(i)` was aligned by the loop
            // before, and steps of N elements (a multiple of the alignment) keep it aligned.
            unsafe { points.at::<L>(i).stream(at(i)) };
            i += n;
        }
        while i < end {
            // SAFETY: i < end.
            unsafe { points.at::<F>(i).stream(at(i)) };
            i += 1;
        }
        return;
    }
    // On x86_64, two lane groups per step: half the loop overhead per point, which is what
    // limits a sweep in L1 (`gradient` on a 1000-point series: 200 -> 142 ns per call).
    // Elsewhere one, for code size and stack on the embedded targets.
    if cfg!(target_arch = "x86_64") {
        while i + 2 * n <= end {
            // SAFETY: points i .. i + 2N are below `end`.
            unsafe {
                let (a, b) = (points.at::<L>(i), points.at::<L>(i + n));
                a.store(at(i), so);
                b.store(at(i + n), so);
            }
            i += 2 * n;
        }
    }
    while i + n <= end {
        // SAFETY: points i .. i + N are below `end`.
        unsafe { points.at::<L>(i).store(at(i), so) };
        i += n;
    }
    while i < end {
        // SAFETY: i < end.
        unsafe { F::store(points.at::<F>(i), at(i), so) };
        i += 1;
    }
}

/// [`sweep`] on the fastest lanes this CPU offers for the formula: 256-bit AVX lanes when
/// `isa::avx2()`, 512-bit ones for formulas bound by the divider (`DIVIDING`: uneven spacing,
/// three divisions per point) when `isa::avx512()`, `wide`'s compile-time lanes otherwise or
/// when not one vector fits (a short row then stays inlined here, with no ISA check and no
/// call). Same points, same formula, same bits on every path.
///
/// # Safety
/// As for [`sweep`].
#[inline(always)]
pub(crate) unsafe fn sweep_fastest<F, P, SO, const STREAM: bool, const DIVIDING: bool>(
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
{
    #[cfg(target_arch = "x86_64")]
    if end.saturating_sub(start) >= <F::Avx as Lanes>::N {
        if DIVIDING && crate::isa::avx512() {
            // SAFETY: `avx512()` found AVX-512F in the CPU and its state enabled by the OS;
            // the rest is the caller's contract.
            unsafe { sweep_avx512::<F, P, SO, STREAM>(points, dst, so, start, end) };
            return;
        }
        if crate::isa::avx2() {
            // SAFETY: `avx2()` found AVX2 in the CPU and its state enabled by the OS; the rest
            // is the caller's contract.
            unsafe { sweep_avx2::<F, P, SO, STREAM>(points, dst, so, start, end) };
            return;
        }
    }
    // SAFETY: the caller's contract.
    unsafe { sweep::<F, F::Lanes, P, SO, STREAM>(points, dst, so, start, end) };
}

/// [`sweep`] on AVX lanes, compiled with AVX2 so that those lanes' intrinsics inline into it.
///
/// # Safety
/// As for [`sweep`], and the CPU supports AVX2 (`isa::avx2()`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2<F, P, SO, const STREAM: bool>(
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
{
    // SAFETY: the caller's contract; AVX lanes are created only here, on a CPU with AVX2.
    unsafe { sweep::<F, F::Avx, P, SO, STREAM>(points, dst, so, start, end) };
}

/// [`sweep`] on AVX-512F lanes, compiled with AVX-512F so that those lanes' intrinsics inline
/// into it.
///
/// # Safety
/// As for [`sweep`], and the CPU supports AVX-512F (`isa::avx512()`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sweep_avx512<F, P, SO, const STREAM: bool>(
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
{
    // SAFETY: the caller's contract; AVX-512 lanes are created only here, on a CPU with
    // AVX-512F.
    unsafe { sweep::<F, F::Avx512, P, SO, STREAM>(points, dst, so, start, end) };
}
