//! The ndarray adapter (feature `ndarray`) against the strided API: every layout ndarray makes
//! (C, F, reversed, stepped, permuted, broadcast, split by `multi_slice_mut`) gives, through
//! `gradient_array_into` and `gradient_arrays`, the bits `gradient` gives on a `StridedView`
//! over the same backing slice, whose offset and strides are written here by hand.

use crate::support;

use std::fmt::Debug;

use ndarray::{
    Array, Array2, Array3, ArrayView, ArrayViewMut, Dimension, IxDyn, ShapeBuilder, Slice, s,
};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Sample, Spacing, StridedView,
    StridedViewMut, gradient, gradient_array_into, gradient_arrays,
};
use proptest::prelude::*;
use support::{Float, same};

/// Sample types the tests build from `f64` values.
trait Make: Copy + Debug {
    fn make(x: f64) -> Self;
}

impl Make for f64 {
    fn make(x: f64) -> Self {
        x
    }
}

impl Make for f32 {
    fn make(x: f64) -> Self {
        x as f32
    }
}

impl Make for i16 {
    fn make(x: f64) -> Self {
        x.clamp(-30000.0, 30000.0).round() as i16
    }
}

/// `n` samples, uneven, with the values that decide bits among them for the float types.
fn samples<T: Make>(n: usize) -> Vec<T> {
    const POOL: [f64; 12] = [
        1.5, -0.0, 7.25, 1e-3, -3.0, 1e5, 0.0, -42.5, 3.0e-7, 19.0, -1.0e4, 2.0,
    ];
    (0..n)
        .map(|i| T::make(POOL[i % POOL.len()] * (1.0 + (i / POOL.len()) as f64 * 0.37)))
        .collect()
}

/// `gradient` on the strided API over `backing`, one C-order vector per output.
fn strided<T: Sample<F>, F: Float>(
    backing: &[T],
    offset: usize,
    shape: &[usize],
    strides: &[isize],
    outputs: usize,
    options: &Options<'_, F>,
) -> Result<Vec<Vec<F>>, GradientError> {
    let input = StridedView::new(backing, offset, shape, strides)?;
    let count = shape.iter().product();
    let mut values = vec![vec![F::nan(); count]; outputs];
    let mut views = values
        .iter_mut()
        .map(|v| StridedViewMut::contiguous(v, shape))
        .collect::<Result<Vec<_>, _>>()?;
    gradient(&input, &mut views, options)?;
    drop(views);
    Ok(values)
}

/// Bit equality of an array, in its logical order, with C-order values.
fn assert_bits<F: Float, D: Dimension>(got: &ArrayView<'_, F, D>, want: &[F], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (j, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(same(g, w), "{what}: element {j}: {g:?} vs {w:?}");
    }
}

/// numpy's `empty_like` order (`order='K'`), restated for the test: the axes outermost first.
fn numpy_order(shape: &[usize], strides: &[isize]) -> Vec<usize> {
    let contiguous = |inner_first: &mut dyn Iterator<Item = usize>| {
        shape.contains(&0)
            || inner_first
                .filter(|&k| shape[k] != 1)
                .try_fold(1isize, |expected, k| {
                    (strides[k] == expected).then(|| expected * shape[k] as isize)
                })
                .is_some()
    };
    let rank = shape.len();
    if contiguous(&mut (0..rank).rev()) {
        (0..rank).collect()
    } else if contiguous(&mut (0..rank)) {
        (0..rank).rev().collect()
    } else {
        let mut order: Vec<usize> = (0..rank).collect();
        // Stable: equal strides keep axis order.
        order.sort_by_key(|&k| std::cmp::Reverse(strides[k].unsigned_abs()));
        order
    }
}

/// The dense strides of `order` (outermost first).
fn dense_strides(shape: &[usize], order: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for &k in order.iter().rev() {
        strides[k] = step;
        step *= shape[k].max(1) as isize;
    }
    strides
}

