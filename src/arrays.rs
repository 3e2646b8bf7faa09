//! ndarray arrays and views (feature `ndarray`): the gradient of any array, of any layout, with
//! no copy, through the raw-pointer views.
//!
//! ndarray describes every array the way the raw-pointer views want it: a pointer to the first
//! logical element, a shape, and strides in elements (negative and zero allowed). So an
//! `ArrayRef` (what every `Array`, `ArrayView` and `ArcArray` dereferences to) becomes a
//! [`StridedView`] and an `ArrayViewMut` a [`StridedViewMut`] without touching the elements, and
//! without ever making a slice over the span of a stepped view, whose gaps may belong to another
//! view (`multi_slice_mut`).

use alloc::vec::Vec;

use ndarray::{Array, ArrayRef, ArrayViewMut, Dimension, ShapeBuilder};

use crate::call::{Validated, validate_for_new_outputs};
use crate::driver::execute;
use crate::element::{Precision, Real, Sample};
use crate::isa::Path;
use crate::kernels::Kernel;
use crate::owned::try_vec_with_capacity;
use crate::scalar::{self, Values};
use crate::value::Value;
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, MAX_RANK, Options};

/// numpy's `gradient(input, *spacing, axis=..., edge_order=...)` for an ndarray array or view,
/// into caller views `outputs` (one per selected axis, in order, each of the input's shape):
/// [`gradient`](crate::gradient) on the same elements, with no copy.
///
/// `input` is anything that dereferences to an [`ArrayRef`] (ndarray 0.17's idiom for a
/// function taking any array): `&array`, `&view`, `&array.slice(s![..;-1, ..])`,
/// `&row.broadcast((3, 4)).unwrap()`. Any layout is read as it is: reversed, stepped, permuted,
/// broadcast (zero strides). Outputs may have any layout too, including views whose gaps
/// belong to other live views (`multi_slice_mut`): only their own elements are written.
///
/// An input with a stride of ±2 (elements) on an axis longer than 1 that does not cover its
/// whole span (`s![.., ..;2]`) is differentiated by the scalar
/// [`gradient_reference`](crate::gradient_reference) (the same results, bit for bit, several
/// times slower): the vector kernels read a stride of 2 as contiguous loads, touching the
/// elements in between, which may belong to another view being written.
///
/// Checks and errors are [`gradient`](crate::gradient)'s, in its order, after those of the
/// views (an input of more than [`MAX_RANK`] axes is
/// [`RankTooLarge`](GradientError::RankTooLarge)); on any error, nothing is written. The one
/// allocation, a vector of `outputs.len()` view descriptors, fails as
/// [`AllocationFailed`](GradientError::AllocationFailed).
///
/// ```
/// use ndarray::{array, s, Array2};
/// use numgrad::{gradient_array_into, Options};
/// let f = array![[1.0, 2.0, 4.0], [7.0, 11.0, 16.0]];
/// // Row 1 first: a reversed view, read where it lies.
/// let flipped = f.slice(s![..;-1, ..]);
/// let (mut d0, mut d1) = (Array2::zeros((2, 3)), Array2::zeros((2, 3)));
/// gradient_array_into(&flipped, &mut [d0.view_mut(), d1.view_mut()], &Options::new())?;
/// assert_eq!(d0, array![[-6.0, -9.0, -12.0], [-6.0, -9.0, -12.0]]);
/// assert_eq!(d1, array![[4.0, 4.5, 5.0], [1.0, 1.5, 2.0]]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_array_into<T, F, D>(
    input: &ArrayRef<T, D>,
    outputs: &mut [ArrayViewMut<'_, F, D>],
    options: &Options<'_, F>,
) -> Result<(), GradientError>
where
    T: Sample<F>,
    F: Real,
    D: Dimension,
{
    let view = input_view(input)?;
    let mut views = output_views(outputs)?;
    crate::gradient(&view, &mut views, options)
}

/// [`gradient_array_into`] for the sample types of [`Value`] (complex numbers, datetime64 and
/// timedelta64 counts, float16), each with numpy's arithmetic for its dtype, as
/// [`gradient_values`](crate::gradient_values) computes them.
///
/// ```
/// use ndarray::{array, s, Array1};
/// use numgrad::{gradient_values_array_into, Options, Timedelta64};
/// // Elapsed seconds, read backwards.
/// let t = array![1, 3, 4, 9].mapv(Timedelta64);
/// let mut rate = Array1::from_elem(4, Timedelta64(0));
/// gradient_values_array_into(&t.slice(s![..;-1]), &mut [rate.view_mut()], &Options::<f64>::new())?;
/// assert_eq!(rate.mapv(|d| d.0), array![-5, -3, -1, -2]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values_array_into<V, F, D>(
    input: &ArrayRef<V, D>,
    outputs: &mut [ArrayViewMut<'_, V::Out, D>],
    options: &Options<'_, F>,
) -> Result<(), GradientError>
where
    V: Value<F>,
    F: Precision,
    D: Dimension,
{
    let view = input_view(input)?;
    let mut views = output_views(outputs)?;
    crate::gradient_values(&view, &mut views, options)
}

