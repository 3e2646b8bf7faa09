//! numpy's finite-difference formulas, in numpy's operation order, written once over [`Lanes`].
//!
//! This is the one place that decides the last bit. The SIMD kernels, their scalar remainders,
//! the edges and the streams evaluate these functions, so they agree by construction; the
//! reference (`reference.rs`) writes the same formulas again on purpose, as an independent
//! check, and the tests hold every path to it. Rust never contracts `a * b + c` into an FMA,
//! and `wide` does not either (only its explicit `mul_add` may), so each `*`, `+`, `-`, `/`
//! below is one correctly rounded IEEE operation, as in numpy.

use crate::element::{Precision, Real};
use crate::lanes::{Arith, Lanes};
use crate::options::EdgeOrder;
use crate::spacing::{Grid, Steps};

/// `(f_plus - f_minus) / divisor`: numpy's uniform interior `(f[i+1] - f[i-1]) / (2. * dx)` and
/// its first-order edges `(f[1] - f[0]) / dx_0`, `(f[-1] - f[-2]) / dx_n`.
#[inline(always)]
pub(crate) fn difference<F: Real>(f_plus: F, f_minus: F, divisor: Divisor<F>) -> F {
    divisor.divide(f_plus - f_minus)
}

/// `a * f0 + b * f1 + c * f2`, evaluated as numpy does: `(a*f0 + b*f1) + c*f2`.
#[inline(always)]
pub(crate) fn weighted<L: Arith>([a, b, c]: [L; 3], [f0, f1, f2]: [L; 3]) -> L {
    a * f0 + b * f1 + c * f2
}

/// numpy's non-uniform interior weights for the steps `dx1 = x[i] - x[i-1]`,
/// `dx2 = x[i+1] - x[i]`.
#[inline(always)]
pub(crate) fn interior_weights<L: Arith>(dx1: L, dx2: L) -> [L; 3] {
    interior_weights_by(dx1, dx2, Divider)
}

/// [`interior_weights`] with the first weight's quotient taken by `first` (the vector kernels
/// balance the divider against the FMA units with it: `Lanes::quotient`).
#[inline(always)]
pub(crate) fn interior_weights_by<L: Arith>(dx1: L, dx2: L, first: impl QuotientBy<L>) -> [L; 3] {
    let a = first.of(-dx2, dx1 * (dx1 + dx2));
    let b = (dx2 - dx1) / (dx1 * dx2);
    let c = dx1 / (dx2 * (dx1 + dx2));
    [a, b, c]
}

/// `n / d` correctly rounded, the bits of `/`, by whichever unit. A trait rather than a
/// closure: a closure is not always inlined, and the intrinsics inlined into it would then be
/// compiled without the sweep's target features (`.ci/inlined.sh`).
pub(crate) trait QuotientBy<L>: Copy {
    /// `n / d`.
    fn of(self, n: L, d: L) -> L;
}

/// The divider: `/`.
#[derive(Clone, Copy, Debug)]
struct Divider;

impl<L: Arith> QuotientBy<L> for Divider {
    #[inline(always)]
    fn of(self, n: L, d: L) -> L {
        n / d
    }
}

/// numpy's non-uniform interior weights of point `i >= 1` of positions `x`, in `F`'s
/// arithmetic.
#[inline(always)]
pub(crate) fn point_weights<F: Precision>(x: Steps<'_, F>, i: usize) -> [F; 3] {
    let step = |k| F::Arithmetic::from(x.step(k));
    interior_weights(step(i.wrapping_sub(1)), step(i)).map(Into::into)
}

/// numpy's second-order weights for `f[0], f[1], f[2]` at the first point.
fn first_point_weights<F: Precision>(grid: &Grid<'_, F>) -> [F; 3] {
    match *grid {
        Grid::Even(dx) => even_first_point_weights(dx),
        Grid::Uneven(x) => uneven_first_point_weights(x.step(0), x.step(1)),
    }
}

/// numpy's second-order weights at the first point of a uniform grid of step `dx`.
#[inline]
pub(crate) fn even_first_point_weights<F: Precision>(dx: F) -> [F; 3] {
    [-F::THREE_HALVES / dx, F::TWO / dx, -F::HALF / dx]
}

/// numpy's second-order weights at the first point, for the steps `dx1 = x[1] - x[0]`,
/// `dx2 = x[2] - x[1]`.
#[inline]
pub(crate) fn uneven_first_point_weights<F: Precision>(dx1: F, dx2: F) -> [F; 3] {
    let a = -(F::TWO * dx1 + dx2) / (dx1 * (dx1 + dx2));
    let b = (dx1 + dx2) / (dx1 * dx2);
    let c = -dx1 / (dx2 * (dx1 + dx2));
    [a, b, c]
}

