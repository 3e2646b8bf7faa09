//! Owned outputs (feature `alloc`): one call from a C-order slice to gradient arrays, for real
//! samples and for the value types.

use alloc::vec::Vec;

use crate::call::{Validated, validate_for_new_outputs};
use crate::driver::execute;
use crate::element::{Precision, Real, Sample};
use crate::isa::Path;
use crate::kernels::Kernel;
use crate::scalar::{self, Values};
use crate::value::Value;
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, Options};

/// One gradient: the derivative along `axis`, in C order, with the input's shape.
///
/// ```
/// use numgrad::{gradient_owned, Options};
/// // A 2x3 array: one result per axis.
/// let f = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0];
/// let g = gradient_owned(&f, &[2, 3], &Options::<f64>::new())?;
/// assert_eq!((g[0].axis, g[1].axis), (0, 1));
/// assert_eq!(g[1].shape, [2, 3]);
/// assert_eq!(g[0].data, [6.0, 9.0, 12.0, 6.0, 9.0, 12.0]);
/// assert_eq!(g[1].data, [1.0, 1.5, 2.0, 4.0, 4.5, 5.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GradientArray<F> {
    /// The axis differentiated along (non-negative).
    pub axis: usize,
    /// The shape (the input's).
    pub shape: Vec<usize>,
    /// The values, C order.
    pub data: Vec<F>,
}

/// numpy's `gradient(data.reshape(shape), *spacing, axis=..., edge_order=...)` for a C-order
/// buffer, returning one owned array per selected axis, in the order of the selected axes.
///
/// Validates the call first, exactly as [`gradient`](crate::gradient) does (minus the checks
/// on the outputs, which it makes itself), so a malformed call allocates nothing and reports
/// what is wrong. Then allocates exactly the outputs (and the small vectors that hold them); an
/// allocation failure is [`GradientError::AllocationFailed`], not an abort.
///
/// ```
/// use numgrad::{gradient_owned, Axes, AxisSpacing, Options, Spacing};
/// let f = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0];
/// let x = [0.0, 1.0, 1.5, 3.5, 4.0, 6.0];
/// let grads = gradient_owned(&f, &[2, 3], &Options::new()
///     .axes(Axes::One(1))
///     .spacing(Spacing::PerAxis(&[AxisSpacing::Coordinates(&x[..3])])))?;
/// assert_eq!(grads.len(), 1);
/// assert_eq!(grads[0].shape, [2, 3]);
/// // numpy gives exactly these, rounding of the non-uniform weights included.
/// assert_eq!(grads[0].data, [1.0, 2.9999999999999996, 4.0, 4.0, 8.0, 10.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_owned<T: Sample<F>, F: Real>(
    data: &[T],
    shape: &[usize],
    options: &Options<'_, F>,
) -> Result<Vec<GradientArray<F>>, GradientError> {
    owned(data, shape, options, F::zero(), |input, views, call| {
        let applied = execute(input, views, call, Kernel::Auto, Path::detect());
        debug_assert!(applied, "the automatic choice fits every layout");
    })
}

/// [`gradient_owned`] for the sample types of [`Value`]: complex numbers, datetime64 and
/// timedelta64 counts, float16, each with numpy's arithmetic for its dtype (as
/// [`gradient_values`](crate::gradient_values)), into owned arrays of numpy's result type.
///
/// ```
/// use numgrad::{gradient_values_owned, Datetime64, Options};
/// // Days since the epoch, as numpy's np.gradient(np.array([1, 3, 4, 9], 'datetime64[D]')).
/// let days = [1, 3, 4, 9].map(Datetime64);
/// let g = gradient_values_owned(&days, &[4], &Options::<f64>::new())?;
/// assert_eq!(g[0].data.iter().map(|d| d.0).collect::<Vec<_>>(), [2, 1, 3, 5]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values_owned<V: Value<F>, F: Precision>(
    data: &[V],
    shape: &[usize],
    options: &Options<'_, F>,
) -> Result<Vec<GradientArray<V::Out>>, GradientError> {
    owned(
        data,
        shape,
        options,
        V::Out::default(),
        |input, views, call| {
            scalar::run::<V, F, Values>(input, views, call);
        },
    )
}

/// The owned call: validation first (the same as `gradient`'s, minus the checks on the outputs
/// it makes), so a malformed call allocates nothing and reports what is wrong, whatever the
/// allocator; then the outputs, filled with `fill` and handed to `run`, which cannot fail.
fn owned<T, O: Copy, F: Precision>(
    data: &[T],
    shape: &[usize],
    options: &Options<'_, F>,
    fill: O,
    run: impl FnOnce(&StridedView<'_, T>, &mut [StridedViewMut<'_, O>], &Validated<'_, F>),
) -> Result<Vec<GradientArray<O>>, GradientError> {
    let input = StridedView::contiguous(data, shape)?;
    let call = validate_for_new_outputs(&input, options)?;
    let axes = call.axes();
    let mut arrays = try_vec_with_capacity::<GradientArray<O>>(axes.len())?;
    for axis in axes.iter() {
        let mut values = try_vec_with_capacity(data.len())?;
        values.resize(data.len(), fill);
        let mut dims = try_vec_with_capacity(shape.len())?;
        dims.extend_from_slice(shape);
        arrays.push(GradientArray {
            axis,
            shape: dims,
            data: values,
        });
    }
    let mut views = try_vec_with_capacity(arrays.len())?;
    for array in arrays.iter_mut() {
        // The input's shape over a buffer of its element count: cannot fail.
        views.push(StridedViewMut::contiguous(&mut array.data, shape)?);
    }
    // Infallible from here: nothing is written before this point.
    run(&input, &mut views, &call);
    drop(views);
    Ok(arrays)
}

/// An empty vector with room for `elements`, or [`GradientError::AllocationFailed`].
pub(crate) fn try_vec_with_capacity<V>(elements: usize) -> Result<Vec<V>, GradientError> {
    let mut v = Vec::new();
    v.try_reserve_exact(elements)
        .map_err(|_| GradientError::AllocationFailed { elements })?;
    Ok(v)
}
