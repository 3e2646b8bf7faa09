//! numpy's non-uniform interior weights for a block of an axis, computed once and applied to
//! every line of the block: the three divisions per point are what bounds a line of coordinates,
//! and numpy itself computes the weights once per axis (as arrays broadcast over the lines), so
//! reusing them gives the same bits.

use core::marker::PhantomData;
use core::mem::MaybeUninit;

use crate::element::Real;
use crate::isa::Path;
use crate::kernels::Cached;
use crate::kernels::along::{FromPositions, UnevenWeights};
use crate::kernels::sweep::{Points, sweep};
use crate::lanes::{CACHE_LINE, Lanes, Unit, loads_at};
use crate::spacing::{Steps, Timestamp};

/// Points of a block: three `f64` arrays of it take 3 KiB of stack. The table of an axis this
/// short (`whole_lines`) is a block and its placement, not a whole table's 64 KiB.
pub(crate) const WEIGHT_BLOCK: usize = 128;

/// Interior points of an axis whose weights a pass cut across another axis computes once for
/// all its parts ([`AxisWeights`]): 64 KiB of `f64` weights, 32 KiB of `f32`, a whole number
/// of cache lines each (so that each of the three arrays starts one). Under Miri 64: enough
/// for the 38 interior points of `miri_layouts`' cut lines, which then read it in place or
/// copy from it, and few enough for the unit tests' blocks past its end.
pub(crate) const TABLE_POINTS: usize = if cfg!(miri) { 64 } else { 2720 };

/// The weights of the first [`TABLE_POINTS`] interior points of an axis, from point 1: a pass
/// cut across another axis (`pass::by_point`) sweeps each part's lines (a chunk's: 6 or 12 rows
/// of 150x200x2500 `f64`), which would otherwise divide again for each part. The first call
/// fills it, placed for its first line; the calls whose weight vectors it places as their own
/// ([`BlockWeights::serves`]) read it in place, the others copy their segments from it
/// ([`BlockWeights::take`]).
pub(crate) type AxisWeights<F> = BlockWeights<F, TABLE_POINTS>;

/// Room for a block's placement: the most points of a cache line (`f32`).
pub(crate) const PLACING: usize = CACHE_LINE / 4;

/// The interior weights `a, b, c` of points `first .. first + len` of an axis, `B` points at
/// most (fewer when placed: [`compute`](Self::compute)).
pub(crate) struct BlockWeights<F, const B: usize = WEIGHT_BLOCK> {
    first: usize,
    len: usize,
    /// A point whose weights start a cache line (modulo the points per line).
    aligned: usize,
    /// Elements `pad..pad + len` of each array are written (by `compute` or `take`), the others
    /// never read: left uninitialised, a table's 64 KiB cost a small call nothing to make.
    w: Lines<[[MaybeUninit<F>; B]; 3]>,
}

/// Cache-line aligned storage.
#[repr(C, align(64))]
struct Lines<T>(T);

impl<F: Real, const B: usize> BlockWeights<F, B> {
    /// An empty block (no point yet).
    pub(crate) fn new() -> Self {
        // Each array starts a cache line only if the one before fills whole ones.
        const { assert!((B * size_of::<F>()).is_multiple_of(CACHE_LINE)) };
        Self {
            first: 0,
            len: 0,
            aligned: 0,
            w: Lines([[const { MaybeUninit::uninit() }; B]; 3]),
        }
    }

    /// Points per cache line of weights.
    const LINE: usize = CACHE_LINE / size_of::<F>();

    /// Point `first`'s index in each array: below a cache line's points, so that point
    /// `aligned`'s weights start one.
    fn pad(&self) -> usize {
        (self.first % Self::LINE + Self::LINE - self.aligned) % Self::LINE
    }

