//! Kernel vectorized across the lines: for one point `i` of the gradient axis, a whole
//! contiguous row of independent lines is combined lane by lane from the rows at the stencil's
//! points. Rows are visited in memory order, never a column at a time.

use core::marker::PhantomData;

use super::Stores;
#[cfg(target_pointer_width = "64")]
use super::route::shares_lines;
#[cfg(target_pointer_width = "64")]
use super::sweep::sweep_rows;
use super::sweep::{DividedSweep, Dividing, Points, sweep};
use crate::element::{Real, Sample};
use crate::isa::Path;
#[cfg(target_pointer_width = "64")]
use crate::lanes::Unit;
#[cfg(target_pointer_width = "64")]
use crate::lanes::prefetch;
use crate::lanes::{Lanes, Step, loads_at};
#[cfg(target_pointer_width = "64")]
use crate::stencil::Divisor;
use crate::stencil::{Divide, Stencil, weighted};

/// One row of outputs: `len` outputs at `dst`, `dst + output_step`, … for point `point` of the
/// gradient axis, whose row of inputs starts at `src` with stride `input_step`; the row of
/// point `j` starts at `src + (j - point) * axis_stride`.
pub(crate) struct Row<T, F, RS, SO> {
    pub(crate) src: *const T,
    pub(crate) input_step: RS,
    pub(crate) axis_stride: isize,
    pub(crate) point: usize,
    pub(crate) dst: *mut F,
    pub(crate) output_step: SO,
    pub(crate) len: usize,
}

impl<T, F, RS, SO> Row<T, F, RS, SO> {
    /// Where the row of point `j` starts (a pointer computed, not dereferenced).
    #[inline(always)]
    fn of_point(&self, j: usize) -> *const T {
        let apart = j as isize - self.point as isize;
        self.src.wrapping_offset(apart * self.axis_stride)
    }
}

/// Writes `row`'s outputs with `stencil`, the formula of its point, on the call's vector
/// `path` with the stores `S`. With `next` (the next point's weights and outputs), a weighted
/// stencil's next point too, by the rows one point further on: the two rows both read are
/// loaded once, four row loads for two outputs instead of six, and the same formula on the
/// same operands gives the same bits as the two rows one after the other (64-bit targets; a
/// `next` is only ever given there).
///
/// # Safety
/// For every point `j` the stencil reads and every `c < len`,
/// `src + (j - point) * axis_stride + c * input_step` is valid for reads, and so is every
/// element between two of them along a row (stride-2 lanes are read as contiguous loads);
/// `dst + c * output_step` is valid for writes, and those outputs are distinct. With `next`:
/// the same of the next point's rows (`first + 1 ..= first + 3`) and of its outputs, which
/// are not this point's; with non-temporal stores (`S`) of unit stride, they lie as far past
/// a 64-byte boundary as `dst`.
#[inline(always)]
pub(crate) unsafe fn row<T, F, RS, SO, S>(
    path: Path,
    row: Row<T, F, RS, SO>,
    stencil: Stencil<F>,
    next: Option<([F; 3], *mut F)>,
) where
    T: Sample<F>,
    F: Real,
    RS: Step,
    SO: Step,
    S: Stores,
{
    let row_of = |j: usize| row.of_point(j);
    let rs = row.input_step;
    // The stencil's kind and its divisor are resolved here, once per row, not per lane group.
    // Each sweep asks for columns 0..len of the stencil's rows and of the output row.
    match stencil {
        Stencil::Difference {
            plus,
            minus,
            divisor,
        } => {
            let rows = Difference {
                plus: row_of(plus),
                minus: row_of(minus),
                rs,
            };
            // SAFETY: by the caller's contract, columns `0..len` of both rows are readable and
            // the `len` outputs writable and distinct.
            let sweep = unsafe {
                DividedSweep::<_, F, SO, S>::new(path, rows, row.dst, row.output_step, 0, row.len)
            };
            divisor.apply(sweep);
        }
        Stencil::Weighted { first, weights } => {
            #[cfg(target_pointer_width = "64")]
            if let Some((next, next_dst)) = next {
                let points = WeightedRowPair {
                    rows: [first, first + 1, first + 2, first + 3].map(row_of),
                    rs,
                    weights: [weights, next],
                    next_dst,
                    so: row.output_step,
                    stores: PhantomData::<S>,
                };
                // SAFETY: columns `0..len` of the four rows are readable and both points'
                // outputs writable and distinct, aligned alike for non-temporal stores: the
                // caller's contract.
                unsafe {
                    sweep::<F, _, SO, S, false>(path, &points, row.dst, row.output_step, 0, row.len)
                };
                return;
            }
            #[cfg(not(target_pointer_width = "64"))]
            let _ = next;
            let points = WeightedRow {
                rows: [row_of(first), row_of(first + 1), row_of(first + 2)],
                rs,
                weights,
                stores: PhantomData::<S>,
            };
            // SAFETY: columns `0..len` of the stencil's rows are readable and the `len` outputs
            // writable and distinct: the caller's contract.
            unsafe {
                sweep::<F, _, SO, S, false>(path, &points, row.dst, row.output_step, 0, row.len)
            };
        }
    }
}