/// Checks `view` (of `backing`, its first element at `offset`, with `strides` computed by hand)
/// through both entry points against the strided API, bit for bit; `outputs` is the number of
/// selected axes.
fn check<T: Sample<F> + Make, F: Float, D: Dimension>(
    view: &ArrayView<'_, T, D>,
    backing: &[T],
    offset: usize,
    strides: &[isize],
    outputs: usize,
    options: &Options<'_, F>,
) {
    // The hand-made layout is the view's own.
    assert_eq!(view.strides(), strides, "strides");
    assert_eq!(view.as_ptr(), backing[offset..].as_ptr(), "first element");
    let want = strided(backing, offset, view.shape(), strides, outputs, options).unwrap();

    let mut into: Vec<Array<F, D>> = (0..outputs)
        .map(|_| Array::from_elem(view.raw_dim(), F::nan()))
        .collect();
    let mut views: Vec<ArrayViewMut<'_, F, D>> = into.iter_mut().map(|a| a.view_mut()).collect();
    gradient_array_into(view, &mut views, options).unwrap();
    drop(views);
    for (k, (got, want)) in into.iter().zip(&want).enumerate() {
        assert_bits(
            &got.view(),
            want,
            &format!("gradient_array_into, output {k}"),
        );
    }

    let arrays = gradient_arrays(view, options).unwrap();
    assert_eq!(arrays.len(), outputs);
    let order = numpy_order(view.shape(), strides);
    for (k, (got, want)) in arrays.iter().zip(&want).enumerate() {
        assert_bits(&got.view(), want, &format!("gradient_arrays, output {k}"));
        assert_eq!(got.shape(), view.shape());
        if !got.is_empty() {
            assert_eq!(
                got.strides(),
                dense_strides(view.shape(), &order),
                "gradient_arrays output {k}: memory order for input strides {strides:?}"
            );
        }
    }
}

/// `check` under three option sets: defaults, second-order edges, and per-axis spacing (a
/// uniform step on axis 0, uneven coordinates on axis 1) of a 2-D view.
fn check_2d<T: Sample<F> + Make, F: Float>(
    view: &ArrayView<'_, T, ndarray::Ix2>,
    backing: &[T],
    offset: usize,
    strides: &[isize],
) {
    let x: Vec<F> = (0..view.ncols())
        .map(|i| F::of(i as f64 * 0.75 + (i * i) as f64 * 0.125))
        .collect();
    let per_axis = [
        AxisSpacing::Uniform(F::of(0.1)),
        AxisSpacing::Coordinates(&x),
    ];
    let options = [
        Options::new(),
        Options::new().edge_order(EdgeOrder::Second),
        Options::new().spacing(Spacing::PerAxis(&per_axis)),
    ];
    for options in &options {
        check(view, backing, offset, strides, 2, options);
    }
}

