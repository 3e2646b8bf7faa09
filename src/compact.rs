//! The compact kernel (feature `compact`): every selected axis walked line by line by one
//! scalar loop that applies numpy's stencil at each point, for any layout, spacing and edge
//! order. No vector lanes and no per-layout instantiations: the least code that computes
//! [`gradient`](crate::gradient) and [`gradient_1d`](crate::gradient_1d), for firmware whose
//! flash is worth more than its cycles. Each point is `Stencil::apply`, as at the fast paths'
//! edges, so its values are theirs and the reference's, bit for bit.

use crate::call::Validated;
use crate::element::{Real, Sample};
use crate::stencil::AxisPlan;
use crate::view::{StridedView, StridedViewMut};

/// Every selected axis of a validated call, into its output.
///
/// `outputs` are the views `call` was validated with, so every position below is inside its
/// buffer; the accesses are checked all the same (a miss reads NaN or skips the write), which
/// keeps this path free of `unsafe` and of panics for the price of a compare per access.
pub(crate) fn run<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    call: &Validated<'_, F>,
) {
    let layout = *input.layout();
    if layout.is_empty() {
        return;
    }
    let count: usize = layout.shape().iter().product();
    for ((axis, plan), output) in call.plans().zip(outputs.iter_mut()) {
        let out = *output.layout();
        let lines = count.checked_div(plan.len()).unwrap_or(0);
        for line in 0..lines {
            // The line's first point: `line` spelled over the other axes, the last fastest.
            // `c` is each axis's C-order stride, the product of the lengths after it, which a
            // C-order layout would otherwise recompute for every axis of every line.
            let (mut rest, mut at, mut to) =
                (line, layout.offset() as isize, out.offset() as isize);
            let mut c = 1isize;
            let (mut from, mut into) = (Line { at: 0, step: 0 }, Line { at: 0, step: 0 });
            for a in (0..layout.rank()).rev() {
                let len = layout.len(a);
                let (s_in, s_out) = (layout.stride_given(a, c), out.stride_given(a, c));
                if a == axis {
                    (from.step, into.step) = (s_in, s_out);
                } else {
                    let i = rest.checked_rem(len).unwrap_or(0) as isize;
                    rest = rest.checked_div(len).unwrap_or(0);
                    at = at.wrapping_add(i.wrapping_mul(s_in));
                    to = to.wrapping_add(i.wrapping_mul(s_out));
                }
                c = c.wrapping_mul(len as isize);
            }
            (from.at, into.at) = (at, to);
            line_of(|e| input.get(e), from, |e, v| output.set(e, v), into, &plan);
        }
    }
}

/// Where a line lies in its buffer: its first element and the step between elements.
#[derive(Clone, Copy)]
pub(crate) struct Line {
    pub(crate) at: isize,
    pub(crate) step: isize,
}

impl Line {
    /// The buffer index of point `i`, if it is one.
    #[inline(always)]
    fn index(self, i: usize) -> Option<usize> {
        let i = i as isize;
        usize::try_from(self.at.wrapping_add(i.wrapping_mul(self.step))).ok()
    }
}

/// The gradient of one line of `plan.len()` points: numpy's stencil at each point.
/// `read(e)` is the input's buffer element `e` (`None` outside it); `write(e, v)` stores into
/// the output's buffer element `e` (nothing outside it).
pub(crate) fn line_of<T: Sample<F>, F: Real>(
    read: impl Fn(usize) -> Option<T>,
    from: Line,
    mut write: impl FnMut(usize, F),
    into: Line,
    plan: &AxisPlan<'_, F>,
) {
    let sample = |j: usize| -> F {
        let value = from.index(j).and_then(&read);
        value.map_or_else(F::nan, |v| v.to_real())
    };
    for i in 0..plan.len() {
        let value = plan.stencil(i).apply(sample);
        if let Some(e) = into.index(i) {
            write(e, value);
        }
    }
}
