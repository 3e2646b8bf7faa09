//! Kernel vectorized along the gradient axis: one line at a time, interior lanes loaded at
//! shifted positions of the same line, the two edges scalar.

use core::marker::PhantomData;

#[cfg(target_pointer_width = "64")]
use super::sweep::sweep_rows;
use super::sweep::{DividedSweep, Dividing, Points, sweep};
use super::{Cached, Stores, store_as};
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::lanes::{Lanes, QuotientOn, Step, Unit, three_loads};
use crate::spacing::{Grid, Steps, Timestamp, lane_steps};
use crate::stencil::{AxisPlan, Divide, WithDivide, interior_weights_by, weighted};

/// Differentiates points `lo..hi` of one line of `plan.len()` samples on the call's vector
/// `path`, with the stores `S` (non-temporal or not): point `i` into `dst + (i - lo) * so`.
///
/// # Safety
/// With `n = plan.len()` and `lo <= hi <= n`: for every `j < n`, `src.offset(j * si)` is valid
/// for reads (and so is every element between two of them: stride-2 lanes are read as
/// contiguous loads), for every `i` in `lo..hi`, `dst.offset((i - lo) * so)` is valid for
/// writes, and the written elements are distinct.
#[inline(always)]
pub(crate) unsafe fn line<T, F, SI, SO, S>(
    path: Path,
    src: *const T,
    si: SI,
    dst: *mut F,
    so: SO,
    plan: &AxisPlan<'_, F>,
    points: (usize, usize),
) where
    T: Sample<F>,
    F: Real,
    SI: Step,
    SO: Step,
    S: Stores,
{
    let interior = |dst: *mut F, from: usize, to: usize| match plan.grid() {
        Grid::Even(_) => {
            // SAFETY: `sweep` asks for points `from..to`, within 1..n-1 and `lo..hi`, each
            // reading points up to `i + N <= n - 1` (`Central`'s range contract), all readable
            // by the caller's contract, as the outputs are writable and distinct.
            let interior = unsafe {
                DividedSweep::<_, F, SO, S>::new(path, Central { src, si }, dst, so, from, to)
            };
            plan.central().apply(interior);
        }
        Grid::Uneven(steps) => {
            // Monomorphised per position type, so the lane steps of float coordinates stay SIMD.
            macro_rules! interior {
                ($x:expr) => {{
                    let weights = FromPositions {
                        x: $x.as_ptr(),
                        real: PhantomData,
                    };
                    let points = Uneven {
                        src,
                        si,
                        len: plan.len(),
                        weights,
                    };
                    // SAFETY: points `from..to`, within 1..n-1 and `lo..hi`, each reading line
                    // points and positions up to `i + N <= n - 1` (`Uneven`'s range contract):
                    // the line by the caller's contract, the positions because validation made
                    // their count `n`.
                    unsafe { sweep::<F, _, SO, S, true>(path, &points, dst, so, from, to) };
                }};
            }
            match steps {
                Steps::Coordinates(x) => interior!(x),
                Steps::Ticks32(t) => interior!(t),
                Steps::Ticks64(t) => interior!(t),
            }
        }
    };
    // SAFETY: the caller's contract, and `interior` writes points `from..to` of `lo..hi`.
    unsafe { with_edges::<T, F, SI, SO, S>(src, si, dst, so, plan, points, interior) };
}

/// [`line`] on an uneven axis whose interior weights come from `weights` (a block of them
/// computed once for many lines).
///
/// # Safety
/// As for [`line`], and `weights`' range contract holds for the interior points of `lo..hi`.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) unsafe fn line_weighted<T, F, SI, SO, S>(
    path: Path,
    src: *const T,
    si: SI,
    dst: *mut F,
    so: SO,
    (plan, weights): (&AxisPlan<'_, F>, impl UnevenWeights<F>),
    points: (usize, usize),
) where
    T: Sample<F>,
    F: Real,
    SI: Step,
    SO: Step,
    S: Stores,
{
    let interior = |dst: *mut F, from: usize, to: usize| {
        let points = Uneven {
            src,
            si,
            len: plan.len(),
            weights,
        };
        // SAFETY: points `from..to`, within 1..n-1 and `lo..hi`, read line points up to
        // `i + N <= n - 1` (readable by the caller's contract) and weights within their range
        // (the caller's contract); the outputs are writable and distinct.
        unsafe { sweep::<F, _, SO, S, false>(path, &points, dst, so, from, to) };
    };
    // SAFETY: the caller's contract, and `interior` writes points `from..to` of `lo..hi`.
    unsafe { with_edges::<T, F, SI, SO, S>(src, si, dst, so, plan, points, interior) };
}