/// Every layout of this file's fixed cases, for one sample type and one float type.
fn every_layout<T: Sample<F> + Make, F: Float>() {
    // C order, 4x5.
    let data = samples::<T>(20);
    let a = ArrayView::from_shape((4, 5), &data).unwrap();
    check_2d(&a, &data, 0, &[5, 1]);
    // F order, 4x5.
    let f = ArrayView::from_shape((4, 5).f(), &data).unwrap();
    check_2d(&f, &data, 0, &[1, 4]);
    // Reversed rows of a 4x5: the first element is the last row's first.
    check_2d(&a.slice(s![..;-1, ..]), &data, 15, &[-5, 1]);
    // Both axes reversed.
    check_2d(&a.slice(s![..;-1, ..;-1]), &data, 19, &[-5, -1]);
    // Every other column of a 4x9 (stride 2: the adapter's gap-safe path).
    let data = samples::<T>(36);
    let a = ArrayView::from_shape((4, 9), &data).unwrap();
    check_2d(&a.slice(s![.., ..;2]), &data, 0, &[9, 2]);
    // Every third row of a 10x9, from row 0, and every other column from column 1.
    let data = samples::<T>(90);
    let a = ArrayView::from_shape((10, 9), &data).unwrap();
    check_2d(&a.slice(s![..;3, 1..;2]), &data, 1, &[27, 2]);
    // Stepped by 3 along the columns, reversed rows stepped by 2.
    check_2d(&a.slice(s![..;-2, ..;3]), &data, 81, &[-18, 3]);
    // Permuted 3-D: a C-order 3x4x5 seen as 5x3x4.
    let data = samples::<T>(60);
    let a = ArrayView::from_shape((3, 4, 5), &data).unwrap();
    let p = a.permuted_axes([2, 0, 1]);
    check(&p, &data, 0, &[1, 20, 5], 3, &Options::new());
    let lists: [&[isize]; 2] = [&[2, 0], &[-1]];
    for axes in lists {
        let opts = Options::new().axes(Axes::List(axes));
        check(&p, &data, 0, &[1, 20, 5], axes.len(), &opts);
    }
    // Broadcast: one row of 5 as a 4x5 (row stride 0), and one column as a 4x5.
    let data = samples::<T>(5);
    let row = ArrayView::from_shape(5, &data).unwrap();
    check(
        &row.broadcast((4, 5)).unwrap(),
        &data,
        0,
        &[0, 1],
        2,
        &Options::new(),
    );
    let data = samples::<T>(4);
    let column = ArrayView::from_shape((4, 1), &data).unwrap();
    let b = column.broadcast((4, 5)).unwrap();
    check(&b, &data, 0, &[1, 0], 2, &Options::new());
    // A 1-D series, and one stepped backwards by 2 (also the gap-safe path).
    let data = samples::<T>(11);
    let series = ArrayView::from_shape(11, &data).unwrap();
    check(&series, &data, 0, &[1], 1, &Options::new());
    check(
        &series.slice(s![..;-2]),
        &data,
        10,
        &[-2],
        1,
        &Options::new(),
    );
    // Dynamic rank.
    let data = samples::<T>(60);
    let d = ArrayView::from_shape(IxDyn(&[3, 4, 5]), &data).unwrap();
    check(
        &d.slice(s![.., ..;-1, 1..]),
        &data,
        15 + 1,
        &[20, -5, 1],
        3,
        &Options::new(),
    );
}

#[test]
fn every_layout_f64() {
    every_layout::<f64, f64>();
}

#[test]
fn every_layout_f32() {
    every_layout::<f32, f32>();
}

#[test]
fn every_layout_i16_into_f32() {
    every_layout::<i16, f32>();
}

/// Outputs laid out otherwise than C order: F-order arrays, reversed views.
#[test]
fn outputs_of_any_layout() {
    let data = samples::<f64>(30);
    let a = ArrayView::from_shape((5, 6), &data).unwrap();
    let want = strided(&data, 0, &[5, 6], &[6, 1], 2, &Options::<f64>::new()).unwrap();

    let mut f0 = Array2::from_elem((5, 6).f(), f64::NAN);
    let mut f1 = Array2::from_elem((5, 6).f(), f64::NAN);
    gradient_array_into(&a, &mut [f0.view_mut(), f1.view_mut()], &Options::new()).unwrap();
    assert_eq!(f0.strides(), [1, 5]);
    assert_bits(&f0.view(), &want[0], "F-order output 0");
    assert_bits(&f1.view(), &want[1], "F-order output 1");

    // Into reversed views: the arrays hold the results back to front.
    let mut r0 = Array2::from_elem((5, 6), f64::NAN);
    let mut r1 = Array2::from_elem((5, 6), f64::NAN);
    let mut views = [r0.slice_mut(s![..;-1, ..;-1]), r1.slice_mut(s![..;-1, ..])];
    gradient_array_into(&a, &mut views, &Options::new()).unwrap();
    assert_bits(&r0.slice(s![..;-1, ..;-1]), &want[0], "reversed output 0");
    assert_bits(&r1.slice(s![..;-1, ..]), &want[1], "reversed output 1");
    // Read in memory order, they are the results reversed.
    let back: Vec<f64> = want[0].iter().rev().copied().collect();
    assert_bits(&r0.view(), &back, "reversed output 0, memory order");
}

