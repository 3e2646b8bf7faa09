//! Sample spacing: numpy's `*varargs`, and what it means for one axis.

use core::fmt::Debug;

use crate::GradientError;
use crate::element::{Precision, Real};
use crate::lanes::{Lanes, Unit};

/// The spacing of the samples, numpy's `*varargs`.
///
/// ```
/// use numgrad::{gradient, Options, Spacing, StridedView, StridedViewMut};
/// // x² sampled every 0.5: numpy.gradient(f, 0.5).
/// let f = [0.0, 1.0, 4.0, 9.0];
/// let input = StridedView::contiguous(&f, &[4])?;
/// let mut d = [0.0; 4];
/// let out = StridedViewMut::contiguous(&mut d, &[4])?;
/// gradient(&input, &mut [out], &Options::new().spacing(Spacing::Uniform(0.5)))?;
/// assert_eq!(d, [2.0, 4.0, 8.0, 10.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Spacing<'a, F> {
    /// Unit spacing on every axis (numpy with no spacing argument).
    #[default]
    Unit,
    /// The same scalar spacing on every selected axis (numpy's single scalar).
    Uniform(F),
    /// One entry per selected axis, in the order of the selected axes. Any other count is an
    /// error.
    PerAxis(&'a [AxisSpacing<'a, F>]),
}

