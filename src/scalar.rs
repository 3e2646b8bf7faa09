//! The scalar kernel: every selected axis walked line by line by one loop that applies
//! numpy's stencil at each point, for any layout, spacing and edge order. No vector lanes and
//! no per-layout instantiations. It runs two kinds of calls:
//! - the `compact` build's [`gradient`](crate::gradient) and
//!   [`gradient_1d`](crate::gradient_1d) (real samples, [`Reals`]): the least code, for
//!   firmware whose flash is worth more than its cycles. Each point is `Stencil::apply`, as at
//!   the fast paths' edges, so its values are theirs and the reference's, bit for bit;
//! - the sample types with an arithmetic of their own ([`Values`]: complex, datetime64,
//!   timedelta64 and float16), each point by the type's [`Value`] formulas, each line's bounds
//!   checked once.

use core::ops::Range;
use core::slice;

use crate::call::Validated;
use crate::element::Precision;
#[cfg(feature = "compact")]
use crate::element::{Real, Sample};
use crate::spacing::{Grid, Steps};
#[cfg(feature = "compact")]
use crate::stencil;
use crate::stencil::{AxisPlan, Divisor, Stencil, point_weights};
#[cfg(feature = "compact")]
use crate::value::each_interior_point;
use crate::value::{Products, Value};
use crate::view::{StridedView, StridedViewMut};

/// How one point's result comes from its stencil and the samples of its line: the arithmetic
/// of a sample type `T`.
pub(crate) trait PointRule<T: Copy, F: Precision> {
    /// The result type.
    type Out;
    /// Speed over code size: whether a line checks its bounds once, before its points, and
    /// then reads and writes them unchecked, and whether a line of an evenly spaced axis takes
    /// its interior stencil once and shifts it along; or (the `compact` build's choice, the
    /// least code) checks every access and asks the plan at every point.
    const FAST: bool;
    /// The result at a point whose formula is `stencil`, where numpy multiplies as `products`
    /// says, `sample(j)` giving `f[j]` (`None` only off the buffer, which validation rules
    /// out).
    fn point(
        stencil: &Stencil<F>,
        products: Products,
        sample: impl Fn(usize) -> Option<T>,
    ) -> Self::Out;

    /// The uniform interior of a line held in a slice: `dst[i]` from `src[i ..= i + 2]`, by
    /// numpy's `(f[i+1] - f[i-1]) / divisor`: one loop over slices. Only the
    /// [`FAST`](Self::FAST) rules' lines ask for it.
    fn interior(src: &[T], dst: &mut [Self::Out], divisor: Divisor<F>);

    /// Interior points `points` of a line along coordinates `x`: `write(i, v)` the result of
    /// point `i`, from `sample(j)`. Only the [`FAST`](Self::FAST) rules' lines ask for it; each
    /// point by its stencil unless the rule knows better.
    fn uneven(
        x: &[F],
        points: Range<usize>,
        sample: impl Fn(usize) -> Option<T>,
        mut write: impl FnMut(usize, Self::Out),
    ) {
        for i in points {
            let weights = point_weights(Steps::Coordinates(x), i);
            let stencil = Stencil::Weighted {
                first: i.wrapping_sub(1),
                weights,
            };
            write(i, Self::point(&stencil, Products::Arrays, &sample));
        }
    }

    /// [`uneven`](Self::uneven) for a line held in slices: `dst[k]` is point
    /// `points.start + k`'s result, from `src[i - 1 ..= i + 1]`.
    fn uneven_slice(x: &[F], points: Range<usize>, src: &[T], dst: &mut [Self::Out]) {
        let start = points.start;
        Self::uneven(
            x,
            points,
            |j| src.get(j).copied(),
            |i, v| {
                if let Some(o) = dst.get_mut(i.wrapping_sub(start)) {
                    *o = v;
                }
            },
        );
    }
}

/// Real samples ([`Sample`]), converted to `F` and computed in `F`.
#[cfg(feature = "compact")]
pub(crate) struct Reals;

