//! What separates two frames of a stream: a fixed step, or a timestamp per frame. Each clock
//! evaluates numpy's formulas from `stencil.rs` for its kind of spacing, once per frame for the
//! scalar path and over whole blocks for the block path.

use core::fmt::Debug;

use super::block;
use crate::element::{Real, Sample};
use crate::spacing::Timestamp;
use crate::stencil::{
    Divisor, central_divisor, difference, even_first_point_weights, even_last_point_weights,
    interior_weights, uneven_first_point_weights, uneven_last_point_weights, weighted,
};

/// The spacing of a stream, with numpy's formulas for it.
pub(crate) trait Clock<F: Real>: Copy + Debug {
    /// What is kept per frame: a timestamp, or nothing.
    type Stamp: Copy + Default + Debug;
    /// The stamps of a block.
    type Stamps<'a>: Copy
    where
        Self: 'a;

    /// Stamp of frame `j` of a block (`j` below the block's frame count).
    fn stamp(stamps: Self::Stamps<'_>, j: usize) -> Self::Stamp;

    /// The step between two consecutive frames stamped `a` and `b`.
    fn step(&self, a: Self::Stamp, b: Self::Stamp) -> F;

    /// numpy's second-order weights at the first point, from the first three stamps.
    fn first_weights(&self, t: [Self::Stamp; 3]) -> [F; 3];

    /// numpy's second-order weights at the last point, from the last three stamps.
    fn last_weights(&self, t: [Self::Stamp; 3]) -> [F; 3];

    /// The interior gradient at the middle frame of `f`, stamped `t`.
    fn interior<const C: usize>(&self, f: [&[F; C]; 3], t: [Self::Stamp; 3]) -> [F; C];

    /// The interior gradients of frames `from .. to` of a block of `C`-channel frames
    /// (`1 <= from`, `to + 1 <=` frames in the block), into `out` (`(to - from) * C` values).
    fn block<T: Sample<F>, const C: usize>(
        &self,
        input: &[T],
        stamps: Self::Stamps<'_>,
        from: usize,
        to: usize,
        out: &mut [F],
    );

    /// numpy's first-order edge `(f[b] - f[a]) / step(a, b)` on every channel.
    #[inline]
    fn first_order_edge<const C: usize>(
        &self,
        a: &[F; C],
        b: &[F; C],
        ta: Self::Stamp,
        tb: Self::Stamp,
    ) -> [F; C] {
        let d = Divisor::new(self.step(ta, tb));
        core::array::from_fn(|c| difference(b[c], a[c], d))
    }

    /// `weights` applied to three frames on every channel.
    #[inline]
    fn weighted_edge<const C: usize>(&self, weights: [F; 3], f: [&[F; C]; 3]) -> [F; C] {
        core::array::from_fn(|c| weighted(weights, [f[0][c], f[1][c], f[2][c]]))
    }
}

/// Frames `h` apart: numpy's uniform formulas, `AxisSpacing::Uniform(h)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedStep<F> {
    h: F,
    /// `2. * h`.
    central: Divisor<F>,
}

impl<F: Real> FixedStep<F> {
    pub(crate) fn new(h: F) -> Self {
        Self {
            h,
            central: central_divisor(h),
        }
    }

    /// The step.
    pub(crate) fn h(&self) -> F {
        self.h
    }
}

impl<F: Real> Clock<F> for FixedStep<F> {
    type Stamp = ();
    type Stamps<'a>
        = ()
    where
        Self: 'a;

    #[inline(always)]
    fn stamp((): (), _j: usize) {}

    #[inline(always)]
    fn step(&self, (): (), (): ()) -> F {
        self.h
    }

    #[inline]
    fn first_weights(&self, _t: [(); 3]) -> [F; 3] {
        even_first_point_weights(self.h)
    }

    #[inline]
    fn last_weights(&self, _t: [(); 3]) -> [F; 3] {
        even_last_point_weights(self.h)
    }

    #[inline]
    fn interior<const C: usize>(&self, f: [&[F; C]; 3], _t: [(); 3]) -> [F; C] {
        core::array::from_fn(|c| difference(f[2][c], f[0][c], self.central))
    }

    #[inline]
    fn block<T: Sample<F>, const C: usize>(
        &self,
        input: &[T],
        (): (),
        from: usize,
        to: usize,
        out: &mut [F],
    ) {
        block::fixed_step::<T, F, C>(input, from, to, self.central, out);
    }
}

/// A timestamp per frame: numpy's non-uniform formulas at every point, never reduced to the
/// uniform ones (`AxisSpacing::UnreducedCoordinates`, `Ticks32`, `Ticks64`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stamped<X>(core::marker::PhantomData<X>);

impl<F: Real, X: Timestamp<F>> Clock<F> for Stamped<X> {
    type Stamp = X;
    type Stamps<'a>
        = &'a [X]
    where
        Self: 'a;

    #[inline(always)]
    fn stamp(stamps: &[X], j: usize) -> X {
        stamps.get(j).copied().unwrap_or_default()
    }

    #[inline(always)]
    fn step(&self, a: X, b: X) -> F {
        a.step_to(b)
    }

    #[inline]
    fn first_weights(&self, [t0, t1, t2]: [X; 3]) -> [F; 3] {
        uneven_first_point_weights(t0.step_to(t1), t1.step_to(t2))
    }

    #[inline]
    fn last_weights(&self, [t0, t1, t2]: [X; 3]) -> [F; 3] {
        uneven_last_point_weights(t0.step_to(t1), t1.step_to(t2))
    }

    #[inline]
    fn interior<const C: usize>(&self, f: [&[F; C]; 3], [t0, t1, t2]: [X; 3]) -> [F; C] {
        let w = interior_weights(t0.step_to(t1), t1.step_to(t2));
        core::array::from_fn(|c| weighted(w, [f[0][c], f[1][c], f[2][c]]))
    }

    #[inline]
    fn block<T: Sample<F>, const C: usize>(
        &self,
        input: &[T],
        stamps: &[X],
        from: usize,
        to: usize,
        out: &mut [F],
    ) {
        block::stamped::<T, F, X, C>(input, stamps, from, to, out);
    }
}
