//! The unsafe kernels and the walks that feed them validated pointers.
//!
//! Everything here runs after validation: the driver only calls [`run_axis`] once every check of
//! the call has passed, which is what the `// SAFETY:` comments rely on.

mod across;
mod along;
mod route;
mod sweep;
#[cfg(target_pointer_width = "64")]
pub(crate) mod tiles;
mod walk;
#[cfg(target_pointer_width = "64")]
mod weights;
#[cfg(target_pointer_width = "64")]
mod whole_lines;

pub use route::Kernel;
pub(crate) use route::{ElemBytes, Frame, Route, Walk, line_nt, nt_stores};
pub(crate) use walk::AxisRange;

use crate::element::{Real, Sample};
use crate::isa::Path;
#[cfg(target_arch = "x86_64")]
use crate::lanes::Apart;
use crate::lanes::{Lanes, Step, Unit, nt_fence};
use crate::stencil::{AxisPlan, Stencil};
use crate::view::{StridedView, StridedViewMut};
use across::Row;
use walk::Batch;
#[cfg(target_pointer_width = "64")]
use weights::FromBlock;
#[cfg(target_pointer_width = "64")]
pub(crate) use weights::{AxisWeights, BlockWeights};

/// Interior weights computed once for many calls of [`run_axis`] along one axis: only 64-bit
/// targets, whose lines share weights, build them.
#[cfg(not(target_pointer_width = "64"))]
pub(crate) type AxisWeights<F> = core::marker::PhantomData<F>;