    /// Fills the block with the weights of interior points `from..to` (all in `1..n-1` of an
    /// axis of `n` positions `steps`), on the call's `path`; returns the end of the points
    /// computed (`from` if they are not all interior: then nothing is). The weights of point
    /// `aligned` (and of every cache line's worth of points from it) start a cache line, so
    /// that lanes loading them from there cross none; `B - pad` points fit, with `pad` below
    /// a cache line's points (none when `aligned` is `from`).
    pub(crate) fn compute(
        &mut self,
        path: Path,
        steps: Steps<'_, F>,
        from: usize,
        to: usize,
        aligned: usize,
    ) -> usize {
        (self.first, self.aligned) = (from, aligned % Self::LINE);
        let pad = self.pad();
        let to = to.min(from + B.saturating_sub(pad));
        // Holding no point until the sweep has written them (the arrays' invariant).
        self.len = 0;
        let mut end = from;
        macro_rules! weigh {
            ($x:expr) => {{
                let x = $x;
                debug_assert!(from >= 1 && to < x.len() || from >= to);
                if from >= 1 && to < x.len() {
                    let [a, b, c] = self.w.0.each_mut().map(|w| {
                        w.as_mut_ptr()
                            .cast::<F>()
                            .wrapping_add(pad)
                            .wrapping_sub(from)
                    });
                    let weigh = Weigh {
                        positions: FromPositions {
                            x: x.as_ptr(),
                            real: PhantomData,
                        },
                        b,
                        c,
                    };
                    // SAFETY: points `from..to` lie in `1..x.len()-1`, so positions `i-1 ..=
                    // i+1` of each are in `x` (`Weigh`'s range contract); `a + i`, like `b`
                    // and `c` at `i`, is element `pad + i - from < pad + to - from <= B` of
                    // its array.
                    unsafe { sweep::<F, _, Unit, Cached, true>(path, &weigh, a, Unit, from, to) };
                    (end, self.len) = (to, to.saturating_sub(from));
                }
            }};
        }
        match steps {
            Steps::Coordinates(x) => weigh!(x),
            Steps::Ticks32(t) => weigh!(t),
            Steps::Ticks64(t) => weigh!(t),
        }
        end
    }

    /// The weights of point `i`, which the block [`covers`](Self::covers) (for the complex
    /// samples' line loop).
    #[cfg(any(test, feature = "complex"))]
    #[inline(always)]
    pub(crate) fn at(&self, i: usize) -> [F; 3] {
        let pad = self.pad();
        let k = i.wrapping_sub(self.first).wrapping_add(pad);
        let written = pad..pad + self.len;
        self.w.0.each_ref().map(|w| match w.get(k) {
            // SAFETY: elements `pad..pad + len` were written (the field's invariant).
            Some(v) if written.contains(&k) => unsafe { v.assume_init() },
            _ => F::nan(),
        })
    }

    /// Whether the block holds the weights of every point of `from..to`, placed for `aligned`
    /// (as by [`compute`](Self::compute)).
    pub(crate) fn covers(&self, from: usize, to: usize, aligned: usize) -> bool {
        self.serves(from, to, aligned, CACHE_LINE)
    }

    /// Whether it holds no point (as [`new`](Self::new) made it).
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether lanes of `bytes` loaded from the block at the points of `from..to` placed for
    /// `aligned` start where they would in such a block: it covers those points, and places
    /// point `aligned`'s weights as far from the start of a vector as that block would. Such
    /// lines read the block itself ([`read`](Self::read)) instead of a copy placed for them.
    pub(crate) fn serves(&self, from: usize, to: usize, aligned: usize, bytes: usize) -> bool {
        let points = (bytes / size_of::<F>()).clamp(1, Self::LINE);
        from >= to
            || (self.first <= from
                && to <= self.first + self.len
                && self.aligned % points == aligned % points)
    }

    /// The weights of points `from..to` placed for `aligned`, for lanes of `bytes`: `table`'s
    /// own where it [serves](Self::serves) them; otherwise this block's, which keeps them if
    /// it [covers](Self::covers) them, else [takes](Self::take) them from `table`, else is
    /// filled by `fill`; `None` if the block then lacks some of them (more than fit).
    pub(crate) fn read_from<const T: usize>(
        &mut self,
        table: Option<&BlockWeights<F, T>>,
        (from, to, aligned, bytes): (usize, usize, usize, usize),
        fill: impl FnOnce(&mut Self),
    ) -> Option<FromBlock<F>> {
        if let Some(table) = table.filter(|t| t.serves(from, to, aligned, bytes)) {
            return Some(table.read());
        }
        if self.covers(from, to, aligned) {
            return Some(self.read());
        }
        // A take or a fill holds as many points as fit: whether that is all of them decides.
        if !table.is_some_and(|t| self.take(t, from, to, aligned)) {
            fill(self);
        }
        self.covers(from, to, aligned).then(|| self.read())
    }