/// [`line_weighted`] on interior points `points` (within `1..n-1`, `n = plan.len()`) of a line
/// and `K` more at once, which share the loads of their weights: the line at `src` with its
/// output of the first of the points at `dst`, and each of `mates` (its `src` and `dst` alike).
/// The same formula on the same values, so the same bits as the lines one after the other.
///
/// # Safety
/// As for [`line_weighted`] for each line, on interior points only; no output of any line is
/// read by another; with non-temporal stores (`S`) of unit stride, all outputs lie equally far
/// past a 64-byte boundary.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) unsafe fn lines_weighted<T, F, SI, SO, S, const K: usize>(
    path: Path,
    (src, dst): (*const T, *mut F),
    mates: [(*const T, *mut F); K],
    si: SI,
    so: SO,
    (plan, weights): (&AxisPlan<'_, F>, impl UnevenWeights<F>),
    (from, to): (usize, usize),
) where
    T: Sample<F>,
    F: Real,
    SI: Step,
    SO: Step,
    S: Stores,
{
    debug_assert!(from >= 1 && to < plan.len() && !S::BACKWARD);
    // The sweep writes point `i` at `dst + i * so`: shift the outputs back to point 0.
    let back = |dst: *mut F| dst.wrapping_offset(-(from as isize) * so.get());
    let points = UnevenLines::<T, SI, _, F, SO, S, K> {
        first: Uneven {
            src,
            si,
            len: plan.len(),
            weights,
        },
        mates: mates.map(|(src, dst)| (src, back(dst))),
        so,
        stores: PhantomData,
    };
    // SAFETY: points `from..to`, within 1..n-1, read line points up to `i + N <= n - 1` of
    // every line and weights within their range (the caller's contract); the outputs are
    // writable, distinct, and aligned alike for non-temporal stores.
    unsafe { sweep::<F, _, SO, S, false>(path, &points, back(dst), so, from, to) };
}

/// Interior points `from..to` (within `1..n-1`, `n = plan.len()`) of `rows` lines of an evenly
/// spaced axis in one entry to the vector path ([`sweep_rows`]): line `r` starts at
/// `src + r * stride_in`, and its point `i` is written at `dst + r * stride_out + i`.
///
/// # Safety
/// `plan` is evenly spaced; for each line `r`, its points `from - 1 ..= to` are readable and
/// its outputs of points `from..to` writable, all distinct.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) unsafe fn interior_rows<F: Real, S: Stores>(
    path: Path,
    (src, stride_in): (*const F, usize),
    out: (*mut F, isize),
    rows: usize,
    plan: &AxisPlan<'_, F>,
    (from, to): (usize, usize),
) {
    debug_assert!(plan.is_even() && from >= 1 && to < plan.len());
    let row = |r: usize| Central {
        src: src.wrapping_add(r * stride_in),
        si: Unit,
    };
    // SAFETY: each line's points `from..to` read points `from - 1 ..= to` of it (`Central`'s
    // range contract), readable by the caller's contract, as the outputs are writable.
    unsafe { sweep_rows::<F, _, _, S>(path, plan.central(), row, rows, out, (from, to)) };
}

/// `len / n` contiguous lines of `n = plan.len()` points of an evenly spaced axis, one after the
/// other, as one: the interior formula over points `1..len-1` of the whole block (one sweep),
/// then each line's first and last points again with their own stencils (the sweep put values
/// there that straddle two lines). Every point ends with its line's formula.
///
/// # Safety
/// `plan` is evenly spaced, `len` a positive multiple of `n`; `src` is valid for reads and
/// `dst` for writes of `len` elements.
#[inline(always)]
pub(crate) unsafe fn flat<T: Sample<F>, F: Real>(
    path: Path,
    src: *const T,
    dst: *mut F,
    plan: &AxisPlan<'_, F>,
    len: usize,
) {
    let n = plan.len();
    debug_assert!(plan.is_even() && n > 0 && len.is_multiple_of(n));
    // SAFETY: points `1..len-1` read their neighbours `0..len`, all in the block.
    let interior = unsafe {
        DividedSweep::<_, F, Unit, Cached>::new(
            path,
            Central { src, si: Unit },
            dst,
            Unit,
            1,
            len.saturating_sub(1),
        )
    };
    plan.central().apply(interior);
    if let Some(divisor) = plan.first_order_edges() {
        // SAFETY: this function's contract (`len` elements from `src` and `dst`, a multiple of
        // `n`), and `n >= 2`, as `first_order_edges` found.
        divisor.apply(unsafe { FlatEdges::new(src, dst, n, len) });
        return;
    }
    // SAFETY: this function's contract.
    unsafe { edges_per_line(src, dst, plan, len) };
}

