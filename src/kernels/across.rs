//! Kernel vectorized across the lines: for one point `i` of the gradient axis, a whole
//! contiguous row of independent lines is combined lane by lane from the rows at the stencil's
//! points. Rows are visited in memory order, never a column at a time.

use crate::element::{Real, Sample};
use crate::lanes::{Lanes, Unit};
use crate::stencil::Stencil;

/// Writes the `len` contiguous outputs at `dst` for point `i` of the gradient axis, whose row
/// of inputs starts at `src_i`; the row of point `j` starts at `src_i + (j - i) * si`.
///
/// # Safety
/// For every point `j` the stencil reads and every `c < len`, `src_i + (j - i) * si + c` is
/// valid for reads; `dst + c` is valid for writes.
#[inline(always)]
pub(crate) unsafe fn row<T, F>(
    src_i: *const T,
    si: isize,
    i: usize,
    dst: *mut F,
    len: usize,
    stencil: Stencil<F>,
) where
    T: Sample<F>,
    F: Real,
{
    let row_of = |j: usize| src_i.wrapping_offset((j as isize - i as isize) * si);
    let mut c = 0;
    while c + <F::Lanes as Lanes>::N <= len {
        // SAFETY: columns c .. c + N are below `len`; rows are the stencil's points.
        let v = stencil.apply(|j| unsafe { <F::Lanes as Lanes>::load(row_of(j).add(c), Unit) });
        // SAFETY: as above, for the output row.
        unsafe { v.store(dst.add(c), Unit) };
        c += <F::Lanes as Lanes>::N;
    }
    while c < len {
        // SAFETY: c < len.
        let v = stencil.apply(|j| unsafe { F::load(row_of(j).add(c), Unit) });
        // SAFETY: c < len.
        unsafe { F::store(v, dst.add(c), Unit) };
        c += 1;
    }
}
