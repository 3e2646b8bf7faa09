//! `numgrad._numgrad`: the Rust side of the Python package. Two private functions, called by
//! `numgrad/__init__.py` and `numgrad/dask.py` once they have done numpy's argument handling:
//! - `gradient(f, outs, axes, spacing, edge_order)`: [`numgrad::gradient`] over numpy arrays,
//!   read and written in place;
//! - `gradient_block(window, outs, whole_shape, window_start, block_start, axes, spacing,
//!   edge_order)`: [`numgrad::WholeArray::gradient_block`], one block of a larger array.
//!
//! `spacing` holds one entry per selected axis: a Python float (a uniform spacing, exactly
//! representable in the output type) or a 1-D array of the output dtype (coordinates, reduced
//! by the crate as numpy does when evenly spaced). The input is read in place through its
//! strides and the outputs written in place; the computation runs with the GIL released.

use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Real, Sample, Spacing, StridedView,
    StridedViewMut, WholeArray,
};
use numpy::{
    Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadonlyArray1, PyReadonlyArrayDyn,
    PyReadwriteArrayDyn, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A crate error as the ValueError numpy raises for a bad argument.
fn value_error(e: GradientError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// An array's pointer, shape and element strides, taken under the GIL for use without it.
struct Raw<T> {
    ptr: *mut T,
    shape: Vec<usize>,
    strides: Vec<isize>,
}

// SAFETY: the pointer is only dereferenced through a view built inside the GIL-released
// closure while the owning `PyReadonlyArray`/`PyReadwriteArray` borrow (taken under the GIL
// and dropped after the closure returns) keeps the array alive and, through rust-numpy's
// borrow tracking, keeps Rust code from taking an aliasing mutable borrow.
unsafe impl<T> Send for Raw<T> {}

impl<T: Element> Raw<T> {
    /// The pointer, shape and element strides of `a`; a byte stride that is not a multiple of
    /// the item size is an error (the Python layer copies such arrays first).
    fn of(a: &Bound<'_, PyArrayDyn<T>>) -> PyResult<Self> {
        let item = size_of::<T>() as isize;
        let strides = a
            .strides()
            .iter()
            .map(|&s| {
                if s % item == 0 {
                    Ok(s / item)
                } else {
                    Err(PyValueError::new_err(format!(
                        "byte stride {s} is not a multiple of the item size {item}"
                    )))
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            ptr: a.data(),
            shape: a.shape().to_vec(),
            strides,
        })
    }

    /// A read-only view.
    ///
    /// # Safety
    /// As [`StridedView::from_raw_parts`]; the array this came from is borrowed for reading.
    unsafe fn view(&self) -> Result<StridedView<'_, T>, GradientError> {
        // SAFETY: forwarded to the caller.
        unsafe { StridedView::from_raw_parts(self.ptr, &self.shape, &self.strides) }
    }

    /// A writable view.
    ///
    /// # Safety
    /// As [`StridedViewMut::from_raw_parts`]; the array this came from is borrowed for writing.
    unsafe fn view_mut(&self) -> Result<StridedViewMut<'_, T>, GradientError> {
        // SAFETY: forwarded to the caller.
        unsafe { StridedViewMut::from_raw_parts(self.ptr, &self.shape, &self.strides) }
    }
}

/// One axis's spacing as given by Python: a uniform step or coordinates.
enum Step<'py, F: Element> {
    Uniform(F),
    Coordinates(PyReadonlyArray1<'py, F>),
}

/// The spacing list, converted to the output type `F`.
fn steps<'py, F: Element + Real>(
    spacing: &[Bound<'py, PyAny>],
    from_f64: fn(f64) -> F,
) -> PyResult<Vec<Step<'py, F>>> {
    spacing
        .iter()
        .map(|s| {
            if let Ok(h) = s.extract::<f64>() {
                Ok(Step::Uniform(from_f64(h)))
            } else {
                let coords: PyReadonlyArray1<'py, F> = s.extract().map_err(|_| {
                    PyTypeError::new_err("spacing: a float or a 1-D array of the output dtype")
                })?;
                Ok(Step::Coordinates(coords))
            }
        })
        .collect()
}

/// What a call computes: the whole array, or one block of it.
enum Job {
    Whole,
    Block {
        whole_shape: Vec<usize>,
        window_start: Vec<usize>,
        block_start: Vec<usize>,
    },
}

