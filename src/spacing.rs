//! Sample spacing: numpy's `*varargs`, and what it means for one axis.

use crate::GradientError;
use crate::element::Real;

/// The spacing of the samples, numpy's `*varargs`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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
#[derive(Clone, Copy, Debug, PartialEq)]
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
}

impl<'a, F: Real> Spacing<'a, F> {
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

/// Spacing along one axis as numpy computes with it: a scalar step, or coordinates that are
/// not evenly spaced.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Grid<'a, F> {
    /// Uniform step `h`.
    Uniform(F),
    /// Coordinates (length equal to the axis length, at least 2), not all steps equal.
    Uneven(&'a [F]),
}

impl<'a, F: Real> Grid<'a, F> {
    /// The spacing of `axis`, of length `len`, whose edge order needs `min_len` points.
    ///
    /// Checks, in numpy's order: coordinates have the axis's length; the axis has at least
    /// `min_len` points (numpy raises IndexError instead for a single coordinate); then applies
    /// numpy's reduction of evenly spaced coordinates.
    pub(crate) fn resolve(
        spacing: AxisSpacing<'a, F>,
        axis: usize,
        len: usize,
        min_len: usize,
    ) -> Result<Self, GradientError> {
        if let AxisSpacing::Coordinates(x) = spacing
            && x.len() != len
        {
            return Err(GradientError::CoordinateLength {
                axis,
                expected: len,
                got: x.len(),
            });
        }
        if len < min_len.max(2) {
            return Err(GradientError::AxisTooShort {
                axis,
                len,
                min: min_len,
            });
        }
        let x = match spacing {
            AxisSpacing::Uniform(h) => return Ok(Self::Uniform(h)),
            AxisSpacing::Coordinates(x) => x,
        };
        let mut steps = x.windows(2).map(|w| match *w {
            [a, b] => b - a,
            _ => F::nan(),
        });
        let Some(first) = steps.next() else {
            // Unreachable: `len >= 2` was checked; NaN keeps this total.
            return Ok(Self::Uniform(F::nan()));
        };
        // `==`, not bit equality: numpy's `(diffx == diffx[0]).all()`, where -0.0 == 0.0 and a
        // NaN step is never equal.
        if steps.all(|d| d == first) {
            Ok(Self::Uniform(first))
        } else {
            Ok(Self::Uneven(x))
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
            Ok(Grid::Uniform(h)) if h == 0.25
        ));
        // Two coordinates always reduce: there is one step.
        let x = [1.0, 0.5];
        assert!(matches!(
            Grid::resolve(AxisSpacing::Coordinates(&x), 0, 2, 2),
            Ok(Grid::Uniform(h)) if h == -0.5
        ));
        // Steps +0.0 and -0.0 compare equal: numpy keeps the first, +0.0.
        let x = [1.0f64, 1.0, 1.0];
        let Ok(Grid::Uniform(h)) = Grid::resolve(AxisSpacing::Coordinates(&x), 0, 3, 2) else {
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
