//! The loop every kernel runs: points `start..end` of an output line, whole lanes first, then
//! the scalar remainder, with the same formula instantiated at both widths; and the one place
//! that enters it on the call's vector path.

use core::marker::PhantomData;

use crate::element::Real;
use crate::isa::Path;
use crate::kernels::{Stores, store_as};
#[cfg(target_pointer_width = "64")]
use crate::lanes::Unit;
use crate::lanes::{CACHE_LINE, Lanes, Step};
#[cfg(target_pointer_width = "64")]
use crate::stencil::Divisor;
use crate::stencil::{Divide, WithDivide};

/// A formula giving the lanes of points `i .. i + L::N` of an output line.
pub(crate) trait Points<F: Real> {
    /// The values of points `i .. i + L::N`.
    ///
    /// # Safety
    /// The implementor's documented range contract holds for every one of those points.
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L;

    /// Points `a..b` of `start..end` (`b - a` a multiple of `L::N`, at least two vectors) at
    /// which [`at_aligned`](Self::at_aligned) may compute each vector, its loads aligned:
    /// `None` for formulas with no such loads on these lanes (the default).
    #[inline(always)]
    fn aligned<L: Lanes<Elem = F>>(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let _ = (start, end);
        None
    }

    /// [`at`](Self::at) at a point `i = a + kN` of the span [`aligned`](Self::aligned) gave:
    /// the same values.
    ///
    /// # Safety
    /// `at`'s, and `i` is such a point.
    #[inline(always)]
    unsafe fn at_aligned<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        // SAFETY: the caller's contract.
        unsafe { self.at(token, i) }
    }
}

/// A formula that ends in a division by a fixed divisor: it becomes [`Points`] once the
/// divisor's decision (multiply or divide) is known.
pub(crate) trait Dividing<F: Real> {
    /// The formula with its division.
    type Points<D: Divide<F>>: Points<F>;
    /// The formula, dividing with `divide`.
    fn with<D: Divide<F>>(self, divide: D) -> Self::Points<D>;
}

/// The sweep of a [`Dividing`] formula over points `start..end`, run by
/// [`Divisor::apply`](crate::stencil::Divisor::apply) with the divisor's [`Divide`], so the
/// whole loop is compiled for one of the two.
pub(crate) struct DividedSweep<Q, F, SO, S> {
    path: Path,
    formula: Q,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
    stores: PhantomData<S>,
}

impl<Q, F, SO, S> DividedSweep<Q, F, SO, S> {
    /// The sweep of `formula` into `dst + i * so` for `i` in `start..end`, on `path`.
    ///
    /// # Safety
    /// [`sweep`]'s contract for these arguments and `formula` with either division.
    #[inline(always)]
    pub(crate) unsafe fn new(
        path: Path,
        formula: Q,
        dst: *mut F,
        so: SO,
        start: usize,
        end: usize,
    ) -> Self {
        Self {
            path,
            formula,
            dst,
            so,
            start,
            end,
            stores: PhantomData,
        }
    }
}

impl<Q: Dividing<F>, F: Real, SO: Step, S: Stores> WithDivide<F> for DividedSweep<Q, F, SO, S> {
    type Output = ();

    #[inline(always)]
    fn run<D: Divide<F>>(self, divide: D) {
        let points = self.formula.with(divide);
        // SAFETY: the contract `new` was called under.
        unsafe {
            sweep::<F, _, SO, S, false>(self.path, &points, self.dst, self.so, self.start, self.end)
        };
    }
}

