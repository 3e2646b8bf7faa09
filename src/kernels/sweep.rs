//! The loop every kernel runs: points `start..end` of an output line, whole lanes first, then
//! the scalar remainder, with the same formula instantiated at both widths.

use crate::element::Real;
use crate::lanes::{Lanes, STREAM_ALIGN, Step};

/// A formula giving the lanes of points `i .. i + L::N` of an output line.
pub(crate) trait Points<F: Real> {
    /// The values of points `i .. i + L::N`.
    ///
    /// # Safety
    /// The implementor's documented range contract holds for every one of those points.
    unsafe fn at<L: Lanes<Elem = F>>(&self, i: usize) -> L;
}

/// Writes `points.at(i)` to `dst + i * so` for every `i` in `start..end`.
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
pub(crate) unsafe fn sweep<F, P, SO, const STREAM: bool>(
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
    let at = |i: usize| dst.wrapping_offset(i as isize * so.get());
    let n = <F::Lanes as Lanes>::N;
    let mut i = start;
    if STREAM && SO::UNIT {
        while i < end && !(at(i) as usize).is_multiple_of(STREAM_ALIGN) {
            // SAFETY: i < end; one lane needs no more than the element's alignment.
            unsafe { points.at::<F>(i).stream(at(i)) };
            i += 1;
        }
        while i + n <= end {
            // SAFETY: points i .. i + N are below `end`; `at(i)` was aligned by the loop
            // before, and steps of N elements (32 bytes) keep it aligned.
            unsafe { points.at::<F::Lanes>(i).stream(at(i)) };
            i += n;
        }
        while i < end {
            // SAFETY: i < end.
            unsafe { points.at::<F>(i).stream(at(i)) };
            i += 1;
        }
        return;
    }
    while i + n <= end {
        // SAFETY: points i .. i + N are below `end`.
        unsafe { points.at::<F::Lanes>(i).store(at(i), so) };
        i += n;
    }
    while i < end {
        // SAFETY: i < end.
        unsafe { F::store(points.at::<F>(i), at(i), so) };
        i += 1;
    }
}
