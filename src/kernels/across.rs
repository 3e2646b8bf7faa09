//! Kernel vectorized across the lines: for one point `i` of the gradient axis, a whole
//! contiguous row of independent lines is combined lane by lane from the rows at the stencil's
//! points. Rows are visited in memory order, never a column at a time.

use super::sweep::{Points, sweep_fastest};
use crate::element::{Real, Sample};
use crate::lanes::{Lanes, Step};
use crate::stencil::{By, ByExactRecip, Divide, Stencil, weighted};

/// Writes the `len` outputs at `dst`, `dst + so`, … for point `i` of the gradient axis, whose
/// row of inputs starts at `src_i` with stride `rs`; the row of point `j` starts at
/// `src_i + (j - i) * si`.
///
/// # Safety
/// For every point `j` the stencil reads and every `c < len`, `src_i + (j - i) * si + c * rs`
/// is valid for reads, and so is every element between two of them along a row (stride-2
/// lanes are read as contiguous loads); `dst + c * so` is valid for writes.
#[allow(clippy::too_many_arguments)] // one row: where, which point, how far, and its formula
#[inline(always)]
pub(crate) unsafe fn row<T, F, RS, SO, const STREAM: bool>(
    src_i: *const T,
    si: isize,
    rs: RS,
    i: usize,
    dst: *mut F,
    so: SO,
    len: usize,
    stencil: Stencil<F>,
) where
    T: Sample<F>,
    F: Real,
    RS: Step,
    SO: Step,
{
    let row_of = |j: usize| src_i.wrapping_offset((j as isize - i as isize) * si);
    // The stencil's kind and its divisor are resolved here, once per row, not per lane group.
    // Each sweep asks for columns 0..len of the stencil's rows and of the output row.
    match stencil {
        Stencil::Difference {
            plus,
            minus,
            divisor,
        } => {
            let (plus, minus) = (row_of(plus), row_of(minus));
            match divisor.recip() {
                Some(r) => {
                    let points = DifferenceRow {
                        plus,
                        minus,
                        rs,
                        divide: ByExactRecip(r),
                    };
                    // SAFETY: by the caller's contract, columns `0..len` of the stencil's rows
                    // are readable and the `len` outputs writable and distinct.
                    unsafe { sweep_fastest::<F, _, SO, STREAM, false>(&points, dst, so, 0, len) };
                }
                None => {
                    let points = DifferenceRow {
                        plus,
                        minus,
                        rs,
                        divide: By(divisor.value()),
                    };
                    // SAFETY: by the caller's contract, columns `0..len` of the stencil's rows
                    // are readable and the `len` outputs writable and distinct.
                    unsafe { sweep_fastest::<F, _, SO, STREAM, false>(&points, dst, so, 0, len) };
                }
            }
        }
        Stencil::Weighted { first, weights } => {
            let points = WeightedRow {
                rows: [row_of(first), row_of(first + 1), row_of(first + 2)],
                rs,
                weights,
            };
            // SAFETY: columns `0..len` of the stencil's rows are readable and the `len` outputs
            // writable and distinct: the caller's contract.
            unsafe { sweep_fastest::<F, _, SO, STREAM, false>(&points, dst, so, 0, len) };
        }
    }
}

/// Columns of `(plus - minus) / divisor` rows. Range contract of [`Points::at`]: columns
/// `c .. c+N` (at stride `rs`) of both rows are readable.
struct DifferenceRow<T, RS, D> {
    plus: *const T,
    minus: *const T,
    rs: RS,
    divide: D,
}

impl<T: Sample<F>, F: Real, RS: Step, D: Divide<F>> Points<F> for DifferenceRow<T, RS, D> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, c: usize) -> L {
        let c = c as isize * self.rs.get();
        // SAFETY: the range contract.
        let (plus, minus) = unsafe {
            (
                L::load(self.plus.offset(c), self.rs),
                L::load(self.minus.offset(c), self.rs),
            )
        };
        self.divide.divide(plus - minus)
    }
}

/// Columns of `(w0*r0 + w1*r1) + w2*r2` rows. Range contract of [`Points::at`]: columns
/// `c .. c+N` of the three rows are readable.
struct WeightedRow<T, RS, F> {
    rows: [*const T; 3],
    rs: RS,
    weights: [F; 3],
}

impl<T: Sample<F>, RS: Step, F: Real> Points<F> for WeightedRow<T, RS, F> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, c: usize) -> L {
        let c = c as isize * self.rs.get();
        // SAFETY: the range contract.
        let f = self.rows.map(|r| unsafe { L::load(r.offset(c), self.rs) });
        weighted(self.weights.map(L::splat), f)
    }
}