/// Rows of a block whose rows are `stride_in` apart (a tile's window), each the difference of
/// the rows after and before it by `divisor` (an evenly spaced axis's interior), in one entry
/// to the vector path ([`sweep_rows`]): row `r` of `rows` starts at `src + r * stride_in`, its
/// `len` outputs at `dst + r * stride_out`.
///
/// # Safety
/// For each row `r`, columns `0..len` of the rows before and after it are readable, and its
/// outputs writable, all distinct.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) unsafe fn interior_rows<F: Real, S: Stores>(
    path: Path,
    (src, stride_in): (*const F, usize),
    out: (*mut F, isize),
    (rows, len): (usize, usize),
    divisor: Divisor<F>,
) {
    let row = |r: usize| {
        let at = src.wrapping_add(r * stride_in);
        Difference {
            plus: at.wrapping_add(stride_in),
            minus: at.wrapping_sub(stride_in),
            rs: Unit,
        }
    };
    // SAFETY: each row reads columns `0..len` of the rows after and before it (`Difference`'s
    // range contract), readable by the caller's contract, as the outputs are writable.
    unsafe { sweep_rows::<F, _, _, S>(path, divisor, row, rows, out, (0, len)) };
}

/// Columns of `(plus - minus) / divisor` rows, once the division is known.
struct Difference<T, RS> {
    plus: *const T,
    minus: *const T,
    rs: RS,
}

impl<T: Sample<F>, F: Real, RS: Step> Dividing<F> for Difference<T, RS> {
    type Points<D: Divide<F>> = DifferenceRow<T, RS, D>;

    #[inline(always)]
    fn with<D: Divide<F>>(self, divide: D) -> DifferenceRow<T, RS, D> {
        DifferenceRow {
            plus: self.plus,
            minus: self.minus,
            rs: self.rs,
            divide,
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
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, c: usize) -> L {
        let c = c as isize * self.rs.get();
        // Rows whose elements share cache lines (a step-2 view): each group of lanes asks for
        // the same columns two rows further on (`plus - minus` is two rows; one at the edges).
        // Left to the hardware prefetchers, the job reading a fused chunk from memory ran well
        // below a copy's rate (AMD Zen 5, 2048² of a 2048x4096 `f64` array, all axes: 1.18-1.23x
        // the memcpy bound, 1.01-1.07x with the hints). Rows far apart (tiles) issue none: the
        // route's rule for rows walked whole.
        #[cfg(target_pointer_width = "64")]
        if !RS::UNIT && shares_lines(self.rs.get(), size_of::<T>()) {
            let rows = (self.plus.addr() as isize).wrapping_sub(self.minus.addr() as isize);
            // The lanes' lowest element: the last one when the row runs backwards.
            let low = c + (L::N as isize - 1) * self.rs.get().min(0);
            let ahead = self.plus.wrapping_offset(low).wrapping_byte_offset(rows);
            prefetch(ahead, L::N * self.rs.get().unsigned_abs());
        }
        // SAFETY: the range contract.
        let (plus, minus) = unsafe {
            (
                L::load(token, self.plus.offset(c), self.rs),
                L::load(token, self.minus.offset(c), self.rs),
            )
        };
        self.divide.divide(token, plus - minus)
    }
}

/// Columns of `(w0*r0 + w1*r1) + w2*r2` rows, stored by `S`. Range contract of
/// [`Points::at`]: columns `c .. c+N` of the three rows are readable.
struct WeightedRow<T, RS, F, S> {
    rows: [*const T; 3],
    rs: RS,
    weights: [F; 3],
    stores: PhantomData<S>,
}

/// How far ahead of its lanes a weighted row streamed from memory asks for its leading row.
/// Measured on an AMD Zen 5, 150x200x2500 `f64` by coordinates, time against a same-run memcpy
/// of the input (three runs): along axis 0 1.18-1.24x without, 1.05-1.10x at 4 KiB, 1.08-1.10x
/// at 8 KiB; axes (2, 0) 1.98-2.10x without, 1.73-1.78x at 4 KiB, 1.74-1.79x at 8 KiB.
#[cfg(target_pointer_width = "64")]
const AHEAD_BYTES: isize = 4096;

/// Asks for the `L::N` columns `AHEAD_BYTES` past column `at` of `row` (only a hint).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn ask_ahead<T, L: Lanes>(row: *const T, at: isize) {
    prefetch(
        row.wrapping_offset(at).wrapping_byte_offset(AHEAD_BYTES),
        L::N,
    );
}

