//! The unsafe kernels and the walk that feeds them validated pointers.
//!
//! Everything here runs after validation: the driver only calls [`run_axis`] once every check of
//! the call has passed, which is what the `// SAFETY:` comments rely on.

mod across;
mod along;
mod sweep;
mod walk;

pub use walk::Kernel;
pub(crate) use walk::{AxisRange, Strategy};

use crate::element::{Real, Sample};
use crate::lanes::{Unit, stream_fence};
use crate::stencil::AxisPlan;
use crate::view::{Layout, StridedView, StridedViewMut};
use walk::Batch;

/// Writes the gradient along `axis` into `output` with `strategy`, for the points of `range`
/// only when given (the whole output otherwise).
///
/// Preconditions (established by the driver's validation): both views passed their
/// constructors' checks, have the same shape, `plan.len()` is the length of `axis`, `strategy`
/// came from [`Strategy::choose`] for these layouts, and `plan`'s coordinates (if any) have
/// that length; `range`, if any, lies within its axis, which is not one of an `Across`
/// strategy's row axes, and is the gradient axis only for an `Across` strategy.
pub(crate) fn run_axis<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, F>,
    axis: usize,
    plan: &AxisPlan<'_, F>,
    strategy: Strategy,
    range: Option<AxisRange>,
) {
    let (lin, lout) = (*input.layout(), *output.layout());
    if lin.is_empty() || range.is_some_and(|r| r.start >= r.end) {
        return;
    }
    debug_assert_eq!(lin.shape(), lout.shape());
    debug_assert_eq!(lin.len(axis), plan.len());
    debug_assert!(range.is_none_or(|r| r.end <= lin.len(r.axis)));
    let (a_in, a_out) = (lin.stride(axis), lout.stride(axis));
    // SAFETY: a non-empty validated view reaches its offset, so it is inside the buffer.
    let src = unsafe { input.data().as_ptr().add(lin.offset()) };
    // SAFETY: as above, for the output.
    let dst = unsafe { output.data_mut().as_mut_ptr().add(lout.offset()) };
    // The walk starts at point `start` of the range's axis: a partial sum of a valid index.
    let (mut off_in, mut off_out) = match range {
        Some(r) => (
            r.start as isize * lin.stride(r.axis),
            r.start as isize * lout.stride(r.axis),
        ),
        None => (0, 0),
    };
    let stream = streams::<F>(&lout);
    match strategy {
        Strategy::AlongContiguous | Strategy::AlongStrided => {
            debug_assert!(range.is_none_or(|r| r.axis != axis));
            let mut batch = Batch::new(&lin, &lout, 1 << axis, axis, range);
            loop {
                // SAFETY: `off_*` is the offset of a line start reached by the batch axes; the
                // line's points `j * a_*` for `j < plan.len()` complete an index of the validated
                // views, so every access is in bounds (an element between two of them too: a
                // view's elements lie in one slice), and output elements are distinct by the
                // output's no-overlap check.
                unsafe {
                    let (s, d) = (src.offset(off_in), dst.offset(off_out));
                    along_line(strategy, stream, s, a_in, d, a_out, plan);
                }
                if !batch.advance(&mut off_in, &mut off_out) {
                    break;
                }
            }
        }
        Strategy::Across {
            axes,
            len,
            row_in,
            row_out,
        } => {
            debug_assert!(range.is_none_or(|r| axes & (1 << r.axis) == 0));
            let n = plan.len();
            let len_i = len as isize;
            let block = row_in == 1 && row_out == 1 && a_in == len_i && a_out == len_i;
            if block && n > 2 && plan.is_uniform() && range.is_none_or(|r| r.axis != axis) {
                // The rows of every point follow each other in memory, and a uniform grid gives
                // every interior point the same stencil: the interior is one long row, however
                // short each row is (an `[n, 3]` IMU log along its time axis).
                let mut batch = Batch::new(&lin, &lout, axes | 1 << axis, axis, range);
                loop {
                    // SAFETY: `off_*` is the start of a contiguous block of `n` rows of `len`
                    // elements in both views (the row axes and the gradient axis, strides 1 and
                    // `len`); the first and last rows read rows of the block, and the interior
                    // (rows 1..n-1 as one row) reads one row before and after, also in it.
                    unsafe {
                        let (s, d) = (src.offset(off_in), dst.offset(off_out));
                        let (last, inner) = ((n - 1) * len, (n - 2) * len);
                        if stream {
                            across::row::<_, _, _, _, true>(
                                s,
                                a_in,
                                Unit,
                                0,
                                d,
                                Unit,
                                len,
                                plan.first(),
                            );
                            across::row::<_, _, _, _, true>(
                                s.add(len),
                                a_in,
                                Unit,
                                1,
                                d.add(len),
                                Unit,
                                inner,
                                plan.stencil(1),
                            );
                            across::row::<_, _, _, _, true>(
                                s.add(last),
                                a_in,
                                Unit,
                                n - 1,
                                d.add(last),
                                Unit,
                                len,
                                plan.last(),
                            );
                        } else {
                            across::row::<_, _, _, _, false>(
                                s,
                                a_in,
                                Unit,
                                0,
                                d,
                                Unit,
                                len,
                                plan.first(),
                            );
                            across::row::<_, _, _, _, false>(
                                s.add(len),
                                a_in,
                                Unit,
                                1,
                                d.add(len),
                                Unit,
                                inner,
                                plan.stencil(1),
                            );
                            across::row::<_, _, _, _, false>(
                                s.add(last),
                                a_in,
                                Unit,
                                n - 1,
                                d.add(last),
                                Unit,
                                len,
                                plan.last(),
                            );
                        }
                    }
                    if !batch.advance(&mut off_in, &mut off_out) {
                        break;
                    }
                }
                if stream {
                    stream_fence();
                }
                return;
            }
            // Rows whose elements lie far apart on one side are cut into tiles walked one after
            // the other over the whole batch, so the pages a tile touches stay in the TLB and
            // each output cache line is filled in one visit (a transposed view would otherwise
            // touch a new page for every element). Rows whose elements share cache lines (a
            // step-2 view) are dense enough to be walked whole, in memory order.
            let near =
                |stride: isize, size: usize| stride.unsigned_abs().saturating_mul(size) <= 64;
            let dense = near(row_in, size_of::<T>()) && near(row_out, size_of::<F>());
            let tile = if dense { len } else { ROW_TILE };
            let mut first = 0;
            while first < len {
                let cols = tile.min(len - first);
                let (mut off_in, mut off_out) = (
                    off_in + first as isize * row_in,
                    off_out + first as isize * row_out,
                );
                let mut batch = Batch::new(&lin, &lout, axes, axis, range);
                loop {
                    let i = batch.gradient_index();
                    // SAFETY: `off_*` is the offset of column `first` of the row at point `i`
                    // of the gradient axis; its `cols` columns lie on the row axes (strides
                    // `row_in`, `row_out`: 1, len, … when contiguous), and the stencil's points
                    // are other points of the same axis, so every access completes an index of
                    // the validated views (or lies between two such elements of one slice).
                    unsafe {
                        let (s, d, stencil) =
                            (src.offset(off_in), dst.offset(off_out), plan.stencil(i));
                        match (stream, row_in == 1, row_out == 1) {
                            (true, true, true) => across::row::<_, _, _, _, true>(
                                s, a_in, Unit, i, d, Unit, cols, stencil,
                            ),
                            (false, true, true) => across::row::<_, _, _, _, false>(
                                s, a_in, Unit, i, d, Unit, cols, stencil,
                            ),
                            (_, true, false) => across::row::<_, _, _, _, false>(
                                s, a_in, Unit, i, d, row_out, cols, stencil,
                            ),
                            (true, false, true) => across::row::<_, _, _, _, true>(
                                s, a_in, row_in, i, d, Unit, cols, stencil,
                            ),
                            (false, false, true) => across::row::<_, _, _, _, false>(
                                s, a_in, row_in, i, d, Unit, cols, stencil,
                            ),
                            _ => across::row::<_, _, _, _, false>(
                                s, a_in, row_in, i, d, row_out, cols, stencil,
                            ),
                        }
                    }
                    if !batch.advance(&mut off_in, &mut off_out) {
                        break;
                    }
                }
                first += cols;
            }
        }
    }
    if stream {
        stream_fence();
    }
}