/// How a kernel stores its results: through the caches, or around them; and in which order.
pub(crate) trait Stores {
    /// Non-temporal stores (unit output stride only); the caller fences after them.
    const NT: bool;
    /// With [`NT`](Self::NT), a sweep's single points (before its first aligned vector, after
    /// its last, a line's edges) are non-temporal too; else ordinary stores, and so is every
    /// store into a cache line the sweep does not fill whole.
    const NT_ENDS: bool = true;
    /// The sweep writes its points from the last one down (cached stores only).
    const BACKWARD: bool = false;
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

/// Stores `v` at `p` as `S` says: non-temporal where `S::NT` and the output has unit stride,
/// except a single point where `S::NT_ENDS` is false; otherwise an ordinary store at stride
/// `so`. The one place a kernel's store of a point or a mate's vector is chosen (a sweep's
/// single points, a line's edges, the lines that share a line's weights); the sweep alone
/// decides its own vectors, ordinary in the partial cache lines of `NonTemporalVectors`,
/// which no line with mates runs with (the tiles sweep single lines).
///
/// # Safety
/// `p` and the lanes after it at stride `so` are valid for writes; a non-temporal store of
/// more than one lane needs `p` aligned to `L::NT_ALIGN`, one lane only to the element's.
#[inline(always)]
pub(crate) unsafe fn store_as<L: Lanes, S: Stores, SO: Step>(v: L, p: *mut L::Elem, so: SO) {
    // SAFETY: the caller's contract.
    unsafe {
        if S::NT && SO::UNIT && (S::NT_ENDS || L::N > 1) {
            v.store_nt(p)
        } else {
            v.store(p, so)
        }
    }
}

/// Non-temporal stores into the cache lines a sweep fills whole, ordinary stores elsewhere
/// (its partial lines at either end, single points): for rows whose ends share cache lines
/// with other rows written a while later (the tiles' rows of an output that lies otherwise
/// than the first on its cache lines, `tiles`). Each part of such a line then waits in the
/// cache for the others, where partial non-temporal writes would each go to memory alone, and
/// no line mixes the two kinds of store.
#[cfg(target_pointer_width = "64")]
pub(crate) struct NonTemporalVectors;

#[cfg(target_pointer_width = "64")]
impl Stores for NonTemporalVectors {
    const NT: bool = true;
    const NT_ENDS: bool = false;
}

/// Ordinary stores, the interior swept from its last point down: for a line whose outputs lie
/// a little after its samples modulo 4 KiB (see [`contiguous_line`]).
#[cfg(target_arch = "x86_64")]
pub(crate) struct Backward;

#[cfg(target_arch = "x86_64")]
impl Stores for Backward {
    const NT: bool = false;
    const BACKWARD: bool = true;
}

/// Writes the gradient along `axis` into `output` as `route` says, on the call's vector `path`,
/// for the points of `range` only when given (the whole output otherwise), lines that share
/// weights taking them from `weights` (a pass's table) where it holds them. This only dispatches:
/// every choice was made by [`Route::choose`].
///
/// Preconditions (established by the driver's validation): both views passed their
/// constructors' checks, have the same shape, `plan.len()` is the length of `axis`, `route`
/// came from [`Route::choose`] for these layouts, this axis and this plan (and the range's
/// axis as its `cut`), and `plan`'s coordinates (if any) have that length; `range`, if any,
/// lies within its axis, which is not one of an across walk's row axes, and is the gradient
/// axis only for an across walk; `weights`, if any, were computed from `plan`'s positions.
pub(crate) fn run_axis<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, F>,
    axis: usize,
    (plan, weights): (&AxisPlan<'_, F>, Option<&mut AxisWeights<F>>),
    route: Route,
    range: Option<AxisRange>,
) {
    #[cfg(not(target_pointer_width = "64"))]
    let _ = weights;
    let (lin, lout) = (*input.layout(), *output.layout());
    if lin.is_empty() || range.is_some_and(|r| r.start >= r.end) {
        return;
    }
    debug_assert!((0..lin.rank()).all(|a| match range {
        Some(r) if r.axis == a => lout.len(a) >= r.end - r.output_from,
        _ => lin.len(a) == lout.len(a),
    }));
    debug_assert_eq!(lin.len(axis), plan.len());
    debug_assert!(range.is_none_or(|r| r.end <= lin.len(r.axis) && r.output_from <= r.start));
    // A non-empty validated view reaches its first element: both point into their buffers.
    let (src, dst) = (input.first(), output.first_mut());
    // The odometer over the axes the walk does not cover itself.
    let exclude = match route.walk {
        Walk::Lines => 1 << axis,
        Walk::Rows { axes, .. } => axes,
        Walk::Block { axes, .. } | Walk::Flat { axes, .. } => axes | 1 << axis,
    };
    // A range on the gradient axis of a line walk is the line's own business (its lines start
    // at point 0 of the input, and at the range's first output); any other range is walked by
    // the batch, from point `start` of the range's axis, whose output is at
    // `start - output_from`. Either way, partial sums of valid indices.
    let (points, range, start) = match (route.walk, range) {
        (Walk::Lines, Some(r)) if r.axis == axis => {
            let out = (r.start - r.output_from) as isize * lout.stride(axis);
            ((r.start, r.end), None, (0, out))
        }
        (_, Some(r)) => {
            let at = (
                r.start as isize * lin.stride(r.axis),
                (r.start - r.output_from) as isize * lout.stride(r.axis),
            );
            ((0, plan.len()), Some(r), at)
        }
        (_, None) => ((0, plan.len()), None, (0, 0)),
    };
    // Lines that compute their own weights may keep the caches (`line_nt`).
    let route = match route.walk {
        Walk::Lines if !route.shared_weights => Route {
            nt: route.nt && line_nt(path, plan.is_even()),
            ..route
        },
        _ => route,
    };
    let mut batch = Batch::empty();
    batch.walk(&lin, &lout, exclude, axis, range);
    let (a_in, a_out) = (lin.stride(axis), lout.stride(axis));
    let (mut off_in, mut off_out) = start;
    match route.walk {
        #[cfg(target_pointer_width = "64")]
        Walk::Lines if route.shared_weights => {
            let strides = (a_in, a_out);
            // SAFETY: the same lines, points and outputs as the walk below, each point once.
            unsafe {
                whole_lines::whole_lines(
                    path,
                    (src, dst),
                    strides,
                    (plan, weights),
                    route,
                    points,
                    start,
                    &mut batch,
                )
            };
        }
        Walk::Lines => loop {
            let (src, dst) = (src.wrapping_offset(off_in), dst.wrapping_offset(off_out));
            // SAFETY: `off_*` is the offset of a line start reached by the batch axes; the
            // line's points `j * a_*` for `j < plan.len()` complete an index of the validated
            // views, so every access is in bounds (an element between two of them is read only
            // when the route found the input's gaps readable: a view over a slice), and output
            // elements are distinct by the output's no-overlap check; a range on the axis
            // writes only its own points, from the output's first.
            unsafe {
                instantiate(
                    Line {
                        path,
                        src,
                        dst,
                        plan,
                        points,
                    },
                    route,
                    a_in,
                    a_out,
                )
            };
            if !batch.advance(&mut off_in, &mut off_out) {
                break;
            }
        },
        Walk::Rows {
            len,
            step_in,
            step_out,
            tile,
            ..
        } => {
            // With non-temporal stores, the rows of neighbouring points are swept in pairs
            // only if their outputs lie alike on their cache lines.
            #[cfg(target_pointer_width = "64")]
            let pairs = !route.nt || (a_out.unsigned_abs() * size_of::<F>()).is_multiple_of(64);
            let mut first = 0;
            while first < len {
                let cols = tile.min(len - first);
                // Each tile walks the whole batch, from its first position (where the odometer
                // is back after a whole walk).
                (off_in, off_out) = (
                    start.0 + first as isize * step_in,
                    start.1 + first as isize * step_out,
                );
                loop {
                    let point = batch.gradient_index();
                    let stencil = plan.stencil(point);
                    #[cfg(target_pointer_width = "64")]
                    let next = next_row(plan, (point, stencil), &batch).filter(|_| pairs);
                    #[cfg(not(target_pointer_width = "64"))]
                    let next: Option<[F; 3]> = None;
                    let dst = dst.wrapping_offset(off_out);
                    let row = RowAt {
                        path,
                        src: src.wrapping_offset(off_in),
                        axis_stride: a_in,
                        point,
                        dst,
                        len: cols,
                        stencil,
                        next: next.map(|weights| (weights, dst.wrapping_offset(a_out))),
                    };
                    // SAFETY: `off_*` is the offset of column `first` of the row at `point`
                    // of the gradient axis; its `cols` columns lie on the row axes (strides
                    // `step_*`: 1, len, … when contiguous), and the stencil's points are other
                    // points of the same axis, so every access completes an index of the
                    // validated views (or lies between two such elements of one slice). With
                    // a next row, the same holds of point `point + 1`, the batch's next
                    // position (`a_*` on), whose outputs are others than this point's.
                    unsafe { instantiate(row, route, step_in, step_out) };
                    if next.is_some() {
                        let more = batch.advance(&mut off_in, &mut off_out);
                        debug_assert!(more);
                    }
                    if !batch.advance(&mut off_in, &mut off_out) {
                        break;
                    }
                }
                first += cols;
            }
        }
        Walk::Flat { len, .. } => {
            // SAFETY: the route's flat lines, from the batch's first position.
            unsafe { flat_blocks(path, (src, dst), plan, len, start, &mut batch) };
        }
        Walk::Block { len, .. } => loop {
            let (s, d) = (src.wrapping_offset(off_in), dst.wrapping_offset(off_out));
            // SAFETY: `off_*` is the start of a contiguous block of `plan.len()` rows of `len`
            // elements in both views (the row axes and the gradient axis, strides 1 and `len`).
            unsafe {
                if route.nt {
                    block::<T, F, NonTemporal>(path, (s, d), plan, len);
                } else {
                    block::<T, F, Cached>(path, (s, d), plan, len);
                }
            }
            if !batch.advance(&mut off_in, &mut off_out) {
                break;
            }
        },
    }
    if route.nt {
        nt_fence();
    }
}

/// One block of [`Walk::Block`]: its first row, its interior rows as one row, its last row,
/// stored with `S`.
///
/// # Safety
/// `src` and `dst` start a contiguous block of `plan.len()` rows of `len` elements in both
/// views (the row axes and the gradient axis, strides 1 and `len`).
// Out of line: inlined into `run_axis`, the three rows' pointers and stencils were computed
// before the walk's loop at every call of every walk (a 32x32 frame's call: about 300 of its
// 5,000 instructions).
#[inline(never)]
unsafe fn block<T: Sample<F>, F: Real, S: Stores>(
    path: Path,
    (s, d): (*const T, *mut F),
    plan: &AxisPlan<'_, F>,
    len: usize,
) {
    let n = plan.len();
    // The gradient axis's stride: one row (a validated view's, so it fits).
    let row = len as isize;
    let (last, inner) = ((n - 1) * len, (n - 2) * len);
    let part = |offset: usize, point: usize, len: usize| Row {
        src: s.wrapping_add(offset),
        input_step: Unit,
        axis_stride: row,
        point,
        dst: d.wrapping_add(offset),
        output_step: Unit,
        len,
    };
    let (first, interior, end) = (part(0, 0, len), part(len, 1, inner), part(last, n - 1, len));
    // SAFETY: the first and last rows read rows of the block, and the interior (rows 1..n-1
    // as one row) reads one row before and after, also in it.
    unsafe {
        across::row::<T, F, _, _, S>(path, first, plan.first(), None);
        across::row::<T, F, _, _, S>(path, interior, plan.stencil(1), None);
        across::row::<T, F, _, _, S>(path, end, plan.last(), None);
    }
}

/// The line walk of flat lines ([`Walk::Flat`]): each position of the batch starts a block of
/// `len` contiguous elements, lines of `plan.len()` points one after the other.
///
/// # Safety
/// As for the line walk of [`run_axis`] (without a range on the gradient axis), the lines of
/// each block following each other in both views.
// Out of line, like `block`: inlined on x86_64, its setup (the plan's stencils, both sweeps'
// pointers) ran at every call of every walk; elsewhere, its sweep's frame is then not
// `run_axis`'s.
#[inline(never)]
unsafe fn flat_blocks<T: Sample<F>, F: Real>(
    path: Path,
    (src, dst): (*const T, *mut F),
    plan: &AxisPlan<'_, F>,
    len: usize,
    (mut off_in, mut off_out): (isize, isize),
    batch: &mut Batch,
) {
    loop {
        let (s, d) = (src.wrapping_offset(off_in), dst.wrapping_offset(off_out));
        // SAFETY: `off_*` is the start of a block of `len` contiguous elements of both views
        // (the route merged only axes that continue the lines, in both), `len` a multiple of
        // the line's length.
        unsafe { along::flat::<T, F>(path, s, d, plan, len) };
        if !batch.advance(&mut off_in, &mut off_out) {
            break;
        }
    }
}

/// Points `points` of one line along an uneven axis whose interior weights are `weights`
/// (`src` at point 0, `dst` at the output of the first of the points); with `K` mates, those
/// of `K` more lines too (each its input at point 0 and its output of the first of the
/// points), interior points only, sharing the loads of their weights. `K` is known at compile
/// time, so each call site instantiates only the kernel it runs (a debug build's frames hold
/// every inlined instantiation).
#[cfg(target_pointer_width = "64")]
struct LineWeighted<'p, T, F, const K: usize> {
    path: Path,
    src: *const T,
    dst: *mut F,
    plan: &'p AxisPlan<'p, F>,
    weights: FromBlock<F>,
    points: (usize, usize),
    mates: [(*const T, *mut F); K],
}

