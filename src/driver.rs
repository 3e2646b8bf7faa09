//! The N-d driver: validates a whole call, then runs one kernel per selected axis.

use crate::axes::AxisList;
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, ElemBytes, Kernel, Route};
use crate::options::EdgeOrder;
use crate::pass::{self, Job, MAX_FUSED};
use crate::spacing::{AxisSpacing, Grid, Spacing};
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
        crate::compact::run(input, outputs, call);
        return true;
    }
    let axes = call.axes();
    debug_assert_eq!(outputs.len(), axes.len());
    let route = |k: usize, axis: usize, output: &StridedViewMut<'_, F>| {
        let plan = call.plan(k, axis);
        let (lin, lout) = (input.layout(), output.layout());
        let bytes = ElemBytes::of::<T, F>();
        let route = Route::choose(kernel, lin, lout, axis, plan.is_even(), None, bytes);
        (plan, route)
    };
    if kernel == Kernel::Auto {
        // A series (one line) goes straight to its kernel; several axes share one pass.
        if let (Some(axis), [output]) = (axes.iter().next(), &mut *outputs)
            && kernels::run_line(path, input, output, axis, || call.plan(0, axis))
        {
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
            kernels::run_axis(path, input, output, axis, &plan, route, None);
        }
    }
    true
}

/// Several axes in one pass over the input ([`pass`]): returns `false` (nothing written) when
/// the call does not fit: fewer than 2 or more than [`MAX_FUSED`] axes, or a layout where the
/// outermost axis cannot be cut.
fn fused<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    call: &Validated<'_, F>,
) -> bool {
    let layout = input.layout();
    if !(2..=MAX_FUSED).contains(&call.axes().len()) || layout.is_empty() {
        return false;
    }
    // The outermost axis: largest input stride among the axes longer than 1.
    let Some(outer) = (0..layout.rank())
        .filter(|&a| layout.len(a) > 1)
        .max_by_key(|&a| layout.stride(a).unsigned_abs())
    else {
        return false;
    };
    let mut jobs = [None; MAX_FUSED];
    let work = call.axes().iter().zip(outputs.iter()).enumerate();
    for ((k, (axis, output)), slot) in work.zip(&mut jobs) {
        let plan = call.plan(k, axis);
        let (even, cut) = (plan.is_even(), Some(outer));
        let bytes = ElemBytes::of::<T, F>();
        let route = Route::choose(
            Kernel::Auto,
            layout,
            output.layout(),
            axis,
            even,
            cut,
            bytes,
        );
        let Some(route) = route.filter(|&r| pass::cuttable(r, axis, outer)) else {
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
    let n = layout.len(outer);
    let count: usize = layout.shape().iter().product();
    pass::run(path, &jobs, outputs, outer, n, count / n);
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
        let unit = crate::compact::Line { at: 0, step: 1 };
        crate::compact::line_of(
            |e| input.get(e).copied(),
            unit,
            |e, v| {
                if let Some(slot) = output.get_mut(e) {
                    *slot = v;
                }
            },
            unit,
            &plan,
        );
    }
    // SAFETY: both slices hold `n = plan.len()` elements, contiguous and distinct.
    #[cfg(not(feature = "compact"))]
    unsafe {
        kernels::contiguous_line(path, input.as_ptr(), output.as_mut_ptr(), &plan)
    };
    Ok(())
}

/// Every check of a call, in one place, before anything is written: the axes, the outputs'
/// count and shapes, the spacing's count, and each selected axis's spacing and length.
///
/// Returns the validated call: every selected axis and its plan, with the coordinates scanned
/// once, here. Nothing after it can fail.
pub(crate) fn validate<'a, T, F: Real>(
    input: &StridedView<'a, T>,
    outputs: &[StridedViewMut<'_, F>],
    options: &Options<'a, F>,
) -> Result<Validated<'a, F>, GradientError> {
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
    Validated::new(shape, axes, options)
}

/// [`validate`] for outputs the caller has yet to make (the owned API), one per selected axis
/// with the input's shape: the same checks in the same order, minus those on the outputs.
#[cfg(feature = "alloc")]
pub(crate) fn validate_for_new_outputs<'a, T, F: Real>(
    input: &StridedView<'a, T>,
    options: &Options<'a, F>,
) -> Result<Validated<'a, F>, GradientError> {
    let shape = input.shape();
    let axes = AxisList::resolve(options.axes, shape.len())?;
    Validated::new(shape, axes, options)
}

/// A validated call: the selected axes, in order, and each one's plan.
///
/// Stored compactly (128 bytes on a 64-bit target, whatever the rank, where 64 plans would
/// take 7 to 9 KiB): a plan is rebuilt, infallibly, from the axis's length, its spacing and one
/// bit per axis recording whether validation found its coordinates evenly spaced (numpy's
/// reduction), so coordinates are scanned once, here.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Validated<'a, F> {
    axes: AxisList,
    /// The input's shape.
    shape: &'a [usize],
    spacing: Spacing<'a, F>,
    edge_order: EdgeOrder,
    /// Bit `k`: the `k`-th selected axis's coordinates reduce to a uniform step.
    reduced: u64,
}

