//! The N-d driver: validates a whole call, then runs one kernel per selected axis.

use crate::axes::AxisList;
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, AxisRange, Kernel, Route, Walk};
use crate::options::EdgeOrder;
use crate::spacing::{AxisSpacing, Grid};
use crate::stencil::AxisPlan;
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, Options};

/// Computes numpy's `gradient(input, *spacing, axis=axes, edge_order=edge_order)` into
/// caller-provided outputs, one per selected axis, in the order of the selected axes.
///
/// No allocation; stack use is bounded (a few KiB at most, whatever the rank). Every check runs
/// before the first write: on error the outputs are untouched.
///
/// ```
/// use numgrad::{gradient, Options, Spacing, StridedView, StridedViewMut};
/// // A 2x3 image, C order.
/// let image = [1.0, 2.0, 4.0, 2.0, 4.0, 8.0];
/// let input = StridedView::contiguous(&image, &[2, 3])?;
/// let (mut d_rows, mut d_cols) = ([0.0; 6], [0.0; 6]);
/// gradient(
///     &input,
///     &mut [
///         StridedViewMut::contiguous(&mut d_rows, &[2, 3])?,
///         StridedViewMut::contiguous(&mut d_cols, &[2, 3])?,
///     ],
///     &Options::new().spacing(Spacing::Uniform(0.5)),
/// )?;
/// assert_eq!(d_rows, [2.0, 4.0, 8.0, 2.0, 4.0, 8.0]);
/// assert_eq!(d_cols, [2.0, 3.0, 4.0, 4.0, 6.0, 8.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    let applied = run(input, outputs, options, Kernel::Auto, Path::detect())?;
    debug_assert!(applied, "the automatic choice fits every layout");
    Ok(())
}

/// [`gradient`] with a forced kernel and vector path (the test hooks and [`gradient`] itself).
///
/// Returns `Ok(false)`, having written nothing, when the kernel does not fit the layout of some
/// selected axis.
pub(crate) fn run<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
    kernel: Kernel,
    path: Path,
) -> Result<bool, GradientError> {
    let (axes, first_plan) = validate(input, outputs, options)?;
    if kernel == Kernel::Auto {
        // A series (one line) goes straight to its kernel; several axes share one pass.
        if let (Some(axis), Some(plan), [output]) = (axes.iter().next(), first_plan, &mut *outputs)
            && kernels::run_line(path, input, output, axis, &plan)
        {
            return Ok(true);
        }
        if fused(path, input, outputs, options, &axes)? {
            return Ok(true);
        }
    }
    // The automatic choice fits every layout; a forced kernel may not: check every axis
    // before writing any.
    let route = |k: usize, axis: usize, output: &StridedViewMut<'_, F>| {
        let plan = axis_plan(input, options, k, axis)?;
        let (lin, lout) = (input.layout(), output.layout());
        let route = Route::choose::<T, F>(kernel, lin, lout, axis, plan.is_uniform(), None);
        Ok::<_, GradientError>((plan, route))
    };
    for (k, (axis, output)) in axes.iter().zip(outputs.iter()).enumerate() {
        if route(k, axis, output)?.1.is_none() {
            return Ok(false);
        }
    }
    for (k, (axis, output)) in axes.iter().zip(outputs.iter_mut()).enumerate() {
        if let (plan, Some(route)) = route(k, axis, output)? {
            kernels::run_axis(path, input, output, axis, &plan, route, None);
        }
    }
    Ok(true)
}

/// Most axes one fused pass handles (their plans live on the stack).
const MAX_FUSED: usize = 4;

/// Input bytes one fused chunk aims at: a few rows or one slab stay in L2 while every output
/// of the chunk is computed from them. Measured here (2-D 2048², all axes, three runs, each
/// chunk size timed interleaved): 64 KiB 1.24–1.35× the memcpy bound, 128 KiB 1.17–1.28×,
/// 256 KiB 1.15–1.23×, 512 KiB 1.15–1.24×.
const FUSED_CHUNK_BYTES: usize = 256 * 1024;

/// Several axes in one pass over the input: the outermost axis is cut into chunks of a few
/// points, and every output is computed for a chunk before the next, so the input is read
/// from memory once instead of once per axis. Each element is computed by the same kernel as
/// in the per-axis pass, so the bits are the same.
///
/// Returns `false` (nothing written) when the call does not fit: fewer than 2 or more than
/// [`MAX_FUSED`] axes, or a layout where the outermost axis cannot be cut.
fn fused<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
    axes: &AxisList,
) -> Result<bool, GradientError> {
    let layout = input.layout();
    if !(2..=MAX_FUSED).contains(&axes.len()) || layout.is_empty() {
        return Ok(false);
    }
    // The outermost axis: largest input stride among the axes longer than 1.
    let Some(outer) = (0..layout.rank())
        .filter(|&a| layout.len(a) > 1)
        .max_by_key(|&a| layout.stride(a).unsigned_abs())
    else {
        return Ok(false);
    };
    let mut plans = [None; MAX_FUSED];
    let mut routes = [None; MAX_FUSED];
    for (k, (axis, output)) in axes.iter().zip(outputs.iter()).enumerate() {
        let plan = axis_plan(input, options, k, axis)?;
        let even = plan.is_uniform();
        let cut = Some(outer);
        let Some(route) =
            Route::choose::<T, F>(Kernel::Auto, layout, output.layout(), axis, even, cut)
        else {
            return Ok(false);
        };
        // The outer axis must be walked point by point: by the across walks when it is the
        // gradient axis, and never inside a row.
        let cuttable = match route.walk {
            Walk::Rows { axes: rows, .. } | Walk::Block { axes: rows, .. } => {
                rows & (1 << outer) == 0
            }
            Walk::Lines => axis != outer,
        };
        if !cuttable {
            return Ok(false);
        }
        if let (Some(p), Some(r)) = (plans.get_mut(k), routes.get_mut(k)) {
            *p = Some(plan);
            *r = Some(route);
        }
    }
    let n = layout.len(outer);
    let count: usize = layout.shape().iter().product();
    let slab_bytes = (count / n.max(1)).saturating_mul(core::mem::size_of::<T>());
    let chunk = (FUSED_CHUNK_BYTES / slab_bytes.max(1)).max(1);
    let mut start = 0;
    while start < n {
        let range = AxisRange {
            axis: outer,
            start,
            end: n.min(start.saturating_add(chunk)),
        };
        let work = axes
            .iter()
            .zip(outputs.iter_mut())
            .zip(plans.iter().zip(&routes));
        for ((axis, output), (plan, route)) in work {
            if let (Some(plan), Some(route)) = (plan, route) {
                kernels::run_axis(path, input, output, axis, plan, *route, Some(range));
            }
        }
        start = range.end;
    }
    Ok(true)
}