/// The outputs as strided views of the same elements (one allocation: the vector of views).
fn output_views<'o, O, D: Dimension>(
    outputs: &'o mut [ArrayViewMut<'_, O, D>],
) -> Result<Vec<StridedViewMut<'o, O>>, GradientError> {
    let mut views = try_vec_with_capacity(outputs.len())?;
    for output in outputs.iter_mut() {
        // The pointer first: ndarray's strides are to be read after `as_mut_ptr`.
        let first = output.as_mut_ptr();
        let (shape, strides) = (output.shape(), output.strides());
        // SAFETY: an `ArrayViewMut` borrows its elements exclusively for its lifetime, which
        // outlives this call's borrow of `outputs`: every element it reaches (the first
        // element's pointer moved by the ndarray strides, the same elements-not-bytes
        // convention) is initialised, valid for reads and writes, in one allocation, and
        // accessed by nothing else while the view lives (ndarray's own guarantee for
        // `ArrayViewMut`, made by `view_mut`, `slice_mut`, `multi_slice_mut`, ...). Elements
        // between them may belong to other views; the view never touches them.
        views.push(unsafe { StridedViewMut::from_raw_parts(first, shape, strides) }?);
    }
    Ok(views)
}

/// numpy's `gradient(input, *spacing, axis=..., edge_order=...)` for an ndarray array or view,
/// returning one new array per selected axis, in the order of the selected axes.
///
/// Each array has the input's shape and the memory order numpy's `np.gradient` (through
/// `np.empty_like`, `order='K'`) gives it: C order for a C-contiguous input, F order for an
/// F-contiguous one, and otherwise the axes laid out by decreasing absolute input stride (ties
/// in axis order), densely. So an F-order input gets F-order results, a transposed input
/// transposed results, a reversed or stepped one C-order results; each output's strides are
/// the ones numpy gives, in elements. The gradient's fast paths follow from that: outputs laid
/// out like the input are written in the order they are read.
///
/// Validates the whole call first, as [`gradient`](crate::gradient) does (minus the checks on
/// outputs, which it makes itself), so a malformed call allocates nothing and reports what is
/// wrong; then allocates exactly the outputs, an allocation failure being
/// [`AllocationFailed`](GradientError::AllocationFailed), not an abort. The outputs are not
/// zero-filled first: the gradient writes every element once.
///
/// ```
/// use ndarray::{array, Array2, ShapeBuilder};
/// use numgrad::{gradient_arrays, Options};
/// // A 2x3 array in F (column-major) order.
/// let mut f = Array2::<f64>::zeros((2, 3).f());
/// f.assign(&array![[1.0, 2.0, 4.0], [7.0, 11.0, 16.0]]);
/// let g = gradient_arrays(&f, &Options::new())?;
/// assert_eq!(g[0], array![[6.0, 9.0, 12.0], [6.0, 9.0, 12.0]]);
/// assert_eq!(g[1], array![[1.0, 1.5, 2.0], [4.0, 4.5, 5.0]]);
/// // Laid out as the input: column-major.
/// assert_eq!(g[1].strides(), [1, 2]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_arrays<T, F, D>(
    input: &ArrayRef<T, D>,
    options: &Options<'_, F>,
) -> Result<Vec<Array<F, D>>, GradientError>
where
    T: Sample<F>,
    F: Real,
    D: Dimension,
{
    new_arrays(input, options, None, |view, views, call| {
        let applied = execute(view, views, call, Kernel::Auto, Path::detect());
        debug_assert!(applied, "the automatic choice fits every layout");
        if !applied {
            // Never taken (the automatic choice fits every layout), but the outputs must be
            // written before they are read: the scalar reference, whose checks passed.
            let _ = crate::gradient_reference(view, views, options);
        }
    })
}