/// The spacing along one axis.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder};
/// // f = x² at uneven x: numpy.gradient(f, x).
/// let x = [0.0, 1.0, 3.0];
/// let f = [0.0, 1.0, 9.0];
/// let mut d = [0.0; 3];
/// gradient_1d(&f, &mut d, AxisSpacing::Coordinates(&x), EdgeOrder::First)?;
/// assert_eq!(d, [1.0, 2.0, 4.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AxisSpacing<'a, F> {
    /// Samples `h` apart.
    Uniform(F),
    /// The coordinate of every sample along the axis; its length must equal the axis's length.
    ///
    /// Like numpy, coordinates whose consecutive differences are all exactly equal (`==`) are
    /// reduced to the uniform spacing `x[1] - x[0]`, which selects numpy's uniform formulas.
    /// Integer coordinates: convert them to `F` first; for `f64` that is exactly what numpy does
    /// (`distances.astype(np.float64)` before `np.diff`).
    Coordinates(&'a [F]),
    /// Coordinates used as they are, never reduced: numpy's non-uniform formulas at every
    /// point, even where the steps happen to be equal. This is what a stream computes (it cannot
    /// know in advance that every step will be equal); it equals numpy whenever the coordinates
    /// are not exactly evenly spaced, and differs from numpy's uniform formula by rounding only
    /// when they are.
    UnreducedCoordinates(&'a [F]),
    /// Timestamps from a free-running 32-bit timer, in ticks: step `k` is
    /// `t[k+1].wrapping_sub(t[k])` converted to `F`, so a wrap of the timer changes nothing.
    /// Never reduced, like [`UnreducedCoordinates`](Self::UnreducedCoordinates). The gradient
    /// is per tick; it equals numpy's `gradient(f, x)` for the unwrapped tick counts `x` (when
    /// they are exact in `F` and not evenly spaced).
    Ticks32(&'a [u32]),
    /// As [`Ticks32`](Self::Ticks32), for a 64-bit timer.
    Ticks64(&'a [u64]),
}

impl<'a, F: Precision> Spacing<'a, F> {
    /// Checks that per-axis spacing has one entry for each of the `selected` axes.
    pub(crate) fn check_count(&self, selected: usize) -> Result<(), GradientError> {
        match self {
            Self::PerAxis(entries) if entries.len() != selected => {
                Err(GradientError::SpacingCount {
                    expected: selected,
                    got: entries.len(),
                })
            }
            _ => Ok(()),
        }
    }

    /// The spacing of the `k`-th selected axis (after [`check_count`](Self::check_count)).
    pub(crate) fn for_selected(&self, k: usize) -> AxisSpacing<'a, F> {
        match *self {
            Self::Unit => AxisSpacing::Uniform(F::one()),
            Self::Uniform(h) => AxisSpacing::Uniform(h),
            // A missing entry cannot happen after `check_count`; NaN keeps this total.
            Self::PerAxis(entries) => entries
                .get(k)
                .copied()
                .unwrap_or(AxisSpacing::Uniform(F::nan())),
        }
    }
}

mod sealed {
    use crate::element::Precision;
    pub trait Sealed<F> {}
    impl<F: Precision> Sealed<F> for F {}
    impl<F> Sealed<F> for u32 {}
    impl<F> Sealed<F> for u64 {}
}

/// A position from which steps are taken: a coordinate of the float type `F` (`f32` for `f32`
/// results, `f64` for `f64` results), or the tick count of a free-running `u32` or `u64` timer.
/// The per-frame timestamp of a [`TimedGradientStream`](crate::TimedGradientStream), and the
/// one definition of a step for the batch modes too.
///
/// The step between two positions is `next - prev` for float coordinates, and
/// `next.wrapping_sub(prev)` converted to the float type (one rounding) for ticks, so a timer
/// that wraps around between two frames changes nothing. Steps are exactly those of the batch
/// modes [`AxisSpacing::Coordinates`], [`AxisSpacing::UnreducedCoordinates`],
/// [`AxisSpacing::Ticks32`] and [`AxisSpacing::Ticks64`], which take them from this trait.
/// Sealed.
///
/// ```
/// use numgrad::{EdgeOrder, TimedGradientStream};
/// // A u32 timer wraps between the two frames: the step is still 20 ticks.
/// let mut stream = TimedGradientStream::<f32, u32>::new(EdgeOrder::First);
/// stream.push([0.0f32], u32::MAX - 9);
/// assert_eq!(stream.push([40.0f32], 10).as_slice(), [[2.0]]);
/// ```
pub trait Timestamp<F: Precision>: Copy + Default + Debug + sealed::Sealed<F> {
    /// The step from `self` to `next`, in `F`.
    #[doc(hidden)]
    fn step_to(self, next: Self) -> F;

    /// `x` itself when the positions are float coordinates (whose steps are lane
    /// subtractions), `None` for ticks.
    #[doc(hidden)]
    fn as_reals(x: *const Self) -> Option<*const F>;
}

impl<F: Precision> Timestamp<F> for F {
    #[inline(always)]
    fn step_to(self, next: Self) -> F {
        (F::Arithmetic::from(next) - F::Arithmetic::from(self)).into()
    }

    #[inline(always)]
    fn as_reals(x: *const Self) -> Option<*const F> {
        Some(x)
    }
}

macro_rules! ticks {
    ($($t:ty),*) => {$(
        impl<F: Precision> Timestamp<F> for $t {
            #[inline(always)]
            fn step_to(self, next: Self) -> F {
                // Widening a u32 difference to u64 is exact, so one rounding, as for u64.
                F::from_ticks(u64::from(next.wrapping_sub(self)))
            }

            #[inline(always)]
            fn as_reals(_x: *const Self) -> Option<*const F> {
                None
            }
        }
    )*};
}

ticks!(u32, u64);

/// The steps into and out of points `i .. i + L::N`: lanes of `x[i+k] - x[i+k-1]` and of
/// `x[i+k+1] - x[i+k]` (each [`Timestamp::step_to`]). The one place steps become lanes.
///
/// # Safety
/// `x[i-1 ..= i + L::N]` must be valid for reads, with `i >= 1`.
#[inline(always)]
pub(crate) unsafe fn lane_steps<F: Real, X: Timestamp<F>, L: Lanes<Elem = F>>(
    token: L::Token,
    x: *const X,
    i: usize,
) -> (L, L) {
    if let Some(x) = X::as_reals(x) {
        // SAFETY: the caller guarantees x[i-1 ..= i+N] is readable.
        let (prev, here, next) = unsafe {
            (
                L::load(token, x.add(i - 1), Unit),
                L::load(token, x.add(i), Unit),
                L::load(token, x.add(i + 1), Unit),
            )
        };
        return (here - prev, next - here);
    }
    // SAFETY: the caller guarantees x[i-1 ..= i+N] is readable.
    let at = |j: usize| unsafe { x.add(j).read() };
    let into = L::from_fn(token, |k| at(i + k - 1).step_to(at(i + k)));
    let out = L::from_fn(token, |k| at(i + k).step_to(at(i + k + 1)));
    (into, out)
}

/// [`lane_steps`] into and out of points `1 ..= L::N` of `window`; `None` if `window` holds
/// fewer than `L::N + 2` positions.
#[inline(always)]
pub(crate) fn window_lane_steps<F: Real, X: Timestamp<F>, L: Lanes<Elem = F, Token = ()>>(
    window: &[X],
) -> Option<(L, L)> {
    if window.len() < L::N + 2 {
        return None;
    }
    // SAFETY: `window[0 ..= L::N + 1]` is in the slice, which is what the steps into and out
    // of points `1 ..= L::N` read.
    Some(unsafe { lane_steps((), window.as_ptr(), 1) })
}

/// The positions of an unevenly spaced axis.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Steps<'a, F> {
    Coordinates(&'a [F]),
    Ticks32(&'a [u32]),
    Ticks64(&'a [u64]),
}

impl<F: Precision> Steps<'_, F> {
    /// Number of positions.
    fn len(&self) -> usize {
        match self {
            Self::Coordinates(x) => x.len(),
            Self::Ticks32(t) => t.len(),
            Self::Ticks64(t) => t.len(),
        }
    }

    /// Step `k`, from position `k` to position `k + 1` (numpy's `np.diff(x)[k]`).
    #[inline]
    pub(crate) fn step(&self, k: usize) -> F {
        fn between<F: Precision, X: Timestamp<F>>(x: &[X], k: usize) -> F {
            match (x.get(k), x.get(k + 1)) {
                (Some(&a), Some(&b)) => a.step_to(b),
                // Only indices below the validated length are asked for; NaN keeps this total.
                _ => F::nan(),
            }
        }
        match self {
            Self::Coordinates(x) => between(x, k),
            Self::Ticks32(t) => between(t, k),
            Self::Ticks64(t) => between(t, k),
        }
    }
}

/// Spacing along one axis as numpy computes with it: a scalar step, or uneven positions.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Grid<'a, F> {
    /// Evenly spaced, step `h`: numpy's uniform formulas.
    Even(F),
    /// Positions (as many as the axis has points, at least 2), used with the non-uniform
    /// formulas.
    Uneven(Steps<'a, F>),
}

impl<'a, F: Precision> Grid<'a, F> {
    /// The spacing of `axis`, of length `len`, whose edge order needs `min_len` points:
    /// [`check`](Self::check), then [`checked`](Self::checked).
    pub(crate) fn resolve(
        spacing: AxisSpacing<'a, F>,
        axis: usize,
        len: usize,
        min_len: usize,
    ) -> Result<Self, GradientError> {
        let reduced = Self::check(spacing, axis, len, min_len)?;
        Ok(Self::checked(spacing, reduced))
    }

    /// Checks the spacing of `axis`, of length `len`, whose edge order needs `min_len` points,
    /// and scans evenly spaced [`AxisSpacing::Coordinates`] for numpy's reduction (the only
    /// pass over the coordinates).
    ///
    /// Checks, in numpy's order: positions have the axis's length; the axis has at least
    /// `min_len` points (numpy raises IndexError instead for a single coordinate). Returns
    /// whether the coordinates reduce to the uniform spacing `x[1] - x[0]` (always `false` for
    /// the other kinds of spacing), to be handed to [`checked`](Self::checked).
    pub(crate) fn check(
        spacing: AxisSpacing<'a, F>,
        axis: usize,
        len: usize,
        min_len: usize,
    ) -> Result<bool, GradientError> {
        let positions = Self::positions(spacing);
        if let Some(p) = positions
            && p.len() != len
        {
            return Err(GradientError::CoordinateLength {
                axis,
                expected: len,
                got: p.len(),
            });
        }
        if len < min_len.max(2) {
            return Err(GradientError::AxisTooShort {
                axis,
                len,
                min: min_len,
            });
        }
        Ok(match spacing {
            AxisSpacing::Coordinates(x) => {
                let steps = Steps::Coordinates(x);
                let first = steps.step(0);
                // `==`, not bit equality: numpy's `(diffx == diffx[0]).all()`, where
                // -0.0 == 0.0 and a NaN step is never equal.
                (1..len - 1).all(|k| steps.step(k) == first)
            }
            _ => false,
        })
    }

    /// The grid of a spacing that passed [`check`](Self::check), which found the coordinates
    /// evenly spaced (`reduced`) or not. Infallible, and reads at most two coordinates.
    pub(crate) fn checked(spacing: AxisSpacing<'a, F>, reduced: bool) -> Self {
        match (spacing, Self::positions(spacing)) {
            (AxisSpacing::Uniform(h), _) => Self::Even(h),
            (AxisSpacing::Coordinates(_), Some(steps)) if reduced => Self::Even(steps.step(0)),
            (_, positions) => positions.map_or(Self::Even(F::nan()), Self::Uneven),
        }
    }

    /// The grid of points `start..start + len` of this one: the same step, or the positions of
    /// those points (`start + len` at most the number of positions).
    pub(crate) fn window(self, start: usize, len: usize) -> Self {
        fn part<X>(x: &[X], start: usize, len: usize) -> &[X] {
            x.get(start..start.saturating_add(len)).unwrap_or(&[])
        }
        match self {
            Self::Even(h) => Self::Even(h),
            Self::Uneven(Steps::Coordinates(x)) => {
                Self::Uneven(Steps::Coordinates(part(x, start, len)))
            }
            Self::Uneven(Steps::Ticks32(t)) => Self::Uneven(Steps::Ticks32(part(t, start, len))),
            Self::Uneven(Steps::Ticks64(t)) => Self::Uneven(Steps::Ticks64(part(t, start, len))),
        }
    }

    /// The positions of a spacing that has them.
    fn positions(spacing: AxisSpacing<'a, F>) -> Option<Steps<'a, F>> {
        match spacing {
            AxisSpacing::Uniform(_) => None,
            AxisSpacing::Coordinates(x) | AxisSpacing::UnreducedCoordinates(x) => {
                Some(Steps::Coordinates(x))
            }
            AxisSpacing::Ticks32(t) => Some(Steps::Ticks32(t)),
            AxisSpacing::Ticks64(t) => Some(Steps::Ticks64(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evenly_spaced_coordinates_reduce_to_their_first_step() {
        let x = [3.0, 3.25, 3.5, 3.75];
        assert!(matches!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 0, 4, 2),
            Ok(Grid::Even(h)) if h == 0.25
        ));
        // Two coordinates always reduce: there is one step.
        let x = [1.0, 0.5];
        assert!(matches!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 0, 2, 2),
            Ok(Grid::Even(h)) if h == -0.5
        ));
        // Steps +0.0 and -0.0 compare equal: numpy keeps the first, +0.0.
        let x = [1.0f64, 1.0, 1.0];
        let Ok(Grid::Even(h)) = Grid::resolve(AxisSpacing::Coordinates(&x), 0, 3, 2) else {
            panic!("not reduced")
        };
        assert!(h == 0.0 && h.is_sign_positive());
    }

    #[test]
    fn uneven_or_nan_steps_stay_coordinates() {
        let x = [0.0, 1.0, 3.0];
        assert!(matches!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 0, 3, 2),
            Ok(Grid::Uneven(_))
        ));
        let x = [0.0, f64::NAN, 2.0];
        assert!(matches!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 0, 3, 2),
            Ok(Grid::Uneven(_))
        ));
    }

    #[test]
    fn unreduced_and_tick_positions_never_reduce() {
        let x = [3.0, 3.25, 3.5, 3.75];
        assert!(matches!(
            Grid::resolve(AxisSpacing::UnreducedCoordinates(&x), 0, 4, 2),
            Ok(Grid::Uneven(_))
        ));
        // A 32-bit timer wrapping between the second and third sample: steps 10, 10, 10.
        let t = [u32::MAX - 14, u32::MAX - 4, 5, 15];
        let Ok(Grid::Uneven(steps)) = Grid::<f64>::resolve(AxisSpacing::Ticks32(&t), 0, 4, 2)
        else {
            panic!("ticks reduced")
        };
        assert_eq!(
            [steps.step(0), steps.step(1), steps.step(2)],
            [10.0, 10.0, 10.0]
        );
        let t = [u64::MAX, 1];
        let Ok(Grid::Uneven(steps)) = Grid::<f32>::resolve(AxisSpacing::Ticks64(&t), 0, 2, 2)
        else {
            panic!("ticks reduced")
        };
        assert_eq!(steps.step(0), 2.0);
    }

    #[test]
    fn coordinate_length_must_match() {
        let x = [0.0, 1.0, 3.0];
        assert_eq!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 2, 4, 2).err(),
            Some(GradientError::CoordinateLength {
                axis: 2,
                expected: 4,
                got: 3
            })
        );
        assert_eq!(
            Grid::resolve(AxisSpacing::Coordinates(&x[..1]), 0, 1, 2).err(),
            Some(GradientError::AxisTooShort {
                axis: 0,
                len: 1,
                min: 2
            })
        );
        assert_eq!(
            Grid::resolve(AxisSpacing::Uniform(1.0), 1, 2, 3).err(),
            Some(GradientError::AxisTooShort {
                axis: 1,
                len: 2,
                min: 3
            })
        );
    }
}
