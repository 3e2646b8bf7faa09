//! numpy's non-uniform interior weights for a block of an axis, computed once and applied to
//! every line of the block: the three divisions per point are what bounds a line of coordinates,
//! and numpy itself computes the weights once per axis (as arrays broadcast over the lines), so
//! reusing them gives the same bits.

use core::marker::PhantomData;

use crate::element::Real;
use crate::isa::Path;
use crate::kernels::Cached;
use crate::kernels::along::{FromPositions, UnevenWeights};
use crate::kernels::sweep::{Points, sweep};
use crate::lanes::{Lanes, Unit};
use crate::spacing::{Steps, Timestamp};

/// Points per block: three `f64` arrays of it take 3 KiB of stack. While a group's lines
/// compute one block, each asks for its next one (`lanes::prefetch`), and those next blocks
/// (32 lines of 1 KiB of `f64`) must stay in L1 until they are read. Measured on an AMD Zen 5,
/// 150x200x2500 `f64` along its rows (ns per element, points x lines): 256 x 16 0.54, 128 x 16
/// 0.49, 128 x 32 0.47, 64 x 32 0.50, 512 x 16 0.82 (whose next blocks overflow L1).
pub(crate) const WEIGHT_BLOCK: usize = 128;

/// Lines that share one computation of a block's weights.
pub(crate) const LINE_GROUP: usize = 32;

/// The interior weights `a, b, c` of points `first .. first + len` of an axis, `B` points at
/// most.
pub(crate) struct BlockWeights<F, const B: usize = WEIGHT_BLOCK> {
    first: usize,
    len: usize,
    w: [[F; B]; 3],
}

impl<F: Real, const B: usize> BlockWeights<F, B> {
    /// An empty block (no point yet).
    pub(crate) fn new() -> Self {
        Self {
            first: 0,
            len: 0,
            w: [[F::zero(); B]; 3],
        }
    }

    /// Fills the block with the weights of interior points `from..to` (at most `B` of them,
    /// all in `1..n-1` of an axis of `n` positions `steps`), on the call's `path`; returns the
    /// end of the points computed (`from` if they are not all interior: then nothing is).
    pub(crate) fn compute(
        &mut self,
        path: Path,
        steps: Steps<'_, F>,
        from: usize,
        to: usize,
    ) -> usize {
        let to = to.min(from + B);
        (self.first, self.len) = (from, to.saturating_sub(from));
        let mut end = from;
        macro_rules! weigh {
            ($x:expr) => {{
                let x = $x;
                debug_assert!(from >= 1 && to < x.len() || from >= to);
                if from >= 1 && to < x.len() {
                    let [a, b, c] = &mut self.w;
                    let weigh = Weigh {
                        positions: FromPositions {
                            x: x.as_ptr(),
                            real: PhantomData,
                        },
                        b: b.as_mut_ptr().wrapping_sub(from),
                        c: c.as_mut_ptr().wrapping_sub(from),
                    };
                    let dst = a.as_mut_ptr().wrapping_sub(from);
                    // SAFETY: points `from..to` lie in `1..x.len()-1`, so positions `i-1 ..=
                    // i+1` of each are in `x` (`Weigh`'s range contract); `dst + i`, like `b`
                    // and `c` at `i`, is element `i - from < to - from <= B` of its array.
                    unsafe { sweep::<F, _, Unit, Cached, true>(path, &weigh, dst, Unit, from, to) };
                    end = to;
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
    #[cfg(feature = "complex")]
    #[inline(always)]
    pub(crate) fn at(&self, i: usize) -> [F; 3] {
        let k = i.wrapping_sub(self.first);
        self.w
            .each_ref()
            .map(|w| w.get(k).copied().unwrap_or_else(F::nan))
    }

    /// Whether the block holds the weights of every point of `from..to`.
    pub(crate) fn covers(&self, from: usize, to: usize) -> bool {
        from >= to || (self.first <= from && to <= self.first + self.len)
    }

    /// The block's weights for a sweep: each array shifted so that point `i`'s weight is at
    /// index `i` (read only at points the block [`covers`](Self::covers)).
    pub(crate) fn read(&self) -> FromBlock<F> {
        FromBlock(
            self.w
                .each_ref()
                .map(|w| w.as_ptr().wrapping_sub(self.first)),
        )
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
        // SAFETY: the range contract: element `i - first` onwards of each array.
        self.0
            .map(|w| unsafe { L::load(token, w.wrapping_add(i), Unit) })
    }
}