/// The edges of each of [`flat`]'s lines, both stencils dispatched for every line (edges that
/// are not first-order differences).
///
/// # Safety
/// As for [`flat`].
// Out of line: inlined, the setup of its stencils ran before the block's loop, at every call
// of the first-order edges too (a 32x32 frame's call: about 150 instructions).
#[inline(never)]
unsafe fn edges_per_line<T: Sample<F>, F: Real>(
    src: *const T,
    dst: *mut F,
    plan: &AxisPlan<'_, F>,
    len: usize,
) {
    let n = plan.len();
    for line in (0..lines(len, n)).map(|k| k * n) {
        let (s, d) = (src.wrapping_add(line), dst.wrapping_add(line));
        // SAFETY: the `n` points of this line are in the block; only its edges are written.
        unsafe {
            with_edges::<T, F, Unit, Unit, Cached>(s, Unit, d, Unit, plan, (0, n), |_, _, _| ())
        };
    }
}

/// The number of lines of `n` points in a flat block of `len` elements, for a loop over them
/// (not `step_by(n)`: out of line at opt-level z, its assertion of a non-zero step stayed, a
/// panic path in firmware).
#[inline(always)]
fn lines(len: usize, n: usize) -> usize {
    len.checked_div(n).unwrap_or(0)
}

/// The two edges of each of [`flat`]'s lines when they are first-order differences by one
/// divisor ([`AxisPlan::first_order_edges`]): one loop, its division chosen once for the block
/// and its points fixed, rather than both stencils dispatched again for every line.
struct FlatEdges<T, F> {
    src: *const T,
    dst: *mut F,
    n: usize,
    len: usize,
}

impl<T, F> FlatEdges<T, F> {
    /// The edges of the lines of `n >= 2` points in `len` elements from `src`, into `dst`.
    ///
    /// # Safety
    /// `src` is valid for reads and `dst` for writes of `len` elements, `len` is a multiple of
    /// `n`, and `n >= 2`.
    #[inline(always)]
    unsafe fn new(src: *const T, dst: *mut F, n: usize, len: usize) -> Self {
        Self { src, dst, n, len }
    }
}

impl<T: Sample<F>, F: Real> WithDivide<F> for FlatEdges<T, F> {
    type Output = ();

    #[inline(always)]
    fn run<D: Divide<F>>(self, divide: D) {
        let Self { src, dst, n, len } = self;
        // Each line's last two points, from its start: fixed offsets, so the loop keeps two
        // pointers per side rather than one per point (spilled to the stack when it had six).
        let end = n.wrapping_sub(2);
        let (mut s, mut d) = (src, dst);
        for _ in 0..lines(len, n) {
            // SAFETY: `new`'s contract: the line's `n` points from `s` and `d` are in the
            // block, and `n >= 2`, so points `0, 1, n - 2, n - 1` are among them.
            unsafe {
                let f = |p: *const T| F::load((), p, Unit);
                let first = divide.divide((), f(s.add(1)) - f(s));
                let (tail, out) = (s.add(end), d.add(end));
                let last = divide.divide((), f(tail.add(1)) - f(tail));
                F::store(first, d, Unit);
                F::store(last, out.add(1), Unit);
            }
            (s, d) = (s.wrapping_add(n), d.wrapping_add(n));
        }
    }
}

