//! What the fuzz targets share: decoding arbitrary bytes into a call, and the oracle every call
//! must satisfy — an error leaves the outputs untouched and is the reference's error; success
//! equals the scalar reference bit for bit on every kernel and vector path, and no element
//! outside an output view is written. The strided call covers real samples (every kernel on
//! every vector path) and the value types (complex, datetime64, timedelta64, float16) alike,
//! through one decoder and one oracle ([`Subject`]).

use core::fmt::Debug;
use core::marker::PhantomData;

use arbitrary::{Result, Unstructured};
use half::f16;
use num_complex::Complex;
use numgrad::testing::{Isa, Kernel, distinct_caps, gradient_values_reference, gradient_with};
use numgrad::{
    Axes, AxisSpacing, Datetime64, EdgeOrder, GradientError, Options, Precision, Real, Sample,
    Spacing, StridedView, StridedViewMut, Timedelta64, Value, gradient_reference, gradient_values,
};

/// The tools the main crate's tests share (bit equality, stream adapters, ...).
#[path = "../../tests/support/mod.rs"]
pub mod support;
pub use support::same;
use support::{SPECIALS, positions};

/// Floats that decide bits: zeros of both signs, infinities, NaN, subnormals, huge values.
pub fn special_f64(u: &mut Unstructured<'_>) -> Result<f64> {
    Ok(match u.int_in_range(0u8..=12)? {
        k @ 0..=5 => SPECIALS[usize::from(k)],
        6 => -1.7e308,
        7 => 1e300,
        8 => 0.5,
        9 => -2.0,
        10 => f64::from_bits(u.arbitrary()?),
        _ => f64::from(u.int_in_range(-1000i32..=1000)?) * 0.125,
    })
}

/// A float of type `F` from the special pool.
pub fn special<F: Precision>(u: &mut Unstructured<'_>) -> Result<F> {
    Ok(F::from(special_f64(u)?).unwrap_or_else(F::nan))
}

/// An element of the sample type `T`.
pub trait FuzzSample: Copy {
    fn make(u: &mut Unstructured<'_>) -> Result<Self>;
}

impl FuzzSample for f64 {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        special_f64(u)
    }
}

impl FuzzSample for f32 {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(special_f64(u)? as f32)
    }
}

macro_rules! int_samples {
    ($($t:ty),*) => {$(
        impl FuzzSample for $t {
            fn make(u: &mut Unstructured<'_>) -> Result<Self> {
                u.arbitrary()
            }
        }
    )*};
}
int_samples!(i8, i16, i32, i64, u8, u16, u32, u64);

impl FuzzSample for f16 {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        // Any pattern too: float16 has few, and every one of them decides bits somewhere.
        Ok(match u.ratio(1, 4)? {
            true => f16::from_bits(u.arbitrary()?),
            false => f16::from_f64(special_f64(u)?),
        })
    }
}

impl FuzzSample for Complex<f64> {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(Complex::new(special_f64(u)?, special_f64(u)?))
    }
}

impl FuzzSample for Complex<f32> {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(Complex::new(special_f64(u)? as f32, special_f64(u)? as f32))
    }
}

/// A datetime64 or timedelta64 count that decides results: small counts, multiples of large
/// powers of two, counts near 2^53 (where `f64` stops holding every integer), near ±2^62 (whose
/// sums and doubled weights leave the range), near ±2^63 (the range's ends, NaT's neighbour),
/// NaT itself, and any count.
pub fn special_count(u: &mut Unstructured<'_>) -> Result<i64> {
    let near = |u: &mut Unstructured<'_>, at: i64, by: i8| -> Result<i64> {
        let v = at + i64::from(u.int_in_range(-by..=by)?);
        Ok(if u.arbitrary()? { -v } else { v })
    };
    Ok(match u.int_in_range(0u8..=10)? {
        0..=2 => i64::from(u.int_in_range(-1000i16..=1000)?),
        3 => i64::from(u.int_in_range(-1000i16..=1000)?) << u.int_in_range(0u32..=52)?,
        4 => near(u, 1 << 53, 4)?,
        5 => near(u, 1 << 62, 8)?,
        6 => i64::MAX - i64::from(u.int_in_range(0u8..=8)?),
        7 => i64::MIN + 1 + i64::from(u.int_in_range(0u8..=8)?),
        8 => i64::MIN, // NaT
        _ => u.arbitrary()?,
    })
}

