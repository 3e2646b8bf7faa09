//! The unsafe kernels and the walks that feed them validated pointers.
//!
//! Everything here runs after validation: the driver only calls [`run_axis`] once every check of
//! the call has passed, which is what the `// SAFETY:` comments rely on.

mod across;
mod along;
mod route;
mod sweep;
mod walk;

pub use route::Kernel;
pub(crate) use route::{Route, Walk, nt_stores};
pub(crate) use walk::AxisRange;

use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::lanes::{Step, Unit, nt_fence};
use crate::stencil::AxisPlan;
use crate::view::{Layout, StridedView, StridedViewMut};
use across::Row;
use walk::Batch;

/// How a kernel stores its results: through the caches, or around them.
pub(crate) trait Stores {
    /// Non-temporal stores (unit output stride only); the caller fences after them.
    const NT: bool;
}

/// Ordinary stores.
pub(crate) struct Cached;

impl Stores for Cached {
    const NT: bool = false;
}

/// Non-temporal stores, for outputs larger than the caches.
pub(crate) struct NonTemporal;

impl Stores for NonTemporal {
    const NT: bool = true;
}

/// Writes the gradient along `axis` into `output` as `route` says, on the call's vector `path`,
/// for the points of `range` only when given (the whole output otherwise). This only
/// dispatches: every choice was made by [`Route::choose`].
///
/// Preconditions (established by the driver's validation): both views passed their
/// constructors' checks, have the same shape, `plan.len()` is the length of `axis`, `route`
/// came from [`Route::choose`] for these layouts, this axis and this plan (and the range's
/// axis as its `cut`), and `plan`'s coordinates (if any) have that length; `range`, if any,
/// lies within its axis, which is not one of an across walk's row axes, and is the gradient
/// axis only for an across walk.
pub(crate) fn run_axis<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, F>,
    axis: usize,
    plan: &AxisPlan<'_, F>,
    route: Route,
    range: Option<AxisRange>,
) {
    let (lin, lout) = (*input.layout(), *output.layout());
    if lin.is_empty() || range.is_some_and(|r| r.start >= r.end) {
        return;
    }
    debug_assert_eq!(lin.shape(), lout.shape());
    debug_assert_eq!(lin.len(axis), plan.len());
    debug_assert!(range.is_none_or(|r| r.end <= lin.len(r.axis)));
    // SAFETY: a non-empty validated view reaches its offset, so it is inside the buffer.
    let src = unsafe { input.data().as_ptr().add(lin.offset()) };
    // SAFETY: as above, for the output.
    let dst = unsafe { output.data_mut().as_mut_ptr().add(lout.offset()) };
    let job = Job {
        path,
        src,
        dst,
        lin,
        lout,
        axis,
        plan,
        range,
    };
    let (a_in, a_out) = (lin.stride(axis), lout.stride(axis));
    // SAFETY (all arms): the preconditions above, which each walk's own comment spells out.
    unsafe {
        match route.walk {
            Walk::Lines => instantiate(Lines(job), route, a_in, a_out),
            Walk::Rows {
                axes,
                len,
                step_in,
                step_out,
                tile,
            } => instantiate(
                Rows {
                    job,
                    axes,
                    len,
                    tile,
                },
                route,
                step_in,
                step_out,
            ),
            Walk::Block { axes, len } if route.nt => {
                Block { job, axes, len }.run::<Unit, Unit, NonTemporal>(Unit, Unit)
            }
            Walk::Block { axes, len } => {
                Block { job, axes, len }.run::<Unit, Unit, Cached>(Unit, Unit)
            }
        }
    }
    if route.nt {
        nt_fence();
    }
}

/// A walk, run with its strides and stores known at compile time.
trait Walker {
    /// Runs the walk with inner strides `si` (input) and `so` (output), storing with `S`.
    ///
    /// # Safety
    /// The preconditions of [`run_axis`], `si` and `so` being the route's inner strides.
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO);
}

