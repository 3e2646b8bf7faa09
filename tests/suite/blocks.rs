//! The block API: the blocks of any partition, each computed from its window, stitched
//! together, equal the whole call bit for bit — every spacing mode, both edge orders, blocks of
//! one point, windows larger than needed, block outputs of any layout.

use crate::support;

use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Spacing, StridedView, StridedViewMut,
    WholeArray, gradient,
};
use proptest::prelude::*;
use support::same;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -100.0..100.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]),
        1 => (-1000i32..1000).prop_map(f64::from),
    ]
}

#[derive(Clone, Debug)]
enum Entry {
    Uniform(f64),
    Coordinates(Vec<f64>),
    Unreduced(Vec<f64>),
    Ticks(Vec<u64>),
}

#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    /// The whole input, C order, inside a buffer with one element of slack at each end.
    data: Vec<f64>,
    /// Input axes reversed (negative strides).
    flip: Vec<bool>,
    axes: Vec<isize>,
    spacing: Vec<Entry>,
    edge: EdgeOrder,
    /// Per axis: the cut points of the partition (sorted, inside the axis).
    cuts: Vec<Vec<usize>>,
    /// Extra halo given beyond what a block needs, per axis.
    extra: Vec<usize>,
    /// Block outputs reversed along each axis.
    out_flip: Vec<bool>,
    /// 0: `Spacing::Unit`, 1: `Spacing::Uniform(0.75)`, else per axis (`spacing`).
    mode: u8,
}

fn spacing_entry(n: usize) -> impl Strategy<Value = Entry> {
    prop_oneof![
        prop::sample::select(vec![1.0, 0.5, 0.3, -2.0, 0.0]).prop_map(Entry::Uniform),
        prop::collection::vec(value(), n).prop_map(Entry::Coordinates),
        prop::collection::vec(-50.0..50.0f64, n).prop_map(Entry::Unreduced),
        // Evenly spaced: numpy reduces the whole axis to the uniform formulas.
        (-3.0..3.0f64, -5.0..5.0f64).prop_map(move |(h, x0)| Entry::Coordinates(
            (0..n).map(|i| x0 + h * i as f64).collect()
        )),
        // Even at first, then not: a block inside the even part must still take the uneven
        // formulas of its whole axis.
        (1usize..=n).prop_map(move |k| Entry::Coordinates(
            (0..n)
                .map(|i| if i < k { i as f64 } else { (i * i) as f64 })
                .collect()
        )),
        prop::collection::vec(0u64..1000, n).prop_map(|mut t| {
            t.sort_unstable();
            Entry::Ticks(t)
        }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let edge = prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)];
    (1usize..=3, edge)
        .prop_flat_map(|(rank, edge)| {
            let shape = prop::collection::vec(edge.min_len()..=11usize, rank);
            (shape, Just(edge))
        })
        .prop_flat_map(|(shape, edge)| {
            let rank = shape.len();
            let count: usize = shape.iter().product();
            let cuts: Vec<_> = shape
                .iter()
                .map(|&n| {
                    prop::collection::vec(1..n, 0..n).prop_map(|mut c| {
                        c.sort_unstable();
                        c.dedup();
                        c
                    })
                })
                .collect();
            let axes = Just((0..rank as isize).collect::<Vec<_>>()).prop_shuffle();
            (
                Just(shape.clone()),
                prop::collection::vec(value(), count + 2),
                prop::collection::vec(any::<bool>(), rank),
                (axes, 1..=rank).prop_map(|(a, k)| a[..k].to_vec()),
                Just(edge),
                cuts,
                prop::collection::vec(prop_oneof![3 => Just(0usize), 1 => 1usize..3], rank),
                prop::collection::vec(any::<bool>(), rank),
            )
        })
        .prop_flat_map(|(shape, data, flip, axes, edge, cuts, extra, out_flip)| {
            let spacing: Vec<_> = axes
                .iter()
                .map(|&a| spacing_entry(shape[a as usize]))
                .collect();
            (
                Just(shape),
                Just(data),
                Just(flip),
                Just(axes),
                spacing,
                Just(edge),
                Just(cuts),
                Just(extra),
                Just(out_flip),
            )
        })
        .prop_flat_map(
            |(shape, data, flip, axes, spacing, edge, cuts, extra, out_flip)| {
                (0u8..6).prop_map(move |mode| Case {
                    shape: shape.clone(),
                    data: data.clone(),
                    flip: flip.clone(),
                    axes: axes.clone(),
                    spacing: spacing.clone(),
                    edge,
                    cuts: cuts.clone(),
                    extra: extra.clone(),
                    out_flip: out_flip.clone(),
                    mode,
                })
            },
        )
}

