//! Kernel vectorized along the gradient axis: one line at a time, interior lanes loaded at
//! shifted positions of the same line, the two edges scalar.

use core::marker::PhantomData;

use super::sweep::{Points, sweep_fastest};
use crate::element::{Real, Sample};
use crate::lanes::{Lanes, Step};
use crate::spacing::{Grid, Steps, Timestamp, lane_steps};
use crate::stencil::{AxisPlan, By, ByExactRecip, Divide, interior_weights, weighted};

/// Differentiates one line of `plan.len()` samples (streaming the interior stores when
/// `STREAM`).
///
/// # Safety
/// With `n = plan.len()`: for every `j < n`, `src.offset(j * si)` is valid for reads (and so
/// is every element between two of them: stride-2 lanes are read as contiguous loads) and
/// `dst.offset(j * so)` is valid for writes, and the written elements are distinct.
#[inline(always)]
pub(crate) unsafe fn line<T, F, SI, SO, const STREAM: bool>(
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
    let end = n.saturating_sub(1);
    // Every access below is to a point below `n`: the edge stencils read points of the line,
    // and the interior sweep covers 1..n-1 reading its neighbours.
    // SAFETY: `read` is only called by the edge stencils, with points `j < n` (validation made
    // `n` at least the edge order's minimum), readable by the caller's contract.
    let read = |j: usize| unsafe { F::load(src.offset(j as isize * si.get()), si) };
    // With streaming stores (unit stride), the edges stream too, like the rest of their lines.
    // SAFETY: `put` is only called with points 0 and `n - 1` of the output line, writable by
    // the caller's contract; streaming stores are one lane, needing only the element's
    // alignment.
    let put = |v: F, p: *mut F| unsafe {
        if STREAM && SO::UNIT {
            v.stream(p)
        } else {
            F::store(v, p, so)
        }
    };
    put(plan.first().apply(read), dst);
    match plan.grid() {
        Grid::Uniform(_) => {
            let central = plan.central();
            match central.recip() {
                Some(r) => {
                    let points = Uniform {
                        src,
                        si,
                        divide: ByExactRecip(r),
                    };
                    // SAFETY: `sweep` asks for points 1..n-1 only, each reading points up to
                    // `i + N <= n - 1` (`Uniform`'s range contract), all readable by the
                    // caller's contract, as the outputs are writable and distinct.
                    unsafe { sweep_fastest::<F, _, SO, STREAM, false>(&points, dst, so, 1, end) };
                }
                None => {
                    let points = Uniform {
                        src,
                        si,
                        divide: By(central.value()),
                    };
                    // SAFETY: as for the exact reciprocal above.
                    unsafe { sweep_fastest::<F, _, SO, STREAM, false>(&points, dst, so, 1, end) };
                }
            }
        }
        Grid::Uneven(steps) => {
            // Monomorphised per position type, so the lane steps of float coordinates stay SIMD.
            macro_rules! interior {
                ($x:expr) => {{
                    let points = Uneven {
                        src,
                        si,
                        x: $x.as_ptr(),
                        real: PhantomData,
                    };
                    // SAFETY: points 1..n-1, each reading line points and positions up to
                    // `i + N <= n - 1` (`Uneven`'s range contract): the line by the caller's
                    // contract, the positions because validation made their count `n`.
                    unsafe { sweep_fastest::<F, _, SO, STREAM, true>(&points, dst, so, 1, end) };
                }};
            }
            match steps {
                Steps::Coordinates(x) => interior!(x),
                Steps::Ticks32(t) => interior!(t),
                Steps::Ticks64(t) => interior!(t),
            }
        }
    }
    // SAFETY: `end = n - 1` is a point of the output line, in bounds by the caller's contract.
    let last = unsafe { dst.offset(end as isize * so.get()) };
    put(plan.last().apply(read), last);
}

/// Uniform interior points: `(f[i+1] - f[i-1]) / (2*dx)`.
///
/// Range contract of [`Points::at`]: points `i-1 ..= i+N` of the line are readable.
struct Uniform<T, D, SI> {
    src: *const T,
    si: SI,
    divide: D,
}

impl<T: Sample<F>, F: Real, D: Divide<F>, SI: Step> Points<F> for Uniform<T, D, SI> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, i: usize) -> L {
        let s = self.si.get();
        // SAFETY: the range contract.
        let (minus, plus) = unsafe {
            (
                L::load(self.src.offset((i - 1) as isize * s), self.si),
                L::load(self.src.offset((i + 1) as isize * s), self.si),
            )
        };
        self.divide.divide(plus - minus)
    }
}

/// Uneven interior points: numpy's weights computed lane by lane from positions `x`.
///
/// Range contract of [`Points::at`]: points `i-1 ..= i+N` of the line and of `x` are readable.
struct Uneven<T, C, F, SI> {
    src: *const T,
    si: SI,
    x: *const C,
    real: PhantomData<F>,
}

impl<T: Sample<F>, C: Timestamp<F>, F: Real, SI: Step> Points<F> for Uneven<T, C, F, SI> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, i: usize) -> L {
        let s = self.si.get();
        // SAFETY: the range contract.
        unsafe {
            let (dx1, dx2) = lane_steps::<F, C, L>(self.x, i);
            let f = [
                L::load(self.src.offset((i - 1) as isize * s), self.si),
                L::load(self.src.offset(i as isize * s), self.si),
                L::load(self.src.offset((i + 1) as isize * s), self.si),
            ];
            weighted(interior_weights(dx1, dx2), f)
        }
    }
}
