//! The scalar reference: numpy's formulas applied to one output element at a time, with plain
//! index arithmetic, no SIMD, no unsafe and no layout tricks. Every fast path must equal it bit
//! for bit; tests and fuzz targets check that they do.

use crate::call::{Validated, validate};
use crate::element::{Precision, Real, Sample};
#[cfg(feature = "testing")]
use crate::scalar::{PointRule, Values};
use crate::stencil::Stencil;
use crate::value::Products;
#[cfg(feature = "testing")]
use crate::value::Value;
use crate::view::{Layout, StridedView, StridedViewMut};
use crate::{GradientError, MAX_RANK, Options};

/// [`gradient`](crate::gradient), computed the slow, obvious way: same validation, same
/// results to the bit (NaN where `gradient` gives NaN, its sign and payload unspecified), an
/// order of magnitude slower.
///
/// ```
/// use numgrad::{gradient, gradient_reference, Options, StridedView, StridedViewMut};
/// let data = [1.0, 2.0, 4.0, 7.0, 11.0];
/// let input = StridedView::contiguous(&data, &[5])?;
/// let (mut fast, mut slow) = ([0.0; 5], [0.0; 5]);
/// gradient(&input, &mut [StridedViewMut::contiguous(&mut fast, &[5])?], &Options::new())?;
/// gradient_reference(&input, &mut [StridedViewMut::contiguous(&mut slow, &[5])?], &Options::new())?;
/// assert_eq!(fast, slow);
/// assert_eq!(fast, [1.0, 1.5, 2.5, 3.5, 4.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_reference<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    let call = validate(input, outputs, options)?;
    walk(input, outputs, &call, |stencil, _, sample| {
        let sample = |j: usize| sample(j).map_or_else(F::nan, |v: T| v.to_real());
        match *stencil {
            Stencil::Difference {
                plus,
                minus,
                divisor,
            } => (sample(plus) - sample(minus)) / divisor.value(),
            Stencil::Weighted { first, weights } => {
                let [a, b, c] = weights;
                a * sample(first) + b * sample(first + 1) + c * sample(first + 2)
            }
        }
    });
    Ok(())
}

/// [`gradient_values`](crate::gradient_values) by this module's walk: the same validation, and
/// at each point the kernel's own rule (the value type's formulas, checked against numpy by the
/// fixtures): what this checks is the walk over the layouts.
#[cfg(feature = "testing")]
pub(crate) fn values_reference<V: Value<F>, F: Precision>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    let call = validate(input, outputs, options)?;
    walk(input, outputs, &call, |stencil, products, sample| {
        <Values as PointRule<V, F>>::point(stencil, products, sample)
    });
    Ok(())
}

/// Every element of every selected axis's output, in C order of the index, set to
/// `point(stencil, products, sample)`, `sample(j)` reading point `j` of the element's line
/// (`None` off the buffer, which validation rules out).
fn walk<T: Copy, O, F: Precision>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, O>],
    call: &Validated<'_, F>,
    point: impl Fn(&Stencil<F>, Products, &dyn Fn(usize) -> Option<T>) -> O,
) {
    let layout = *input.layout();
    for ((axis, plan), output) in call.plans().zip(outputs.iter_mut()) {
        let out_layout = *output.layout();
        if layout.is_empty() {
            continue;
        }
        let mut index = [0usize; MAX_RANK];
        let index = index.get_mut(..layout.rank()).unwrap_or(&mut []);
        loop {
            let i = index.get(axis).copied().unwrap_or(0);
            // Point `j` of the line: `j - i` steps along the axis from this element.
            let here = element(&layout, index).and_then(|e| isize::try_from(e).ok());
            let sample = |j: usize| -> Option<T> {
                let steps = isize::try_from(j).ok()? - isize::try_from(i).ok()?;
                let e = here?.checked_add(steps.checked_mul(layout.stride(axis))?)?;
                input.get(usize::try_from(e).ok()?)
            };
            let products = Products::at(layout.rank(), i, plan.len());
            let value = point(&plan.stencil(i), products, &sample);
            if let Some(e) = element(&out_layout, index) {
                output.set(e, value);
            }
            if !next_index(index, layout.shape()) {
                break;
            }
        }
    }
}

/// Buffer position of the element at `index`: `offset + Σ index[k] * stride[k]`.
fn element(layout: &Layout<'_>, index: &[usize]) -> Option<usize> {
    let mut at = isize::try_from(layout.offset()).ok()?;
    for (axis, &i) in index.iter().enumerate() {
        let term = isize::try_from(i).ok()?.checked_mul(layout.stride(axis))?;
        at = at.checked_add(term)?;
    }
    usize::try_from(at).ok()
}

/// Advances `index` in C order; `false` after the last element.
fn next_index(index: &mut [usize], shape: &[usize]) -> bool {
    for (i, &n) in index.iter_mut().zip(shape).rev() {
        *i += 1;
        if *i < n {
            return true;
        }
        *i = 0;
    }
    false
}