/// C-order strides of `shape`, axes in `flip` reversed, and the offset of element [0, …, 0]
/// in a buffer that starts `base` elements before the array.
fn layout(shape: &[usize], flip: &[bool], base: usize) -> (Vec<isize>, usize) {
    let mut strides = vec![0isize; shape.len()];
    let mut span = 1isize;
    for a in (0..shape.len()).rev() {
        strides[a] = span;
        span *= shape[a] as isize;
    }
    let mut offset = base as isize;
    for a in 0..shape.len() {
        if flip[a] {
            offset += (shape[a] as isize - 1) * strides[a];
            strides[a] = -strides[a];
        }
    }
    (strides, offset as usize)
}

/// Every index of `shape`, C order.
fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let count: usize = shape.iter().product();
    let mut out = Vec::with_capacity(count);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..count {
        out.push(idx.clone());
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

fn at(offset: usize, strides: &[isize], idx: &[usize]) -> usize {
    let e = offset as isize
        + idx
            .iter()
            .zip(strides)
            .map(|(&i, &s)| i as isize * s)
            .sum::<isize>();
    e as usize
}

impl Case {
    fn check(&self) -> Result<(), TestCaseError> {
        let rank = self.shape.len();
        let (strides, offset) = layout(&self.shape, &self.flip, 1);
        let input = StridedView::new(&self.data, offset, &self.shape, &strides).unwrap();
        let entries: Vec<AxisSpacing<'_, f64>> = self
            .spacing
            .iter()
            .map(|e| match e {
                Entry::Uniform(h) => AxisSpacing::Uniform(*h),
                Entry::Coordinates(x) => AxisSpacing::Coordinates(x),
                Entry::Unreduced(x) => AxisSpacing::UnreducedCoordinates(x),
                Entry::Ticks(t) => AxisSpacing::Ticks64(t),
            })
            .collect();
        let spacing = match self.mode {
            0 => Spacing::Unit,
            1 => Spacing::Uniform(0.75),
            _ => Spacing::PerAxis(&entries),
        };
        let options = Options::new()
            .axes(Axes::List(&self.axes))
            .spacing(spacing)
            .edge_order(self.edge);
        let count: usize = self.shape.iter().product();
        let k = self.axes.len();

        let mut whole_out = vec![vec![0.0f64; count]; k];
        {
            let mut views: Vec<_> = whole_out
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &self.shape).unwrap())
                .collect();
            gradient(&input, &mut views, &options).unwrap();
        }

        let whole = WholeArray::new(&self.shape, &options).unwrap();
        let mut stitched = vec![vec![f64::from_bits(0x7ff4_dead_beef_0000); count]; k];
        // The partition: per axis, the ranges between cuts; blocks are their products.
        let ranges: Vec<Vec<(usize, usize)>> = (0..rank)
            .map(|a| {
                let mut edges = vec![0];
                edges.extend(&self.cuts[a]);
                edges.push(self.shape[a]);
                edges.windows(2).map(|w| (w[0], w[1])).collect()
            })
            .collect();
        let counts: Vec<usize> = ranges.iter().map(Vec::len).collect();
        for pick in indices(&counts) {
            let block: Vec<(usize, usize)> = (0..rank).map(|a| ranges[a][pick[a]]).collect();
            let block_start: Vec<usize> = block.iter().map(|b| b.0).collect();
            let block_shape: Vec<usize> = block.iter().map(|b| b.1 - b.0).collect();
            // The window: what the block reads, plus any extra, clipped to the array.
            let (mut w0, mut wshape) = (vec![0; rank], vec![0; rank]);
            for a in 0..rank {
                let need = whole.window(a, block[a].0..block[a].1).unwrap();
                let start = need.start.saturating_sub(self.extra[a]);
                let end = (need.end + self.extra[a]).min(self.shape[a]);
                w0[a] = start;
                wshape[a] = end - start;
            }
            // The window as a view of the same buffer as the whole input.
            let woff = at(offset, &strides, &w0);
            let window = StridedView::new(&self.data, woff, &wshape, &strides).unwrap();
            let bcount: usize = block_shape.iter().product();
            let (bstrides, boff) = layout(&block_shape, &self.out_flip, 0);
            let mut outs = vec![vec![0.0f64; bcount]; k];
            {
                let mut views: Vec<_> = outs
                    .iter_mut()
                    .map(|b| StridedViewMut::new(b, boff, &block_shape, &bstrides).unwrap())
                    .collect();
                whole
                    .gradient_block(&window, &w0, &block_start, &mut views)
                    .unwrap();
            }
            let (cstrides, _) = layout(&self.shape, &vec![false; rank], 0);
            for idx in indices(&block_shape) {
                let global: Vec<usize> = idx.iter().zip(&block_start).map(|(i, s)| i + s).collect();
                for j in 0..k {
                    stitched[j][at(0, &cstrides, &global)] = outs[j][at(boff, &bstrides, &idx)];
                }
            }
        }
        for j in 0..k {
            for (e, (&a, &b)) in stitched[j].iter().zip(&whole_out[j]).enumerate() {
                prop_assert!(
                    same(a, b),
                    "axis {}, element {e}: stitched {a:e} ({:#x}) whole {b:e} ({:#x})",
                    self.axes[j],
                    a.to_bits(),
                    b.to_bits()
                );
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn stitched_blocks_equal_the_whole_call(case in case()) {
        case.check()?;
    }
}

/// The whole call and the stitched blocks of a 1-D series cut at `cuts`.
fn series(f: &[f64], x: &[f64], edge: EdgeOrder, cuts: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = f.len();
    let spacing = [AxisSpacing::Coordinates(x)];
    let options = Options::new()
        .spacing(Spacing::PerAxis(&spacing))
        .edge_order(edge);
    let mut whole_out = vec![0.0; n];
    let shape = [n];
    let input = StridedView::contiguous(f, &shape).unwrap();
    let out = StridedViewMut::contiguous(&mut whole_out, &shape).unwrap();
    gradient(&input, &mut [out], &options).unwrap();
    let whole = WholeArray::new(&shape, &options).unwrap();
    let mut stitched = vec![0.0; n];
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    for w in bounds.windows(2) {
        let need = whole.window(0, w[0]..w[1]).unwrap();
        let wlen = [need.len()];
        let window = StridedView::contiguous(&f[need.clone()], &wlen).unwrap();
        let len = [w[1] - w[0]];
        let out = StridedViewMut::contiguous(&mut stitched[w[0]..w[1]], &len).unwrap();
        whole
            .gradient_block(&window, &[need.start], &[w[0]], &mut [out])
            .unwrap();
    }
    (stitched, whole_out)
}

#[test]
fn a_block_with_even_coordinates_in_an_uneven_grid_keeps_the_uneven_formulas() {
    // Points 0..4 are evenly spaced, the axis is not: numpy uses the uneven formulas on the
    // whole axis, so the block must too (dask's gradient takes the uniform ones there).
    let x = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
    // The uneven formula weighs f[1] by (dx2 - dx1) / (dx1 * dx2) = 0 at point 1: 0 * inf
    // is NaN there, where the uniform (f[2] - f[0]) / 2 is finite.
    let f = [0.1, f64::INFINITY, 0.2, 1.9, 0.4, 2.2, 0.5];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let (stitched, whole) = series(&f, &x, edge, &[4]);
        assert!(stitched.iter().zip(&whole).all(|(a, b)| same(*a, *b)));
        assert!(whole[1].is_nan() && stitched[1].is_nan());
    }
}

#[test]
fn a_reduced_axis_keeps_the_whole_axis_step_with_its_sign() {
    // Steps -0, +0, -0 compare equal: numpy reduces to the first, -0.0. A block that starts
    // at point 1 sees +0.0 first; it must still divide by the whole axis's -0.0.
    let x = [0.0, -0.0, 0.0, -0.0, 0.0];
    let f = [1.0, 2.0, 4.0, 3.0, 5.0];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let (stitched, whole) = series(&f, &x, edge, &[1, 3]);
        assert_eq!(whole[2], f64::NEG_INFINITY);
        assert!(stitched.iter().zip(&whole).all(|(a, b)| same(*a, *b)));
    }
}