/// The one table of stride and store instantiations: a side of unit stride stays vector (its
/// loads or stores contiguous), and only a unit-stride output stores around the caches.
///
/// # Safety
/// [`Walker::run`]'s contract, with `si`, `so` the route's inner strides.
#[inline(always)]
unsafe fn instantiate<W: Walker>(walk: W, route: Route, si: isize, so: isize) {
    // SAFETY: the caller's contract; `Unit` stands for a stride the route found to be 1.
    unsafe {
        match (route.unit_in, route.unit_out, route.nt) {
            (true, true, true) => walk.run::<_, _, NonTemporal>(Unit, Unit),
            (true, true, false) => walk.run::<_, _, Cached>(Unit, Unit),
            (true, false, _) => walk.run::<_, _, Cached>(Unit, so),
            (false, true, true) => walk.run::<_, _, NonTemporal>(si, Unit),
            (false, true, false) => walk.run::<_, _, Cached>(si, Unit),
            (false, false, _) => walk.run::<_, _, Cached>(si, so),
        }
    }
}

/// What every walk of one axis shares.
struct Job<'j, T, F> {
    path: Path,
    /// The first element of the input and output views.
    src: *const T,
    dst: *mut F,
    lin: Layout<'j>,
    lout: Layout<'j>,
    axis: usize,
    plan: &'j AxisPlan<'j, F>,
    range: Option<AxisRange>,
}

impl<T, F> Job<'_, T, F> {
    /// The walk over every axis not in `exclude`, and the offsets it starts at (point `start`
    /// of the range's axis: a partial sum of a valid index).
    fn batch(&self, exclude: u64) -> (Batch, isize, isize) {
        let batch = Batch::new(&self.lin, &self.lout, exclude, self.axis, self.range);
        let (off_in, off_out) = match self.range {
            Some(r) => (
                r.start as isize * self.lin.stride(r.axis),
                r.start as isize * self.lout.stride(r.axis),
            ),
            None => (0, 0),
        };
        (batch, off_in, off_out)
    }
}

/// Along the lines of the gradient axis.
struct Lines<'j, T, F>(Job<'j, T, F>);

impl<T: Sample<F>, F: Real> Walker for Lines<'_, T, F> {
    #[inline(always)]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO) {
        let job = self.0;
        debug_assert!(job.range.is_none_or(|r| r.axis != job.axis));
        let (mut batch, mut off_in, mut off_out) = job.batch(1 << job.axis);
        loop {
            // SAFETY: `off_*` is the offset of a line start reached by the batch axes; the
            // line's points `j * a_*` for `j < plan.len()` complete an index of the validated
            // views, so every access is in bounds (an element between two of them too: a
            // view's elements lie in one slice), and output elements are distinct by the
            // output's no-overlap check.
            unsafe {
                let (s, d) = (job.src.offset(off_in), job.dst.offset(off_out));
                along::line::<T, F, SI, SO, S>(job.path, s, si, d, so, job.plan);
            }
            if !batch.advance(&mut off_in, &mut off_out) {
                break;
            }
        }
    }
}

/// Across rows, tile by tile.
struct Rows<'j, T, F> {
    job: Job<'j, T, F>,
    axes: u64,
    len: usize,
    tile: usize,
}

impl<T: Sample<F>, F: Real> Walker for Rows<'_, T, F> {
    #[inline(always)]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO) {
        let Self {
            job,
            axes,
            len,
            tile,
        } = self;
        debug_assert!(job.range.is_none_or(|r| axes & (1 << r.axis) == 0));
        let a_in = job.lin.stride(job.axis);
        let mut first = 0;
        while first < len {
            let cols = tile.min(len - first);
            let (mut batch, off_in, off_out) = job.batch(axes);
            let (mut off_in, mut off_out) = (
                off_in + first as isize * si.get(),
                off_out + first as isize * so.get(),
            );
            loop {
                let point = batch.gradient_index();
                let row = Row {
                    src: job.src.wrapping_offset(off_in),
                    input_step: si,
                    axis_stride: a_in,
                    point,
                    dst: job.dst.wrapping_offset(off_out),
                    output_step: so,
                    len: cols,
                };
                // SAFETY: `off_*` is the offset of column `first` of the row at `point` of the
                // gradient axis; its `cols` columns lie on the row axes (strides `si`, `so`:
                // 1, len, … when contiguous), and the stencil's points are other points of the
                // same axis, so every access completes an index of the validated views (or lies
                // between two such elements of one slice).
                unsafe { across::row::<T, F, SI, SO, S>(job.path, row, job.plan.stencil(point)) };
                if !batch.advance(&mut off_in, &mut off_out) {
                    break;
                }
            }
            first += cols;
        }
    }
}

