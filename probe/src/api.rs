//! Every no_std entry point of numgrad — `gradient`, `gradient_1d`, `gradient_reference`,
//! `testing::gradient_with` (every kernel), `StridedView::{new, contiguous, from_raw_parts}`,
//! `StridedViewMut::{new, contiguous}`, `EdgeOrder::try_from`, the block API
//! (`WholeArray::{new, window, gradient_block}`), `gradient_values` — on one sample and float
//! type,
//! with every spacing kind, ranks up to past the maximum, and shapes, strides, offsets and
//! lengths the compiler cannot know (volatile loads).

use numgrad::testing::Kernel;
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, MAX_RANK, Options, Real, Sample, Spacing,
    StridedView, StridedViewMut, Value,
};

use crate::{
    ProbeFloat, ProbeSample, Volatile, prefix, prefix_mut, samples, sink, sink_floats, sink_result,
};

/// Elements of each buffer.
const N: usize = 64;
/// Outputs per call, at most.
const OUTPUTS: usize = 3;
/// One more axis than allowed, so `RankTooLarge` is reachable.
const RANKS: usize = MAX_RANK + 1;

/// An unknown edge order from an unknown integer (`EdgeOrder::try_from`).
pub fn edge_order(v: &mut Volatile) -> EdgeOrder {
    match EdgeOrder::try_from(v.word() as i64) {
        Ok(e) => e,
        Err(e) => {
            sink(u64::from(matches!(
                e,
                GradientError::InvalidEdgeOrder { .. }
            )));
            EdgeOrder::Second
        }
    }
}

/// One axis's spacing, of an unknown kind, with positions of an unknown length.
fn axis_spacing<'a, F: ProbeFloat>(
    v: &mut Volatile,
    x: &'a [F],
    t32: &'a [u32],
    t64: &'a [u64],
) -> AxisSpacing<'a, F> {
    match v.below(5) {
        0 => AxisSpacing::Uniform(F::from_f64(v.float())),
        1 => AxisSpacing::Coordinates(prefix(v, x)),
        2 => AxisSpacing::UnreducedCoordinates(prefix(v, x)),
        3 => AxisSpacing::Ticks32(prefix(v, t32)),
        _ => AxisSpacing::Ticks64(prefix(v, t64)),
    }
}

/// An unknown kernel.
fn kernel(v: &mut Volatile) -> Kernel {
    match v.below(4) {
        0 => Kernel::Auto,
        1 => Kernel::AlongContiguous,
        2 => Kernel::AlongStrided,
        _ => Kernel::Across,
    }
}

/// The unknowns of one call: a shape, input and output strides and an axis list, each of up to
/// one more axis than allowed.
struct Unknowns {
    shape: [usize; RANKS],
    strides: [isize; RANKS],
    out_strides: [isize; RANKS],
    axis_list: [isize; RANKS],
}

impl Unknowns {
    fn new(v: &mut Volatile) -> Self {
        let mut u = Self {
            shape: [0; RANKS],
            strides: [0; RANKS],
            out_strides: [0; RANKS],
            axis_list: [0; RANKS],
        };
        for k in 0..RANKS {
            u.shape[k] = v.size();
            u.strides[k] = v.stride();
            u.out_strides[k] = v.stride();
            u.axis_list[k] = v.stride();
        }
        u
    }
}

/// An input view of `data` (explicit strides or C order), or `None` when it is rejected.
fn input<'a, T>(
    v: &mut Volatile,
    data: &'a [T],
    shape: &'a [usize],
    strides: &'a [isize],
) -> Option<StridedView<'a, T>> {
    let input = if v.below(2) == 0 {
        StridedView::new(data, v.size(), shape, strides)
    } else {
        StridedView::contiguous(prefix(v, data), shape)
    };
    input
        .map_err(|e| sink(u64::from(matches!(e, GradientError::OutOfBounds { .. }))))
        .ok()
}