/// [`gradient_arrays`] for the sample types of [`Value`] (complex numbers, datetime64 and
/// timedelta64 counts, float16), each with numpy's arithmetic for its dtype, as
/// [`gradient_values`](crate::gradient_values) computes them: new arrays of numpy's result
/// type, in the memory order numpy gives them.
///
/// The arrays are filled with `V::Out::default()` before the gradient writes them (the value
/// kernel works on slices of its outputs' lines, which must be initialised).
///
/// ```
/// use ndarray::array;
/// use num_complex::Complex;
/// use numgrad::{gradient_values_arrays, Options};
/// let z = array![[Complex::new(1.0, 0.0), Complex::new(2.0, 1.0), Complex::new(4.0, 4.0)]];
/// let g = gradient_values_arrays(&z, &Options::<f64>::new().axes(numgrad::Axes::One(1)))?;
/// assert_eq!(g[0], array![[Complex::new(1.0, 1.0), Complex::new(1.5, 2.0), Complex::new(2.0, 3.0)]]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values_arrays<V, F, D>(
    input: &ArrayRef<V, D>,
    options: &Options<'_, F>,
) -> Result<Vec<Array<V::Out, D>>, GradientError>
where
    V: Value<F>,
    F: Precision,
    D: Dimension,
{
    new_arrays(
        input,
        options,
        Some(V::Out::default()),
        |view, views, call| {
            scalar::run::<V, F, Values>(view, views, call);
        },
    )
}

/// New arrays of results `O` for `input`, one per selected axis, laid out as numpy lays them
/// out, computed by `compute` on the validated call; with `fill`, each is filled with it first
/// (for kernels that make slices over their outputs), else left uninitialised for a kernel
/// that only ever writes its outputs.
fn new_arrays<T, O: Copy, F: Precision, D: Dimension>(
    input: &ArrayRef<T, D>,
    options: &Options<'_, F>,
    fill: Option<O>,
    compute: impl FnOnce(&StridedView<'_, T>, &mut [StridedViewMut<'_, O>], &Validated<'_, F>),
) -> Result<Vec<Array<O, D>>, GradientError> {
    let view = input_view(input)?;
    // Every check first: nothing below allocates before the call is known to be good.
    let call = validate_for_new_outputs(&view, options)?;
    let shape = input.shape();
    let count = input.len();
    let mut order = [0isize; MAX_RANK];
    // The input's rank is at most `MAX_RANK`: `input_view` checked it.
    let strides = keep_order_strides(shape, input.strides(), &mut order);

    let axes = call.axes();
    let mut buffers = try_vec_with_capacity::<Vec<O>>(axes.len())?;
    for _ in 0..axes.len() {
        let mut buffer = try_vec_with_capacity::<O>(count)?;
        if let Some(value) = fill {
            // Within the capacity just reserved: no allocation.
            buffer.resize(count, value);
        }
        buffers.push(buffer);
    }
    let mut views = try_vec_with_capacity(buffers.len())?;
    for buffer in buffers.iter_mut() {
        // SAFETY: `buffer` has capacity for `count` elements, and `strides` lays `shape` out
        // densely with positive strides (a permutation of C order), so the view reaches exactly
        // the indices `0..count` from the buffer's start, one allocation, each once; the buffer
        // is borrowed by this view alone until `views` is dropped below. Without `fill` the
        // memory is uninitialised: that is sound because the real kernels only ever write
        // their outputs (every kernel, the reference and the compact kernel store into outputs
        // and never load from them; Miri, which rejects any read of uninitialised memory, runs
        // this function in tests/suite/miri_ndarray.rs), and no `&mut [F]` is made over it. The
        // value kernel, which makes slices of its outputs' lines, gets filled buffers.
        views.push(unsafe { StridedViewMut::from_raw_parts(buffer.as_mut_ptr(), shape, strides) }?);
    }
    // Infallible from here: every check was made above.
    compute(&view, &mut views, &call);
    drop(views);

    let mut dims = D::zeros(shape.len());
    let mut steps = D::zeros(shape.len());
    for (k, (&n, &s)) in shape.iter().zip(strides).enumerate() {
        dims[k] = n;
        steps[k] = s.unsigned_abs();
    }
    let mut arrays = try_vec_with_capacity(buffers.len())?;
    for mut buffer in buffers {
        // SAFETY: the gradient wrote every one of the `count` elements (each view reaches
        // exactly the indices `0..count`, and every element of a non-empty output is written),
        // within the capacity reserved above (and with `fill`, they were initialised before).
        unsafe { buffer.set_len(count) };
        // The dense layout indexes exactly the vector's elements: cannot fail. (An empty
        // array has no memory order; ndarray takes custom strides only where they index.)
        let array = if count == 0 {
            Array::from_shape_vec(dims.clone(), buffer)
        } else {
            Array::from_shape_vec(dims.clone().strides(steps.clone()), buffer)
        };
        let array = array.map_err(|_| GradientError::SizeOverflow)?;
        arrays.push(array);
    }
    Ok(arrays)
}

