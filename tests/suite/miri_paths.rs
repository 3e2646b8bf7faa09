//! Every unsafe path on small inputs, sized for Miri (`cargo +nightly miri test --test
//! miri_paths`): each kernel forced on contiguous, transposed, reversed, stepped and broadcast
//! views of every lane type, uniform, coordinate and tick spacing, both edge orders, lengths
//! that leave every SIMD remainder; each result equals the scalar reference bit for bit.

use crate::support;

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, Options, Real, Sample, Spacing, StridedView, StridedViewMut,
    gradient_1d, gradient_reference,
};
use support::same;

/// Runs every kernel on `input` along `axis` with `spacing`, comparing with the reference.
fn all_kernels<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    axis: isize,
    spacing: AxisSpacing<'_, F>,
    edge: EdgeOrder,
) {
    let shape = input.shape();
    let count: usize = shape.iter().product();
    let per = [spacing];
    let options = Options::new()
        .axes(Axes::One(axis))
        .spacing(Spacing::PerAxis(&per))
        .edge_order(edge);
    let mut reference = vec![F::nan(); count];
    gradient_reference(
        input,
        &mut [StridedViewMut::contiguous(&mut reference, shape).unwrap()],
        &options,
    )
    .unwrap();
    let strides = c_strides(shape);
    let mut applied = 0;
    for kernel in [
        Kernel::Auto,
        Kernel::AlongContiguous,
        Kernel::AlongStrided,
        Kernel::Across,
    ] {
        let mut out = vec![F::nan(); count + 2];
        let view = StridedViewMut::new(&mut out, 1, shape, &strides).unwrap();
        if gradient_with(input, &mut [view], &options, kernel, Isa::Avx512).unwrap() {
            applied += 1;
            assert!(
                out[1..=count]
                    .iter()
                    .zip(&reference)
                    .all(|(&a, &b)| same(a, b)),
                "{kernel:?}"
            );
            assert!(
                out[0].is_nan() && out[count + 1].is_nan(),
                "{kernel:?} wrote a guard cell"
            );
        }
    }
    assert!(applied >= 2);
}

fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut s = vec![1isize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1] as isize;
    }
    s
}

fn values<F: Real>(n: usize) -> Vec<F> {
    (0..n)
        .map(|i| F::from(((i * 37) % 23) as f64 * 0.75 - 8.0).unwrap())
        .collect()
}

fn layouts<T: Sample<F> + Copy, F: Real>(data: &[T], edge: EdgeOrder) {
    let x = [0.0, 0.5, 1.75, 2.0, 3.5, 3.75, 5.0, 6.5, 7.0].map(|v| F::from(v).unwrap());
    let ticks = [u32::MAX - 20, u32::MAX - 3, 4, 9, 30, 31, 40, 52, 70];
    // (offset, shape, strides) over `data` (at least 60 elements).
    let views: [(usize, [usize; 2], [isize; 2]); 6] = [
        (0, [5, 9], [9, 1]),    // C order
        (0, [9, 5], [1, 9]),    // transposed
        (44, [5, 9], [-9, -1]), // reversed
        (0, [5, 9], [10, 1]),   // padded rows
        (0, [5, 9], [0, 2]),    // broadcast rows, stepped columns
        (8, [9, 5], [-1, 10]),  // reversed, transposed
    ];
    for (offset, shape, strides) in views {
        let input = StridedView::new(data, offset, &shape, &strides).unwrap();
        for axis in [0isize, 1] {
            let n = shape[axis as usize];
            all_kernels(
                &input,
                axis,
                AxisSpacing::Uniform(F::from(0.5).unwrap()),
                edge,
            );
            all_kernels(
                &input,
                axis,
                AxisSpacing::Uniform(F::from(3.0).unwrap()),
                edge,
            );
            all_kernels(&input, axis, AxisSpacing::Coordinates(&x[..n]), edge);
            all_kernels(&input, axis, AxisSpacing::Ticks32(&ticks[..n]), edge);
        }
    }
}

#[test]
fn every_kernel_on_every_lane_type() {
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        layouts::<f64, f64>(&values(60), edge);
        layouts::<f32, f32>(&values(60), edge);
        let ints: Vec<i16> = (0..60).map(|i| (i * 37 % 23 - 11) as i16).collect();
        layouts::<i16, f32>(&ints, edge);
        let bytes: Vec<u8> = (0..60).map(|i| (i * 37 % 23) as u8).collect();
        layouts::<u8, f64>(&bytes, edge);
    }
}