/// Writes `points.at(i)` to `dst + i * so` for every `i` in `start..end`, on the lanes of the
/// call's `path` (256-bit AVX lanes with AVX2, 512-bit ones with AVX-512F: on CPUs whose
/// 512-bit lanes lower the clock only for formulas bound by the divider, `DIVIDING` (uneven
/// spacing, three divisions per point), and for non-temporal stores, each of which then writes
/// a whole cache line; see [`run_time`]. `wide`'s compile-time lanes otherwise, or when not one
/// vector fits: a short row then stays inlined here, with no call). Same points, same formula,
/// same bits on every path.
///
/// # Safety
/// As for [`sweep_on`].
#[inline(always)]
pub(crate) unsafe fn sweep<F, P, SO, S, const DIVIDING: bool>(
    path: Path,
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
    S: Stores,
{
    #[cfg(target_arch = "x86_64")]
    match run_time::<F>(path, end.saturating_sub(start), DIVIDING || S::NT) {
        Some(RunTime::Avx512(t)) => {
            // SAFETY: the token proves AVX-512F; the rest is the caller's contract.
            unsafe { sweep_avx512::<F, P, SO, S>(t, points, dst, so, start, end) };
            return;
        }
        Some(RunTime::Avx2(t)) => {
            // SAFETY: the token proves AVX2; the rest is the caller's contract.
            unsafe { sweep_avx2::<F, P, SO, S>(t, points, dst, so, start, end) };
            return;
        }
        None => {}
    }
    #[cfg(not(target_arch = "x86_64"))]
    let Path::Baseline = path;
    // SAFETY: the caller's contract.
    unsafe { sweep_on::<F::Wide, P, SO, S>((), points, dst, so, start, end) };
}

/// The run-time lanes of a sweep.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum RunTime {
    Avx512(crate::isa::Avx512),
    Avx2(crate::isa::Avx2),
}

/// The run-time lanes a sweep of `len` points takes on `path`, `None` for the compile-time
/// ones: 512-bit lanes when one such vector fits, on the full AVX-512 path for any sweep, on
/// the partial one for a `wide` sweep (bound by the divider, or storing around the caches:
/// each store then writes a whole cache line, 10-20% off the large rows of the performance
/// report on a Zen 5: 2048^2 axis 0 0.49 -> 0.41 ns/elem, 1e7 i16 -> f32 0.23 -> 0.15);
/// 256-bit ones otherwise, and none when not one 256-bit vector fits. In L1 the 512-bit lanes
/// load half as many vectors for the same points: `gradient_1d` on 1,000 `f64` 98-110 -> 78-84
/// ns per call, a 32x32 `f32` frame 177-191 -> 151-156 (Zen 5, three pairs of reports).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn run_time<F: Real>(path: Path, len: usize, wide: bool) -> Option<RunTime> {
    if len < <F::Avx2 as Lanes>::N {
        return None;
    }
    if len >= <F::Avx512 as Lanes>::N
        && let Some(t) = path.avx512(wide)
    {
        return Some(RunTime::Avx512(t));
    }
    path.avx2().map(RunTime::Avx2)
}

/// The bytes of the vectors a long sweep loads on `path` ([`run_time`]'s lanes; 16 for the
/// compile-time ones): where a formula's arrays must start for its loads to cross no more
/// cache lines than they must.
#[cfg(target_pointer_width = "64")]
#[cfg_attr(
    not(target_arch = "x86_64"),
    allow(
        clippy::extra_unused_type_parameters,
        reason = "only x86_64's lanes depend on F"
    )
)]
pub(crate) fn lane_bytes<F: Real>(path: Path, wide: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    match run_time::<F>(path, usize::MAX, wide) {
        Some(RunTime::Avx512(_)) => return 64,
        Some(RunTime::Avx2(_)) => return 32,
        None => {}
    }
    let _ = (path, wide);
    16
}

/// [`sweep`] over `rows` rows in one entry to the vector path, so that a block of short rows
/// (a tile of mixed layouts) pays the path's entry once, not per row: row `r`'s formula is
/// `row(r)` with `divisor`'s division, its points `start..end` written to
/// `out.0 + r * out.1 + i` (unit stride). Evenly spaced formulas (no divider-bound lanes).
///
/// # Safety
/// [`sweep`]'s contract for each row's formula, with either division, and its outputs.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) unsafe fn sweep_rows<F, Q, R, S>(
    path: Path,
    divisor: Divisor<F>,
    row: R,
    rows: usize,
    out: (*mut F, isize),
    (start, end): (usize, usize),
) where
    F: Real,
    Q: Dividing<F>,
    R: Fn(usize) -> Q,
    S: Stores,
{
    divisor.apply(DividedRows::<_, F, S> {
        path,
        row,
        rows,
        out,
        start,
        end,
        stores: PhantomData,
    });
}

/// [`sweep_rows`]' arguments, until [`Divisor::apply`] has decided the division.
#[cfg(target_pointer_width = "64")]
struct DividedRows<R, F, S> {
    path: Path,
    row: R,
    rows: usize,
    out: (*mut F, isize),
    start: usize,
    end: usize,
    stores: PhantomData<S>,
}

