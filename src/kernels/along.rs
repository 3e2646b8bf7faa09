//! Kernel vectorized along the gradient axis: one line at a time, interior lanes loaded at
//! shifted positions of the same line, the two edges scalar.

use crate::element::{Real, Sample};
use crate::lanes::{Lanes, Step};
use crate::spacing::{Coordinate, Grid, Steps};
use crate::stencil::{AxisPlan, Divisor, difference, interior_weights, weighted};

/// Differentiates one line of `plan.len()` samples.
///
/// # Safety
/// With `n = plan.len()`: for every `j < n`, `src.offset(j * si)` is valid for reads and
/// `dst.offset(j * so)` is valid for writes, and the written elements are distinct.
#[inline(always)]
pub(crate) unsafe fn line<T, F, SI, SO>(
    src: *const T,
    si: SI,
    dst: *mut F,
    so: SO,
    plan: &AxisPlan<'_, F>,
) where
    T: Sample<F>,
    F: Real,
    SI: Step,
    SO: Step,
{
    let n = plan.len();
    // SAFETY (for every closure and call below): indices stay below `n`, as the stencils and
    // the loop bounds guarantee, so the caller's contract covers each access.
    let read = |j: usize| unsafe { F::load(src.offset(j as isize * si.get()), si) };
    unsafe { F::store(plan.first().apply(read), dst, so) };
    let end = n.saturating_sub(1);
    match plan.grid() {
        Grid::Uniform(_) => {
            let d = plan.central();
            let i = unsafe { uniform_interior::<F::Lanes, T, SI, SO>(src, si, dst, so, d, 1, end) };
            unsafe { uniform_interior::<F, T, SI, SO>(src, si, dst, so, d, i, end) };
        }
        Grid::Uneven(steps) => {
            // Monomorphised per position type, so the lane steps of float coordinates stay SIMD.
            macro_rules! interior {
                ($x:expr) => {{
                    let x = $x.as_ptr();
                    let i = unsafe {
                        uneven_interior::<F::Lanes, _, _, _, _>(src, si, dst, so, x, 1, end)
                    };
                    unsafe { uneven_interior::<F, _, _, _, _>(src, si, dst, so, x, i, end) };
                }};
            }
            match steps {
                Steps::Coordinates(x) => interior!(x),
                Steps::Ticks32(t) => interior!(t),
                Steps::Ticks64(t) => interior!(t),
            }
        }
    }
    let last = plan.last().apply(read);
    unsafe { F::store(last, dst.offset(end as isize * so.get()), so) };
}

/// Points `i..` in steps of `L::N` while a whole step stays below `end`; returns where it
/// stopped.
///
/// # Safety
/// As [`line`], with `1 <= i` and `end <= n - 1`.
#[inline(always)]
unsafe fn uniform_interior<L, T, SI, SO>(
    src: *const T,
    si: SI,
    dst: *mut L::Elem,
    so: SO,
    d: Divisor<L::Elem>,
    mut i: usize,
    end: usize,
) -> usize
where
    L: Lanes,
    T: Sample<L::Elem>,
    SI: Step,
    SO: Step,
{
    let d = d.splat::<L>();
    let (si_, so_) = (si.get(), so.get());
    while i + L::N <= end {
        // SAFETY: lanes cover points i-1 ..= i+N, all below n because i + N <= end <= n - 1.
        unsafe {
            let minus = L::load(src.offset((i - 1) as isize * si_), si);
            let plus = L::load(src.offset((i + 1) as isize * si_), si);
            difference(plus, minus, d).store(dst.offset(i as isize * so_), so);
        }
        i += L::N;
    }
    i
}

/// As [`uniform_interior`], with numpy's non-uniform weights computed lane by lane from the
/// positions `x` (contiguous, `n` long).
///
/// # Safety
/// As [`uniform_interior`], and `x` valid for reads of `n` elements.
#[inline(always)]
unsafe fn uneven_interior<L, T, C, SI, SO>(
    src: *const T,
    si: SI,
    dst: *mut L::Elem,
    so: SO,
    x: *const C,
    mut i: usize,
    end: usize,
) -> usize
where
    L: Lanes,
    T: Sample<L::Elem>,
    C: Coordinate<L::Elem>,
    SI: Step,
    SO: Step,
{
    let (si_, so_) = (si.get(), so.get());
    while i + L::N <= end {
        // SAFETY: lanes cover points i-1 ..= i+N, all below n because i + N <= end <= n - 1.
        unsafe {
            let (dx1, dx2) = C::lane_steps::<L>(x, i);
            let w = interior_weights(dx1, dx2);
            let f = [
                L::load(src.offset((i - 1) as isize * si_), si),
                L::load(src.offset(i as isize * si_), si),
                L::load(src.offset((i + 1) as isize * si_), si),
            ];
            weighted(w, f).store(dst.offset(i as isize * so_), so);
        }
        i += L::N;
    }
    i
}