/// Unknown options: axes, spacing (of each kind) and edge order.
fn options<'a, F: ProbeFloat>(
    v: &mut Volatile,
    per_axis: &'a [AxisSpacing<'a, F>],
    axis_list: &'a [isize],
) -> Options<'a, F> {
    let spacing = match v.below(3) {
        0 => Spacing::Unit,
        1 => Spacing::Uniform(F::from_f64(v.float())),
        _ => Spacing::PerAxis(prefix(v, per_axis)),
    };
    let axes = match v.below(3) {
        0 => Axes::All,
        1 => Axes::One(v.stride()),
        _ => Axes::List(prefix(v, axis_list)),
    };
    Options::new()
        .axes(axes)
        .spacing(spacing)
        .edge_order(edge_order(v))
}

/// Output views of the buffers (explicit strides or C order, unknown lengths), or `None` when
/// one is rejected.
fn outputs<'a, O>(
    v: &mut Volatile,
    buffers: &'a mut [[O; N]; OUTPUTS],
    shape: &'a [usize],
    out_strides: &'a [isize],
) -> Option<[StridedViewMut<'a, O>; OUTPUTS]> {
    let views = buffers.each_mut().map(|b| {
        let b = prefix_mut(v, b);
        if v.below(2) == 0 {
            StridedViewMut::new(b, v.size(), shape, out_strides)
        } else {
            StridedViewMut::contiguous(b, shape)
        }
    });
    match views {
        [Ok(a), Ok(b), Ok(c)] => Some([a, b, c]),
        _ => {
            sink(u64::from(views.iter().any(Result::is_err)));
            None
        }
    }
}