/// Writes the gradient along `axis` into `output` when the views hold a single contiguous line
/// (every other axis of length 1, unit strides on both sides) and returns `true`; returns
/// `false`, writing nothing, otherwise. A whole call on a series then costs what
/// [`gradient_1d`](crate::gradient_1d) costs (no batch walk, no strategy search) and shares its
/// code.
///
/// Preconditions: those of [`run_axis`] without a range.
pub(crate) fn run_line<T: Sample<F>, F: Real>(
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
    unsafe { contiguous_line(src, dst, plan) };
    true
}

/// One line along the gradient axis, with the kernel instantiated for the strides' kinds: one
/// instantiation per side of unit stride, so that side stays vector.
///
/// # Safety
/// `line`'s contract for the line at `src` (stride `a_in`) and `dst` (stride `a_out`); with
/// `Strategy::AlongContiguous`, both strides are 1.
#[inline(always)]
unsafe fn along_line<T: Sample<F>, F: Real>(
    strategy: Strategy,
    stream: bool,
    s: *const T,
    a_in: isize,
    d: *mut F,
    a_out: isize,
    plan: &AxisPlan<'_, F>,
) {
    // SAFETY: the caller's contract, for every instantiation.
    unsafe {
        match (strategy, stream, a_in == 1, a_out == 1) {
            (Strategy::AlongContiguous, true, ..) => {
                along::line::<_, _, _, _, true>(s, Unit, d, Unit, plan)
            }
            (Strategy::AlongContiguous, false, ..) => {
                along::line::<_, _, _, _, false>(s, Unit, d, Unit, plan)
            }
            (_, _, true, false) => along::line::<_, _, _, _, false>(s, Unit, d, a_out, plan),
            (_, true, false, true) => along::line::<_, _, _, _, true>(s, a_in, d, Unit, plan),
            (_, false, false, true) => along::line::<_, _, _, _, false>(s, a_in, d, Unit, plan),
            _ => along::line::<_, _, _, _, false>(s, a_in, d, a_out, plan),
        }
    }
}