impl FuzzSample for Datetime64 {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        special_count(u).map(Datetime64)
    }
}

impl FuzzSample for Timedelta64 {
    fn make(u: &mut Unstructured<'_>) -> Result<Self> {
        special_count(u).map(Timedelta64)
    }
}

/// Spacing entries, owned.
pub enum Entry<F> {
    Uniform(F),
    Coordinates(Vec<F>),
    Unreduced(Vec<F>),
    Ticks32(Vec<u32>),
    Ticks64(Vec<u64>),
}

impl<F: Precision> Entry<F> {
    pub fn as_spacing(&self) -> AxisSpacing<'_, F> {
        match self {
            Self::Uniform(h) => AxisSpacing::Uniform(*h),
            Self::Coordinates(x) => AxisSpacing::Coordinates(x),
            Self::Unreduced(x) => AxisSpacing::UnreducedCoordinates(x),
            Self::Ticks32(t) => AxisSpacing::Ticks32(t),
            Self::Ticks64(t) => AxisSpacing::Ticks64(t),
        }
    }

    /// An entry for an axis of `len` points (sometimes of the wrong length on purpose).
    pub fn make(u: &mut Unstructured<'_>, len: usize) -> Result<Self> {
        let n = if u.ratio(1, 10)? {
            u.int_in_range(0..=len + 1)?
        } else {
            len
        };
        Ok(match u.int_in_range(0u8..=5)? {
            0 | 1 => Self::Uniform(special(u)?),
            2 => {
                // Often evenly spaced, so numpy's reduction is exercised.
                if u.arbitrary()? {
                    let (x0, h) = (special::<F>(u)?, special::<F>(u)?);
                    Self::Coordinates(
                        (0..n)
                            .map(|i| x0 + h * F::from(i).unwrap_or_else(F::nan))
                            .collect(),
                    )
                } else {
                    Self::Coordinates((0..n).map(|_| special(u)).collect::<Result<_>>()?)
                }
            }
            3 => Self::Unreduced((0..n).map(|_| special(u)).collect::<Result<_>>()?),
            4 => Self::Ticks32((0..n).map(|_| u.arbitrary()).collect::<Result<_>>()?),
            _ => Self::Ticks64((0..n).map(|_| u.arbitrary()).collect::<Result<_>>()?),
        })
    }
}

/// A bit pattern no computation produces by accident, to spot untouched elements.
fn sentinel<F: Precision>() -> F {
    F::from(-7.0e-3).unwrap_or_else(F::nan) / F::from(3.0).unwrap_or_else(F::nan)
}

/// An element of the results.
pub trait FuzzOut: Copy + Debug {
    /// A value no computation produces by accident, to spot untouched elements.
    fn sentinel() -> Self;
    /// The equality results are held to: bit for bit, any NaN matching any NaN.
    fn matches(self, other: Self) -> bool;
}

macro_rules! real_outs {
    ($($t:ty),*) => {$(
        impl FuzzOut for $t {
            fn sentinel() -> Self {
                sentinel()
            }
            fn matches(self, other: Self) -> bool {
                same(self, other)
            }
        }
    )*};
}
real_outs!(f32, f64, f16);

impl<F: Real + FuzzOut> FuzzOut for Complex<F> {
    fn sentinel() -> Self {
        Complex::new(F::sentinel(), -F::sentinel())
    }
    fn matches(self, other: Self) -> bool {
        same(self.re, other.re) && same(self.im, other.im)
    }
}

impl FuzzOut for Timedelta64 {
    fn sentinel() -> Self {
        Timedelta64(0x5eed_0bad_c0de_0017)
    }
    fn matches(self, other: Self) -> bool {
        self == other
    }
}

/// The subject of a strided call: its sample and result types, the reference it is held to, and
/// the paths held to the reference. [`strided`] decodes the call and checks every path.
pub trait Subject<F: Precision> {
    /// The input's elements.
    type Sample: FuzzSample;
    /// The outputs' elements.
    type Out: FuzzOut;
    /// One way of computing the call, named by its `Debug`.
    type Path: Copy + Debug;

    /// Every path to check.
    fn paths() -> Vec<Self::Path>;

