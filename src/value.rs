//! Sample types that numpy differentiates with an arithmetic of their own dtype, not as `f32`
//! or `f64` numbers ([`Value`]): complex numbers (feature `complex`), datetime64 and
//! timedelta64 counts ([`Datetime64`](crate::Datetime64), [`Timedelta64`](crate::Timedelta64)),
//! float16 (feature `half`). Their entry point is [`gradient_values`](crate::gradient_values).

use core::ops::Range;

use crate::element::Precision;
use crate::spacing::Steps;
use crate::stencil::point_weights;

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
pub trait Value<F: Precision>: Copy + core::fmt::Debug + Send + Sync + sealed::Sealed {
    /// The results' type: numpy's output dtype for these samples.
    type Out: Copy + core::fmt::Debug + Default + Send + Sync;
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

    /// Interior points `points` (all in `1..x.len()-1`) of a line along coordinates `x`:
    /// `write(i, v)` gets point `i`'s result from `sample(j)` (`f[j]`), numpy multiplying
    /// arrays. Each point's weights as the plan's stencil computes them, one at a time; a type
    /// may compute them in lanes instead (the same bits), through the same loop (`uneven_points`).
    #[doc(hidden)]
    #[inline(always)]
    fn uneven_interior(
        x: &[F],
        points: Range<usize>,
        sample: impl Fn(usize) -> Self,
        write: impl FnMut(usize, Self::Out),
    ) {
        uneven_points(points, sample, write, formula_weights(x));
    }

    /// [`uneven_interior`](Self::uneven_interior) for a line held in slices: `dst[k]` is
    /// point `points.start + k`'s result, from `src[i - 1 ..= i + 1]`.
    #[doc(hidden)]
    #[inline(always)]
    fn uneven_slice(x: &[F], points: Range<usize>, src: &[Self], dst: &mut [Self::Out]) {
        let start = points.start;
        let sample = |j: usize| src.get(j).copied().unwrap_or_else(Self::missing);
        Self::uneven_interior(x, points, sample, |i, v| {
            if let Some(o) = dst.get_mut(i.wrapping_sub(start)) {
                *o = v;
            }
        });
    }
    /// The uniform interior of a contiguous line: `dst[i]` is
    /// `difference(src[i + 2], src[i], divisor)`, for every `i` both slices allow. One loop
    /// over slices; a type may run it in vector lanes.
    #[doc(hidden)]
    #[inline(always)]
    fn interior(src: &[Self], dst: &mut [Self::Out], divisor: F) {
        each_interior_point(src, dst, |plus, minus| {
            Self::difference(plus, minus, divisor)
        });
    }
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

/// Each point's three weights along coordinates `x` as the plan's stencil computes them, one
/// point at a time: where an uneven interior takes them when no block of them is at hand.
#[inline(always)]
pub(crate) fn formula_weights<F: Precision>(x: &[F]) -> impl Fn(usize) -> [F; 3] + '_ {
    move |i| point_weights(Steps::Coordinates(x), i)
}

/// The per-point loop of every uneven interior ([`Value::uneven_interior`]): `write(i, v)`
/// gets point `i`'s `weighted(weights(i), [f[i-1], f[i], f[i+1]])` (`f[j]` is `sample(j)`),
/// numpy multiplying arrays. One loop, so that wherever a type takes its weights from (the
/// plan's formula, a block computed in lanes), the products and sums are the same operations.
///
/// `sample` and `write` are taken by value: a caller that runs several ranges of a line passes
/// `&sample` and `&mut write`.
#[inline(always)]
pub(crate) fn uneven_points<V: Value<F>, F: Precision>(
    points: Range<usize>,
    sample: impl Fn(usize) -> V,
    mut write: impl FnMut(usize, V::Out),
    weights: impl Fn(usize) -> [F; 3],
) {
    for i in points {
        let w = weights(i);
        let f = [sample(i.wrapping_sub(1)), sample(i), sample(i + 1)];
        write(i, V::weighted(w, f, Products::Arrays));
    }
}

/// `dst[i] = at(src[i + 2], src[i])` for every `i` both slices allow: the one loop of a
/// contiguous line's uniform interior (`f[i+1]` and `f[i-1]` of output point `i + 1`).
#[inline(always)]
pub(crate) fn each_interior_point<T: Copy, O>(src: &[T], dst: &mut [O], at: impl Fn(T, T) -> O) {
    for (o, w) in dst.iter_mut().zip(src.windows(3)) {
        if let [minus, _, plus] = *w {
            *o = at(plus, minus);
        }
    }
}
