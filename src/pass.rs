//! One pass over several axes: the outermost axis is cut into chunks of a few points, and every
//! selected axis is computed for a chunk before the next, so the input is read from memory once
//! instead of once per axis. The serial call's fused pass and the block API (each block, each
//! thread's slab) share it. Each element is computed by the same kernel as in a per-axis pass,
//! so the bits are the same.

use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, AxisRange, AxisWeights, Route, Walk};
use crate::stencil::AxisPlan;
#[cfg(target_pointer_width = "64")]
use crate::view::Layout;
use crate::view::{StridedView, StridedViewMut};

/// Most axes one pass handles (their jobs live on the stack).
pub(crate) const MAX_FUSED: usize = 4;

/// Input bytes one chunk aims at: a few rows or one slab stay in L2 while every output of the
/// chunk is computed from them. Measured here (2-D 2048², all axes, three runs, each chunk size
/// timed interleaved): 64 KiB 1.24–1.35× the memcpy bound, 128 KiB 1.17–1.28×, 256 KiB
/// 1.15–1.23×, 512 KiB 1.15–1.24×.
const CHUNK_BYTES: usize = 256 * 1024;

/// Input bytes one chunk of a part ([`across`]) aims at: a quarter of the core's L2, at most
/// [`CHUNK_BYTES`] (which is also the answer where the L2 is not known). A part's chunk is one
/// row of each of a few planes; its lines read it from memory and its weighted rows read it
/// back, with a row of the planes on either side, from L2, where a larger share of a small L2
/// no longer holds it. Measured on an AMD Zen 3 (512 KiB of L2: chunks of 128 KiB, 6 planes of
/// 150x200x2500 `f64`, against 12 at 256 KiB), that array by coordinates on axes (2, 0), five
/// alternated `--only "axes (2, 0)"` report runs against a same-run memcpy: 1.21-1.44x (median
/// 1.32x) against 1.34-1.51x (1.46x); 3 planes did no better. CPUs with 1 MiB of L2 or more
/// keep 256 KiB, where it was measured best (Zen 4: 12 planes the best part shape tried; an
/// Intel Xeon with 2 MiB: 1.32-1.57x against 1.54-1.61x with 128 KiB chunks).
#[cfg(target_pointer_width = "64")]
fn part_chunk_bytes() -> usize {
    crate::isa::l2_bytes().map_or(CHUNK_BYTES, |l2| {
        (l2 / 4).clamp(CHUNK_BYTES / 4, CHUNK_BYTES)
    })
}

