//! A call's validation, in one place: every check of a call before anything is written, and
//! the validated call the kernels run (the selected axes and each one's plan).

use crate::axes::AxisList;
use crate::element::Precision;
use crate::options::EdgeOrder;
use crate::spacing::{Grid, Spacing};
use crate::stencil::AxisPlan;
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, Options};

/// Every check of a call, in one place, before anything is written: the axes, the outputs'
/// count and shapes, the spacing's count, and each selected axis's spacing and length.
///
/// Returns the validated call: every selected axis and its plan, with the coordinates scanned
/// once, here. Nothing after it can fail.
// Inlined, like `Validated::new`: a validated call returned through memory was copied at
// once, and the copy stalled on the stores that had just written it (a tenth of a small call).
#[inline]
pub(crate) fn validate<'a, T, O, F: Precision>(
    input: &StridedView<'a, T>,
    outputs: &[StridedViewMut<'_, O>],
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
pub(crate) fn validate_for_new_outputs<'a, T, F: Precision>(
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
    axes: AxisList<'a>,
    /// The input's shape.
    shape: &'a [usize],
    spacing: Spacing<'a, F>,
    edge_order: EdgeOrder,
    /// Bit `k`: the `k`-th selected axis's coordinates reduce to a uniform step.
    reduced: u64,
}

impl<'a, F: Precision> Validated<'a, F> {
    /// Checks the spacing's count, then each selected axis's spacing and length, in order.
    #[inline]
    pub(crate) fn new(
        shape: &'a [usize],
        axes: AxisList<'a>,
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
    pub(crate) fn axes(&self) -> &AxisList<'a> {
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
    use crate::{Axes, AxisSpacing};

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