/// Two outputs interleaved in one array (even and odd columns, from `multi_slice_mut`), both
/// written in one call while both borrows live; then one half alone, the other untouched.
#[test]
fn interleaved_outputs_from_multi_slice_mut() {
    let data = samples::<f64>(4 * 7);
    let a = ArrayView::from_shape((4, 7), &data).unwrap();
    let want = strided(&data, 0, &[4, 7], &[7, 1], 2, &Options::<f64>::new()).unwrap();

    let mut both = Array2::from_elem((4, 14), f64::NAN);
    {
        let (even, odd) = both.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
        gradient_array_into(&a, &mut [even, odd], &Options::new()).unwrap();
    }
    assert_bits(&both.slice(s![.., ..;2]), &want[0], "even columns");
    assert_bits(&both.slice(s![.., 1..;2]), &want[1], "odd columns");

    // The odd half is borrowed (and written) while the even half takes the results.
    let mut half = Array2::from_elem((4, 14), f64::NAN);
    let (even, mut odd) = half.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    let axis0 = Options::new().axes(Axes::One(0));
    gradient_array_into(&a, &mut [even], &axis0).unwrap();
    odd.fill(-1.0);
    assert_bits(&half.slice(s![.., ..;2]), &want[0], "even columns alone");
    assert!(half.slice(s![.., 1..;2]).iter().all(|&v| v == -1.0));

    // Untouched: the odd half keeps its NaN bits when only the even half is an output.
    let mut keep = Array2::from_elem((4, 14), f64::NAN);
    let (even, _odd) = keep.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    gradient_array_into(&a, &mut [even], &axis0).unwrap();
    assert!(
        keep.slice(s![.., 1..;2])
            .iter()
            .all(|v| v.to_bits() == f64::NAN.to_bits())
    );
}

/// The input stepped by 2 while its gaps are an output of the same call (the odd columns
/// written while the even ones are read): the adapter reads only the input's own elements.
#[test]
fn input_and_output_interleaved_in_one_array() {
    let mut both = Array2::<f64>::zeros((5, 12));
    for (j, v) in both.iter_mut().enumerate() {
        *v = samples::<f64>(60)[j];
    }
    let copy = both.clone();
    let backing = copy.as_slice().unwrap();
    let want = strided(
        backing,
        0,
        &[5, 6],
        &[12, 2],
        1,
        &Options::<f64>::new().axes(Axes::One(1)),
    )
    .unwrap();
    let (even, odd) = both.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    let opts = Options::new().axes(Axes::One(1));
    gradient_array_into(&even.view(), &mut [odd], &opts).unwrap();
    assert_bits(&both.slice(s![.., 1..;2]), &want[0], "odd columns");
    assert_eq!(both.slice(s![.., ..;2]), copy.slice(s![.., ..;2]));
}