#[cfg(feature = "compact")]
impl<T: Sample<F>, F: Real> PointRule<T, F> for Reals {
    type Out = F;
    const FAST: bool = false;
    #[inline(always)]
    fn interior(src: &[T], dst: &mut [F], divisor: Divisor<F>) {
        let difference = |p: T, m: T| stencil::difference(p.to_real(), m.to_real(), divisor);
        each_interior_point(src, dst, difference);
    }
    #[inline(always)]
    fn point(stencil: &Stencil<F>, _: Products, sample: impl Fn(usize) -> Option<T>) -> F {
        stencil.apply(|j| sample(j).map_or_else(F::nan, |v| v.to_real()))
    }
}

/// Samples with numpy's arithmetic of their own dtype ([`Value`]).
pub(crate) struct Values;

impl<V: Value<F>, F: Precision> PointRule<V, F> for Values {
    type Out = V::Out;
    const FAST: bool = true;
    #[inline(always)]
    fn interior(src: &[V], dst: &mut [V::Out], divisor: Divisor<F>) {
        V::interior(src, dst, divisor.value());
    }

    #[inline(always)]
    fn uneven(
        x: &[F],
        points: Range<usize>,
        sample: impl Fn(usize) -> Option<V>,
        write: impl FnMut(usize, V::Out),
    ) {
        V::uneven_interior(x, points, |j| sample(j).unwrap_or_else(V::missing), write);
    }

    #[inline(always)]
    fn uneven_slice(x: &[F], points: Range<usize>, src: &[V], dst: &mut [V::Out]) {
        V::uneven_slice(x, points, src, dst);
    }

    #[inline(always)]
    fn point(
        stencil: &Stencil<F>,
        products: Products,
        sample: impl Fn(usize) -> Option<V>,
    ) -> V::Out {
        let f = |j: usize| sample(j).unwrap_or_else(V::missing);
        match *stencil {
            Stencil::Difference {
                plus,
                minus,
                divisor,
            } => V::difference(f(plus), f(minus), divisor.value()),
            Stencil::Weighted { first, weights } => {
                V::weighted(weights, [f(first), f(first + 1), f(first + 2)], products)
            }
        }
    }
}

/// Every selected axis of a validated call, into its output, by `R`.
pub(crate) fn run<T: Copy, F: Precision, R: PointRule<T, F>>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, R::Out>],
    call: &Validated<'_, F>,
) {
    for ((axis, plan), output) in call.plans().zip(outputs.iter_mut()) {
        axis_points::<T, F, R>(input, output, axis, &plan, 0..plan.len());
    }
}