impl<T: Sample<F>, RS: Step, F: Real, S: Stores> Points<F> for WeightedRow<T, RS, F, S> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, c: usize) -> L {
        let c = c as isize * self.rs.get();
        // Contiguous rows streamed from memory (non-temporal stores: outputs larger than the
        // caches): three rows at once outrun the hardware prefetchers, which keep up with the
        // two of a difference (hinting those too took the evenly spaced axis 0 above from
        // 0.83-0.90x to 1.00-1.08x). The row after the point is the one the walk has not read
        // yet: each group of lanes asks for its columns `AHEAD_BYTES` further on. Only a hint:
        // no load or result changes.
        #[cfg(target_pointer_width = "64")]
        if S::NT && RS::UNIT {
            ask_ahead::<T, L>(self.rows[2], c);
        }
        let ([r0, r1, r2], [a, b, w2]) = (self.rows, self.weights);
        // SAFETY: the range contract.
        let f = unsafe { loads_at(token, [r0.offset(c), r1.offset(c), r2.offset(c)], self.rs) };
        let w = [L::splat(token, a), L::splat(token, b), L::splat(token, w2)];
        weighted(w, f)
    }
}

/// Columns of two neighbouring points' weighted rows ([`row`] with a next point): the first point's lanes
/// are returned (for the sweep to store), the second's stored here, as the sweep stores (`S`),
/// at `next_dst + c * so`. Range contract of [`Points::at`]: columns `c .. c+N` of the four
/// rows are readable and those of the second's outputs writable, none read by either point;
/// with non-temporal stores of unit stride, `next_dst` lies as far past a 64-byte boundary as
/// the sweep's outputs, so that the second's lanes are aligned wherever the sweep aligns the
/// first's.
#[cfg(target_pointer_width = "64")]
struct WeightedRowPair<T, RS, F, SO, S> {
    rows: [*const T; 4],
    rs: RS,
    weights: [[F; 3]; 2],
    next_dst: *mut F,
    so: SO,
    stores: PhantomData<S>,
}

#[cfg(target_pointer_width = "64")]
impl<T, RS, F, SO, S> Points<F> for WeightedRowPair<T, RS, F, SO, S>
where
    T: Sample<F>,
    RS: Step,
    F: Real,
    SO: Step,
    S: Stores,
{
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, c: usize) -> L {
        let at = c as isize * self.rs.get();
        let [r0, r1, r2, r3] = self.rows;
        // As `WeightedRow`'s hint, for both rows the pair reads first.
        if S::NT && RS::UNIT {
            ask_ahead::<T, L>(r2, at);
            ask_ahead::<T, L>(r3, at);
        }
        // SAFETY: the range contract.
        let ([f0, f1, f2], f3) = unsafe {
            (
                loads_at(
                    token,
                    [r0.offset(at), r1.offset(at), r2.offset(at)],
                    self.rs,
                ),
                L::load(token, r3.offset(at), self.rs),
            )
        };
        // Spelled out: `array::map` is left out of line here, a call per vector.
        let [[w0, w1, w2], [v0, v1, v2]] = self.weights;
        let splat = |x| L::splat(token, x);
        let (w, v) = (
            [splat(w0), splat(w1), splat(w2)],
            [splat(v0), splat(v1), splat(v2)],
        );
        let next = weighted(v, [f1, f2, f3]);
        let out = self.next_dst.wrapping_offset(c as isize * self.so.get());
        // SAFETY: the range contract: the second's outputs of these columns are writable (and
        // aligned alike for non-temporal stores).
        unsafe { super::store_as::<L, S, SO>(next, out, self.so) };
        weighted(w, [f0, f1, f2])
    }
}