#[cfg(target_pointer_width = "64")]
impl<T: Sample<F>, F: Real, const K: usize> Call for LineWeighted<'_, T, F, K> {
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO) {
        let (path, src, dst, points) = (self.path, self.src, self.dst, self.points);
        let w = (self.plan, self.weights);
        // SAFETY: the caller's contract is `line_weighted`'s, or with mates `lines_weighted`'s.
        unsafe {
            if K == 0 {
                along::line_weighted::<T, F, SI, SO, S>(path, src, si, dst, so, w, points)
            } else {
                along::lines_weighted::<T, F, SI, SO, S, K>(
                    path,
                    (src, dst),
                    self.mates,
                    si,
                    so,
                    w,
                    points,
                )
            }
        };
    }
}

/// One kernel call of a walk (a line, a row), run with its strides and stores known at
/// compile time.
trait Call {
    /// Runs the call with inner strides `si` (input) and `so` (output), storing with `S`.
    ///
    /// # Safety
    /// The kernel's contract for this call, `si` and `so` being the route's inner strides.
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO);
}

/// The one table of stride and store instantiations: a side of unit stride stays vector (its
/// loads or stores contiguous), and only a unit-stride output stores around the caches. The
/// route decided which entry; this only applies it, per call, so the walks' loops exist once.
///
/// # Safety
/// [`Call::run`]'s contract, with `si`, `so` the route's inner strides.
#[inline(always)]
unsafe fn instantiate<C: Call>(call: C, route: Route, si: isize, so: isize) {
    // Only x86_64 reads between lanes (stride-2 loads): elsewhere a run-time stride is read
    // lane by lane anyway, and needs no second instantiation.
    #[cfg(target_arch = "x86_64")]
    if route.apart_in && !route.unit_in {
        let si = Apart(si);
        // SAFETY: the caller's contract; `Apart` only reads the elements the view reaches.
        unsafe {
            match (route.unit_out, route.nt) {
                (true, true) => call.run::<_, _, NonTemporal>(si, Unit),
                (true, false) => call.run::<_, _, Cached>(si, Unit),
                (false, _) => call.run::<_, _, Cached>(si, so),
            }
        }
        return;
    }
    // SAFETY: the caller's contract; `Unit` stands for a stride the route found to be 1.
    unsafe {
        match (route.unit_in, route.unit_out, route.nt) {
            (true, true, true) => call.run::<_, _, NonTemporal>(Unit, Unit),
            (true, true, false) => call.run::<_, _, Cached>(Unit, Unit),
            (true, false, _) => call.run::<_, _, Cached>(Unit, so),
            (false, true, true) => call.run::<_, _, NonTemporal>(si, Unit),
            (false, true, false) => call.run::<_, _, Cached>(si, Unit),
            (false, false, _) => call.run::<_, _, Cached>(si, so),
        }
    }
}