/// Writes the edge points of `lo..hi` (0 and `n - 1`, where in it) and runs `interior` for the
/// rest, `interior(dst, from, to)` writing points `from..to` (within `1..n-1`) to `dst + i * so`.
///
/// # Safety
/// [`line`]'s contract; `interior` writes only points of `from..to`, as [`line`] would.
#[inline(always)]
unsafe fn with_edges<T, F, SI, SO, S>(
    src: *const T,
    si: SI,
    dst: *mut F,
    so: SO,
    plan: &AxisPlan<'_, F>,
    (lo, hi): (usize, usize),
    interior: impl FnOnce(*mut F, usize, usize),
) where
    T: Sample<F>,
    F: Real,
    SI: Step,
    SO: Step,
    S: Stores,
{
    let n = plan.len();
    let end = n.saturating_sub(1);
    // Where point 0's output would be: only offset (wrapping) to points of `lo..hi`.
    let dst = dst.wrapping_offset((lo as isize).wrapping_neg().wrapping_mul(so.get()));
    // Every access below is to a point below `n`: the edge stencils read points of the line,
    // and the interior covers the part of 1..n-1 in `lo..hi`, reading its neighbours.
    // SAFETY: `read` is only called by the edge stencils, with points `j < n` (validation made
    // `n` at least the edge order's minimum), readable by the caller's contract.
    let read = |j: usize| unsafe { F::load((), src.offset(j as isize * si.get()), si) };
    // The edges store as the sweep's single points do, like the rest of their lines.
    // SAFETY: `put` is only called with points 0 and `n - 1` of the output line, writable by
    // the caller's contract; a store of one lane needs only the element's alignment.
    let put = |v: F, p: *mut F| unsafe { store_as::<F, S, SO>(v, p, so) };
    if lo == 0 && hi > 0 {
        put(plan.first().apply(read), dst);
    }
    let (from, to) = (lo.max(1), hi.min(end));
    interior(dst, from, to);
    if hi == n && end >= lo {
        // `end = n - 1` is a point of `lo..hi`, so its output is writable (the caller's
        // contract).
        put(
            plan.last().apply(read),
            dst.wrapping_offset(end as isize * so.get()),
        );
    }
}

/// Evenly spaced interior points: `(f[i+1] - f[i-1]) / (2*dx)`, once its division is known.
struct Central<T, SI> {
    src: *const T,
    si: SI,
}

impl<T: Sample<F>, F: Real, SI: Step> Dividing<F> for Central<T, SI> {
    type Points<D: Divide<F>> = CentralBy<T, SI, D>;

    #[inline(always)]
    fn with<D: Divide<F>>(self, divide: D) -> CentralBy<T, SI, D> {
        CentralBy {
            src: self.src,
            si: self.si,
            divide,
        }
    }
}

/// [`Central`] with its division.
///
/// Range contract of [`Points::at`]: points `i-1 ..= i+N` of the line are readable.
struct CentralBy<T, SI, D> {
    src: *const T,
    si: SI,
    divide: D,
}

impl<T: Sample<F>, F: Real, D: Divide<F>, SI: Step> Points<F> for CentralBy<T, SI, D> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        let s = self.si.get();
        // SAFETY: the range contract.
        let (minus, plus) = unsafe {
            (
                L::load(token, self.src.offset((i - 1) as isize * s), self.si),
                L::load(token, self.src.offset((i + 1) as isize * s), self.si),
            )
        };
        self.divide.divide(token, plus - minus)
    }

    /// On lanes that shift neighbours in, samples of the lanes' own type at unit stride: the
    /// points whose samples start a vector, with a vector readable before and two from them
    /// within the `start - 1 ..= end` that points `start..end` may read.
    #[inline(always)]
    fn aligned<L: Lanes<Elem = F>>(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if !(L::SHIFTS_NEIGHBOURS && SI::UNIT && T::IS_REAL) {
            return None;
        }
        let (n, size, addr) = (L::N, size_of::<F>(), self.src.addr());
        if !addr.is_multiple_of(size) {
            return None;
        }
        // Points `first + kN` start a vector; `a` is the first from `start` with `N` readable
        // points before it, `b` the end of the last vector with `N` readable after it.
        let first = (n * size - addr % (n * size)) % (n * size) / size;
        let from = start.checked_sub(1)? + n;
        let a = from + (first + n - from % n) % n;
        let last = (end + 1).checked_sub(n)?;
        if last < a + 2 * n {
            return None;
        }
        Some((a, a + (last - a) / n * n))
    }

    #[inline(always)]
    unsafe fn at_aligned<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        // SAFETY: `aligned` gave `i`: `T` is `F` (`IS_REAL`), at unit stride; the sample at
        // `i` starts a vector, and the `N` points before it and the `2N` from it are readable.
        let [minus, plus] = unsafe { L::neighbours(token, self.src.wrapping_add(i).cast::<F>()) };
        self.divide.divide(token, plus - minus)
    }
}