/// numpy's second-order weights for `f[n-3], f[n-2], f[n-1]` at the last point.
fn last_point_weights<F: Precision>(grid: &Grid<'_, F>, n: usize) -> [F; 3] {
    match *grid {
        Grid::Even(dx) => even_last_point_weights(dx),
        Grid::Uneven(x) => uneven_last_point_weights(x.step(n - 3), x.step(n - 2)),
    }
}

/// numpy's second-order weights at the last point of a uniform grid of step `dx`.
#[inline]
pub(crate) fn even_last_point_weights<F: Precision>(dx: F) -> [F; 3] {
    [F::HALF / dx, -F::TWO / dx, F::THREE_HALVES / dx]
}

/// numpy's second-order weights at the last point, for the steps `dx1 = x[n-2] - x[n-3]`,
/// `dx2 = x[n-1] - x[n-2]`.
#[inline]
pub(crate) fn uneven_last_point_weights<F: Precision>(dx1: F, dx2: F) -> [F; 3] {
    let a = dx2 / (dx1 * (dx1 + dx2));
    let b = -(dx2 + dx1) / (dx1 * dx2);
    let c = (F::TWO * dx2 + dx1) / (dx2 * (dx1 + dx2));
    [a, b, c]
}

/// numpy's uniform interior divisor `2. * dx`.
#[inline]
pub(crate) fn central_divisor<F: Precision>(dx: F) -> Divisor<F> {
    Divisor::new(F::TWO * dx)
}

/// A division by a fixed divisor, done as a multiplication by its exact reciprocal when that
/// is bit-identical (see [`Precision::exact_recip`]). [`Divisor::new`] decides which, once, and
/// [`Divisor::apply`] is the one place that acts on the decision: it hands a kernel the
/// [`Divide`] to run its whole loop with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Divisor<F> {
    divisor: F,
    /// The exact reciprocal, when the divisor is ± a power of two with a normal reciprocal.
    recip: Option<F>,
}

impl<F: Precision> Divisor<F> {
    pub(crate) fn new(divisor: F) -> Self {
        Self {
            divisor,
            recip: divisor.exact_recip(),
        }
    }

    /// The divisor itself, for the reference path, which always divides.
    pub(crate) fn value(self) -> F {
        self.divisor
    }
}

impl<F: Real> Divisor<F> {
    /// Runs `job` with the division this divisor was decided to be.
    #[inline(always)]
    pub(crate) fn apply<J: WithDivide<F>>(self, job: J) -> J::Output {
        match self.recip {
            Some(r) => job.run(ByExactRecip(r)),
            None => job.run(By(self.divisor)),
        }
    }

    /// `x / divisor`, one value.
    #[inline(always)]
    pub(crate) fn divide(self, x: F) -> F {
        self.apply(Quotient(x))
    }
}

/// Work that runs with a [`Divide`] chosen by [`Divisor::apply`] (a whole loop, generic over it).
pub(crate) trait WithDivide<F: Real> {
    /// What the work returns.
    type Output;
    /// Runs the work with `divide`.
    fn run<D: Divide<F>>(self, divide: D) -> Self::Output;
}

/// The quotient of one value.
struct Quotient<F>(F);

impl<F: Real> WithDivide<F> for Quotient<F> {
    type Output = F;
    #[inline(always)]
    fn run<D: Divide<F>>(self, divide: D) -> F {
        divide.divide((), self.0)
    }
}

/// `x / divisor` on lanes, with the divisor's decision already taken.
pub(crate) trait Divide<F: Real>: Copy {
    /// `x / divisor`, bit for bit.
    fn divide<L: Lanes<Elem = F>>(self, token: L::Token, x: L) -> L;
}

/// Division by a power of two, as a multiplication by its exact reciprocal (held here).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ByExactRecip<F>(F);

impl<F: Real> Divide<F> for ByExactRecip<F> {
    #[inline(always)]
    fn divide<L: Lanes<Elem = F>>(self, token: L::Token, x: L) -> L {
        x * L::splat(token, self.0)
    }
}

/// Plain division by the divisor held here.
#[derive(Clone, Copy, Debug)]
pub(crate) struct By<F>(F);

impl<F: Real> Divide<F> for By<F> {
    #[inline(always)]
    fn divide<L: Lanes<Elem = F>>(self, token: L::Token, x: L) -> L {
        x / L::splat(token, self.0)
    }
}

/// The formula for one point along an axis, in terms of the samples along that axis.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stencil<F> {
    /// `(f[plus] - f[minus]) / divisor`.
    Difference {
        plus: usize,
        minus: usize,
        divisor: Divisor<F>,
    },
    /// `(w[0]*f[first] + w[1]*f[first+1]) + w[2]*f[first+2]`.
    Weighted { first: usize, weights: [F; 3] },
}

impl<F: Real> Stencil<F> {
    /// Evaluates the stencil at one point, `sample(j)` giving `f[j]`.
    #[inline(always)]
    pub(crate) fn apply(&self, sample: impl Fn(usize) -> F) -> F {
        match *self {
            Self::Difference {
                plus,
                minus,
                divisor,
            } => difference(sample(plus), sample(minus), divisor),
            Self::Weighted { first, weights } => weighted(
                weights,
                [sample(first), sample(first + 1), sample(first + 2)],
            ),
        }
    }
}