    /// Fills the block with the weights of points `from..to` (as many as fit, as
    /// [`compute`](Self::compute) would), placed for `aligned`, copied from `table` (the same
    /// bits as computing them); `false`, holding none, if the table lacks some of them.
    pub(crate) fn take<const T: usize>(
        &mut self,
        table: &BlockWeights<F, T>,
        from: usize,
        to: usize,
        aligned: usize,
    ) -> bool {
        (self.first, self.aligned) = (from, aligned % Self::LINE);
        let pad = self.pad();
        let len = to.min(from + B.saturating_sub(pad)).saturating_sub(from);
        self.len = 0;
        if len == 0 || from < table.first || from + len > table.first + table.len {
            return false;
        }
        let at = table.pad() + (from - table.first);
        for (to, from) in self.w.0.iter_mut().zip(&table.w.0) {
            let (Some(to), Some(from)) = (to.get_mut(pad..pad + len), from.get(at..at + len))
            else {
                return false;
            };
            to.copy_from_slice(from);
        }
        self.len = len;
        true
    }

    /// The block's weights for a sweep: each array shifted so that point `i`'s weight is at
    /// index `i` (read only at points the block [`covers`](Self::covers)).
    pub(crate) fn read(&self) -> FromBlock<F> {
        FromBlock(self.w.0.each_ref().map(|w| {
            w.as_ptr()
                .cast::<F>()
                .wrapping_add(self.pad())
                .wrapping_sub(self.first)
        }))
    }
}

/// The weights' formula on positions, writing `b` and `c` itself and returning `a` (for the
/// sweep to store).
///
/// Range contract of [`Points::at`]: [`FromPositions`]'s, and `b`, `c` are valid for writes
/// at `i .. i+N`.
struct Weigh<X, F> {
    positions: FromPositions<X, F>,
    b: *mut F,
    c: *mut F,
}

impl<X: Timestamp<F>, F: Real> Points<F> for Weigh<X, F> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> L {
        // SAFETY: the range contract.
        unsafe {
            let [a, b, c] = self.positions.at::<L>(token, i);
            b.store(self.b.wrapping_add(i), Unit);
            c.store(self.c.wrapping_add(i), Unit);
            a
        }
    }
}

/// A block's weights, read back lane by lane.
///
/// Range contract: the block covers points `i .. i+N`.
#[derive(Clone, Copy)]
pub(crate) struct FromBlock<F>([*const F; 3]);