/// Points `points` of one line along the gradient axis (`src` at point 0, `dst` at the output
/// of the first of them).
struct Line<'p, T, F> {
    path: Path,
    src: *const T,
    dst: *mut F,
    plan: &'p AxisPlan<'p, F>,
    points: (usize, usize),
}

impl<T: Sample<F>, F: Real> Call for Line<'_, T, F> {
    // Inlined on x86_64, where the call per line would cost time; out of line elsewhere, so
    // that each instantiation has its own frame rather than all of them sharing one (a
    // Cortex-M4F's worst-case stack for `f64`: 7.7 KiB inlined).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline(never))]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO) {
        // SAFETY: the caller's contract is `line`'s.
        unsafe {
            along::line::<T, F, SI, SO, S>(
                self.path,
                self.src,
                si,
                self.dst,
                so,
                self.plan,
                self.points,
            )
        };
    }
}

/// The weights of the point after `point` (whose stencil is `stencil`), when the across walk
/// may sweep its row with this one ([`across::row`] with a next point): both are weighted by
/// coordinates, the next one's rows one point further on, and it is the batch's next
/// position.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn next_row<F: Real>(
    plan: &AxisPlan<'_, F>,
    (point, stencil): (usize, Stencil<F>),
    batch: &Batch,
) -> Option<[F; 3]> {
    let Stencil::Weighted { first, .. } = stencil else {
        return None;
    };
    if !batch.next_is_next_point() {
        return None;
    }
    match plan.stencil(point + 1) {
        Stencil::Weighted {
            first: next,
            weights,
        } if next == first + 1 => Some(weights),
        _ => None,
    }
}

