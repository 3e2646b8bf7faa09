//! `numgrad._numgrad`: the Rust side of the Python package. Two private functions, called by
//! `numgrad/__init__.py` and `numgrad/dask.py` once they have done numpy's argument handling:
//! - `gradient(f, outs, axes, spacing, edge_order, counts=None)`: over numpy arrays, read and
//!   written in place, [`numgrad::gradient`] for real and integer data, and
//!   [`numgrad::gradient_values`] for complex data (complex128 with float64 spacing, complex64
//!   with float32 spacing), for float16 data (float16 spacing, every operation rounded to
//!   float16 as numpy's) and for datetime64 / timedelta64 data, which the Python layer passes
//!   as their int64 counts (`counts="datetime64"` or `"timedelta64"`, outputs the int64 counts
//!   of the timedelta64 results);
//! - `gradient_block(window, outs, whole_shape, window_start, block_start, axes, spacing,
//!   edge_order)`: [`numgrad::WholeArray::gradient_block`], one block of a larger array (real
//!   and integer data only: the crate's block API is real-only; not float16).
//!
//! `spacing` holds one entry per selected axis: a Python float (a uniform spacing, exactly
//! representable in the spacing type) or a 1-D array of the spacing dtype (coordinates, reduced
//! by the crate as numpy does when evenly spaced). The spacing type is the output dtype for
//! real and float16 data, the component type for complex data and float64 for counts. The
//! input is read in place through its strides and the outputs written in place; the
//! computation runs with the GIL released.