/// Contiguous blocks of rows, the interior as one long row.
struct Block<'j, T, F> {
    job: Job<'j, T, F>,
    axes: u64,
    len: usize,
}

impl<T: Sample<F>, F: Real> Walker for Block<'_, T, F> {
    #[inline(always)]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, _: SI, _: SO) {
        let Self { job, axes, len } = self;
        let n = job.plan.len();
        let a_in = job.lin.stride(job.axis);
        let (mut batch, mut off_in, mut off_out) = job.batch(axes | 1 << job.axis);
        let (last, inner) = ((n - 1) * len, (n - 2) * len);
        loop {
            let (s, d) = (
                job.src.wrapping_offset(off_in),
                job.dst.wrapping_offset(off_out),
            );
            let part = |offset: usize, point: usize, len: usize| Row {
                src: s.wrapping_add(offset),
                input_step: Unit,
                axis_stride: a_in,
                point,
                dst: d.wrapping_add(offset),
                output_step: Unit,
                len,
            };
            // SAFETY: `off_*` is the start of a contiguous block of `n` rows of `len` elements
            // in both views (the row axes and the gradient axis, strides 1 and `len`); the
            // first and last rows read rows of the block, and the interior (rows 1..n-1 as one
            // row) reads one row before and after, also in it.
            unsafe {
                across::row::<T, F, _, _, S>(job.path, part(0, 0, len), job.plan.first());
                across::row::<T, F, _, _, S>(job.path, part(len, 1, inner), job.plan.stencil(1));
                across::row::<T, F, _, _, S>(job.path, part(last, n - 1, len), job.plan.last());
            }
            if !batch.advance(&mut off_in, &mut off_out) {
                break;
            }
        }
    }
}

/// Writes the gradient along `axis` into `output` when the views hold a single contiguous line
/// (every other axis of length 1, unit strides on both sides) and returns `true`; returns
/// `false`, writing nothing, otherwise. A whole call on a series then costs what
/// [`gradient_1d`](crate::gradient_1d) costs (no batch walk, no route search) and shares its
/// code.
///
/// Preconditions: those of [`run_axis`] without a range.
pub(crate) fn run_line<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, F>,
    axis: usize,
    plan: &AxisPlan<'_, F>,
) -> bool {
    let (lin, lout) = (*input.layout(), *output.layout());
    let one_line = (0..lin.rank()).all(|a| a == axis || lin.len(a) == 1);
    let unit = lin.stride(axis) == 1 && lout.stride(axis) == 1;
    if !one_line || !unit || lin.len(axis) == 0 {
        return false;
    }
    debug_assert_eq!(lin.shape(), lout.shape());
    debug_assert_eq!(lin.len(axis), plan.len());
    // SAFETY: a non-empty validated view reaches its offset, so it is inside the buffer.
    let src = unsafe { input.data().as_ptr().add(lin.offset()) };
    // SAFETY: as above, for the output.
    let dst = unsafe { output.data_mut().as_mut_ptr().add(lout.offset()) };
    // SAFETY: every other index is 0 and the strides are 1, so the `plan.len()` elements from
    // each start are the views' elements, in bounds by validation (and distinct).
    unsafe { contiguous_line(path, src, dst, plan) };
    true
}

/// Differentiates the contiguous line `src[..n]` into `dst[..n]`, `n = plan.len()`, on the
/// call's vector `path`: only the two unit-stride instantiations, so `gradient_1d` alone stays
/// small.
///
/// # Safety
/// `src` is valid for reads and `dst` for writes of `plan.len()` elements.
pub(crate) unsafe fn contiguous_line<T: Sample<F>, F: Real>(
    path: Path,
    src: *const T,
    dst: *mut F,
    plan: &AxisPlan<'_, F>,
) {
    if nt_stores::<F>(plan.len()) {
        // SAFETY: the caller's contract is `line`'s for unit strides.
        unsafe { along::line::<T, F, _, _, NonTemporal>(path, src, Unit, dst, Unit, plan) };
        nt_fence();
    } else {
        // SAFETY: as above.
        unsafe { along::line::<T, F, _, _, Cached>(path, src, Unit, dst, Unit, plan) };
    }
}
