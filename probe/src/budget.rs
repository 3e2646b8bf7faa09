//! The firmware budgets of the `compact` build: `gradient` for one sample/float pair (rank up to
//! 4, any axes, every spacing mode, both edge orders, shapes and strides the compiler cannot
//! know) and `gradient_1d` on `f32`, each in a cortex-m-rt program that `.ci/probe.sh` measures
//! against an empty one (`budget-empty`).

use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Real, Sample, Spacing, StridedView,
    StridedViewMut,
};

use crate::{ProbeFloat, ProbeSample, Volatile, prefix, prefix_mut, samples, sink, sink_result};

/// Elements of each buffer.
const N: usize = 64;
/// The largest rank (and so the most outputs) the budget covers.
const RANK: usize = 4;

/// One axis's spacing, of an unknown kind.
fn axis_spacing<'a, F: ProbeFloat>(
    v: &mut Volatile,
    x: &'a [F],
    t32: &'a [u32],
    t64: &'a [u64],
) -> AxisSpacing<'a, F> {
    match v.below(5) {
        0 => AxisSpacing::Uniform(F::from_word(v.word())),
        1 => AxisSpacing::Coordinates(prefix(v, x)),
        2 => AxisSpacing::UnreducedCoordinates(prefix(v, x)),
        3 => AxisSpacing::Ticks32(prefix(v, t32)),
        _ => AxisSpacing::Ticks64(prefix(v, t64)),
    }
}

/// `gradient` of `T` samples into `F`, every option unknown.
pub fn gradient_nd<T: Sample<F> + ProbeSample, F: ProbeFloat + Real>(v: &mut Volatile) {
    let data: [T; N] = samples(v);
    let x: [F; N] = floats(v);
    let t32: [u32; N] = samples(v);
    let t64: [u64; N] = samples(v);
    let rank = 1 + v.below(RANK);
    let mut shape = [0usize; RANK];
    let mut strides = [0isize; RANK];
    let mut out_strides = [0isize; RANK];
    let mut axis_list = [0isize; RANK];
    for k in 0..RANK {
        shape[k] = v.size();
        strides[k] = v.stride();
        out_strides[k] = v.stride();
        axis_list[k] = v.stride();
    }
    let (shape, strides, out_strides) = (&shape[..rank], &strides[..rank], &out_strides[..rank]);
    let input = match StridedView::new(&data, v.size(), shape, strides) {
        Ok(view) => view,
        Err(e) => return sink(u64::from(matches!(e, GradientError::OutOfBounds { .. }))),
    };
    let per_axis: [AxisSpacing<'_, F>; RANK] =
        core::array::from_fn(|_| axis_spacing(v, &x, &t32, &t64));
    let spacing = match v.below(3) {
        0 => Spacing::Unit,
        1 => Spacing::Uniform(F::from_word(v.word())),
        _ => Spacing::PerAxis(prefix(v, &per_axis)),
    };
    let axes = match v.below(3) {
        0 => Axes::All,
        1 => Axes::One(v.stride()),
        _ => Axes::List(prefix(v, &axis_list)),
    };
    let options = Options::new()
        .axes(axes)
        .spacing(spacing)
        .edge_order(edge_order(v));
    let mut buffers = [[F::default(); N]; RANK];
    {
        let views = buffers.each_mut().map(|b| {
            let b = prefix_mut(v, b);
            StridedViewMut::new(b, v.size(), shape, out_strides)
        });
        let mut outputs = match views {
            [Ok(a), Ok(b), Ok(c), Ok(d)] => [a, b, c, d],
            _ => return sink(u64::from(views.iter().any(Result::is_err))),
        };
        let outputs = prefix_mut(v, &mut outputs);
        sink_result(&gradient(&input, outputs, &options));
    }
    for b in &buffers {
        sink_bits(b);
    }
}

/// `gradient_1d` on `f32`, every spacing and edge order unknown.
pub fn gradient_1d_f32(v: &mut Volatile) {
    let input: [f32; N] = floats(v);
    let x: [f32; N] = floats(v);
    let t32: [u32; N] = samples(v);
    let t64: [u64; N] = samples(v);
    let mut out = [0.0f32; N];
    let spacing = axis_spacing(v, &x, &t32, &t64);
    let r = gradient_1d(
        prefix(v, &input),
        prefix_mut(v, &mut out),
        spacing,
        edge_order(v),
    );
    sink_result(&r);
    sink_bits(&out);
}

/// Either edge order. (The harness stays lean: these programs measure the library, so they make
/// their unknowns from raw words, without float conversions or fallible constructors.)
fn edge_order(v: &mut Volatile) -> EdgeOrder {
    if v.below(2) == 0 {
        EdgeOrder::First
    } else {
        EdgeOrder::Second
    }
}

/// Unknown floats, made from their bits.
fn floats<F: ProbeFloat, const M: usize>(v: &mut Volatile) -> [F; M] {
    core::array::from_fn(|_| F::from_word(v.word()))
}

/// Keeps the bits of every element of `values` alive.
fn sink_bits<F: ProbeFloat>(values: &[F]) {
    for &x in values {
        sink(x.bits());
    }
}

/// The entry point behind a call that is never inlined, so its stack can be read from the call
/// graph.
#[inline(never)]
pub fn gradient<T: Sample<F>, F: numgrad::Real>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
) -> Result<(), GradientError> {
    numgrad::gradient(input, outputs, options)
}

/// As [`gradient`], for `gradient_1d`.
#[inline(never)]
pub fn gradient_1d<T: Sample<F>, F: numgrad::Real>(
    input: &[T],
    output: &mut [F],
    spacing: AxisSpacing<'_, F>,
    edge_order: EdgeOrder,
) -> Result<(), GradientError> {
    numgrad::gradient_1d(input, output, spacing, edge_order)
}