impl<'a, F: Real> Validated<'a, F> {
    /// Checks the spacing's count, then each selected axis's spacing and length, in order.
    pub(crate) fn new(
        shape: &'a [usize],
        axes: AxisList,
        options: &Options<'a, F>,
    ) -> Result<Self, GradientError> {
        options.spacing.check_count(axes.len())?;
        let mut reduced = 0u64;
        for (k, axis) in axes.iter().enumerate() {
            let n = shape.get(axis).copied().unwrap_or(0);
            let spacing = options.spacing.for_selected(k);
            if Grid::check(spacing, axis, n, options.edge_order.min_len())? {
                // `k < MAX_RANK = 64`: the selected axes are distinct axes of the input.
                reduced |= 1u64.checked_shl(k as u32).unwrap_or(0);
            }
        }
        Ok(Self {
            axes,
            shape,
            spacing: options.spacing,
            edge_order: options.edge_order,
            reduced,
        })
    }

    /// The selected axes, in the caller's order.
    pub(crate) fn axes(&self) -> &AxisList {
        &self.axes
    }

    /// The input's shape.
    pub(crate) fn shape(&self) -> &'a [usize] {
        self.shape
    }

    /// The edge order.
    pub(crate) fn edge_order(&self) -> EdgeOrder {
        self.edge_order
    }

    /// The plan of the `k`-th selected axis, `axis` (as [`axes`](Self::axes) lists them).
    pub(crate) fn plan(&self, k: usize, axis: usize) -> AxisPlan<'a, F> {
        let n = self.shape.get(axis).copied().unwrap_or(0);
        let reduced = self.reduced.checked_shr(k as u32).unwrap_or(0) & 1 == 1;
        let grid = Grid::checked(self.spacing.for_selected(k), reduced);
        AxisPlan::new(n, grid, self.edge_order)
    }

    /// Every selected axis with its plan, in the caller's order.
    pub(crate) fn plans(&self) -> impl Iterator<Item = (usize, AxisPlan<'a, F>)> + '_ {
        let plan = |(k, axis)| (axis, self.plan(k, axis));
        self.axes.iter().enumerate().map(plan)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Axes;

    #[test]
    fn a_validated_call_is_small_whatever_the_rank() {
        // 128 bytes on a 64-bit target for f32 and f64 alike, against 64 plans of 112 (f32)
        // or 136 (f64) bytes had every plan been stored.
        let words = 16 * core::mem::size_of::<usize>();
        assert!(core::mem::size_of::<Validated<'_, f32>>() <= words);
        assert!(core::mem::size_of::<Validated<'_, f64>>() <= words);
    }

    #[test]
    fn validation_hands_back_every_plan_with_its_reduction() {
        let data = [0.0f64; 4 * 3 * 5];
        let input = StridedView::contiguous(&data, &[4, 3, 5]).unwrap();
        let even = [1.0, 1.5, 2.0, 2.5];
        let uneven = [0.0, 1.0, 3.0, 4.0, 8.0];
        let spacing = [
            AxisSpacing::Coordinates(&uneven),
            AxisSpacing::Uniform(0.25),
            AxisSpacing::Coordinates(&even),
        ];
        let options = Options::new()
            .axes(Axes::List(&[2, 1, 0]))
            .spacing(Spacing::PerAxis(&spacing));
        let call = validate_call(&input, &options);
        let mut seen = 0;
        for (k, (axis, plan)) in call.plans().enumerate() {
            assert_eq!(axis, [2, 1, 0][k]);
            assert_eq!(plan.len(), [5, 3, 4][k]);
            match (k, plan.grid()) {
                (0, Grid::Uneven(steps)) => assert_eq!(steps.step(3), 4.0),
                (1, Grid::Even(h)) => assert_eq!(h, 0.25),
                (2, Grid::Even(h)) => assert_eq!(h, 0.5),
                other => panic!("axis {k}: unexpected grid {other:?}"),
            }
            seen += 1;
        }
        assert_eq!(seen, 3);
    }

    fn validate_call<'a>(
        input: &StridedView<'a, f64>,
        options: &Options<'a, f64>,
    ) -> Validated<'a, f64> {
        let mut outs = [[0.0f64; 60]; 3];
        let [a, b, c] = &mut outs;
        let shape = [4, 3, 5];
        let views = [
            StridedViewMut::contiguous(a, &shape).unwrap(),
            StridedViewMut::contiguous(b, &shape).unwrap(),
            StridedViewMut::contiguous(c, &shape).unwrap(),
        ];
        validate(input, &views, options).unwrap()
    }
}