use half::f16;
use numgrad::{
    Axes, AxisSpacing, Datetime64, EdgeOrder, GradientError, Options, Precision, Real, Sample,
    Spacing, StridedView, StridedViewMut, Timedelta64, Value, WholeArray,
};
use numpy::{
    Complex32, Complex64, Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods,
    PyReadonlyArray1, PyReadonlyArrayDyn, PyReadwriteArrayDyn, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A crate error as the ValueError numpy raises for a bad argument.
fn value_error(e: GradientError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A sample or result type of the crate, and the element type of the numpy arrays that hold
/// it: itself, or `i64` for the datetime64 and timedelta64 counts (the Python layer passes
/// those arrays viewed as int64).
///
/// # Safety
/// `Self` has the size and alignment of `Self::Numpy`, and every value of `Self::Numpy` is a
/// valid `Self` and the reverse: numpy's elements may be read and written as `Self`s.
unsafe trait Stored {
    /// The numpy element type.
    type Numpy: Element;
}

macro_rules! stored_as_themselves {
    ($($t:ty),*) => {$(
        // SAFETY: the same type.
        unsafe impl Stored for $t {
            type Numpy = $t;
        }
    )*};
}
stored_as_themselves!(
    f64, f32, i8, i16, i32, i64, u8, u16, u32, u64, Complex64, Complex32, f16
);

// SAFETY: `Datetime64` and `Timedelta64` are `#[repr(transparent)]` structs whose one field is
// a public `i64`: the same size, alignment and ABI as `i64`, and any `i64` is a valid count
// (`i64::MIN` being NaT), so an int64 element is read and written as one of them.
unsafe impl Stored for Datetime64 {
    type Numpy = i64;
}
// SAFETY: as for `Datetime64`.
unsafe impl Stored for Timedelta64 {
    type Numpy = i64;
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

impl<T: Stored> Raw<T> {
    /// The pointer, shape and element strides of `a`, its elements read as `T`s; a byte
    /// stride that is not a multiple of the item size is an error (the Python layer copies
    /// such arrays first).
    fn of(a: &Bound<'_, PyArrayDyn<T::Numpy>>) -> PyResult<Self> {
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
            // `T` has the layout and values of the array's elements (`Stored`'s contract),
            // so the views built from this pointer read and write them as `T`s.
            ptr: a.data().cast::<T>(),
            shape: a.shape().to_vec(),
            strides,
        })
    }
}

impl<T> Raw<T> {
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

/// The spacing list, converted to the spacing type `F` (the output type for real and float16
/// data, the component type for complex data, `f64` for counts).
fn steps<'py, F: Element + Precision>(
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
                    PyTypeError::new_err("spacing: a float or a 1-D array of the spacing dtype")
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

/// Runs `compute` on the input `f` (samples `T`) and the outputs `outs` (results `O`), with
/// spacing type `F`, the GIL released.
#[allow(clippy::too_many_arguments)]
fn run<T, O, F, C>(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: &[Bound<'_, PyUntypedArray>],
    axes: &[isize],
    spacing: &[Bound<'_, PyAny>],
    edge_order: EdgeOrder,
    from_f64: fn(f64) -> F,
    compute: C,
) -> PyResult<()>
where
    T: Stored + Sync,
    O: Stored + Send,
    F: Element + Precision,
    C: FnOnce(
            &StridedView<'_, T>,
            &mut [StridedViewMut<'_, O>],
            &Options<'_, F>,
        ) -> Result<(), GradientError>
        + Send,
{
    let input: PyReadonlyArrayDyn<'_, T::Numpy> = f.cast::<PyArrayDyn<T::Numpy>>()?.readonly();
    let mut outputs: Vec<PyReadwriteArrayDyn<'_, O::Numpy>> = outs
        .iter()
        .map(|o| Ok(o.cast::<PyArrayDyn<O::Numpy>>()?.try_readwrite()?))
        .collect::<PyResult<_>>()?;
    let raw_in = Raw::<T>::of(&input)?;
    let raw_out = outputs
        .iter_mut()
        .map(|o| Raw::<O>::of(o))
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
        compute(&view, &mut out_views, &options)
    });
    drop(outputs);
    drop(input);
    result.map_err(value_error)
}

/// Real samples `T` into results `F`: [`numgrad::gradient`] for the whole array, or
/// [`WholeArray::gradient_block`] for one block of it.
#[allow(clippy::too_many_arguments)]
fn run_reals<T, F>(
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
    T: Stored + Sample<F> + Sync,
    F: Stored<Numpy = F> + Element + Real + Send + Sync,
{
    let compute = move |view: &StridedView<'_, T>,
                        out_views: &mut [StridedViewMut<'_, F>],
                        options: &Options<'_, F>| match &job {
        Job::Whole => numgrad::gradient(view, out_views, options),
        Job::Block {
            whole_shape,
            window_start,
            block_start,
        } => WholeArray::new(whole_shape, options)?.gradient_block(
            view,
            window_start,
            block_start,
            out_views,
        ),
    };
    run::<T, F, F, _>(py, f, outs, axes, spacing, edge_order, from_f64, compute)
}

/// Samples `V` with an arithmetic of their own (complex numbers, float16, datetime64 and
/// timedelta64 counts) into results `V::Out`: [`numgrad::gradient_values`] for the whole array,
/// or [`WholeArray::gradient_values_block`] for one block of it.
#[allow(clippy::too_many_arguments)]
fn run_values<V, F>(
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
    V: Value<F> + Stored,
    V::Out: Stored,
    F: Element + Precision,
{
    let compute = move |view: &StridedView<'_, V>,
                        out_views: &mut [StridedViewMut<'_, V::Out>],
                        options: &Options<'_, F>| match &job {
        Job::Whole => numgrad::gradient_values(view, out_views, options),
        Job::Block {
            whole_shape,
            window_start,
            block_start,
        } => WholeArray::new(whole_shape, options)?.gradient_values_block(
            view,
            window_start,
            block_start,
            out_views,
        ),
    };
    run::<V, V::Out, F, _>(py, f, outs, axes, spacing, edge_order, from_f64, compute)
}

/// Dispatches on the input's dtype: float64, float32 and every integer type (real samples;
/// float32 outputs only for float32 input), complex128 and complex64, float16, and int64 arrays
/// that hold datetime64 or timedelta64 counts (`counts` names which).
#[allow(clippy::too_many_arguments)]
fn dispatch(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: &[Bound<'_, PyUntypedArray>],
    axes: &[isize],
    spacing: &[Bound<'_, PyAny>],
    edge_order: i64,
    job: Job,
    counts: Option<&str>,
) -> PyResult<()> {
    let order = EdgeOrder::try_from(edge_order).map_err(value_error)?;
    let dt = f.dtype();
    if let Some(kind) = counts {
        if !dt.is_equiv_to(&numpy::dtype::<i64>(py)) {
            return Err(PyTypeError::new_err(format!(
                "numgrad: {kind} counts are passed as int64, not {dt}"
            )));
        }
        let same = |h| h;
        return match kind {
            "datetime64" => {
                run_values::<Datetime64, f64>(py, f, outs, axes, spacing, order, same, job)
            }
            "timedelta64" => {
                run_values::<Timedelta64, f64>(py, f, outs, axes, spacing, order, same, job)
            }
            _ => Err(PyValueError::new_err(format!(
                "numgrad: counts must be \"datetime64\" or \"timedelta64\", not {kind:?}"
            ))),
        };
    }
    macro_rules! try_types {
        ($F:ty, $conv:expr; $($T:ty),*) => {
            $(
                if dt.is_equiv_to(&numpy::dtype::<$T>(py)) {
                    return run_reals::<$T, $F>(py, f, outs, axes, spacing, order, $conv, job);
                }
            )*
        };
    }
    try_types!(f64, |h| h; f64, i8, i16, i32, i64, u8, u16, u32, u64);
    // The Python layer passes a float32 spacing as a float holding an f32 value exactly.
    try_types!(f32, |h| h as f32; f32);
    if dt.is_equiv_to(&numpy::dtype::<Complex64>(py)) {
        return run_values::<Complex64, f64>(py, f, outs, axes, spacing, order, |h| h, job);
    }
    if dt.is_equiv_to(&numpy::dtype::<Complex32>(py)) {
        // As for float32: the spacing holds an f32 value exactly.
        return run_values::<Complex32, f32>(py, f, outs, axes, spacing, order, |h| h as f32, job);
    }
    if dt.is_equiv_to(&numpy::dtype::<f16>(py)) {
        // As for float32: the spacing holds an f16 value exactly (so the conversion is exact).
        return run_values::<f16, f16>(py, f, outs, axes, spacing, order, f16::from_f64, job);
    }
    Err(PyTypeError::new_err(format!(
        "numgrad: unsupported dtype {dt} (the Python layer hands it to numpy)"
    )))
}

/// The gradient of `f` into `outs`, one per axis of `axes`: `numgrad::gradient` for real
/// and integer data, `numgrad::gradient_values` for complex and float16 data and, with `counts`
/// (`"datetime64"` or `"timedelta64"`), for the int64 counts of datetime64 / timedelta64 data.
#[pyfunction]
#[pyo3(signature = (f, outs, axes, spacing, edge_order, counts=None))]
fn gradient(
    py: Python<'_>,
    f: &Bound<'_, PyUntypedArray>,
    outs: Vec<Bound<'_, PyUntypedArray>>,
    axes: Vec<isize>,
    spacing: Vec<Bound<'_, PyAny>>,
    edge_order: i64,
    counts: Option<&str>,
) -> PyResult<()> {
    dispatch(
        py,
        f,
        &outs,
        &axes,
        &spacing,
        edge_order,
        Job::Whole,
        counts,
    )
}

/// One block of the gradient of a whole array of `whole_shape`: `window` holds the whole
/// array's samples from `window_start` on, the block starts at `block_start` and has the
/// outputs' shape. `spacing` holds the whole axes' coordinates; `counts` as for [`gradient`].
#[pyfunction]
#[pyo3(signature = (window, outs, whole_shape, window_start, block_start, axes, spacing, edge_order, counts=None))]
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
    counts: Option<&str>,
) -> PyResult<()> {
    let job = Job::Block {
        whole_shape,
        window_start,
        block_start,
    };
    dispatch(py, window, &outs, &axes, &spacing, edge_order, job, counts)
}

/// The extension module `numgrad._numgrad`.
#[pymodule]
fn _numgrad(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gradient, m)?)?;
    m.add_function(wrap_pyfunction!(gradient_block, m)?)?;
    Ok(())
}