    /// Whether `path` may decline a layout (`Ok(false)`, writing nothing).
    fn may_decline(path: Self::Path) -> bool;

    /// The reference.
    fn reference(
        input: &StridedView<'_, Self::Sample>,
        outputs: &mut [StridedViewMut<'_, Self::Out>],
        options: &Options<'_, F>,
    ) -> core::result::Result<(), GradientError>;

    /// The call on `path`: `Ok(true)` when computed, `Ok(false)` when declined.
    fn run(
        path: Self::Path,
        input: &StridedView<'_, Self::Sample>,
        outputs: &mut [StridedViewMut<'_, Self::Out>],
        options: &Options<'_, F>,
    ) -> core::result::Result<bool, GradientError>;
}

/// Real samples `T`: every kernel on every vector path this CPU has (compile-time lanes, run-time
/// AVX2 and AVX-512, each tuning: `testing::distinct_caps`) through `gradient_with`, held to
/// `gradient_reference`.
pub struct Reals<T>(PhantomData<T>);

impl<T: Sample<F> + FuzzSample, F: Real + FuzzOut> Subject<F> for Reals<T> {
    type Sample = T;
    type Out = F;
    type Path = (Isa, Kernel);

    fn paths() -> Vec<(Isa, Kernel)> {
        let kernels = [
            Kernel::Auto,
            Kernel::AlongContiguous,
            Kernel::AlongStrided,
            Kernel::Across,
        ];
        kernels
            .into_iter()
            .flat_map(|kernel| distinct_caps(kernel).map(move |isa| (isa, kernel)))
            .collect()
    }

    fn may_decline((_, kernel): (Isa, Kernel)) -> bool {
        kernel != Kernel::Auto && kernel != Kernel::AlongStrided
    }

    fn reference(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
    ) -> core::result::Result<(), GradientError> {
        gradient_reference(input, outputs, options)
    }

    fn run(
        (isa, kernel): (Isa, Kernel),
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
    ) -> core::result::Result<bool, GradientError> {
        gradient_with(input, outputs, options, kernel, isa)
    }
}

/// Value samples `V` (complex, datetime64, timedelta64, float16): `gradient_values`, held to
/// `gradient_values_reference`.
pub struct Values<V>(PhantomData<V>);

/// The one path of the value types.
#[derive(Clone, Copy, Debug)]
pub struct GradientValues;

impl<V: Value<F> + FuzzSample, F: Precision> Subject<F> for Values<V>
where
    V::Out: FuzzOut,
{
    type Sample = V;
    type Out = V::Out;
    type Path = GradientValues;

    fn paths() -> Vec<GradientValues> {
        vec![GradientValues]
    }

    fn may_decline(_: GradientValues) -> bool {
        false
    }

    fn reference(
        input: &StridedView<'_, V>,
        outputs: &mut [StridedViewMut<'_, V::Out>],
        options: &Options<'_, F>,
    ) -> core::result::Result<(), GradientError> {
        gradient_values_reference(input, outputs, options)
    }

    fn run(
        _: GradientValues,
        input: &StridedView<'_, V>,
        outputs: &mut [StridedViewMut<'_, V::Out>],
        options: &Options<'_, F>,
    ) -> core::result::Result<bool, GradientError> {
        gradient_values(input, outputs, options).map(|()| true)
    }
}

/// A large dense view (rank 2 or 3, axes of a few points, of a tile's size or of several
/// coordinate-weight blocks), its axes nested in any order and some reversed: what reaches the
/// tiled walk of mixed layouts and the shared weights of long coordinate lines. Its samples
/// repeat a small pool drawn from `u`.
#[allow(clippy::type_complexity)]
fn large_view<T: FuzzSample>(
    u: &mut Unstructured<'_>,
) -> Result<(usize, Vec<usize>, Vec<isize>, usize, Vec<T>)> {
    let rank = u.int_in_range(2..=3usize)?;
    let mut shape = Vec::new();
    for _ in 0..rank {
        shape.push(match u.int_in_range(0u8..=2)? {
            0 => u.int_in_range(1..=3)?,
            1 => u.int_in_range(30..=70)?,
            _ => u.int_in_range(250..=600)?,
        });
    }
    // At most about 100k elements.
    while shape.iter().product::<usize>() > 100_000 {
        let big = (0..rank).max_by_key(|&a| shape[a]).unwrap_or(0);
        shape[big] /= 2;
    }
    let mut order: Vec<usize> = (0..rank).collect();
    for i in (1..rank).rev() {
        order.swap(i, u.int_in_range(0..=i)?);
    }
    let mut strides = vec![0isize; rank];
    let mut span = 1isize;
    for &a in order.iter().rev() {
        strides[a] = span;
        span *= shape[a] as isize;
    }
    let mut offset = 0usize;
    for (a, s) in strides.iter_mut().enumerate() {
        if u.ratio(1, 3)? {
            offset += (shape[a] - 1) * s.unsigned_abs();
            *s = -*s;
        }
    }
    let pool: Vec<T> = (0..16).map(|_| T::make(u)).collect::<Result<_>>()?;
    let data = (0..span as usize)
        .map(|i| pool[(i * 7 + i / 13) % pool.len()])
        .collect();
    Ok((rank, shape, strides, offset, data))
}

/// A strided call on real samples `T`, checked on every kernel and vector path.
pub fn strided_call<T: Sample<F> + FuzzSample, F: Real + FuzzOut>(
    u: &mut Unstructured<'_>,
) -> Result<()> {
    strided::<Reals<T>, F>(u)
}

/// A strided call on value samples `V`, checked through `gradient_values`.
pub fn strided_values_call<V: Value<F> + FuzzSample, F: Precision>(
    u: &mut Unstructured<'_>,
) -> Result<()>
where
    V::Out: FuzzOut,
{
    strided::<Values<V>, F>(u)
}

/// Decodes one strided call on the subject `S` from `u` and checks it on every path of `S`.
pub fn strided<S: Subject<F>, F: Precision>(u: &mut Unstructured<'_>) -> Result<()> {
    let (rank, shape, strides, offset, data) = if u.ratio(1, 8)? {
        large_view::<S::Sample>(u)?
    } else {
        let rank = u.int_in_range(0..=5usize)?;
        let shape: Vec<usize> = (0..rank)
            .map(|_| u.int_in_range(0..=9))
            .collect::<Result<_>>()?;
        let mut strides: Vec<isize> = (0..rank)
            .map(|_| u.int_in_range(-4..=4))
            .collect::<Result<_>>()?;
        if u.ratio(1, 20)? && rank > 0 {
            strides[0] = u.arbitrary()?; // occasionally absurd, to exercise overflow checks
        }
        let offset = u.int_in_range(0..=60usize)?;
        let buffer_len = u.int_in_range(0..=240usize)?;
        let data: Vec<S::Sample> = (0..buffer_len)
            .map(|_| S::Sample::make(u))
            .collect::<Result<_>>()?;
        (rank, shape, strides, offset, data)
    };
    // Explicit strides, or (sometimes) C order, which fails unless the buffer fits exactly.
    let input = if u.ratio(1, 4)? {
        StridedView::contiguous(&data, &shape)
    } else {
        StridedView::new(&data, offset, &shape, &strides)
    };
    let Ok(input) = input else {
        return Ok(()); // a rejected descriptor: nothing else to check
    };

    let axes_list: Vec<isize> = (0..u.int_in_range(0..=4usize)?)
        .map(|_| u.int_in_range(-6..=6))
        .collect::<Result<_>>()?;
    let axes = match u.int_in_range(0u8..=2)? {
        0 => Axes::All,
        1 => Axes::One(u.int_in_range(-6..=6)?),
        _ => Axes::List(&axes_list),
    };
    let selected: Vec<usize> = match axes {
        Axes::All => (0..rank).collect(),
        Axes::One(a) => vec![a.rem_euclid(rank.max(1) as isize) as usize],
        Axes::List(l) => l
            .iter()
            .map(|a| a.rem_euclid(rank.max(1) as isize) as usize)
            .collect(),
        // `Axes` is non_exhaustive; the three forms above are the only ones built here.
        _ => unreachable!("built above"),
    };
    let mut entries = Vec::new();
    let entry_count = if u.ratio(1, 10)? {
        u.int_in_range(0..=4usize)?
    } else {
        selected.len()
    };
    for k in 0..entry_count {
        let len = selected
            .get(k)
            .and_then(|&a| shape.get(a))
            .copied()
            .unwrap_or(3);
        entries.push(Entry::<F>::make(u, len)?);
    }
    let per_axis: Vec<AxisSpacing<'_, F>> = entries.iter().map(Entry::as_spacing).collect();
    let spacing = match u.int_in_range(0u8..=3)? {
        0 => Spacing::Unit,
        1 => Spacing::Uniform(special(u)?),
        _ => Spacing::PerAxis(&per_axis),
    };
    let edge = match EdgeOrder::try_from(u.int_in_range(-1i64..=3)?) {
        Ok(e) => e,
        Err(GradientError::InvalidEdgeOrder { .. }) => return Ok(()),
        Err(e) => panic!("unexpected {e:?}"),
    };
    let options = Options::new().axes(axes).spacing(spacing).edge_order(edge);

    // Outputs: a dense layout with the axes in some order, some reversed, inside a buffer with
    // guard cells before and after; occasionally arbitrary strides.
    let outputs = u.int_in_range(0..=5usize)?;
    let count: usize = shape.iter().product();
    let mut order: Vec<usize> = (0..rank).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, u.int_in_range(0..=i)?);
    }
    let mut out_strides = vec![0isize; rank];
    let mut span = 1isize;
    for &a in order.iter().rev() {
        out_strides[a] = span;
        span *= shape[a].max(1) as isize;
    }
    let mut out_offset = 3usize;
    for (a, s) in out_strides.iter_mut().enumerate() {
        if u.arbitrary()? {
            out_offset += (shape[a].saturating_sub(1)) * s.unsigned_abs();
            *s = -*s;
        }
    }
    if u.ratio(1, 10)? {
        for s in out_strides.iter_mut() {
            *s = u.int_in_range(-3..=3)?;
        }
    }
    let out_len = count + 6 + out_offset;

    let untouched = |buffers: &[Vec<S::Out>]| {
        buffers
            .iter()
            .flatten()
            .all(|v| v.matches(S::Out::sentinel()))
    };
    let run = |path: Option<S::Path>| {
        let mut buffers = vec![vec![S::Out::sentinel(); out_len]; outputs];
        let mut views = Vec::new();
        for b in buffers.iter_mut() {
            match StridedViewMut::new(b, out_offset, &shape, &out_strides) {
                Ok(v) => views.push(v),
                Err(_) => return (Ok(false), Vec::new()),
            }
        }
        let result = match path {
            None => S::reference(&input, &mut views, &options).map(|()| true),
            Some(path) => S::run(path, &input, &mut views, &options),
        };
        drop(views);
        (result, buffers)
    };

    let (reference, ref_buffers) = run(None);
    if ref_buffers.is_empty() && outputs > 0 {
        return Ok(()); // the output layout was rejected
    }
    if reference.is_err() {
        assert!(untouched(&ref_buffers), "reference: written on error");
    }
    for path in S::paths() {
        let (result, buffers) = run(Some(path));
        match (&reference, &result) {
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{path:?}: different errors");
                assert!(untouched(&buffers), "{path:?}: written on error");
            }
            (Ok(_), Ok(true)) => {
                for (b, r) in buffers.iter().zip(&ref_buffers) {
                    for (j, (&x, &y)) in b.iter().zip(r).enumerate() {
                        assert!(
                            x.matches(y),
                            "{path:?}: element {j} differs: {x:?} vs {y:?}"
                        );
                    }
                }
            }
            (Ok(_), Ok(false)) => {
                assert!(S::may_decline(path), "{path:?}: declined");
                assert!(untouched(&buffers), "{path:?}: written when declining");
            }
            _ => panic!("{path:?}: {result:?} but the reference gave {reference:?}"),
        }
    }
    // Elements of the output buffers outside the view are never written (checked when there
    // are outputs, whose layout then passed validation).
    if reference.is_ok() && outputs > 0 {
        let mut in_view = vec![false; out_len];
        for at in positions(out_offset, &shape, &out_strides) {
            in_view[at] = true;
        }
        for b in &ref_buffers {
            for (v, &inside) in b.iter().zip(&in_view) {
                assert!(
                    inside || v.matches(S::Out::sentinel()),
                    "written outside the view"
                );
            }
        }
    }
    Ok(())
}
