//! Sample types that numpy differentiates with an arithmetic of their own dtype, not as `f32`
//! or `f64` numbers ([`Value`]): complex numbers (feature `complex`), datetime64 and
//! timedelta64 counts ([`Datetime64`](crate::Datetime64), [`Timedelta64`](crate::Timedelta64)),
//! float16 (feature `half`); and their entry point, [`gradient_values`].

use crate::call::validate;
use crate::element::Precision;
use crate::scalar::{self, Values};
use crate::view::{StridedView, StridedViewMut};
use crate::{GradientError, Options};

pub(crate) mod sealed {
    /// Only this crate's value types implement [`Value`](super::Value).
    pub trait Sealed {}
}

/// A sample type whose gradient numpy computes with the arithmetic of its own dtype, in the
/// spacing type `F`: each difference, product and sum as numpy's loop for that dtype does it
/// (so results equal numpy's, bit for bit, including its NaN and NaT propagation).
///
/// | sample | `F` | results (`Out`) | numpy |
/// | --- | --- | --- | --- |
/// | `Complex<f64>` (feature `complex`) | `f64` | `Complex<f64>` | complex128, float64 spacing |
/// | `Complex<f32>` (feature `complex`) | `f32` | `Complex<f32>` | complex64, float32 spacing |
/// | [`Timedelta64`](crate::Timedelta64) | `f64` | `Timedelta64` | timedelta64 |
/// | [`Datetime64`](crate::Datetime64) | `f64` | `Timedelta64` | datetime64 → timedelta64 |
/// | `half::f16` (feature `half`) | `f16` | `f16` | float16, float16 spacing |
///
/// Sealed. The methods are this crate's; they are not part of the API.
pub trait Value<F: Precision>: Copy + core::fmt::Debug + sealed::Sealed {
    /// The results' type: numpy's output dtype for these samples.
    type Out: Copy + core::fmt::Debug + Default;
    /// The value read where a sample could not be (never, for a validated call).
    #[doc(hidden)]
    fn missing() -> Self;
    /// `(plus - minus) / divisor`: the uniform interior and the first-order edges.
    #[doc(hidden)]
    fn difference(plus: Self, minus: Self, divisor: F) -> Self::Out;
    /// `(a*f0 + b*f1) + c*f2`: the uneven interior and the second-order edges, each product
    /// as numpy computes it there (`products`).
    #[doc(hidden)]
    fn weighted(weights: [F; 3], f: [Self; 3], products: Products) -> Self::Out;
}

/// How numpy multiplies a weight by a sample at a point: as arrays (a ufunc loop over a
/// slice: numpy's vectorized loops) or as scalars (the edges of a 1-D input, where numpy's
/// `f[0]` is a scalar). They differ for complex samples on CPUs with FMA, where numpy's
/// vectorized complex multiply is fused: a product that underflows to zero keeps its sign.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Products {
    /// numpy multiplies arrays (every point of an N-d input, the interior of a 1-D one).
    Arrays,
    /// numpy multiplies scalars (the edges of a 1-D input).
    Scalars,
}

impl Products {
    /// At point `i` of a line of `n` points of an input of `rank` axes.
    #[inline(always)]
    pub(crate) fn at(rank: usize, i: usize, n: usize) -> Self {
        if rank == 1 && (i == 0 || i + 1 >= n) {
            Self::Scalars
        } else {
            Self::Arrays
        }
    }
}

/// [`gradient`](crate::gradient) for the sample types of [`Value`]: complex numbers, datetime64
/// and timedelta64 counts, float16, each with numpy's arithmetic for its dtype.
///
/// The same views, options, validation and errors as [`gradient`](crate::gradient); outputs
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