/// The three non-uniform weights `a, b, c` of interior points, lane by lane: computed from the
/// positions ([`FromPositions`]), or read from a block computed once for many lines
/// (`weights::Block`).
pub(crate) trait UnevenWeights<F: Real> {
    /// The weights of points `i .. i + L::N`.
    ///
    /// # Safety
    /// The implementor's range contract holds for those points.
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> [L; 3];
}

/// numpy's weights computed from positions `x`.
///
/// Range contract: positions `i-1 ..= i+N` of `x` are readable.
pub(crate) struct FromPositions<C, F> {
    pub(crate) x: *const C,
    pub(crate) real: PhantomData<F>,
}

impl<C: Timestamp<F>, F: Real> UnevenWeights<F> for FromPositions<C, F> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> [L; 3] {
        // SAFETY: the range contract.
        let (dx1, dx2) = unsafe { lane_steps::<F, C, L>(token, self.x, i) };
        interior_weights_by(dx1, dx2, QuotientOn(token))
    }
}

/// Uneven interior points: `(a*f[i-1] + b*f[i]) + c*f[i+1]`, the weights from `W`.
///
/// Range contract of [`Points::at`]: points `i-1 ..= i+N` of the line are readable, and so are
/// all of the line's `len` points; `W`'s range contract holds for points `i .. i+N`.
struct Uneven<T, SI, W> {
    src: *const T,
    si: SI,
    len: usize,
    weights: W,
}

impl<T, SI: Step, W> Uneven<T, SI, W> {
    /// The samples `f[i-1]`, `f[i]`, `f[i+1]` of points `i .. i + L::N` of the line at `src`.
    ///
    /// # Safety
    /// The range contract of [`Points::at`] for the line at `src` (of `self.len` points).
    #[inline(always)]
    unsafe fn around<F: Real, L: Lanes<Elem = F>>(
        &self,
        token: L::Token,
        src: *const T,
        i: usize,
    ) -> [L; 3]
    where
        T: Sample<F>,
    {
        let p = src.wrapping_offset(i as isize * self.si.get());
        // SAFETY: the range contract: points `i-1 ..= i+N`; with `margin`, points
        // `i-N .. i+2N`, all points of the line.
        unsafe {
            if SI::UNIT {
                let margin = i >= L::N && i + 2 * L::N <= self.len;
                L::load_around(token, p, margin)
            } else {
                three_loads(token, p, self.si)
            }
        }
    }
}

impl<T: Sample<F>, F: Real, SI: Step, W: UnevenWeights<F>> Points<F> for Uneven<T, SI, W> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        // SAFETY: the range contract.
        unsafe { weighted(self.weights.at(token, i), self.around(token, self.src, i)) }
    }
}

/// [`Uneven`] points of a line and `K` more of the same axis and weights, the weights loaded
/// once for all: the first line's lanes are returned (for the sweep to store), each mate's
/// stored here, as the sweep stores (`S`), at its `dst + i * so`.
///
/// Range contract of [`Points::at`]: [`Uneven`]'s for every line (`first`, and each mate's
/// `src` with the first's stride and length); each mate's outputs of points `i .. i+N` are
/// valid for writes, none of them read by any line; with non-temporal stores of unit stride,
/// each mate's `dst` lies as far past a 64-byte boundary as the first line's output at the
/// same point, so that its lanes are aligned wherever the sweep aligns the first's.
#[cfg(target_pointer_width = "64")]
struct UnevenLines<T, SI, W, F, SO, S, const K: usize> {
    first: Uneven<T, SI, W>,
    mates: [(*const T, *mut F); K],
    so: SO,
    stores: PhantomData<S>,
}

#[cfg(target_pointer_width = "64")]
impl<T, F, SI, W, SO, S, const K: usize> Points<F> for UnevenLines<T, SI, W, F, SO, S, K>
where
    T: Sample<F>,
    F: Real,
    SI: Step,
    W: UnevenWeights<F>,
    SO: Step,
    S: Stores,
{
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        let line = &self.first;
        // SAFETY: the range contract, for every line.
        unsafe {
            let w = line.weights.at::<L>(token, i);
            let first = weighted(w, line.around(token, line.src, i));
            for &(src, dst) in &self.mates {
                let mate = weighted(w, line.around(token, src, i));
                let out = dst.wrapping_offset(i as isize * self.so.get());
                store_as::<L, S, SO>(mate, out, self.so);
            }
            first
        }
    }
}