/// The gradient of a 1-D series into a slice of the same length: the entry point for firmware,
/// with no descriptor to build and a few hundred bytes of stack.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder};
/// // Position samples 0.1 s apart -> velocity.
/// let position = [0.0f32, 0.5, 2.0, 4.5, 8.0];
/// let mut velocity = [0.0f32; 5];
/// gradient_1d(&position, &mut velocity, AxisSpacing::Uniform(0.1), EdgeOrder::First)?;
/// assert_eq!(velocity, [5.0, 10.0, 20.0, 30.0, 35.0]);
///
/// // Integer ADC counts with timestamps, edges of second order.
/// let counts = [100i16, 104, 112, 124];
/// let t = [0.0, 1.0, 3.0, 4.0];
/// let mut rate = [0.0f64; 4];
/// gradient_1d(&counts, &mut rate, AxisSpacing::Coordinates(&t), EdgeOrder::Second)?;
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_1d<T: Sample<F>, F: Real>(
    input: &[T],
    output: &mut [F],
    spacing: AxisSpacing<'_, F>,
    edge_order: EdgeOrder,
) -> Result<(), GradientError> {
    run_1d(input, output, spacing, edge_order, Path::detect())
}

/// [`gradient_1d`] on a given vector path.
pub(crate) fn run_1d<T: Sample<F>, F: Real>(
    input: &[T],
    output: &mut [F],
    spacing: AxisSpacing<'_, F>,
    edge_order: EdgeOrder,
    path: Path,
) -> Result<(), GradientError> {
    let n = input.len();
    if output.len() != n {
        return Err(GradientError::OutputShape {
            output: 0,
            axis: 0,
            expected: n,
            got: output.len(),
        });
    }
    let plan = AxisPlan::new(
        n,
        Grid::resolve(spacing, 0, n, edge_order.min_len())?,
        edge_order,
    );
    // SAFETY: both slices hold `n = plan.len()` elements, contiguous and distinct.
    unsafe { kernels::contiguous_line(path, input.as_ptr(), output.as_mut_ptr(), &plan) };
    Ok(())
}

/// Every check of a call, in one place, before anything is written: the axes, the outputs'
/// count and shapes, the spacing's count, and each selected axis's spacing and length.
///
/// Returns the selected axes and the plan of the first one (so a one-axis call resolves its
/// spacing once).
pub(crate) fn validate<'a, T, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &[StridedViewMut<'_, F>],
    options: &Options<'a, F>,
) -> Result<(AxisList, Option<AxisPlan<'a, F>>), GradientError> {
    let shape = input.shape();
    let axes = AxisList::resolve(options.axes, shape.len())?;
    if outputs.len() != axes.len() {
        return Err(GradientError::OutputCount {
            expected: axes.len(),
            got: outputs.len(),
        });
    }
    for (o, output) in outputs.iter().enumerate() {
        check_same_shape(o, shape, output.shape())?;
    }
    options.spacing.check_count(axes.len())?;
    let mut first = None;
    for (k, axis) in axes.iter().enumerate() {
        let plan = axis_plan(input, options, k, axis)?;
        first = first.or(Some(plan));
    }
    Ok((axes, first))
}

/// `output`'s shape must equal the input's.
pub(crate) fn check_same_shape(
    output: usize,
    input: &[usize],
    got: &[usize],
) -> Result<(), GradientError> {
    if got.len() != input.len() {
        return Err(GradientError::OutputRank {
            output,
            expected: input.len(),
            got: got.len(),
        });
    }
    match input.iter().zip(got).enumerate().find(|(_, (a, b))| a != b) {
        Some((axis, (&expected, &got))) => Err(GradientError::OutputShape {
            output,
            axis,
            expected,
            got,
        }),
        None => Ok(()),
    }
}

/// The plan of the `k`-th selected axis, `axis`.
pub(crate) fn axis_plan<'a, T, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'a, F>,
    k: usize,
    axis: usize,
) -> Result<AxisPlan<'a, F>, GradientError> {
    let n = input.layout().len(axis);
    let edge = options.edge_order;
    let grid = Grid::resolve(options.spacing.for_selected(k), axis, n, edge.min_len())?;
    Ok(AxisPlan::new(n, grid, edge))
}