/// Everything needed to differentiate along one axis: its length, spacing and edge order,
/// with the edge stencils computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AxisPlan<'a, F> {
    n: usize,
    grid: Grid<'a, F>,
    /// `2. * dx` for a uniform grid (numpy's interior divisor).
    central: Divisor<F>,
    first: Stencil<F>,
    last: Stencil<F>,
    edge_order: EdgeOrder,
}

impl<'a, F: Precision> AxisPlan<'a, F> {
    /// A plan for an axis of `n >= edge_order.min_len()` points (checked by `Grid::resolve`).
    pub(crate) fn new(n: usize, grid: Grid<'a, F>, edge_order: EdgeOrder) -> Self {
        let last_step = n.saturating_sub(1);
        let (first, last) = match edge_order {
            EdgeOrder::First => {
                // An evenly spaced axis decides its one step's division once.
                let (d0, dn) = match grid {
                    Grid::Even(dx) => {
                        let d = Divisor::new(dx);
                        (d, d)
                    }
                    Grid::Uneven(x) => (
                        Divisor::new(x.step(0)),
                        Divisor::new(x.step(n.saturating_sub(2))),
                    ),
                };
                (
                    Stencil::Difference {
                        plus: 1,
                        minus: 0,
                        divisor: d0,
                    },
                    Stencil::Difference {
                        plus: last_step,
                        minus: n.saturating_sub(2),
                        divisor: dn,
                    },
                )
            }
            EdgeOrder::Second => (
                Stencil::Weighted {
                    first: 0,
                    weights: first_point_weights(&grid),
                },
                Stencil::Weighted {
                    first: n.saturating_sub(3),
                    weights: last_point_weights(&grid, n),
                },
            ),
        };
        let central = match grid {
            Grid::Even(dx) => central_divisor(dx),
            Grid::Uneven(_) => Divisor::new(F::nan()),
        };
        Self {
            n,
            grid,
            central,
            first,
            last,
            edge_order,
        }
    }

    /// The plan of points `start..start + len` of this axis read on their own (a block's window,
    /// a tile's): the whole axis's spacing decision over those points, whose own edges are the
    /// axis's only where the window reaches them.
    pub(crate) fn window(&self, start: usize, len: usize) -> Self {
        Self::new(len, self.grid.window(start, len), self.edge_order)
    }

    /// Number of points along the axis.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The spacing.
    #[inline(always)]
    pub(crate) fn grid(&self) -> Grid<'a, F> {
        self.grid
    }

    /// Whether the grid is uniform (every interior point has the same stencil).
    #[inline(always)]
    pub(crate) fn is_even(&self) -> bool {
        matches!(self.grid, Grid::Even(_))
    }

    /// `2. * dx` for a uniform grid.
    #[inline(always)]
    pub(crate) fn central(&self) -> Divisor<F> {
        self.central
    }

    /// The stencil at the first point.
    #[inline(always)]
    pub(crate) fn first(&self) -> Stencil<F> {
        self.first
    }

    /// The stencil at the last point.
    #[inline(always)]
    pub(crate) fn last(&self) -> Stencil<F> {
        self.last
    }

    /// The one divisor of both edges when they are numpy's first-order differences on an
    /// evenly spaced axis, `(f[1] - f[0]) / dx` and `(f[n-1] - f[n-2]) / dx` (`new` gives both
    /// edges `Divisor::new(dx)`). A walk over many short lines then runs all their edges as one
    /// loop with the division chosen once and the points fixed, instead of dispatching both
    /// stencils per line.
    #[inline(always)]
    pub(crate) fn first_order_edges(&self) -> Option<Divisor<F>> {
        let n = self.n;
        match (self.grid, self.first, self.last) {
            (
                Grid::Even(_),
                Stencil::Difference {
                    plus: 1,
                    minus: 0,
                    divisor,
                },
                Stencil::Difference {
                    plus: p1,
                    minus: m1,
                    ..
                },
            ) if n >= 2 && (p1, m1) == (n - 1, n - 2) => Some(divisor),
            _ => None,
        }
    }

    /// The stencil at point `i < n`. Called once per row by the across walks (each of their
    /// instantiations), never per element: not inlined, so its weights are written once.
    #[inline(never)]
    pub(crate) fn stencil(&self, i: usize) -> Stencil<F> {
        if i == 0 {
            self.first
        } else if i + 1 >= self.n {
            self.last
        } else {
            match self.grid {
                Grid::Even(_) => Stencil::Difference {
                    plus: i + 1,
                    minus: i - 1,
                    divisor: self.central,
                },
                Grid::Uneven(x) => Stencil::Weighted {
                    first: i - 1,
                    weights: point_weights(x, i),
                },
            }
        }
    }
}