const TWO_STEPS: [AxisSpacing<'static, f64>; 2] =
    [AxisSpacing::Uniform(1.0), AxisSpacing::Uniform(2.0)];

/// A wrong output count or shape, or a bad option, is the strided API's error, and nothing is
/// written.
#[test]
fn errors_are_the_strided_apis_and_write_nothing() {
    let data = samples::<f64>(12);
    let a = ArrayView::from_shape((3, 4), &data).unwrap();
    let nan = f64::NAN.to_bits();
    let untouched =
        |arrays: &[Array2<f64>]| arrays.iter().all(|a| a.iter().all(|v| v.to_bits() == nan));
    let strided_err = |shapes: &[[usize; 2]], options: &Options<'_, f64>| {
        let input = StridedView::new(&data, 0, &[3, 4], &[4, 1]).unwrap();
        let mut bufs: Vec<Vec<f64>> = shapes.iter().map(|s| vec![0.0; s[0] * s[1]]).collect();
        let mut views: Vec<_> = bufs
            .iter_mut()
            .zip(shapes)
            .map(|(b, s)| StridedViewMut::contiguous(b, s).unwrap())
            .collect();
        gradient(&input, &mut views, options).unwrap_err()
    };

    let cases: [(&[[usize; 2]], Options<'_, f64>); 5] = [
        (&[[3, 4], [3, 5]], Options::new()),
        (&[[3, 4]], Options::new()),
        (&[[3, 4], [3, 4], [3, 4]], Options::new()),
        (&[[3, 4]], Options::new().axes(Axes::One(2))),
        (
            &[[3, 4]],
            Options::new()
                .axes(Axes::One(1))
                .spacing(Spacing::PerAxis(&TWO_STEPS)),
        ),
    ];
    for (shapes, options) in &cases {
        let want = strided_err(shapes, options);
        let mut outs: Vec<Array2<f64>> = shapes
            .iter()
            .map(|s| Array2::from_elem((s[0], s[1]), f64::NAN))
            .collect();
        let mut views: Vec<_> = outs.iter_mut().map(|o| o.view_mut()).collect();
        let got = gradient_array_into(&a, &mut views, options);
        drop(views);
        assert_eq!(got, Err(want), "{shapes:?}");
        if !matches!(
            want,
            GradientError::OutputCount { .. } | GradientError::OutputShape { .. }
        ) {
            assert_eq!(gradient_arrays(&a, options).unwrap_err(), want);
        }
        assert!(untouched(&outs), "{shapes:?}: an output was written");
    }
    let short = Array2::<f64>::zeros((2, 4));
    let second = Options::new().edge_order(EdgeOrder::Second);
    let input = StridedView::new(short.as_slice().unwrap(), 0, &[2, 4], &[4, 1]).unwrap();
    let mut b = [vec![0.0; 8], vec![0.0; 8]];
    let [b0, b1] = &mut b;
    let mut views = [
        StridedViewMut::contiguous(b0, &[2, 4]).unwrap(),
        StridedViewMut::contiguous(b1, &[2, 4]).unwrap(),
    ];
    let want = gradient(&input, &mut views, &second).unwrap_err();
    assert!(matches!(want, GradientError::AxisTooShort { .. }));
    assert_eq!(gradient_arrays(&short, &second).unwrap_err(), want);
}

/// More axes than numpy allows: refused as by the strided API.
#[test]
fn rank_above_the_limit() {
    let shape = [1usize; 65];
    let a = Array::<f64, _>::zeros(IxDyn(&shape));
    let want = StridedView::new(&[0.0f64], 0, &shape, &[0; 65]).unwrap_err();
    assert_eq!(
        gradient_arrays(&a, &Options::<f64>::new()).unwrap_err(),
        want
    );
    assert_eq!(
        gradient_array_into::<f64, f64, _>(&a, &mut [], &Options::new()).unwrap_err(),
        want
    );
}

/// Empty arrays: nothing to compute, outputs of the input's shape.
#[test]
fn empty_arrays() {
    let a = Array3::<f64>::zeros((0, 4, 5));
    let got = gradient_arrays(&a, &Options::<f64>::new().axes(Axes::One(1))).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].shape(), [0, 4, 5]);
}

/// One random view: a C-order base array sliced on each axis (start, step ±1..3, or
/// broadcast from length 1), then permuted.
#[derive(Clone, Debug)]
struct ViewCase {
    /// Per axis, before permuting: the view's length, its start in the base, its step (0 for
    /// a broadcast axis).
    lens: Vec<usize>,
    starts: Vec<usize>,
    steps: Vec<isize>,
    perm: Vec<usize>,
    axes: Vec<isize>,
    edge: EdgeOrder,
    spacing: SpacingCase,
    values: Vec<f64>,
}

#[derive(Clone, Debug)]
enum SpacingCase {
    Unit,
    Uniform(f64),
    /// Per selected axis: a uniform step or coordinates (sorted or not, distinct or not).
    PerAxis(Vec<Result<f64, Vec<f64>>>),
}