/// Differentiates the contiguous line `src[..n]` into `dst[..n]`, `n = plan.len()`: only the
/// two unit-stride instantiations, so `gradient_1d` alone stays small.
///
/// # Safety
/// `src` is valid for reads and `dst` for writes of `plan.len()` elements.
pub(crate) unsafe fn contiguous_line<T: Sample<F>, F: Real>(
    src: *const T,
    dst: *mut F,
    plan: &AxisPlan<'_, F>,
) {
    if streams_line::<F>(plan.len()) {
        // SAFETY: the caller's contract is `line`'s for unit strides.
        unsafe { along::line::<_, _, _, _, true>(src, Unit, dst, Unit, plan) };
        stream_fence();
    } else {
        // SAFETY: as above.
        unsafe { along::line::<_, _, _, _, false>(src, Unit, dst, Unit, plan) };
    }
}

/// Columns per tile of rows that are strided on one side (a few cache lines of the
/// contiguous side).
const ROW_TILE: usize = 128;

/// Outputs at least this large are written with non-temporal stores: they do not fit the
/// caches anyway, and skipping the read of each destination line before writing it nearly
/// halves the memory traffic of the stores (measured here: a 134 MB copy at 14 GB/s with plain
/// stores, 25 GB/s streaming; at 8 MB plain stores win, so smaller outputs keep them).
const STREAM_BYTES: usize = 16 << 20;

/// Whether the output is large enough to stream its stores.
fn streams<F>(output: &Layout<'_>) -> bool {
    let count = output
        .shape()
        .iter()
        .fold(1usize, |a, &n| a.saturating_mul(n));
    streams_line::<F>(count)
}

/// Whether `count` outputs are enough to stream their stores.
fn streams_line<F>(count: usize) -> bool {
    count.saturating_mul(size_of::<F>()) >= STREAM_BYTES
}