#[test]
fn one_point_blocks_cover_any_series() {
    let f: Vec<f64> = (0..9).map(|i| f64::from(i * i) * 0.3 - 1.0).collect();
    let x: Vec<f64> = (0..9)
        .map(|i| f64::from(i) + f64::from(i % 3) * 0.25)
        .collect();
    let cuts: Vec<usize> = (1..9).collect();
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let (stitched, whole) = series(&f, &x, edge, &cuts);
        assert!(stitched.iter().zip(&whole).all(|(a, b)| same(*a, *b)));
    }
}

#[test]
fn malformed_blocks_are_typed_errors_and_write_nothing() {
    let f = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0];
    let options = Options::new().edge_order(EdgeOrder::Second);
    let whole = WholeArray::new(&[6], &options).unwrap();
    let mut out = [9.0; 2];
    let run = |window: &[f64], w0: usize, b0: usize, out: &mut [f64]| {
        let len = [window.len()];
        let view = StridedView::contiguous(window, &len).unwrap();
        let n = [out.len()];
        let o = StridedViewMut::contiguous(out, &n).unwrap();
        whole.gradient_block(&view, &[w0], &[b0], &mut [o])
    };
    // Block 0..2 with second-order edges reads points 0..3.
    assert_eq!(
        run(&f[0..2], 0, 0, &mut out),
        Err(GradientError::HaloTooSmall {
            axis: 0,
            needed_start: 0,
            needed_end: 3,
            start: 0,
            end: 2
        })
    );
    // Block 2..4 reads 1..5.
    assert_eq!(
        run(&f[2..5], 2, 2, &mut out),
        Err(GradientError::HaloTooSmall {
            axis: 0,
            needed_start: 1,
            needed_end: 5,
            start: 2,
            end: 5
        })
    );
    // A block past the end of the whole array.
    assert_eq!(
        run(&f[3..6], 3, 5, &mut out),
        Err(GradientError::BlockOutside {
            axis: 0,
            start: 5,
            end: 7,
            len: 6
        })
    );
    // A window past the end.
    assert_eq!(
        run(&f[0..5], 2, 3, &mut out),
        Err(GradientError::BlockOutside {
            axis: 0,
            start: 2,
            end: 7,
            len: 6
        })
    );
    assert_eq!(out, [9.0; 2]);
    // The wrong number of axes, and of outputs.
    let view = StridedView::contiguous(&f, &[6]).unwrap();
    assert_eq!(
        whole.gradient_block(&view, &[0, 0], &[0], &mut []),
        Err(GradientError::BlockRank {
            expected: 1,
            got: 2
        })
    );
    assert_eq!(
        whole.gradient_block(&view, &[0], &[0], &mut []),
        Err(GradientError::OutputCount {
            expected: 1,
            got: 0
        })
    );
    // Outputs of another rank than the whole array's.
    let mut flat = [0.0; 4];
    let o = StridedViewMut::contiguous(&mut flat, &[2, 2]).unwrap();
    assert_eq!(
        whole.gradient_block(&view, &[0], &[0], &mut [o]),
        Err(GradientError::OutputRank {
            output: 0,
            expected: 1,
            got: 2
        })
    );
    assert_eq!(flat, [0.0; 4]);
    assert_eq!(
        whole.window(1, 0..1),
        Err(GradientError::AxisOutOfRange { axis: 1, rank: 1 })
    );
    // The whole call's own checks, made once.
    assert_eq!(
        WholeArray::new(&[2], &options).err(),
        Some(GradientError::AxisTooShort {
            axis: 0,
            len: 2,
            min: 3
        })
    );
}
