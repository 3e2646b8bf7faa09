//! Hooks for this crate's own tests, fuzz targets and benchmarks (feature `testing`): force a
//! kernel, or cap the vector path, for one call. Not part of the API: no stability promise,
//! and nothing here is needed to use the crate.
//!
//! Each call chooses its own path, so tests of different paths run in parallel in one process.

use crate::GradientError;
use crate::driver;
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::options::{EdgeOrder, Options};
use crate::spacing::AxisSpacing;
use crate::view::{StridedView, StridedViewMut};

pub use crate::isa::Isa;
pub use crate::kernels::Kernel;

/// The instruction set a call capped at `cap` uses on this CPU (`cap` itself when the CPU has
/// it).
///
/// ```
/// use numgrad::testing::{Isa, isa_used};
/// assert_eq!(isa_used(Isa::Baseline), Isa::Baseline);
/// assert!(isa_used(Isa::Avx512) >= isa_used(Isa::Avx2));
/// ```
pub fn isa_used(cap: Isa) -> Isa {
    Path::detect().capped(cap).isa()
}

/// The instruction set an uncapped call (what [`gradient`](crate::gradient) runs) uses on this
/// CPU: the cap that gives it.
///
/// ```
/// use numgrad::testing::{Isa, isa_detected, isa_used};
/// assert_eq!(isa_used(isa_detected()), isa_detected());
/// ```
pub fn isa_detected() -> Isa {
    Path::detect().isa()
}

/// The caps of [`Isa::ALL`] under which `kernel` runs different code on this CPU, in increasing
/// order: each cap whose path differs from every lower cap's. A cap the CPU lacks runs a lower
/// cap's path again, so a test that compares every path with the reference needs only these:
/// on aarch64 `Baseline` alone; on an x86_64 CPU with AVX2 alone, `Baseline` and `Avx2`. In
/// the compact build an automatic call runs its one
/// kernel whatever the cap: `Baseline` alone for [`Kernel::Auto`].
///
/// ```
/// use numgrad::testing::{Isa, Kernel, distinct_caps, isa_used};
/// let caps: Vec<Isa> = distinct_caps(Kernel::AlongStrided).collect();
/// assert_eq!(caps[0], Isa::Baseline);
/// // Every path the CPU has is among them.
/// assert!(caps.contains(&isa_used(Isa::Avx2)));
/// ```
pub fn distinct_caps(kernel: Kernel) -> impl Iterator<Item = Isa> {
    let one_kernel = cfg!(feature = "compact") && kernel == Kernel::Auto;
    let count = if one_kernel { 1 } else { Isa::ALL.len() };
    Path::detect().distinct_caps().take(count)
}

/// [`gradient`](crate::gradient) with a forced `kernel`, on vector paths up to `cap`.
///
/// Returns `Ok(false)`, having written nothing, when the kernel does not fit the layout of some
/// selected axis.
///
/// ```
/// use numgrad::testing::{Isa, Kernel, gradient_with};
/// use numgrad::{Options, StridedView, StridedViewMut};
/// let f = [1.0, 2.0, 4.0, 7.0];
/// let mut d = [0.0; 4];
/// let input = StridedView::contiguous(&f, &[4])?;
/// let mut out = [StridedViewMut::contiguous(&mut d, &[4])?];
/// assert!(gradient_with(&input, &mut out, &Options::new(), Kernel::AlongStrided, Isa::Baseline)?);
/// assert_eq!(d, [1.0, 1.5, 2.5, 3.0]);
/// // No other axis to vectorize across: the across kernel does not fit a series.
/// let mut out = [StridedViewMut::contiguous(&mut d, &[4])?];
/// assert!(!gradient_with(&input, &mut out, &Options::new(), Kernel::Across, Isa::Avx2)?);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_with<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
    kernel: Kernel,
    cap: Isa,
) -> Result<bool, GradientError> {
    driver::run(input, outputs, options, kernel, Path::detect().capped(cap))
}

/// [`gradient_1d`](crate::gradient_1d) on vector paths up to `cap`.
///
/// ```
/// use numgrad::testing::{Isa, gradient_1d_with};
/// use numgrad::{AxisSpacing, EdgeOrder};
/// let mut d = [0.0; 3];
/// gradient_1d_with(&[0.0, 1.0, 4.0], &mut d, AxisSpacing::Uniform(1.0), EdgeOrder::First, Isa::Avx2)?;
/// assert_eq!(d, [1.0, 2.0, 3.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_1d_with<T: Sample<F>, F: Real>(
    input: &[T],
    output: &mut [F],
    spacing: AxisSpacing<'_, F>,
    edge_order: EdgeOrder,
    cap: Isa,
) -> Result<(), GradientError> {
    driver::run_1d(
        input,
        output,
        spacing,
        edge_order,
        Path::detect().capped(cap),
    )
}

/// [`gradient_parallel`](crate::gradient_parallel) with its size threshold `min_elements`, and
/// its number of slabs when given (which forces the parallel path whatever the size).
#[cfg(feature = "rayon")]
pub fn gradient_parallel_with<T, F>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
    min_elements: usize,
    slabs: Option<usize>,
) -> Result<(), GradientError>
where
    T: Sample<F> + Sync,
    F: Real + Send + Sync,
{
    crate::parallel::run(input, outputs, options, min_elements, slabs)
}

/// [`gradient_values_parallel`](crate::gradient_values_parallel) with its size threshold
/// `min_elements`, and its number of slabs when given (which forces the parallel path whatever
/// the size).
#[cfg(feature = "rayon")]
pub fn gradient_values_parallel_with<V, F>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
    min_elements: usize,
    slabs: Option<usize>,
) -> Result<(), GradientError>
where
    V: crate::Value<F>,
    F: crate::Precision,
{
    crate::parallel::run_values(input, outputs, options, min_elements, slabs)
}

/// [`gradient_values`](crate::gradient_values) by the reference's walk over the layout (the
/// same validation and per-point formulas, another walk): what the value kernel's walk is
/// checked against.
///
/// ```
/// use numgrad::testing::gradient_values_reference;
/// use numgrad::{Options, StridedView, StridedViewMut, Timedelta64};
/// let t = [0, 10, 30].map(Timedelta64);
/// let mut d = [Timedelta64(0); 3];
/// let input = StridedView::contiguous(&t, &[3])?;
/// gradient_values_reference(&input, &mut [StridedViewMut::contiguous(&mut d, &[3])?], &Options::new())?;
/// assert_eq!(d, [10, 15, 20].map(Timedelta64));
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values_reference<V: crate::Value<F>, F: crate::Precision>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    crate::reference::values_reference(input, outputs, options)
}

/// The AVX-512F lanes' quotient from the FMA units (`Isa::Avx512Fma`): `n / d` lane by lane
/// from a reciprocal estimate corrected with FMA; the lanes its verification accepted (an
/// accepted lane must hold the divider's bits; the kernels divide a vector with any other);
/// and the lanes where that verification accepts `offered` as `n / d` (it must accept the
/// correctly rounded quotient alone). `None` on a CPU without AVX-512F.
/// `tests/suite/fma_quotient.rs` holds it to the hardware's division.
#[cfg(target_arch = "x86_64")]
pub fn fma_quotient(
    n: [f64; 8],
    d: [f64; 8],
    offered: [f64; 8],
) -> Option<([f64; 8], [bool; 8], [bool; 8])> {
    crate::lanes::avx512::fma_quotient_of(n, d, offered)
}