/// One row across the gradient axis, at `point`, with its stencil; with `next`, the next
/// point's row too (its weights and outputs).
struct RowAt<T, F> {
    path: Path,
    src: *const T,
    axis_stride: isize,
    point: usize,
    dst: *mut F,
    len: usize,
    stencil: Stencil<F>,
    next: Option<([F; 3], *mut F)>,
}

impl<T: Sample<F>, F: Real> Call for RowAt<T, F> {
    // As for `Line`: inlined on x86_64 only.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline(never))]
    unsafe fn run<SI: Step, SO: Step, S: Stores>(self, si: SI, so: SO) {
        let row = Row {
            src: self.src,
            input_step: si,
            axis_stride: self.axis_stride,
            point: self.point,
            dst: self.dst,
            output_step: so,
            len: self.len,
        };
        // SAFETY: the caller's contract is `row`'s.
        unsafe { across::row::<T, F, SI, SO, S>(self.path, row, self.stencil, self.next) };
    }
}

/// Writes the gradient along `axis` into `output` when the views hold a single contiguous line
/// (every other axis of length 1, unit strides on both sides) and returns `true`; returns
/// `false`, writing nothing, otherwise. A whole call on a series then costs what
/// [`gradient_1d`](crate::gradient_1d) costs (no batch walk, no route search) and shares its
/// code. `plan` makes the axis's plan, asked for only when the call is a series.
///
/// Preconditions: those of [`run_axis`] without a range.
pub(crate) fn run_line<'a, T: Sample<F>, F: Real + 'a>(
    path: Path,
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, F>,
    axis: usize,
    plan: impl FnOnce() -> AxisPlan<'a, F>,
) -> bool {
    let (lin, lout) = (*input.layout(), *output.layout());
    let one_line = (0..lin.rank()).all(|a| a == axis || lin.len(a) == 1);
    let unit = lin.stride(axis) == 1 && lout.stride(axis) == 1;
    if !one_line || !unit || lin.len(axis) == 0 {
        return false;
    }
    // The plan only once the call is known to be a series.
    let plan = &plan();
    debug_assert_eq!(lin.shape(), lout.shape());
    debug_assert_eq!(lin.len(axis), plan.len());
    // A non-empty validated view reaches its first element: both point into their buffers.
    let (src, dst) = (input.first(), output.first_mut());
    // SAFETY: every other index is 0 and the strides are 1, so the `plan.len()` elements from
    // each start are the views' elements, in bounds by validation (and distinct).
    unsafe { contiguous_line(path, src, dst, plan) };
    true
}