/// Runs `job` with input samples `T` and outputs `F`, the GIL released.
#[allow(clippy::too_many_arguments)]
fn run<T, F>(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: &[Bound<'_, PyUntypedArray>],
    axes: &[isize],
    spacing: &[Bound<'_, PyAny>],
    edge_order: EdgeOrder,
    from_f64: fn(f64) -> F,
    job: Job,
) -> PyResult<()>
where
    T: Element + Sample<F> + Sync,
    F: Element + Real + Send + Sync,
{
    let input: PyReadonlyArrayDyn<'_, T> = f.cast::<PyArrayDyn<T>>()?.readonly();
    let mut outputs: Vec<PyReadwriteArrayDyn<'_, F>> = outs
        .iter()
        .map(|o| Ok(o.cast::<PyArrayDyn<F>>()?.try_readwrite()?))
        .collect::<PyResult<_>>()?;
    let raw_in = Raw::of(&input)?;
    let raw_out = outputs
        .iter_mut()
        .map(|o| Raw::of(o))
        .collect::<PyResult<Vec<_>>>()?;
    let steps = steps::<F>(spacing, from_f64)?;
    let coords: Vec<&[F]> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Coordinates(c) => Some(c.as_slice()),
            Step::Uniform(_) => None,
        })
        .collect::<Result<_, _>>()
        .map_err(|_| PyValueError::new_err("coordinates must be contiguous"))?;
    let mut next = coords.iter();
    let per_axis: Vec<AxisSpacing<'_, F>> = steps
        .iter()
        .map(|s| match s {
            Step::Uniform(h) => AxisSpacing::Uniform(*h),
            // One slice was collected for each coordinate step, in order.
            Step::Coordinates(_) => AxisSpacing::Coordinates(next.next().copied().unwrap_or(&[])),
        })
        .collect();
    let result = py.detach(move || -> Result<(), GradientError> {
        let options = Options::new()
            .axes(Axes::List(axes))
            .spacing(Spacing::PerAxis(&per_axis))
            .edge_order(edge_order);
        // SAFETY: `input` is a read borrow of the array `raw_in` describes and `outputs`
        // write borrows of those `raw_out` describe (rust-numpy refuses a write borrow that
        // overlaps another borrow); all of them outlive this closure, and numpy guarantees
        // every element a shape and strides reach lies in the array's allocation.
        let view = unsafe { raw_in.view() }?;
        let mut out_views = raw_out
            .iter()
            // SAFETY: as above.
            .map(|r| unsafe { r.view_mut() })
            .collect::<Result<Vec<_>, _>>()?;
        match &job {
            Job::Whole => numgrad::gradient(&view, &mut out_views, &options),
            Job::Block {
                whole_shape,
                window_start,
                block_start,
            } => WholeArray::new(whole_shape, &options)?.gradient_block(
                &view,
                window_start,
                block_start,
                &mut out_views,
            ),
        }
    });
    drop(outputs);
    drop(input);
    result.map_err(value_error)
}

/// Dispatches on the input's dtype (float64, float32, every integer type) and the outputs'
/// (float32 only for float32 input).
fn dispatch(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: &[Bound<'_, PyUntypedArray>],
    axes: &[isize],
    spacing: &[Bound<'_, PyAny>],
    edge_order: i64,
    job: Job,
) -> PyResult<()> {
    let order = EdgeOrder::try_from(edge_order).map_err(value_error)?;
    let dt = f.dtype();
    macro_rules! try_types {
        ($F:ty, $conv:expr; $($T:ty),*) => {
            $(
                if dt.is_equiv_to(&numpy::dtype::<$T>(py)) {
                    return run::<$T, $F>(py, f, outs, axes, spacing, order, $conv, job);
                }
            )*
        };
    }
    try_types!(f64, |h| h; f64, i8, i16, i32, i64, u8, u16, u32, u64);
    // The Python layer passes a float32 spacing as a float holding an f32 value exactly.
    try_types!(f32, |h| h as f32; f32);
    Err(PyTypeError::new_err(format!(
        "numgrad: unsupported dtype {dt} (the Python layer hands it to numpy)"
    )))
}

/// `numgrad::gradient` of `f` into `outs`, one per axis of `axes`.
#[pyfunction]
fn gradient(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: Vec<Bound<'_, PyUntypedArray>>,
    axes: Vec<isize>,
    spacing: Vec<Bound<'_, PyAny>>,
    edge_order: i64,
) -> PyResult<()> {
    dispatch(py, f, &outs, &axes, &spacing, edge_order, Job::Whole)
}

/// One block of the gradient of a whole array of `whole_shape`: `window` holds the whole
/// array's samples from `window_start` on, the block starts at `block_start` and has the
/// outputs' shape. `spacing` holds the whole axes' coordinates.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn gradient_block(
    py: Python<'_>,
    window: &Bound<'_, PyUntypedArray>,
    outs: Vec<Bound<'_, PyUntypedArray>>,
    whole_shape: Vec<usize>,
    window_start: Vec<usize>,
    block_start: Vec<usize>,
    axes: Vec<isize>,
    spacing: Vec<Bound<'_, PyAny>>,
    edge_order: i64,
) -> PyResult<()> {
    let job = Job::Block {
        whole_shape,
        window_start,
        block_start,
    };
    dispatch(py, window, &outs, &axes, &spacing, edge_order, job)
}

/// The extension module `numgrad._numgrad`.
#[pymodule]
fn _numgrad(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gradient, m)?)?;
    m.add_function(wrap_pyfunction!(gradient_block, m)?)?;
    Ok(())
}