#[test]
fn one_dimensional_remainders() {
    for n in 2..=19 {
        let f: Vec<f64> = values(n);
        let g: Vec<f32> = values(n);
        let x: Vec<f64> = (0..n).map(|i| (i * i) as f64 * 0.25).collect();
        let t: Vec<u64> = (0..n as u64)
            .map(|i| (u64::MAX - 5).wrapping_add(i * i))
            .collect();
        for edge in [EdgeOrder::First, EdgeOrder::Second] {
            if n < edge.min_len() {
                continue;
            }
            let (mut a, mut b) = (vec![0.0; n], vec![0.0f32; n]);
            gradient_1d(&f, &mut a, AxisSpacing::Uniform(0.25), edge).unwrap();
            // The output 256 B after the input, in one buffer: swept backwards on x86_64.
            let mut pool = vec![f64::NAN; 32 + n];
            let (first, second) = pool.split_at_mut(32);
            first[..n].copy_from_slice(&f);
            gradient_1d(&first[..n], second, AxisSpacing::Uniform(0.25), edge).unwrap();
            let shape = [n];
            let options = Options::new()
                .spacing(Spacing::Uniform(0.25))
                .edge_order(edge);
            let mut reference = vec![f64::NAN; n];
            gradient_reference(
                &StridedView::contiguous(&f, &shape).unwrap(),
                &mut [StridedViewMut::contiguous(&mut reference, &shape).unwrap()],
                &options,
            )
            .unwrap();
            assert!(second.iter().zip(&reference).all(|(&a, &b)| same(a, b)));
            gradient_1d(&g, &mut b, AxisSpacing::Ticks64(&t), edge).unwrap();
            gradient_1d(&f, &mut a, AxisSpacing::UnreducedCoordinates(&x), edge).unwrap();
            let shape = [n];
            let input = StridedView::contiguous(&f, &shape).unwrap();
            all_kernels(&input, 0, AxisSpacing::Coordinates(&x), edge);
            let reversed = StridedView::new(&g, n - 1, &shape, &[-1]).unwrap();
            all_kernels(&reversed, 0, AxisSpacing::Uniform(0.1f32), edge);
        }
    }
}

#[test]
fn fused_all_axes() {
    let data: Vec<f64> = values(4 * 5 * 6);
    let shape = [4usize, 5, 6];
    let input = StridedView::contiguous(&data, &shape).unwrap();
    let x = [0.0, 1.0, 1.5, 3.0, 3.25];
    let per = [
        AxisSpacing::Uniform(2.0),
        AxisSpacing::Coordinates(&x),
        AxisSpacing::Uniform(0.3),
    ];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let options = Options::new()
            .spacing(Spacing::PerAxis(&per))
            .edge_order(edge);
        let mut f = vec![vec![0.0; 120]; 3];
        let mut s = vec![vec![0.0; 120]; 3];
        {
            let mut fv: Vec<_> = f
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
                .collect();
            let mut sv: Vec<_> = s
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
                .collect();
            assert!(gradient_with(&input, &mut fv, &options, Kernel::Auto, Isa::Avx512).unwrap());
            gradient_reference(&input, &mut sv, &options).unwrap();
        }
        assert!(
            f.iter()
                .flatten()
                .zip(s.iter().flatten())
                .all(|(&a, &b)| same(a, b))
        );
    }
}