#[cfg(target_pointer_width = "64")]
impl<Q, R, F, S> WithDivide<F> for DividedRows<R, F, S>
where
    Q: Dividing<F>,
    R: Fn(usize) -> Q,
    F: Real,
    S: Stores,
{
    type Output = ();

    #[inline(always)]
    fn run<D: Divide<F>>(self, divide: D) {
        let Self {
            path,
            row,
            rows,
            out,
            start,
            end,
            ..
        } = self;
        let row = |r: usize| row(r).with(divide);
        // Only `sweep_rows` makes these, under its contract for each row's formula with this
        // division.
        #[cfg(target_arch = "x86_64")]
        match run_time::<F>(path, end.saturating_sub(start), S::NT) {
            Some(RunTime::Avx512(t)) => {
                // SAFETY: the token proves AVX-512F; the rest is `sweep_rows`' contract.
                unsafe { rows_avx512::<F, _, _, S>(t, row, rows, out, start, end) };
                return;
            }
            Some(RunTime::Avx2(t)) => {
                // SAFETY: the token proves AVX2; the rest is `sweep_rows`' contract.
                unsafe { rows_avx2::<F, _, _, S>(t, row, rows, out, start, end) };
                return;
            }
            None => {}
        }
        #[cfg(not(target_arch = "x86_64"))]
        let Path::Baseline = path;
        // SAFETY: `sweep_rows`' contract.
        unsafe { rows_on::<F::Wide, _, _, S>((), row, rows, out, start, end) };
    }
}

/// [`rows_on`] AVX lanes, compiled with AVX2.
///
/// # Safety
/// As for [`rows_on`] (the token proves the CPU has AVX2).
#[cfg(target_pointer_width = "64")]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_avx2<F: Real, P: Points<F>, R: Fn(usize) -> P, S: Stores>(
    token: crate::isa::Avx2,
    row: R,
    rows: usize,
    out: (*mut F, isize),
    start: usize,
    end: usize,
) {
    // SAFETY: the caller's contract.
    unsafe { rows_on::<F::Avx2, P, R, S>(token, row, rows, out, start, end) };
}

/// [`rows_on`] AVX-512F lanes, compiled with AVX-512F.
///
/// # Safety
/// As for [`rows_on`] (the token proves the CPU has AVX-512F).
#[cfg(target_pointer_width = "64")]
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn rows_avx512<F: Real, P: Points<F>, R: Fn(usize) -> P, S: Stores>(
    token: crate::isa::Avx512,
    row: R,
    rows: usize,
    out: (*mut F, isize),
    start: usize,
    end: usize,
) {
    // SAFETY: the caller's contract.
    unsafe { rows_on::<F::Avx512, P, R, S>(token, row, rows, out, start, end) };
}

/// [`sweep_on`] of each row of [`sweep_rows`].
///
/// # Safety
/// [`sweep_on`]'s contract for each row's formula and its outputs.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
unsafe fn rows_on<L, P, R, S>(
    token: L::Token,
    row: R,
    rows: usize,
    (dst, stride): (*mut L::Elem, isize),
    start: usize,
    end: usize,
) where
    L: Lanes,
    L::Elem: Real,
    P: Points<L::Elem>,
    R: Fn(usize) -> P,
    S: Stores,
{
    for r in 0..rows {
        let dst = dst.wrapping_offset((r as isize).wrapping_mul(stride));
        // SAFETY: the caller's contract, row by row.
        unsafe { sweep_on::<L, P, Unit, S>(token, &row(r), dst, Unit, start, end) };
    }
}

/// [`sweep_on`] AVX lanes, compiled with AVX2 so that those lanes' intrinsics inline into it.
///
/// # Safety
/// As for [`sweep_on`] (the token proves the CPU has AVX2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2<F, P, SO, S>(
    token: crate::isa::Avx2,
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
    S: Stores,
{
    // SAFETY: the caller's contract.
    unsafe { sweep_on::<F::Avx2, P, SO, S>(token, points, dst, so, start, end) };
}