/// Writes the gradient of a 2-D frame along both axes into `outputs` (one per axis of `axes`,
/// the selected axes in the caller's order) and returns `true` when the layouts make it a
/// [`Frame`] and both axes are evenly spaced; returns `false`, writing nothing, otherwise. The
/// frame's walks are the search's, each over the whole frame: a call then skips the search,
/// two batch walks and their dispatch (a 32x32 frame: 950 of its 4,400 instructions), as a
/// series does ([`run_line`]). `plan(k)` makes the `k`-th selected axis's plan, asked for only
/// when the layouts fit.
///
/// Preconditions: those of [`run_axis`] without a range, for each output.
// Out of line: its two plans and empty batch stayed in the driver's frame, on the stack of
// every call (the Cortex-M4F's worst case of `gradient`: 3,104 -> 3,600 B for `f32`).
#[inline(never)]
pub(crate) fn run_frame<'a, T: Sample<F>, F: Real + 'a>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    axes: [usize; 2],
    plan: impl Fn(usize) -> AxisPlan<'a, F>,
) -> bool {
    let [first, second] = outputs else {
        return false;
    };
    let layouts = [first.layout(), second.layout()];
    let Some(frame) = Frame::fits(input.layout(), layouts, axes) else {
        return false;
    };
    let plans = [plan(0), plan(1)];
    if !plans.iter().all(AxisPlan::is_even) {
        return false;
    }
    let src = input.first();
    for ((output, plan), axis) in outputs.iter_mut().zip(&plans).zip(axes) {
        let dst = output.first_mut();
        // SAFETY: both views hold the frame's rows one after the other (`Frame::fits`), in
        // bounds by validation and the output distinct: across the rows, one block of `rows`
        // rows of `cols` elements; along them, `rows` flat lines of `cols` points.
        unsafe {
            match frame.walk(axis) {
                Walk::Block { len, .. } => block::<T, F, Cached>(path, (src, dst), plan, len),
                Walk::Flat { len, .. } => {
                    flat_blocks(path, (src, dst), plan, len, (0, 0), &mut Batch::empty())
                }
                _ => {}
            }
        }
    }
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
    let whole = (0, plan.len());
    if nt_stores(plan.len(), size_of::<F>()) && line_nt(path, plan.is_even()) {
        // SAFETY: the caller's contract is `line`'s for unit strides.
        unsafe { along::line::<T, F, _, _, NonTemporal>(path, src, Unit, dst, Unit, plan, whole) };
        nt_fence();
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if backward(src, dst) {
        // SAFETY: as above.
        unsafe { along::line::<T, F, _, _, Backward>(path, src, Unit, dst, Unit, plan, whole) };
        return;
    }
    // SAFETY: as above.
    unsafe { along::line::<T, F, _, _, Cached>(path, src, Unit, dst, Unit, plan, whole) };
}

/// Whether a line of samples at `src` is better swept from its last point when its outputs go
/// to `dst`: when they start less than 2 KiB after the samples modulo 4 KiB (and both have the
/// same size). A load whose address matches a pending store's in its low 12 bits waits for
/// that store; a forward sweep then loads, a few dozen points ahead, samples whose addresses
/// match the outputs it has just stored, and `gradient_1d` on 1,000 `f64` took 120-129 ns
/// instead of 84-86 with its output 64 to 640 B after its input (modulo 4 KiB; AMD Zen 5).
/// Swept backwards, the samples those stores match were loaded before them; outputs 2 KiB or
/// more after (so at most 2 KiB before) keep the forward sweep, which is then as far from the
/// matches the other way. The same points and formula either way: the same bits.
#[cfg(target_arch = "x86_64")]
fn backward<T, F>(src: *const T, dst: *mut F) -> bool {
    let ahead = (dst as usize).wrapping_sub(src as usize) % 4096;
    size_of::<T>() == size_of::<F>() && (1..2048).contains(&ahead)
}