fn view_case() -> impl Strategy<Value = ViewCase> {
    let edge = prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)];
    (1usize..=4, edge)
        .prop_flat_map(|(rank, edge)| {
            let axis = (edge.min_len()..=6usize, 0usize..=2, 0usize..7);
            (
                prop::collection::vec(axis, rank),
                Just((0..rank).collect::<Vec<_>>()).prop_shuffle(),
                Just((0..rank as isize).collect::<Vec<_>>()).prop_shuffle(),
                0..=rank,
                Just(edge),
                prop::collection::vec(-1000.0..1000.0f64, 2000),
            )
        })
        .prop_flat_map(|(per_axis, perm, all_axes, n_axes, edge, values)| {
            // Step code 0..6: ±1..3; 6: broadcast.
            let steps: Vec<isize> = per_axis
                .iter()
                .map(|&(_, _, c)| match c {
                    6 => 0,
                    c => (c as isize % 3 + 1) * if c < 3 { 1 } else { -1 },
                })
                .collect();
            let axes: Vec<isize> = all_axes[..n_axes].to_vec();
            let lens: Vec<usize> = per_axis.iter().map(|a| a.0).collect();
            let spacing = {
                let per = axes
                    .iter()
                    .map(|&a| {
                        // Axis `a` of the permuted view is axis `perm[a]` of the slicing.
                        let n = lens[perm[a as usize]];
                        prop_oneof![
                            (0.01..10.0f64).prop_map(Ok),
                            prop::collection::vec(-5.0..5.0f64, n).prop_map(|mut x| {
                                x.sort_by(f64::total_cmp);
                                Err(x)
                            }),
                            Just(Err((0..n).map(|i| i as f64 * 0.5).collect())),
                        ]
                    })
                    .collect::<Vec<_>>();
                prop_oneof![
                    Just(SpacingCase::Unit),
                    (0.01..10.0f64).prop_map(SpacingCase::Uniform),
                    per.prop_map(SpacingCase::PerAxis),
                ]
            };
            (
                Just(per_axis),
                Just(steps),
                Just(perm),
                Just(axes),
                Just(edge),
                spacing,
                Just(values),
            )
        })
        .prop_map(
            |(per_axis, steps, perm, axes, edge, spacing, values)| ViewCase {
                lens: per_axis.iter().map(|a| a.0).collect(),
                starts: per_axis.iter().map(|a| a.1).collect(),
                steps,
                perm,
                axes,
                edge,
                spacing,
                values,
            },
        )
}

impl ViewCase {
    /// The base array's shape: each axis holds the view's elements after its start.
    fn base_shape(&self) -> Vec<usize> {
        (0..self.lens.len())
            .map(|k| match self.steps[k] {
                0 => self.starts[k] + 1,
                s => self.starts[k] + (self.lens[k] - 1) * s.unsigned_abs() + 1,
            })
            .collect()
    }