/// Points `points` of every line of `input` along `axis` (whose plan is `plan`) into `output`:
/// the input's shape, but `points.len()` along `axis`, point `points.start` at its index 0
/// (a whole axis, or a block's points inside the window it reads).
///
/// The views are validated for this (a call's views, or a block's parts of them), so every
/// position below is inside its buffer; the accesses are checked all the same: once per line
/// (then unchecked) for the [`FAST`](PointRule::FAST) rules, at every access otherwise (a miss
/// reads `None` or skips the write: no `unsafe` at all, for the price of a compare per access).
pub(crate) fn axis_points<T: Copy, F: Precision, R: PointRule<T, F>>(
    input: &StridedView<'_, T>,
    output: &mut StridedViewMut<'_, R::Out>,
    axis: usize,
    plan: &AxisPlan<'_, F>,
    points: Range<usize>,
) {
    let (layout, out) = (*input.layout(), *output.layout());
    // Points of the line only, whatever the caller asks: the unchecked reads below rely on it.
    let points = points.start..points.end.min(plan.len());
    if layout.is_empty() || points.is_empty() {
        return;
    }
    let (rank, n, start, m) = (layout.rank(), plan.len(), points.start, points.len());
    let count: usize = layout.shape().iter().product();
    let lines = count.checked_div(n).unwrap_or(0);
    for line in 0..lines {
        // The line's first point: `line` spelled over the other axes, the last fastest. `c`
        // (`c_out`) is each axis's C-order stride in the input (the output), the product of
        // the lengths after it, which a C-order layout would otherwise recompute for every
        // axis of every line.
        let (mut rest, mut at, mut to) = (line, layout.offset() as isize, out.offset() as isize);
        let (mut c, mut c_out) = (1isize, 1isize);
        let (mut from, mut into) = (Line { at: 0, step: 0 }, Line { at: 0, step: 0 });
        for a in (0..rank).rev() {
            let len = layout.len(a);
            let (s_in, s_out) = (layout.stride_given(a, c), out.stride_given(a, c_out));
            if a == axis {
                (from.step, into.step) = (s_in, s_out);
            } else {
                let i = rest.checked_rem(len).unwrap_or(0) as isize;
                rest = rest.checked_div(len).unwrap_or(0);
                at = at.wrapping_add(i.wrapping_mul(s_in));
                to = to.wrapping_add(i.wrapping_mul(s_out));
            }
            c = c.wrapping_mul(len as isize);
            c_out = c_out.wrapping_mul(out.len(a) as isize);
        }
        // `into.at` is where point 0 would go: point `start` goes to the output's index 0.
        let shift = (start as isize).wrapping_mul(into.step);
        (from.at, into.at) = (at, to.wrapping_sub(shift));
        // (Not asked in the `compact` build, whose code is its budget.)
        let bounded = match R::FAST {
            true => input
                .line(from.at, from.step, n)
                .zip(output.line_mut(to, into.step, m)),
            false => None,
        };
        if let Some((src, dst)) = bounded {
            // SAFETY: `line` and `line_mut` checked that the input line's `n` points and the
            // output line's `m`, at `j*step` from `src` and `dst`, lie in the input's and the
            // output's buffers; `line_of` reads points `j < n` only and writes output indices
            // `i - start < m` only (`i` in `points`).
            let read = |j: usize| Some(unsafe { src.offset(j as isize * from.step).read() });
            let write = |j: usize, v| unsafe { dst.offset(j as isize * into.step).write(v) };
            // A contiguous line's interior as slices: uniform, or along coordinates.
            let interior = match (from.step, into.step, plan.grid()) {
                (1, 1, Grid::Even(_)) => even_interior(plan).map(Interior::Even),
                (1, 1, Grid::Uneven(Steps::Coordinates(x))) => Some(Interior::Uneven(x)),
                _ => None,
            };
            match interior {
                Some(interior) => {
                    // SAFETY: as above, and with unit steps the lines are `n` and `m`
                    // consecutive elements of each buffer; input and output views never share
                    // memory (a shared and an exclusive borrow, or the raw views' contract).
                    let (src, dst) = unsafe {
                        (
                            slice::from_raw_parts(src, n),
                            slice::from_raw_parts_mut(dst, m),
                        )
                    };
                    // The interior points among `points`, then the edges.
                    let (lo, hi) = (start.max(1), points.end.min(n.saturating_sub(1)));
                    if lo < hi {
                        let out = dst.get_mut(lo - start..hi - start).unwrap_or_default();
                        match interior {
                            Interior::Even(divisor) => {
                                let src = src.get(lo - 1..hi + 1).unwrap_or_default();
                                R::interior(src, out, divisor);
                            }
                            Interior::Uneven(x) => R::uneven_slice(x, lo..hi, src, out),
                        }
                    }
                    for i in [0, n - 1] {
                        let sample = |j: usize| src.get(j).copied();
                        if let Some(o) = i.checked_sub(start).and_then(|k| dst.get_mut(k)) {
                            *o = point::<T, F, R>(plan, i, rank, sample);
                        }
                    }
                }
                None => {
                    let to_output = Line {
                        at: -(start as isize),
                        step: 1,
                    };
                    line_of::<T, F, R>(
                        read,
                        Line::POINTS,
                        write,
                        to_output,
                        plan,
                        rank,
                        points.clone(),
                    )
                }
            }
        } else {
            let write = |e, v| output.set(e, v);
            line_of::<T, F, R>(
                |e| input.get(e),
                from,
                write,
                into,
                plan,
                rank,
                points.clone(),
            );
        }
    }
}