/// Whether a pass over an input of `bytes` gains anything: an input of one chunk stays in cache
/// between the axes anyway, and each axis is then better walked alone (free to walk its lines
/// across the outer axis). Under Miri, above 4 KiB: arrays Miri can run then take the pass.
pub(crate) fn worth_it(bytes: usize) -> bool {
    bytes > if cfg!(miri) { 4096 } else { CHUNK_BYTES }
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
/// time (and one point of the `across` axis at a time): those axes must be walked point by
/// point, never inside a row.
pub(crate) fn cuttable(route: Route, axis: usize, cut: usize, across: Option<usize>) -> bool {
    let cuts = 1u64 << cut | across.map_or(0, |a| 1u64 << a);
    match route.walk {
        Walk::Rows { axes, .. } => axes & cuts == 0,
        // A block's rows are its whole gradient axis: never a range of it.
        Walk::Block { axes, .. } => axes & cuts == 0 && axis != cut,
        Walk::Flat { axes, .. } => axes & cuts == 0,
        Walk::Lines => true,
    }
}

/// Input bytes between neighbouring points of an axis below which the pass is not cut across
/// it: each part's lines and rows would be shorter than a page. (Under Miri, as
/// [`ACROSS_SLAB_BYTES`] and [`worth_it`], small enough for an array Miri can run to take the
/// cut.)
#[cfg(target_pointer_width = "64")]
const ACROSS_BYTES: usize = if cfg!(miri) { 64 } else { 4096 };

/// Input bytes of one point of the outer axis above which a pass whose outer axis is uneven is
/// also cut across another axis ([`across`]): less comes back from L2 or L3 between the axes.
#[cfg(target_pointer_width = "64")]
const ACROSS_SLAB_BYTES: usize = if cfg!(miri) { 1024 } else { 3 << 20 };

/// The axis a pass over `input` (samples of `sample` bytes, `slab_bytes` in each point of
/// `cut`) that cuts `cut` should also cut, one point at a time, if any.
///
/// An outer axis by coordinates (`cut_uneven`) is walked as weighted rows, three per output
/// (the point's row and both neighbours). When one point of `cut` holds more than
/// [`ACROSS_SLAB_BYTES`], those rows, and the slab the other axes read, come back from L3 or
/// from memory; cut across an axis no output differentiates along (`selected` holds those that
/// do), each part holds one point of it, a sub-array whose chunks of the outer axis stay in L2
/// with their neighbours. That axis is the outermost such one, longer than 1, if its points
/// lie at least [`ACROSS_BYTES`] apart in the input.
///
/// Measured on an AMD Zen 4, `f64`, 600 MB, axes (2, 0), by coordinates / evenly spaced, the
/// median per-round ratio of the time with the cut to without (AVX2 lanes, AVX-512F lanes):
/// planes of 1 MiB (600x50x2500) 1.10, 1.07 / 1.35, 1.34; 2 MiB (300x100x2500) 0.97, 1.00 /
/// 1.23, 1.16; 4 MiB (150x200x2500) 0.82-0.88, 0.83-0.93 / 1.03-1.09, 0.98-1.09; 8 MiB
/// (75x400x2500) 0.70, 0.76 / 0.84, 0.86; 4 MiB of rows of 5 KB (150x800x625) 0.78, 0.79 /
/// 1.49, 1.44. Evenly spaced rows read two rows per output and issue no read-ahead hints
/// (`across::DifferenceRow`): short rows cost them more than the re-reads they save. Parts of
/// one row and 12 planes (a chunk's 256 KiB) against two rows and 6 planes (0.91-0.95 of the
/// time without the cut), four and 3 (0.98), one and 24 or 48 (1.2-1.3: more than L2). A
/// smaller L2 takes fewer planes ([`part_chunk_bytes`]).
#[cfg(target_pointer_width = "64")]
pub(crate) fn across(
    input: &Layout<'_>,
    (selected, cut_uneven): (u64, bool),
    cut: usize,
    slab_bytes: usize,
    sample: usize,
) -> Option<usize> {
    if !cut_uneven || selected & 1 << cut == 0 || slab_bytes <= ACROSS_SLAB_BYTES {
        return None;
    }
    let axis = (0..input.rank())
        .filter(|&a| a != cut && selected & 1 << a == 0 && input.len(a) > 1)
        .max_by_key(|&a| input.stride(a).unsigned_abs())?;
    let apart = input.stride(axis).unsigned_abs().saturating_mul(sample);
    (apart >= ACROSS_BYTES).then_some(axis)
}

/// Runs `jobs` into `outputs` (one each, of the same shape, `len` points along `cut`; an empty
/// slot writes nothing), chunk by chunk of the `cut` axis, whose slabs hold `slab` input
/// elements of `T`; with an `across` axis ([`across`]), for each of its points in turn.
///
/// Preconditions: each job's route came from [`Route::choose`] with `cut` (and `across`) among
/// its cuts and is [`cuttable`]; each job's input holds its output's points along `cut` from
/// `first` on and otherwise what [`kernels::run_axis`] requires; with `across`, every job reads
/// the same input, of its outputs' shape.
pub(crate) fn run<T: Sample<F>, F: Real>(
    path: Path,
    jobs: &[Option<Job<'_, '_, T, F>>],
    outputs: &mut [StridedViewMut<'_, F>],
    (cut, across): (usize, Option<usize>),
    len: usize,
    slab: usize,
) {
    #[cfg(target_pointer_width = "64")]
    if let Some(across) = across {
        return by_point(path, jobs, outputs, (cut, across), len, slab);
    }
    debug_assert!(across.is_none());
    chunks(path, jobs, outputs, (cut, len, slab), CHUNK_BYTES, None);
}

/// [`run`] one point of the `across` axis at a time: the jobs and outputs restricted to it.
#[cfg(target_pointer_width = "64")]
// Out of line: its 4.5 KiB of shapes and strides, and its table's 64 KiB, stay off the stack of
// every other call.
#[inline(never)]
fn by_point<T: Sample<F>, F: Real>(
    path: Path,
    jobs: &[Option<Job<'_, '_, T, F>>],
    outputs: &mut [StridedViewMut<'_, F>],
    (cut, across): (usize, usize),
    len: usize,
    slab: usize,
) {
    use crate::MAX_RANK;
    let (Some(input), Some(first)) = (
        jobs.iter().flatten().next().map(|job| job.input),
        outputs.first(),
    ) else {
        return;
    };
    let layout = input.layout();
    let (rank, n) = (layout.rank().min(MAX_RANK), layout.len(across));
    // A point of `across` (from `start`), an empty part (for the unused slots of a fixed-size
    // array), and the strides of the input and of each output, which parts borrow.
    let mut shape = [0usize; MAX_RANK];
    shape[..rank].copy_from_slice(layout.shape().get(..rank).unwrap_or(&[]));
    if let Some(len) = shape.get_mut(across) {
        *len = 1;
    }
    let (shape, empty) = (&shape[..rank], &[0usize; MAX_RANK][..rank]);
    let mut input_strides = [0isize; MAX_RANK];
    let input_strides = layout.strides_into(&mut input_strides);
    let mut output_strides = [[0isize; MAX_RANK]; MAX_FUSED];
    for (strides, output) in output_strides.iter_mut().zip(outputs.iter()) {
        output.layout().strides_into(strides);
    }
    // The first job whose lines share weights takes them from a table that its first call
    // fills once: each part's calls hold a chunk's lines only (6 or 12 rows of 150x200x2500
    // `f64`, by the L2), and would divide again for each part. Measured on an AMD Zen 4 (with
    // the walk by blocks that the whole lines replaced), that array by coordinates on axes
    // (2, 0), the time with the table over the time without, in one process (medians of 15-21
    // paired rounds, seven runs): AVX2 lanes 0.93-0.97, AVX-512F lanes 0.94-1.01; with no
    // division at all (a timing switch, wrong values) 0.89-0.92: the copies from the table
    // cost the rest, which lines the table serves no longer make.
    let mut weights = AxisWeights::<F>::new();
    // (A route shares weights only along an uneven axis.)
    let shared = jobs.iter().position(|job| {
        job.as_ref()
            .is_some_and(|job| matches!(job.route.walk, Walk::Lines) && job.route.shared_weights)
    });
    let mut table = shared.map(|k| (k, &mut weights));
    let mut start = [0usize; MAX_RANK];
    let start = start.get_mut(..rank).unwrap_or(&mut []);
    // Each part holds a slab's `1 / n` (one point of `across`).
    let (slab, chunk_bytes) = (slab / n.max(1), part_chunk_bytes());
    for point in 0..n {
        if let Some(at) = start.get_mut(across) {
            *at = point;
        }
        let part = input.with_layout(layout.part(start, shape, input_strides));
        let mut parts = [None; MAX_FUSED];
        for (slot, job) in parts.iter_mut().zip(jobs) {
            *slot = job.map(|job| Job { input: part, ..job });
        }
        let mut views: [StridedViewMut<'_, F>; MAX_FUSED] = core::array::from_fn(|k| {
            let (output, shape, strides) = match (outputs.get(k), output_strides.get(k)) {
                (Some(output), Some(strides)) => (output, shape, strides),
                _ => (first, empty, &output_strides[0]),
            };
            let strides = strides.get(..rank).unwrap_or(&[]);
            // SAFETY: the part is one point of `across` of a validated output, whose elements
            // no two share (or it is empty); it lives for this iteration only, in which
            // nothing else (the output itself included) accesses them.
            unsafe { output.part_of(output.layout().part(start, shape, strides)) }
        });
        let count = jobs.len().min(outputs.len());
        let parts = parts.get(..count).unwrap_or(&[]);
        let views = views.get_mut(..count).unwrap_or(&mut []);
        let table = table.as_mut().map(|(k, weights)| (*k, &mut **weights));
        chunks(path, parts, views, (cut, len, slab), chunk_bytes, table);
    }
}

/// [`run`] without an `across` axis, in chunks of about `chunk_bytes` of input; job
/// `table.0`, if any, takes its weights from `table.1` where it holds them.
fn chunks<T: Sample<F>, F: Real>(
    path: Path,
    jobs: &[Option<Job<'_, '_, T, F>>],
    outputs: &mut [StridedViewMut<'_, F>],
    (cut, len, slab): (usize, usize, usize),
    chunk_bytes: usize,
    mut table: Option<(usize, &mut AxisWeights<F>)>,
) {
    let slab_bytes = slab.saturating_mul(size_of::<T>());
    let chunk = (chunk_bytes / slab_bytes.max(1)).max(1);
    let mut start = 0;
    while start < len {
        let end = len.min(start.saturating_add(chunk));
        for (k, (job, output)) in jobs.iter().zip(outputs.iter_mut()).enumerate() {
            let Some(job) = job else { continue };
            let range = AxisRange {
                axis: cut,
                start: job.first + start,
                end: job.first + end,
                output_from: job.first,
            };
            let weights = match &mut table {
                Some((t, weights)) if *t == k => Some(&mut **weights),
                _ => None,
            };
            kernels::run_axis(
                path,
                &job.input,
                output,
                job.axis,
                (&job.plan, weights),
                job.route,
                Some(range),
            );
        }
        start = end;
    }
}

// Not under Miri, whose thresholds are its own (and the views' 12 MiB).
#[cfg(all(test, target_pointer_width = "64", not(miri)))]
mod tests {
    use super::*;

    /// Zeros for views of up to 12 MiB of bytes (in `.bss`: nothing is read).
    static DATA: [u8; 12 << 20] = [0; 12 << 20];

    fn across_of(shape: &[usize], selected: u64, uneven: bool) -> Option<usize> {
        let count: usize = shape.iter().product();
        let view = StridedView::contiguous(&DATA[..count], shape).unwrap();
        across(view.layout(), (selected, uneven), 0, count / shape[0], 1)
    }

    #[test]
    fn only_large_uneven_outer_points_are_cut_across_an_unselected_axis() {
        // Planes of 4 MiB, rows 4 KiB apart: the row axis, by coordinates along axis 0 only.
        assert_eq!(across_of(&[3, 1024, 4096], 0b101, true), Some(1));
        assert_eq!(across_of(&[3, 1024, 4096], 0b101, false), None);
        // The outer axis not selected, or no axis left unselected.
        assert_eq!(across_of(&[3, 1024, 4096], 0b100, true), None);
        assert_eq!(across_of(&[3, 1024, 4096], 0b111, true), None);
        // Rows 1 KiB apart; planes of 2 MiB.
        assert_eq!(across_of(&[3, 4096, 1024], 0b101, true), None);
        assert_eq!(across_of(&[3, 512, 4096], 0b101, true), None);
        // Of two unselected axes, the outer one (4 KiB apart, the inner one 1 KiB).
        assert_eq!(across_of(&[2, 1024, 4, 1024], 0b1001, true), Some(1));
    }
}