/// [`sweep_on`] AVX-512F lanes, compiled with AVX-512F so that those lanes' intrinsics inline
/// into it.
///
/// # Safety
/// As for [`sweep_on`] (the token proves the CPU has AVX-512F).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sweep_avx512<F, P, SO, S>(
    token: crate::isa::Avx512,
    points: &P,
    dst: *mut F,
    so: SO,
    start: usize,
    end: usize,
) where
    F: Real,
    P: Points<F>,
    SO: Step,
    S: Stores,
{
    // SAFETY: the caller's contract.
    unsafe { sweep_on::<F::Avx512, P, SO, S>(token, points, dst, so, start, end) };
}

/// Writes `points.at(i)` to `dst + i * so` for every `i` in `start..end`, `L::N` points at a
/// time, then one at a time.
///
/// With non-temporal stores (`S::NT`, unit stride only), every store is non-temporal, the
/// single points before the first aligned lane group and after the last one included: mixing
/// ordinary and non-temporal stores in one cache line costs more than either. The caller
/// stores its other points of the same lines (a line's edges) the same way. With
/// `S::NT_ENDS` false (`NonTemporalVectors`), only the cache lines the sweep fills whole are
/// non-temporal; the partial lines at its ends are ordinary stores (vectors where aligned),
/// so that no line mixes the two.
///
/// # Safety
/// `points.at` is callable for every point of `start..end`, and `dst + i * so` is valid for
/// writes for each of them.
#[inline(always)]
unsafe fn sweep_on<L, P, SO, S>(
    token: L::Token,
    points: &P,
    dst: *mut L::Elem,
    so: SO,
    start: usize,
    end: usize,
) where
    L: Lanes,
    L::Elem: Real,
    P: Points<L::Elem>,
    SO: Step,
    S: Stores,
{
    type One<L> = <L as Lanes>::Elem;
    let at = |i: usize| dst.wrapping_offset(i as isize * so.get());
    let n = L::N;
    let mut i = start;
    if S::NT && SO::UNIT {
        while i < end && !(at(i) as usize).is_multiple_of(L::NT_ALIGN) {
            // SAFETY: i < end; one lane needs no more than the element's alignment.
            unsafe { store_as::<One<L>, S, SO>(points.at::<One<L>>((), i), at(i), so) };
            i += 1;
        }
        // Without non-temporal ends, the vectors of a partial line at either end are ordinary
        // too, so that no line mixes the two kinds of store (measured: `tiles::run`).
        let whole = if S::NT_ENDS {
            end
        } else {
            while i + n <= end && !(at(i) as usize).is_multiple_of(CACHE_LINE) {
                // SAFETY: points i .. i + N are below `end`.
                unsafe { points.at::<L>(token, i).store(at(i), so) };
                i += n;
            }
            end.saturating_sub((at(end) as usize % CACHE_LINE) / size_of::<L::Elem>())
        };
        // Each vector's points are computed before the one before it is stored: the loads of a
        // stencil's neighbours (point i + N - 1 for the vector at i + N) then never follow a
        // store of the same offset modulo 4 KiB still waiting to leave, which they would with
        // the outputs placed as the input on their pages (as `mmap` places large arrays) and
        // which held them back until the store left. On an AMD Zen 3 (EPYC family 25 model 1),
        // 150x200x2500 `f64` by coordinates, outputs at the input's page offset: along its rows
        // 0.84-0.93 ns per output element against 1.07-1.13 storing first (0.87-0.93 against
        // 0.91-0.99 with the outputs 256 B further on), axes (2, 0) 0.59-0.61 against 0.66-0.68.
        // On x86_64 only: elsewhere a non-temporal store is an ordinary one, which leaves soon,
        // and the second inlined `points.at` cost 130 KB of flash in `probe-full`
        // (thumbv7em).
        if !cfg!(target_arch = "x86_64") {
            while i + n <= whole {
                // SAFETY: points i .. i + N are below `end`; `at(i)` was aligned by the loops
                // before, and steps of N elements (a multiple of the alignment) keep it aligned.
                unsafe { points.at::<L>(token, i).store_nt(at(i)) };
                i += n;
            }
        } else if i + n <= whole {
            // SAFETY: points i .. i + N are below `end`.
            let mut v = unsafe { points.at::<L>(token, i) };
            while i + 2 * n <= whole {
                // SAFETY: points i + N .. i + 2N are below `end`; `at(i)` was aligned by the
                // loops before, and steps of N elements (a multiple of the alignment) keep it
                // aligned.
                unsafe {
                    let next = points.at::<L>(token, i + n);
                    v.store_nt(at(i));
                    v = next;
                }
                i += n;
            }
            // SAFETY: as above.
            unsafe { v.store_nt(at(i)) };
            i += n;
        }
        while !S::NT_ENDS && i + n <= end {
            // SAFETY: points i .. i + N are below `end`.
            unsafe { points.at::<L>(token, i).store(at(i), so) };
            i += n;
        }
        while i < end {
            // SAFETY: i < end.
            unsafe { store_as::<One<L>, S, SO>(points.at::<One<L>>((), i), at(i), so) };
            i += 1;
        }
        return;
    }
    // Where the formula can load aligned vectors (`Lanes::SHIFTS_NEIGHBOURS`: x86_64's 512-bit
    // lanes only), the points before the span (after it, backward) are stored a vector at a
    // time, the last overlapping the span's first, whose outputs are then stored again: the
    // same values, as the formula reads no output. The span is cut to whole steps of two
    // vectors; the rest goes to the loops below.
    let span = points
        .aligned::<L>(i, end)
        .map(|(a, b)| (a, b - (b - a) % (2 * n)));
    if S::BACKWARD {
        // The same steps from the last point down (`kernels::Backward`).
        let mut j = end;
        if let Some((a, b)) = span {
            while j > b {
                // SAFETY: `j - N >= b - N >= a + N > start`: points j - N .. j are in range.
                unsafe { points.at::<L>(token, j - n).store(at(j - n), so) };
                j -= n;
            }
            j = b;
            while j >= a + 2 * n {
                j -= 2 * n;
                // SAFETY: points j .. j + 2N are in the formula's aligned span.
                unsafe {
                    let (x, y) = (
                        points.at_aligned::<L>(token, j),
                        points.at_aligned::<L>(token, j + n),
                    );
                    y.store(at(j + n), so);
                    x.store(at(j), so);
                }
            }
        }
        while j >= i + 2 * n {
            j -= 2 * n;
            // SAFETY: points j .. j + 2N are within `start..end`.
            unsafe {
                let (a, b) = (points.at::<L>(token, j), points.at::<L>(token, j + n));
                b.store(at(j + n), so);
                a.store(at(j), so);
            }
        }
        while j >= i + n {
            j -= n;
            // SAFETY: points j .. j + N are within `start..end`.
            unsafe { points.at::<L>(token, j).store(at(j), so) };
        }
        while j > i {
            j -= 1;
            // SAFETY: start <= j < end.
            unsafe { points.at::<One<L>>((), j).store(at(j), so) };
        }
        return;
    }
    if let Some((a, b)) = span {
        while i < a {
            // SAFETY: `i < a` and `a + 2N <= b <= end`: points i .. i + N are in range.
            unsafe { points.at::<L>(token, i).store(at(i), so) };
            i += n;
        }
        i = a;
        while i + 2 * n <= b {
            // SAFETY: points i .. i + 2N are in the formula's aligned span.
            unsafe {
                let (x, y) = (
                    points.at_aligned::<L>(token, i),
                    points.at_aligned::<L>(token, i + n),
                );
                x.store(at(i), so);
                y.store(at(i + n), so);
            }
            i += 2 * n;
        }
    }
    // On x86_64, two lane groups per step: half the loop overhead per point, which is what
    // limits a sweep in L1 (`gradient` on a 1000-point series: 200 -> 142 ns per call).
    // Elsewhere one, for code size and stack on the embedded targets.
    if cfg!(target_arch = "x86_64") {
        while i + 2 * n <= end {
            // SAFETY: points i .. i + 2N are below `end`.
            unsafe {
                let (a, b) = (points.at::<L>(token, i), points.at::<L>(token, i + n));
                a.store(at(i), so);
                b.store(at(i + n), so);
            }
            i += 2 * n;
        }
    }
    while i + n <= end {
        // SAFETY: points i .. i + N are below `end`.
        unsafe { points.at::<L>(token, i).store(at(i), so) };
        i += n;
    }
    while i < end {
        // SAFETY: i < end.
        unsafe { points.at::<One<L>>((), i).store(at(i), so) };
        i += 1;
    }
}