/// How a contiguous line's interior is computed over slices.
#[derive(Clone, Copy)]
enum Interior<'x, F> {
    /// Uniform: `(f[i+1] - f[i-1]) / divisor`.
    Even(Divisor<F>),
    /// Along coordinates `x`.
    Uneven(&'x [F]),
}

/// Where a line lies in its buffer: its first element and the step between elements.
#[derive(Clone, Copy)]
pub(crate) struct Line {
    pub(crate) at: isize,
    pub(crate) step: isize,
}

impl Line {
    /// The points themselves: point `i` at index `i` (for accesses that place points
    /// themselves).
    const POINTS: Self = Self { at: 0, step: 1 };

    /// The buffer index of point `i`, if it is one.
    #[inline(always)]
    fn index(self, i: usize) -> Option<usize> {
        let i = i as isize;
        usize::try_from(self.at.wrapping_add(i.wrapping_mul(self.step))).ok()
    }
}

/// The gradient at points `points` of one line of `plan.len()` points of an input of `rank`
/// axes: numpy's stencil at each point, by `R`. `read(e)` is the input's buffer element `e`
/// (`None` outside it); `write(e, v)` stores into the output's buffer element `e` (nothing
/// outside it).
pub(crate) fn line_of<T: Copy, F: Precision, R: PointRule<T, F>>(
    read: impl Fn(usize) -> Option<T>,
    from: Line,
    mut write: impl FnMut(usize, R::Out),
    into: Line,
    plan: &AxisPlan<'_, F>,
    rank: usize,
    points: Range<usize>,
) {
    let (sample, n) = (|j: usize| from.index(j).and_then(&read), plan.len());
    let central = match R::FAST {
        true => even_interior(plan),
        false => None,
    };
    let mut points = points;
    if let (true, Grid::Uneven(Steps::Coordinates(x))) = (R::FAST, plan.grid()) {
        // The edges among `points` one at a time, the interior ones together (their weights
        // may come in lanes).
        let (lo, hi) = (points.start.max(1), points.end.min(n.saturating_sub(1)));
        if lo < hi {
            for i in (points.start..lo).chain(hi..points.end) {
                if let Some(e) = into.index(i) {
                    write(e, point::<T, F, R>(plan, i, rank, sample));
                }
            }
            let to_output = |i: usize, v| {
                if let Some(e) = into.index(i) {
                    write(e, v);
                }
            };
            R::uneven(x, lo..hi, sample, to_output);
            points = 0..0;
        }
    }
    for i in points {
        let value = match central {
            Some(divisor) if i > 0 && i + 1 < n => {
                let stencil = Stencil::Difference {
                    plus: i + 1,
                    minus: i - 1,
                    divisor,
                };
                R::point(&stencil, Products::Arrays, sample)
            }
            _ => point::<T, F, R>(plan, i, rank, sample),
        };
        if let Some(e) = into.index(i) {
            write(e, value);
        }
    }
}

/// Point `i`'s result by its plan's stencil.
#[inline(always)]
fn point<T: Copy, F: Precision, R: PointRule<T, F>>(
    plan: &AxisPlan<'_, F>,
    i: usize,
    rank: usize,
    sample: impl Fn(usize) -> Option<T>,
) -> R::Out {
    R::point(&plan.stencil(i), Products::at(rank, i, plan.len()), sample)
}

/// The divisor of an evenly spaced line's interior (point 1's stencil: `n >= 3`), taken once
/// for the whole line; `None` for an uneven line or one without an interior.
fn even_interior<F: Precision>(plan: &AxisPlan<'_, F>) -> Option<Divisor<F>> {
    match (plan.is_even() && plan.len() >= 3, plan.stencil(1)) {
        (true, Stencil::Difference { divisor, .. }) => Some(divisor),
        _ => None,
    }
}