/// Runs `gradient` (automatic kernel) along `axes` with `per` into outputs of strides
/// `out_strides` (each with a guard cell before and after), and compares with the reference.
fn auto_against_reference<F: Real>(
    input: &StridedView<'_, F>,
    axes: &[isize],
    per: &[AxisSpacing<'_, F>],
    out_strides: &[isize],
    edge: EdgeOrder,
) {
    let shape = input.shape();
    let count: usize = shape.iter().product();
    let options = Options::new()
        .axes(Axes::List(axes))
        .spacing(Spacing::PerAxis(per))
        .edge_order(edge);
    let run = |reference: bool| {
        let mut bufs = vec![vec![F::nan(); count + 2]; axes.len()];
        {
            let mut views: Vec<_> = bufs
                .iter_mut()
                .map(|b| StridedViewMut::new(b, 1, shape, out_strides).unwrap())
                .collect();
            if reference {
                gradient_reference(input, &mut views, &options).unwrap();
            } else {
                assert!(
                    gradient_with(input, &mut views, &options, Kernel::Auto, Isa::Avx512).unwrap()
                );
            }
        }
        bufs
    };
    let (fast, slow) = (run(false), run(true));
    for (f, s) in fast.iter().zip(&slow) {
        assert!(f.iter().zip(s).all(|(&a, &b)| same(a, b)));
        assert!(f[0].is_nan() && f[count + 1].is_nan(), "wrote a guard cell");
    }
}

#[test]
fn tiles_of_mixed_layouts_and_shared_coordinate_weights() {
    // The tiles of `f64` (`kernels::tiles`): 32x128, 8x16 under Miri.
    let (down, across) = if cfg!(miri) { (8, 16) } else { (32, 128) };
    let coordinates =
        |n: usize| -> Vec<f64> { (0..n).map(|i| (i * i) as f64 * 0.125 + i as f64).collect() };
    // An F-order input into C-order outputs (33x138; 9x26 under Miri): two tiles down (the
    // last one row) and two across (the first up to 7 columns wider, to where the outputs'
    // rows start a cache line; the last at least two columns).
    let shape = [down + 1, across + 10];
    let data: Vec<f64> = values(shape[0] * shape[1]);
    let f_strides = [1, shape[0] as isize];
    let f_order = StridedView::new(&data, 0, &shape, &f_strides).unwrap();
    let x = coordinates(shape[1]);
    // An F-order input (40x33; 10x9 under Miri): two tiles down (the last a quarter), one
    // across.
    let high = [down + down / 4, down + 1];
    let narrow: Vec<f64> = values(high[0] * high[1]);
    let tall_strides = [1, high[0] as isize];
    let tall = StridedView::new(&narrow, 0, &high, &tall_strides).unwrap();
    let z = coordinates(high[0]);
    // Two lines of 300 points with coordinates: two blocks of shared weights.
    let long: Vec<f64> = values(2 * 300);
    let lines = StridedView::contiguous(&long, &[2, 300]).unwrap();
    let t: Vec<f64> = (0..300).map(|i| (i * i) as f64 * 0.01 + i as f64).collect();
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        // Evenly spaced: each tile's interior swept over all its rows, the edges row by row.
        let even = [AxisSpacing::Uniform(0.5), AxisSpacing::Uniform(2.0)];
        let c_order = [shape[1] as isize, 1];
        auto_against_reference(&f_order, &[0, 1], &even, &c_order, edge);
        // Coordinates along the columns: every row by itself.
        let per = [AxisSpacing::Coordinates(&x)];
        auto_against_reference(&f_order, &[1], &per, &c_order, edge);
        let per = [AxisSpacing::Coordinates(&t)];
        auto_against_reference(&lines, &[1], &per, &[300, 1], edge);
    }
    // Coordinates down the rows (each row by itself), evenly spaced along them (swept).
    let per = [AxisSpacing::Coordinates(&z), AxisSpacing::Uniform(2.0)];
    auto_against_reference(
        &tall,
        &[0, 1],
        &per,
        &[high[1] as isize, 1],
        EdgeOrder::Second,
    );
    // `f32` samples, in the buffer's bytes as `f32` (`tiles::samples`; tiles of twice the
    // rows, as many bytes down each column): two tiles down, one across (65x40; 17x10 under
    // Miri).
    let wide = [2 * down + 1, down + down / 4];
    let singles: Vec<f32> = values(wide[0] * wide[1]);
    let wide_strides = [1, wide[0] as isize];
    let f_order = StridedView::new(&singles, 0, &wide, &wide_strides).unwrap();
    let even = [AxisSpacing::Uniform(0.5f32), AxisSpacing::Uniform(2.0)];
    auto_against_reference(
        &f_order,
        &[0, 1],
        &even,
        &[wide[1] as isize, 1],
        EdgeOrder::Second,
    );
}

#[test]
fn frames_along_both_axes() {
    // Frames straight to their two kernels (`kernels::run_frame`): a block across the rows and
    // flat lines along them, the axes either way round; lines of 9 points leave a remainder of
    // every lane width, lines of 2 have no interior.
    let data: Vec<f64> = values(5 * 9);
    let even = [AxisSpacing::Uniform(0.5), AxisSpacing::Uniform(-3.0)];
    for (shape, strides) in [([5usize, 9], [9isize, 1]), ([3, 2], [2, 1])] {
        let count = shape[0] * shape[1];
        let input = StridedView::contiguous(&data[..count], &shape).unwrap();
        for edge in [EdgeOrder::First, EdgeOrder::Second] {
            if shape[1] < edge.min_len() {
                continue;
            }
            auto_against_reference(&input, &[0, 1], &even, &strides, edge);
            auto_against_reference(&input, &[1, 0], &even, &strides, edge);
        }
    }
}
