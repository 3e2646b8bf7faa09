//! Which axes to differentiate: numpy's `axis` argument, and its normalisation.

use crate::{GradientError, MAX_RANK};

/// The axes to differentiate along, numpy's `axis` argument.
///
/// Negative indices count from the end (`-1` is the last axis). Results come in the order the
/// axes are given. An index outside `-rank..rank` or an axis given twice is an error.
///
/// ```
/// use numgrad::{gradient, Axes, Options, StridedView, StridedViewMut};
/// // A 2x3 array, differentiated along its last axis only.
/// let f = [1.0, 2.0, 4.0, 10.0, 20.0, 40.0];
/// let input = StridedView::contiguous(&f, &[2, 3])?;
/// let mut d = [0.0; 6];
/// let out = StridedViewMut::contiguous(&mut d, &[2, 3])?;
/// gradient(&input, &mut [out], &Options::new().axes(Axes::One(-1)))?;
/// assert_eq!(d, [1.0, 1.5, 2.0, 10.0, 15.0, 20.0]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Axes<'a> {
    /// Every axis, in order (numpy's `axis=None`, the default).
    #[default]
    All,
    /// One axis.
    One(isize),
    /// Several axes, in this order (numpy's tuple form). May be empty: then nothing is computed.
    List(&'a [isize]),
}

/// Axes resolved against a rank: each checked to be in range and distinct, listed in the
/// caller's order.
///
/// Keeps the caller's [`Axes`] and normalises an index when it is read, rather than copying the
/// list into an array: a call's validated state stays a few words, built without byte stores
/// (a list of 64 bytes filled one byte at a time, then copied whole, stalled on every small
/// call while the copy waited for the bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AxisList<'a> {
    rank: usize,
    given: Axes<'a>,
    len: usize,
}

impl<'a> AxisList<'a> {
    /// Resolves `axes` for an input of rank `rank` (already checked to be at most `MAX_RANK`):
    /// every index in `-rank..rank`, none twice, checked in the caller's order.
    pub(crate) fn resolve(axes: Axes<'a>, rank: usize) -> Result<Self, GradientError> {
        let len = match axes {
            Axes::All => rank.min(MAX_RANK),
            Axes::One(axis) => {
                resolve_one(axis, rank)?;
                1
            }
            Axes::List(given) => {
                let mut seen = 0u64;
                for &axis in given {
                    let axis = resolve_one(axis, rank)?;
                    // `axis < rank <= MAX_RANK = 64`: one bit each.
                    let bit = 1u64.checked_shl(axis as u32).unwrap_or(0);
                    if seen & bit != 0 {
                        return Err(GradientError::DuplicateAxis { axis });
                    }
                    seen |= bit;
                }
                given.len()
            }
        };
        Ok(Self {
            rank,
            given: axes,
            len,
        })
    }

    /// Number of selected axes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The `k`-th selected axis (`k < len`), counted from the front (in range: `resolve`
    /// checked it).
    fn get(&self, k: usize) -> usize {
        let given = match self.given {
            Axes::All => return k,
            Axes::One(axis) => axis,
            Axes::List(list) => list.get(k).copied().unwrap_or(0),
        };
        from_front(given, self.rank)
    }

    /// The selected axes, in the caller's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len).map(|k| self.get(k))
    }
}

fn resolve_one(axis: isize, rank: usize) -> Result<usize, GradientError> {
    let resolved = from_front(axis, rank);
    if resolved < rank {
        Ok(resolved)
    } else {
        Err(GradientError::AxisOutOfRange { axis, rank })
    }
}

/// numpy's index `axis` counted from the front (`-1` is the last of `rank` axes): below `rank`
/// exactly when `axis` is in `-rank..rank` (below `-rank` it wraps to at least `2^63`).
fn from_front(axis: isize, rank: usize) -> usize {
    if axis < 0 {
        rank.wrapping_add_signed(axis)
    } else {
        axis.unsigned_abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(axes: Axes<'_>, rank: usize) -> Result<[usize; 4], GradientError> {
        let list = AxisList::resolve(axes, rank)?;
        let mut out = [usize::MAX; 4];
        for (slot, a) in out.iter_mut().zip(list.iter()) {
            *slot = a;
        }
        Ok(out)
    }

    #[test]
    fn negative_axes_count_from_the_end_and_keep_order() {
        let m = usize::MAX;
        assert_eq!(resolved(Axes::All, 3), Ok([0, 1, 2, m]));
        assert_eq!(resolved(Axes::One(-1), 3), Ok([2, m, m, m]));
        assert_eq!(resolved(Axes::List(&[-1, 0]), 3), Ok([2, 0, m, m]));
        assert_eq!(resolved(Axes::List(&[]), 3), Ok([m; 4]));
    }

    #[test]
    fn out_of_range_and_duplicates_are_errors() {
        assert_eq!(
            resolved(Axes::One(3), 3),
            Err(GradientError::AxisOutOfRange { axis: 3, rank: 3 })
        );
        assert_eq!(
            resolved(Axes::One(-4), 3),
            Err(GradientError::AxisOutOfRange { axis: -4, rank: 3 })
        );
        assert_eq!(
            resolved(Axes::List(&[1, -2]), 3),
            Err(GradientError::DuplicateAxis { axis: 1 })
        );
        assert_eq!(
            resolved(Axes::One(isize::MIN), 3),
            Err(GradientError::AxisOutOfRange {
                axis: isize::MIN,
                rank: 3
            })
        );
    }
}