/// Every entry point, samples `T` differentiated in `F`.
pub fn exercise<T: Sample<F> + ProbeSample, F: ProbeFloat + Real>(v: &mut Volatile) {
    let data: [T; N] = samples(v);
    let x: [F; N] = samples_f(v);
    let t32: [u32; N] = samples(v);
    let t64: [u64; N] = samples(v);
    let u = Unknowns::new(v);
    let shape = prefix(v, &u.shape);
    let strides = prefix(v, &u.strides);
    let out_strides = prefix(v, &u.out_strides);
    let Some(input) = input(v, &data, shape, strides) else {
        return;
    };
    let per_axis: [AxisSpacing<'_, F>; OUTPUTS] =
        core::array::from_fn(|_| axis_spacing(v, &x, &t32, &t64));
    let options = options(v, &per_axis, &u.axis_list);

    let mut buffers = [[F::default(); N]; OUTPUTS];
    {
        let Some(mut outputs) = outputs(v, &mut buffers, shape, out_strides) else {
            return;
        };
        let outputs = prefix_mut(v, &mut outputs);
        let r = match v.below(5) {
            0 => entry::gradient(&input, outputs, &options),
            1 => entry::gradient_reference(&input, outputs, &options),
            2 => entry::gradient_block(&input, outputs, &options, v),
            3 => {
                // The elements of a view over `data` again, through a raw view (the door for
                // other array libraries), once the view over the slice vouched for them.
                let offset = v.size();
                match StridedView::new(&data, offset, shape, strides) {
                    Ok(checked) => {
                        let first = data.as_ptr().wrapping_add(offset);
                        // SAFETY: `checked` validated that every element `first` reaches with
                        // `shape` and `strides` is an element of `data` (an empty view reaches
                        // none), and `data` is only read while the raw view lives.
                        let raw = unsafe { StridedView::from_raw_parts(first, shape, strides) };
                        sink(checked.shape().len() as u64);
                        raw.and_then(|raw| entry::gradient(&raw, outputs, &options))
                    }
                    Err(e) => Err(e),
                }
            }
            _ => entry::gradient_with_kernel(&input, outputs, &options, kernel(v)).map(|applied| {
                sink(u64::from(applied));
            }),
        };
        sink_result(&r);
    }
    for b in &buffers {
        sink_floats(b);
    }

    // The 1-D entry point.
    let mut out = [F::default(); N];
    let spacing = axis_spacing(v, &x, &t32, &t64);
    let edge = edge_order(v);
    let r = entry::gradient_1d(prefix(v, &data), prefix_mut(v, &mut out), spacing, edge);
    sink_result(&r);
    sink_floats(&out);
}

/// `gradient_values` on samples `V` (complex, datetime64, timedelta64, float16) with spacing `F`, on
/// unknowns made as for [`exercise`].
pub fn exercise_values<V: Value<F> + ProbeSample, F: ProbeFloat>(v: &mut Volatile)
where
    V::Out: Default,
{
    let data: [V; N] = samples(v);
    let x: [F; N] = samples_f(v);
    let t32: [u32; N] = samples(v);
    let t64: [u64; N] = samples(v);
    let u = Unknowns::new(v);
    let shape = prefix(v, &u.shape);
    let strides = prefix(v, &u.strides);
    let out_strides = prefix(v, &u.out_strides);
    let Some(input) = input(v, &data, shape, strides) else {
        return;
    };
    let per_axis: [AxisSpacing<'_, F>; OUTPUTS] =
        core::array::from_fn(|_| axis_spacing(v, &x, &t32, &t64));
    let options = options(v, &per_axis, &u.axis_list);
    let mut buffers = [[V::Out::default(); N]; OUTPUTS];
    {
        let Some(mut outputs) = outputs(v, &mut buffers, shape, out_strides) else {
            return;
        };
        let r = entry::gradient_values(&input, prefix_mut(v, &mut outputs), &options);
        sink_result(&r);
    }
    core::hint::black_box(&buffers);
}

/// The entry points, each behind a call that is never inlined, so that `.ci/probe.sh` can read
/// the stack each one needs from the call graph (`stack_sizes.py`): the wrapper adds nothing but
/// its call.
mod entry {
    use crate::{Volatile, prefix, sink};
    use numgrad::testing::{Isa, Kernel};
    use numgrad::{
        AxisSpacing, EdgeOrder, GradientError, Options, Precision, Real, Sample, StridedView,
        StridedViewMut, Value, WholeArray,
    };

    #[inline(never)]
    pub fn gradient<T: Sample<F>, F: Real>(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError> {
        numgrad::gradient(input, outputs, options)
    }

    #[inline(never)]
    pub fn gradient_reference<T: Sample<F>, F: Real>(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError> {
        numgrad::gradient_reference(input, outputs, options)
    }

    #[inline(never)]
    pub fn gradient_with_kernel<T: Sample<F>, F: Real>(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
        kernel: Kernel,
    ) -> Result<bool, GradientError> {
        numgrad::testing::gradient_with(input, outputs, options, kernel, Isa::Avx512)
    }

    /// The block API: the whole array of the input's shape, one block at an unknown place
    /// with `input` as its window.
    #[inline(never)]
    pub fn gradient_block<T: Sample<F>, F: Real>(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
        v: &mut Volatile,
    ) -> Result<(), GradientError> {
        let whole = WholeArray::new(input.shape(), options)?;
        let mut starts = [0usize; 4];
        for s in &mut starts {
            *s = v.size();
        }
        let at = prefix(v, &starts);
        let window = whole.window(v.size(), v.size()..v.size())?;
        sink(window.start as u64);
        whole.gradient_block(input, at, prefix(v, &starts), outputs)
    }

    #[inline(never)]
    pub fn gradient_values<V: Value<F>, F: Precision>(
        input: &StridedView<'_, V>,
        outputs: &mut [StridedViewMut<'_, V::Out>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError> {
        numgrad::gradient_values(input, outputs, options)
    }

    #[inline(never)]
    pub fn gradient_1d<T: Sample<F>, F: Real>(
        input: &[T],
        output: &mut [F],
        spacing: AxisSpacing<'_, F>,
        edge_order: EdgeOrder,
    ) -> Result<(), GradientError> {
        numgrad::gradient_1d(input, output, spacing, edge_order)
    }
}

/// An array of unknown floats of type `F`.
fn samples_f<F: ProbeFloat, const M: usize>(v: &mut Volatile) -> [F; M] {
    core::array::from_fn(|_| F::from_f64(v.float()))
}