/// The input as a strided view of the same elements.
fn input_view<T, D: Dimension>(
    input: &ArrayRef<T, D>,
) -> Result<StridedView<'_, T>, GradientError> {
    // SAFETY: an `ArrayRef` is a shared borrow of an array whose data is safe to read (ndarray's
    // guarantee for `ArrayRef`, as opposed to `RawRef`), held for the returned view's lifetime:
    // every element it reaches from `as_ptr()` (its first logical element) with its shape and
    // strides in elements is initialised, readable, in one allocation, and not written while
    // the borrow lives. Elements between them are not the view's: the constructor's contract
    // lets them be borrowed elsewhere (a raw view never reads them).
    unsafe { StridedView::from_raw_parts(input.as_ptr(), input.shape(), input.strides()) }
}

/// The strides (in elements) numpy's `np.empty_like(input)` (`order='K'`) gives an array of
/// the input's `shape` and `strides`, written into `out` (of at least `shape.len()` entries):
/// C order if the input is C-contiguous, else F order if it is F-contiguous (length-1 axes
/// ignored, as numpy's flags ignore them), else dense with the axes ordered by decreasing
/// `|stride|`, ties in axis order (numpy's `PyArray_CreateSortedStridePerm`, a sort stable by
/// axis).
fn keep_order_strides<'o>(shape: &[usize], strides: &[isize], out: &'o mut [isize]) -> &'o [isize] {
    let rank = shape.len();
    let mut order = [0u8; MAX_RANK];
    for (k, slot) in order.iter_mut().enumerate().take(rank) {
        *slot = k as u8;
    }
    let order = &mut order[..rank];
    if is_contiguous(shape, strides, order.iter().rev()) {
        // C order: the last axis innermost.
    } else if is_contiguous(shape, strides, order.iter()) {
        order.reverse();
    } else {
        // Outermost first: decreasing |stride|, equal strides keeping axis order (stable).
        for i in 1..rank {
            let mut j = i;
            while j > 0
                && strides[usize::from(order[j - 1])].unsigned_abs()
                    < strides[usize::from(order[j])].unsigned_abs()
            {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    // Dense, innermost (last in `order`) first; a product of lengths bounded by the validated
    // element count, so it cannot overflow.
    let mut step = 1usize;
    for &axis in order.iter().rev() {
        let axis = usize::from(axis);
        out[axis] = step as isize;
        step = step.saturating_mul(shape[axis].max(1));
    }
    &out[..rank]
}

/// Whether the axes, innermost first in `inner_first`, lay the elements out densely with
/// unit innermost stride (numpy's C- or F-contiguity test; an empty array is both).
fn is_contiguous<'a>(
    shape: &[usize],
    strides: &[isize],
    inner_first: impl Iterator<Item = &'a u8>,
) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = 1isize;
    for &axis in inner_first {
        let axis = usize::from(axis);
        if shape[axis] == 1 {
            continue;
        }
        if strides[axis] != expected {
            return false;
        }
        expected = expected.saturating_mul(shape[axis] as isize);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strides_for(shape: &[usize], strides: &[isize]) -> Vec<isize> {
        let mut out = [0; MAX_RANK];
        keep_order_strides(shape, strides, &mut out).to_vec()
    }

    /// Each case's expected strides are what numpy 2.4's `np.empty_like` gives (in elements)
    /// for `as_strided` arrays of these shapes and strides.
    #[test]
    fn memory_order_is_numpys_empty_like() {
        let cases: [(&[usize], &[isize], &[isize]); 17] = [
            (&[2, 3, 4], &[12, 4, 1], &[12, 4, 1]),
            (&[2, 3, 4], &[1, 2, 6], &[1, 2, 6]),
            (&[4, 2, 3], &[1, 12, 4], &[1, 12, 4]),
            (&[2, 3, 4], &[-12, 4, 1], &[12, 4, 1]),
            (&[2, 3, 2], &[12, 4, 2], &[6, 2, 1]),
            (&[3, 4], &[0, 1], &[1, 3]),
            (&[3, 4], &[1, 0], &[4, 1]),
            (&[3, 1, 4], &[4, 50, 1], &[4, 4, 1]),
            (&[3, 1, 4], &[1, 50, 3], &[1, 3, 3]),
            (&[3, 1, 4], &[2, 50, 6], &[1, 12, 3]),
            (&[3, 1, 4], &[2, 0, 6], &[1, 1, 3]),
            (&[2, 3, 4], &[1, 1, 6], &[3, 1, 6]),
            (&[2, 3, 4], &[-1, 1, 6], &[3, 1, 6]),
            (&[2, 3, 4], &[6, 1, 6], &[12, 1, 3]),
            (&[2, 3, 4], &[0, 1, 0], &[4, 8, 1]),
            (&[2, 3], &[0, 0], &[3, 1]),
            (&[5], &[-2], &[1]),
        ];
        for (shape, strides, numpy) in cases {
            assert_eq!(strides_for(shape, strides), numpy, "{shape:?} {strides:?}");
        }
    }
}
