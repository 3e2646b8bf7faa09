//! The N-d driver: runs a validated call (see `call`), one kernel per selected axis or one
//! pass over several; and the value types' entry point, on the scalar kernel.

use crate::call::{Validated, validate};
use crate::element::{Precision, Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, ElemBytes, Kernel, Route};
use crate::options::EdgeOrder;
use crate::pass::{self, Job, MAX_FUSED};
use crate::scalar::{self, Values};
use crate::spacing::{AxisSpacing, Grid};
use crate::stencil::AxisPlan;
use crate::value::Value;
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, Options};

/// Computes numpy's `gradient(input, *spacing, axis=axes, edge_order=edge_order)` into
/// caller-provided outputs, one per selected axis, in the order of the selected axes.
///
/// No allocation; stack use is bounded whatever the rank: a few KiB on 32-bit targets, and on
/// 64-bit ones up to about 90 KiB (the weights of a cut fused pass, 64 KiB of `f64`, for arrays
/// whose outer points hold more than 3 MiB; the buffer of a tile of mixed layouts, 36 KiB; or
/// blocks of shared coordinate weights, 7.5 KiB; `docs/robustness.md`). Every check runs
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
    let call = validate(input, outputs, options)?;
    Ok(execute(input, outputs, &call, kernel, path))
}

/// Runs a validated call on the vector `path`: infallible, so nothing after validation can
/// fail once an output element has been written. `outputs` must be the views `call` was
/// validated with (or, for the owned API, views of the input's shape, one per selected axis).
///
/// Returns `false`, having written nothing, when a forced kernel does not fit the layout of
/// some selected axis.
pub(crate) fn execute<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    call: &Validated<'_, F>,
    kernel: Kernel,
    path: Path,
) -> bool {
    // The compact build's one kernel takes every automatic call (and links nothing below).
    #[cfg(feature = "compact")]
    if kernel == Kernel::Auto {
        crate::scalar::run::<T, F, crate::scalar::Reals>(input, outputs, call);
        return true;
    }
    let axes = call.axes();
    debug_assert_eq!(outputs.len(), axes.len());
    let route = |k: usize, axis: usize, output: &StridedViewMut<'_, F>| {
        let plan = call.plan(k, axis);
        let (lin, lout) = (input.layout(), output.layout());
        let bytes = ElemBytes::of::<T, F>();
        let route = Route::choose(kernel, lin, lout, axis, plan.is_even(), 0, bytes);
        (plan, route)
    };
    if kernel == Kernel::Auto {
        // A series (one line) goes straight to its kernel; several axes share one pass.
        if let (Some(axis), [output]) = (axes.iter().next(), &mut *outputs)
            && kernels::run_line(path, input, output, axis, || call.plan(0, axis))
        {
            return true;
        }
        // A frame along both axes, likewise, when it is one chunk of the fused pass (which
        // takes larger ones).
        let mut selected = axes.iter();
        if let (Some(a), Some(b), None) = (selected.next(), selected.next(), selected.next())
            && !pass::worth_it(input_bytes(input))
            && kernels::run_frame(path, input, outputs, [a, b], |k| call.plan(k, [a, b][k]))
        {
            return true;
        }
        #[cfg(target_pointer_width = "64")]
        if tiled(path, input, outputs, call) {
            return true;
        }
        if fused(path, input, outputs, call) {
            return true;
        }
    } else {
        // The automatic choice fits every layout; a forced kernel may not: check every axis
        // before writing any (the routes are chosen again below rather than kept: 64 of them
        // would cost the stack more than choosing costs time).
        for (k, (axis, output)) in axes.iter().zip(outputs.iter()).enumerate() {
            if route(k, axis, output).1.is_none() {
                return false;
            }
        }
    }
    for (k, (axis, output)) in axes.iter().zip(outputs.iter_mut()).enumerate() {
        if let (plan, Some(route)) = route(k, axis, output) {
            kernels::run_axis(path, input, output, axis, (&plan, None), route, None);
        }
    }
    true
}

/// A call whose input and outputs are contiguous along different axes, tile by tile
/// ([`tiles`](kernels::tiles)): returns `false` (nothing written) when it does not fit.
#[cfg(target_pointer_width = "64")]
fn tiled<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    call: &Validated<'_, F>,
) -> bool {
    use kernels::tiles::{self, Tiling};
    let Some(tiling) = Tiling::choose(input.layout(), outputs, call.axes().iter()) else {
        return false;
    };
    // Only the two tiled axes are selected, each once (`Tiling::choose`): one or two plans.
    let mut selected = call.plans();
    let Some(first) = selected.next() else {
        return false;
    };
    let plans = [first, selected.next().unwrap_or(first)];
    let plans = plans.get(..outputs.len()).unwrap_or(&[]);
    tiles::run(path, input, outputs, plans, call.edge_order(), tiling);
    true
}

/// The bytes of the input's elements: what decides between the fused pass and a walk per
/// axis ([`pass::worth_it`]).
fn input_bytes<T>(input: &StridedView<'_, T>) -> usize {
    let count = input.layout().shape().iter();
    count.fold(size_of::<T>(), |b, &n| b.saturating_mul(n))
}