    /// Runs the case for one sample and float type.
    fn run<T: Sample<F> + Make, F: Float>(&self) -> Result<(), TestCaseError> {
        let base_shape = self.base_shape();
        let count: usize = base_shape.iter().product();
        let data: Vec<T> = (0..count)
            .map(|j| T::make(self.values[j % self.values.len()]))
            .collect();
        let base = ArrayView::from_shape(IxDyn(&base_shape), &data).unwrap();
        let rank = base_shape.len();
        // Base C strides; the view's offset and strides by hand.
        let mut c = vec![1isize; rank];
        for k in (0..rank.saturating_sub(1)).rev() {
            c[k] = c[k + 1] * base_shape[k + 1] as isize;
        }
        let mut offset = 0isize;
        let mut strides = vec![0isize; rank];
        for k in 0..rank {
            let (start, len, step) = (
                self.starts[k] as isize,
                self.lens[k] as isize,
                self.steps[k],
            );
            let first = if step < 0 {
                start + (len - 1) * -step
            } else {
                start
            };
            offset += first * c[k];
            strides[k] = step * c[k];
        }
        let sliced = base.slice_each_axis(|ax| {
            let k = ax.axis.index();
            let start = self.starts[k] as isize;
            let end = base_shape[k] as isize;
            match self.steps[k] {
                0 => Slice::new(start, Some(start + 1), 1),
                s => Slice::new(start, Some(end), s),
            }
        });
        let view = sliced.broadcast(IxDyn(&self.lens)).unwrap();
        let view = view.permuted_axes(IxDyn(&self.perm));
        let strides: Vec<isize> = self.perm.iter().map(|&p| strides[p]).collect();
        let shape: Vec<usize> = self.perm.iter().map(|&p| self.lens[p]).collect();
        prop_assert_eq!(view.shape(), &shape[..]);

        let coords: Vec<Vec<F>>;
        let per: Vec<AxisSpacing<'_, F>>;
        let spacing = match &self.spacing {
            SpacingCase::Unit => Spacing::Unit,
            SpacingCase::Uniform(h) => Spacing::Uniform(F::of(*h)),
            SpacingCase::PerAxis(list) => {
                coords = list
                    .iter()
                    .map(|e| match e {
                        Ok(_) => Vec::new(),
                        Err(x) => x.iter().map(|&v| F::of(v)).collect(),
                    })
                    .collect();
                per = list
                    .iter()
                    .zip(&coords)
                    .map(|(e, x)| match e {
                        Ok(h) => AxisSpacing::Uniform(F::of(*h)),
                        Err(_) => AxisSpacing::Coordinates(x),
                    })
                    .collect();
                Spacing::PerAxis(&per)
            }
        };
        let options = Options::new()
            .axes(Axes::List(&self.axes))
            .edge_order(self.edge)
            .spacing(spacing);
        let outputs = self.axes.len();
        let want = strided(&data, offset as usize, &shape, &strides, outputs, &options)
            .map_err(|e| TestCaseError::fail(format!("the strided API refused the case: {e:?}")))?;
        prop_assert_eq!(view.strides(), &strides[..]);
        prop_assert_eq!(view.as_ptr(), data[offset as usize..].as_ptr());

        let mut into: Vec<Array<F, IxDyn>> = (0..outputs)
            .map(|_| Array::from_elem(IxDyn(&shape), F::nan()))
            .collect();
        let mut views: Vec<_> = into.iter_mut().map(|a| a.view_mut()).collect();
        gradient_array_into(&view, &mut views, &options).unwrap();
        drop(views);
        let arrays = gradient_arrays(&view, &options).unwrap();
        let order = numpy_order(&shape, &strides);
        for k in 0..outputs {
            for (j, ((&g, &h), &w)) in into[k]
                .iter()
                .zip(arrays[k].iter())
                .zip(&want[k])
                .enumerate()
            {
                prop_assert!(same(g, w), "into, output {k} element {j}: {g:?} vs {w:?}");
                prop_assert!(same(h, w), "arrays, output {k} element {j}: {h:?} vs {w:?}");
            }
            prop_assert_eq!(arrays[k].strides(), &dense_strides(&shape, &order)[..]);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 200 } else { 1000 }))]

    #[test]
    fn random_views_equal_the_strided_api(case in view_case()) {
        case.run::<f64, f64>()?;
        case.run::<f32, f32>()?;
        case.run::<i16, f32>()?;
    }
}

/// Generic over the dimension type: fixed-rank and dynamic arrays take the same path.
#[test]
fn fixed_and_dynamic_rank_agree() {
    let data = samples::<f64>(24);
    let a = Array3::from_shape_vec((2, 3, 4), data).unwrap();
    let fixed = gradient_arrays(&a, &Options::<f64>::new()).unwrap();
    let dynamic = gradient_arrays(&a.view().into_dyn(), &Options::<f64>::new()).unwrap();
    for (f, d) in fixed.iter().zip(&dynamic) {
        let want: Vec<f64> = f.iter().copied().collect();
        assert_bits(&d.view(), &want, "dynamic rank");
    }
}
