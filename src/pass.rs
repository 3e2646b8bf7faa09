//! One pass over several axes: the outermost axis is cut into chunks of a few points, and every
//! selected axis is computed for a chunk before the next, so the input is read from memory once
//! instead of once per axis. The serial call's fused pass and the block API (each block, each
//! thread's slab) share it. Each element is computed by the same kernel as in a per-axis pass,
//! so the bits are the same.

use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, AxisRange, Route, Walk};
use crate::stencil::AxisPlan;
use crate::view::{StridedView, StridedViewMut};

/// Most axes one pass handles (their jobs live on the stack).
pub(crate) const MAX_FUSED: usize = 4;

/// Input bytes one chunk aims at: a few rows or one slab stay in L2 while every output of the
/// chunk is computed from them. Measured here (2-D 2048², all axes, three runs, each chunk size
/// timed interleaved): 64 KiB 1.24–1.35× the memcpy bound, 128 KiB 1.17–1.28×, 256 KiB
/// 1.15–1.23×, 512 KiB 1.15–1.24×.
const CHUNK_BYTES: usize = 256 * 1024;

/// Whether a pass over an input of `bytes` gains anything: an input of one chunk stays in cache
/// between the axes anyway, and each axis is then better walked alone (free to walk its lines
/// across the outer axis).
pub(crate) fn worth_it(bytes: usize) -> bool {
    bytes > CHUNK_BYTES
}

/// One selected axis of a pass: its input (the whole input, or the part of a block's window it
/// reads), its plan and route, and where its outputs start along the cut axis.
#[derive(Clone, Copy)]
pub(crate) struct Job<'v, 'p, T, F> {
    pub(crate) input: StridedView<'v, T>,
    pub(crate) axis: usize,
    pub(crate) plan: AxisPlan<'p, F>,
    pub(crate) route: Route,
    /// The point of the cut axis, in `input`, whose output is the output's first.
    pub(crate) first: usize,
}

/// Whether `route`, for the gradient along `axis`, can be run a range of the `cut` axis at a
/// time: the cut axis must be walked point by point, never inside a row.
pub(crate) fn cuttable(route: Route, axis: usize, cut: usize) -> bool {
    match route.walk {
        Walk::Rows { axes, .. } => axes & (1 << cut) == 0,
        // A block's rows are its whole gradient axis: never a range of it.
        Walk::Block { axes, .. } => axes & (1 << cut) == 0 && axis != cut,
        Walk::Flat { axes, .. } => axes & (1 << cut) == 0,
        Walk::Lines => true,
    }
}

/// Runs `jobs` into `outputs` (one each, of the same shape, `len` points along `cut`; an empty
/// slot writes nothing), chunk by chunk of the `cut` axis, whose slabs hold `slab` input
/// elements of `T`.
///
/// Preconditions: each job's route came from [`Route::choose`] with `cut` as its cut and is
/// [`cuttable`]; each job's input holds its output's points along `cut` from `first` on and
/// otherwise what [`kernels::run_axis`] requires.
pub(crate) fn run<T: Sample<F>, F: Real>(
    path: Path,
    jobs: &[Option<Job<'_, '_, T, F>>],
    outputs: &mut [StridedViewMut<'_, F>],
    cut: usize,
    len: usize,
    slab: usize,
) {
    let slab_bytes = slab.saturating_mul(size_of::<T>());
    let chunk = (CHUNK_BYTES / slab_bytes.max(1)).max(1);
    let mut start = 0;
    while start < len {
        let end = len.min(start.saturating_add(chunk));
        for (job, output) in jobs.iter().zip(outputs.iter_mut()) {
            let Some(job) = job else { continue };
            let range = AxisRange {
                axis: cut,
                start: job.first + start,
                end: job.first + end,
                output_from: job.first,
            };
            kernels::run_axis(
                path,
                &job.input,
                output,
                job.axis,
                &job.plan,
                job.route,
                Some(range),
            );
        }
        start = end;
    }
}