/// Several axes in one pass over the input ([`pass`]): returns `false` (nothing written) when
/// the call does not fit: fewer than 2 or more than [`MAX_FUSED`] axes, or a layout where the
/// outermost axis cannot be cut.
// Out of line on 64-bit targets: its jobs stay off the stack of the calls that take another
// path (780-850 B each, painted). Inlined on 32-bit ones, where a frame of its own took the
// Cortex-M4F's worst case from 2,624 to 3,192 B (`f32`) and 4,144 to 4,944 B (`f64`).
#[cfg_attr(target_pointer_width = "64", inline(never))]
fn fused<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    call: &Validated<'_, F>,
) -> bool {
    let layout = input.layout();
    let count: usize = layout.shape().iter().product();
    let selected = call.axes().len();
    // A small input (a frame) is settled before any search.
    if !(2..=MAX_FUSED).contains(&selected) || !pass::worth_it(input_bytes(input)) {
        return false;
    }
    // The outermost axis: largest input stride among the axes longer than 1.
    let Some(outer) = (0..layout.rank())
        .filter(|&a| layout.len(a) > 1)
        .max_by_key(|&a| layout.stride(a).unsigned_abs())
    else {
        return false;
    };
    let n = layout.len(outer);
    let slab = count.checked_div(n).unwrap_or(0);
    // A second axis cut one point at a time, when a point of the outermost is too large.
    #[cfg(target_pointer_width = "64")]
    let across = {
        let selected = call.axes().iter().fold(0u64, |m, a| m | 1u64 << a);
        let uneven =
            (call.axes().iter().enumerate()).any(|(k, a)| a == outer && !call.plan(k, a).is_even());
        let slab_bytes = slab.saturating_mul(size_of::<T>());
        pass::across(
            layout,
            (selected, uneven),
            outer,
            slab_bytes,
            size_of::<T>(),
        )
    };
    #[cfg(not(target_pointer_width = "64"))]
    let across = None;
    // Each selected axis's job, with the cuts `across` adds to the outer one: whether every
    // route can be run a part at a time. Filled in place (no copy of the jobs).
    let mut jobs = [None; MAX_FUSED];
    let mut fill = |across: Option<usize>| {
        let cut = 1u64 << outer | across.map_or(0, |a| 1u64 << a);
        let work = call.axes().iter().zip(outputs.iter()).enumerate();
        for ((k, (axis, output)), slot) in work.zip(&mut jobs) {
            let plan = call.plan(k, axis);
            let (lout, even, bytes) = (output.layout(), plan.is_even(), ElemBytes::of::<T, F>());
            let route = Route::choose(Kernel::Auto, layout, lout, axis, even, cut, bytes);
            let Some(route) = route.filter(|&r| pass::cuttable(r, axis, outer, across)) else {
                return false;
            };
            *slot = Some(Job {
                input: *input,
                axis,
                plan,
                route,
                first: 0,
            });
        }
        true
    };
    // Without the second cut if some route spans it.
    let across = match (fill(across), across) {
        (true, across) => across,
        (false, Some(_)) if fill(None) => None,
        _ => return false,
    };
    pass::run(path, &jobs, outputs, (outer, across), n, slab);
    true
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

/// [`gradient`] for the sample types of [`Value`]: complex numbers, datetime64
/// and timedelta64 counts, float16, each with numpy's arithmetic for its dtype.
///
/// The same views, options, validation and errors as [`gradient`]; outputs
/// of the type numpy returns ([`Value::Out`]). One scalar loop over every layout: these types
/// have no vector path.
///
/// ```
/// use numgrad::{gradient_values, Datetime64, EdgeOrder, Options, StridedView, StridedViewMut, Timedelta64};
/// // Days since the epoch; numpy: np.gradient(np.array([1, 3, 4, 9], 'datetime64[D]')).
/// let days = [1, 3, 4, 9].map(Datetime64);
/// let mut rate = [Timedelta64(0); 4];
/// let input = StridedView::contiguous(&days, &[4])?;
/// gradient_values(&input, &mut [StridedViewMut::contiguous(&mut rate, &[4])?], &Options::new())?;
/// assert_eq!(rate.map(|d| d.0), [2, 1, 3, 5]);
/// let second = Options::new().edge_order(EdgeOrder::Second);
/// gradient_values(&input, &mut [StridedViewMut::contiguous(&mut rate, &[4])?], &second)?;
/// assert_eq!(rate.map(|d| d.0), [3, 1, 3, 6]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values<V: Value<F>, F: Precision>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    let call = validate(input, outputs, options)?;
    scalar::run::<V, F, Values>(input, outputs, &call);
    Ok(())
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
    #[cfg(feature = "compact")]
    {
        // The compact build's one kernel (no vector path to choose).
        let _ = path;
        let unit = crate::scalar::Line { at: 0, step: 1 };
        crate::scalar::line_of::<T, F, crate::scalar::Reals>(
            |e| input.get(e).copied(),
            unit,
            |e, v| {
                if let Some(slot) = output.get_mut(e) {
                    *slot = v;
                }
            },
            unit,
            &plan,
            1,
            0..n,
        );
    }
    // SAFETY: both slices hold `n = plan.len()` elements, contiguous and distinct.
    #[cfg(not(feature = "compact"))]
    unsafe {
        kernels::contiguous_line(path, input.as_ptr(), output.as_mut_ptr(), &plan)
    };
    Ok(())
}