impl<F: Real> UnevenWeights<F> for FromBlock<F> {
    #[inline(always)]
    unsafe fn at<L: Lanes<Elem = F>>(&self, token: L::Token, i: usize) -> [L; 3] {
        let [a, b, c] = self.0;
        let at = [a.wrapping_add(i), b.wrapping_add(i), c.wrapping_add(i)];
        // SAFETY: the range contract: element `i - first` onwards of each array.
        unsafe { loads_at(token, at, Unit) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point's weights as bits (exact in `f64`; no weight of the tests' positions is NaN).
    fn bits<F: Real>(w: [F; 3]) -> [u64; 3] {
        w.map(|w| w.to_f64().unwrap().to_bits())
    }

    /// Every placement of a block holds the same weights, and those of its aligned points (and
    /// a cache line's worth of points on) start cache lines: computed, or copied from another
    /// placement.
    #[test]
    fn every_placement_holds_the_same_weights_on_cache_lines() {
        fn check<F: Real>() {
            let x: [F; 300] = core::array::from_fn(|i| {
                F::from(i as f64 * 0.5 + 0.125 * ((i * 7 % 11) as f64 / 11.0)).unwrap()
            });
            let steps = Steps::Coordinates(&x);
            let line = CACHE_LINE / size_of::<F>();
            let path = Path::detect();
            for (from, to) in [(1, 129), (5, 140), (130, 270)] {
                let mut plain = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                assert_eq!(plain.compute(path, steps, from, to, from), to);
                let mut copy = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                // Under Miri (CI runs the unit tests there) a few placements: every one of
                // them took 5 minutes.
                let placements = (0..2 * line)
                    .filter(|&a| !cfg!(miri) || [0, 1, line - 1, line + 1].contains(&a));
                for aligned in placements {
                    let mut placed = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                    assert_eq!(placed.compute(path, steps, from, to, aligned), to);
                    assert!(copy.take(&plain, from, to, aligned));
                    for block in [&placed, &copy] {
                        assert!(block.covers(from, to, aligned));
                        assert!(!block.covers(from, to, aligned + 1));
                        for i in from..to {
                            assert_eq!(bits(block.at(i)), bits(plain.at(i)), "point {i}");
                        }
                        let FromBlock(w) = block.read();
                        for i in (aligned..to).step_by(line).filter(|&i| i >= from) {
                            for w in w {
                                let at = w.wrapping_add(i).addr();
                                assert_eq!(at % CACHE_LINE, 0, "point {i}, aligned {aligned}");
                            }
                        }
                    }
                }
            }
        }
        check::<f64>();
        check::<f32>();
    }

    /// A block taken from an axis's table holds the weights it would have computed, placed
    /// alike; a block the table does not hold all of is refused and holds nothing.
    #[test]
    fn blocks_taken_from_a_table_are_the_blocks_computed() {
        fn check<F: Real>() {
            let x: [F; 3000] = core::array::from_fn(|i| {
                F::from(i as f64 * 0.5 + 0.125 * ((i * 7 % 11) as f64 / 11.0)).unwrap()
            });
            let steps = Steps::Coordinates(&x);
            let path = Path::detect();
            let mut table = AxisWeights::<F>::new();
            let end = (x.len() - 1).min(1 + TABLE_POINTS);
            assert_eq!(table.compute(path, steps, 1, x.len() - 1, 1), end);
            let line = CACHE_LINE / size_of::<F>();
            // Under Miri (CI runs the unit tests there), a table of a few points.
            let blocks: &[(usize, usize)] = if cfg!(miri) {
                &[(1, end), (3, end - 2)]
            } else {
                &[
                    (1, 129),
                    (end - 100, end),
                    (5, 140),
                    (130, 270),
                    (end - 129, end - 1),
                ]
            };
            for &(from, to) in blocks {
                for aligned in [from, from + 1, from + line - 1] {
                    let mut computed = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                    let mut taken = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                    let until = computed.compute(path, steps, from, to, aligned);
                    assert!(taken.take(&table, from, to, aligned), "{from}..{to}");
                    assert!(
                        taken.covers(from, until, aligned)
                            && !taken.covers(from, until, aligned + 1)
                    );
                    for i in from..until {
                        assert_eq!(bits(taken.at(i)), bits(computed.at(i)), "point {i}");
                    }
                    let (FromBlock(t), FromBlock(c)) = (taken.read(), computed.read());
                    assert_eq!(
                        t.map(|w| w.addr() % CACHE_LINE),
                        c.map(|w| w.addr() % CACHE_LINE)
                    );
                }
            }
            // A table placed for one line serves the lines whose vectors of its weights start
            // where their own placement's would, with the same weights; not the others.
            let placed_at = 3;
            let mut placed = AxisWeights::<F>::new();
            let covered = placed.compute(path, steps, 1, x.len() - 1, placed_at);
            for bytes in [16, 32, 64] {
                let points = bytes / size_of::<F>();
                for aligned in placed_at..placed_at + line {
                    let (from, to) = if cfg!(miri) { (2, covered) } else { (40, 200) };
                    let serves = placed.serves(from, to, aligned, bytes);
                    assert_eq!(
                        serves,
                        (aligned - placed_at) % points == 0,
                        "{bytes} B, {aligned}"
                    );
                    if !serves {
                        continue;
                    }
                    let mut computed = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
                    let until = computed.compute(path, steps, from, to, aligned);
                    let FromBlock(w) = placed.read();
                    for i in from..until {
                        // SAFETY: the table covers point `i` (`serves`), so element `i` of
                        // each shifted array is one of its weights.
                        let at = w.map(|w| unsafe { *w.wrapping_add(i) });
                        assert_eq!(bits(at), bits(computed.at(i)), "point {i}");
                        if i % points == aligned % points {
                            assert!(w.iter().all(|w| w.wrapping_add(i).addr() % bytes == 0));
                        }
                    }
                }
            }
            assert!(!placed.serves(1, covered + 1, placed_at, 64));
            // Past the table's last point: refused, holding nothing.
            let mut past = BlockWeights::<F, { WEIGHT_BLOCK + 2 * PLACING }>::new();
            assert!(!past.take(&table, end - 10, end + 10, end));
            assert!(!past.covers(end - 10, end - 9, end));
            assert!(!past.take(&table, end, end + 50, end));
        }
        check::<f64>();
        check::<f32>();
    }
}
