//! Properties that hold for every input: every kernel equals the scalar reference bit for bit;
//! a strided view gives the bits of its contiguous copy; linear data gives exact slopes;
//! integer samples give the bits of their float conversion.

use crate::support;

use numgrad::testing::{Isa, Kernel, distinct_caps, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, Options, Real, Sample, Spacing, StridedView, StridedViewMut,
    gradient, gradient_1d, gradient_reference,
};
use proptest::prelude::*;
use support::{positions, same};

/// Values biased toward the ones that decide bits: zeros of both signs, infinities, NaN,
/// subnormals, huge values, and ordinary ones.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -100.0..100.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::NAN),
        1 => Just(5e-324),
        1 => Just(-1e308),
        1 => Just(1.7e308),
        1 => (-1000i32..1000).prop_map(f64::from),
    ]
}

/// A spacing value: ordinary, power of two (the multiply shortcut), or special.
fn step() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.01..10.0f64,
        2 => prop::sample::select(vec![0.25, 0.5, 1.0, 2.0, -4.0, 1024.0]),
        1 => -10.0..-0.01f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NAN, 1e-310, 1e300]),
    ]
}

/// One axis of a random input view: its length and stride (any sign, possibly zero).
#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    strides: Vec<isize>,
    data: Vec<f64>,
    offset: usize,
    axes: Vec<isize>,
    spacing: Vec<SpacingEntry>,
    edge: EdgeOrder,
    /// Output layout: axis permutation (outermost first) and sign flips.
    out_order: Vec<usize>,
    out_flip: Vec<bool>,
}

#[derive(Clone, Debug)]
enum SpacingEntry {
    Uniform(f64),
    Coordinates(Vec<f64>),
    Unreduced(Vec<f64>),
}

fn edge_order() -> impl Strategy<Value = EdgeOrder> {
    prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)]
}

fn case() -> impl Strategy<Value = Case> {
    let edge = edge_order();
    (1usize..=4, edge)
        .prop_flat_map(|(rank, edge)| {
            let min = edge.min_len();
            let shape = prop::collection::vec(min..=13usize, rank);
            (shape, Just(edge), Just(rank))
        })
        .prop_flat_map(|(shape, edge, rank)| {
            // Half the views are dense (some axis order, some axes reversed, maybe a step), so
            // the contiguous kernels get their turn; the rest have arbitrary strides.
            let dense = (
                Just((0..rank).collect::<Vec<_>>()).prop_shuffle(),
                prop::collection::vec(any::<bool>(), rank),
                prop_oneof![3 => Just(1isize), 1 => Just(2isize)],
            )
                .prop_map({
                    let shape = shape.clone();
                    move |(order, flips, step)| {
                        let mut strides = vec![0isize; shape.len()];
                        let mut span = step;
                        for &a in order.iter().rev() {
                            strides[a] = if flips[a] { -span } else { span };
                            span *= shape[a] as isize;
                        }
                        strides
                    }
                });
            let strides = prop_oneof![dense, prop::collection::vec(-3isize..=3, rank)];
            (Just(shape), strides, Just(edge), Just(rank))
        })
        .prop_flat_map(|(shape, strides, edge, rank)| {
            // Reachable extents for the strides; the buffer holds them plus slack.
            let (mut lo, mut hi) = (0isize, 0isize);
            for (&n, &s) in shape.iter().zip(&strides) {
                let e = (n as isize - 1) * s;
                if e < 0 { lo += e } else { hi += e }
            }
            let len = (hi - lo) as usize + 3;
            let axes = Just((0..rank as isize).collect::<Vec<_>>()).prop_shuffle();
            let n_axes = 1..=rank;
            (
                Just(shape.clone()),
                Just(strides),
                prop::collection::vec(value(), len),
                Just((-lo) as usize + 1),
                (axes, n_axes).prop_map(|(a, k)| a[..k].to_vec()),
                Just(edge),
                Just((0..rank).collect::<Vec<_>>()).prop_shuffle(),
                prop::collection::vec(any::<bool>(), rank),
            )
        })
        .prop_flat_map(
            |(shape, strides, data, offset, axes, edge, out_order, out_flip)| {
                let spacing: Vec<_> = axes
                    .iter()
                    .map(|&a| {
                        let n = shape[a as usize];
                        prop_oneof![
                            step().prop_map(SpacingEntry::Uniform),
                            prop::collection::vec(value(), n).prop_map(SpacingEntry::Coordinates),
                            prop::collection::vec(value(), n).prop_map(SpacingEntry::Unreduced),
                            (step(), -50.0..50.0f64).prop_map(move |(h, x0)| {
                                SpacingEntry::Coordinates(
                                    (0..n).map(|i| x0 + h * i as f64).collect(),
                                )
                            }),
                        ]
                    })
                    .collect();
                (
                    Just(shape),
                    Just(strides),
                    Just(data),
                    Just(offset),
                    Just(axes),
                    spacing,
                    Just(edge),
                    Just(out_order),
                    Just(out_flip),
                )
            },
        )
        .prop_map(
            |(shape, strides, data, offset, axes, spacing, edge, out_order, out_flip)| Case {
                shape,
                strides,
                data,
                offset,
                axes,
                spacing,
                edge,
                out_order,
                out_flip,
            },
        )
}

impl Case {
    fn count(&self) -> usize {
        self.shape.iter().product()
    }

    fn spacing_entries(&self) -> Vec<AxisSpacing<'_, f64>> {
        self.spacing
            .iter()
            .map(|e| match e {
                SpacingEntry::Uniform(h) => AxisSpacing::Uniform(*h),
                SpacingEntry::Coordinates(x) => AxisSpacing::Coordinates(x),
                SpacingEntry::Unreduced(x) => AxisSpacing::UnreducedCoordinates(x),
            })
            .collect()
    }

    /// Output strides: a dense layout with the axes nested in `out_order`, some reversed; and
    /// the offset of element [0, …, 0].
    fn out_layout(&self) -> (Vec<isize>, usize) {
        let mut strides = vec![0isize; self.shape.len()];
        let mut span = 1isize;
        for &a in self.out_order.iter().rev() {
            strides[a] = span;
            span *= self.shape[a] as isize;
        }
        let mut offset = 0isize;
        for (a, flip) in self.out_flip.iter().enumerate() {
            if *flip {
                offset += (self.shape[a] as isize - 1) * strides[a];
                strides[a] = -strides[a];
            }
        }
        (strides, offset as usize)
    }

    /// Runs the case with `kernel` (None: the reference) into `buffers`, read back in C order.
    fn run(&self, kernel: Option<Kernel>) -> Option<Vec<Vec<f64>>> {
        self.run_on(kernel, Isa::Avx512)
    }

    /// [`Case::run`] on the vector paths up to `isa`.
    fn run_on(&self, kernel: Option<Kernel>, isa: Isa) -> Option<Vec<Vec<f64>>> {
        let input = StridedView::new(&self.data, self.offset, &self.shape, &self.strides).unwrap();
        let entries = self.spacing_entries();
        let options = Options::new()
            .axes(Axes::List(&self.axes))
            .spacing(Spacing::PerAxis(&entries))
            .edge_order(self.edge);
        let (strides, offset) = self.out_layout();
        let mut buffers = vec![vec![f64::NAN; self.count()]; self.axes.len()];
        let mut views: Vec<_> = buffers
            .iter_mut()
            .map(|b| StridedViewMut::new(b, offset, &self.shape, &strides).unwrap())
            .collect();
        let applied = match kernel {
            None => gradient_reference(&input, &mut views, &options).map(|()| true),
            Some(k) => gradient_with(&input, &mut views, &options, k, isa),
        }
        .unwrap();
        drop(views);
        applied.then(|| {
            buffers
                .iter()
                .map(|b| self.c_order(b, &strides, offset))
                .collect()
        })
    }

    fn c_order(&self, buffer: &[f64], strides: &[isize], offset: usize) -> Vec<f64> {
        positions(offset, &self.shape, strides)
            .into_iter()
            .map(|at| buffer[at])
            .collect()
    }

    /// The view's elements copied into a C-order buffer.
    fn contiguous_copy(&self) -> Vec<f64> {
        self.c_order(&self.data, &self.strides, self.offset)
    }
}

/// `n` increasing coordinates, from -3 by steps of 0.01 to 10.
fn increasing(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.01..10.0f64, n).prop_map(|d| {
        d.iter()
            .scan(-3.0, |x, d| {
                *x += d;
                Some(*x)
            })
            .collect()
    })
}

/// A few long lines (up to 700 points; or 500 to 3,200: lines that share their weights swept
/// in pairs, across up to two segments of a table of weights), or many lines (129 to 260),
/// in one of the layouts a line walk meets, differentiated along the long axis (and maybe the
/// short one), with coordinates along it.
fn long_lines() -> impl Strategy<Value = Case> {
    let edge = edge_order();
    let layout = (any::<bool>(), any::<bool>(), 1isize..=2);
    let size = prop_oneof![
        2 => (3usize..=5, 3usize..=700),
        1 => (3usize..=6, 500usize..=3200),
        2 => (129usize..=260, 3usize..=160)
    ];
    (size, edge, layout)
        .prop_map(|((lines, n), edge, layout)| (lines, n, edge, layout))
        .prop_flat_map(|(lines, n, edge, (transposed, reversed, step))| {
            let shape = vec![lines, n];
            let mut strides = if transposed {
                vec![step, step * lines as isize]
            } else {
                vec![step * n as isize, step]
            };
            let offset = if reversed {
                strides[1] = -strides[1];
                (n - 1) * strides[1].unsigned_abs()
            } else {
                0
            };
            let len = (lines * n) * step as usize + 1;
            let coords = prop_oneof![increasing(n), prop::collection::vec(value(), n)];
            let axes = prop_oneof![Just(vec![1isize]), Just(vec![1isize, 0])];
            (
                Just(shape),
                Just(strides),
                prop::collection::vec(value(), len),
                Just(offset),
                axes,
                coords,
                Just(edge),
                Just(vec![0usize, 1]).prop_shuffle(),
                prop::collection::vec(any::<bool>(), 2),
            )
        })
        .prop_map(
            |(shape, strides, data, offset, axes, x, edge, out_order, out_flip)| {
                let spacing = axes
                    .iter()
                    .map(|&a| match a {
                        1 => SpacingEntry::Coordinates(x.clone()),
                        _ => SpacingEntry::Uniform(0.5),
                    })
                    .collect();
                Case {
                    shape,
                    strides,
                    data,
                    offset,
                    axes,
                    spacing,
                    edge,
                    out_order,
                    out_flip,
                }
            },
        )
}

/// An input and outputs in different memory orders, both contiguous axes at least 32 points
/// long, so that the call runs tile by tile: F order, a transposed or reversed view, maybe with
/// an outer axis the gradient is not taken along, into C-order outputs (some reversed), along
/// either or both axes, each evenly or unevenly spaced. Tiles are 32x128: up to four bands of
/// rows, and one to three tiles along each band (the last often a few columns: 250 to 270
/// columns around its edge); input columns 128 `f64` apart (1 KiB) share a few of L1's sets.
fn mixed_layouts() -> impl Strategy<Value = Case> {
    let edge = edge_order();
    let spacing = |n: usize| {
        prop_oneof![
            step().prop_map(SpacingEntry::Uniform),
            prop::collection::vec(value(), n).prop_map(SpacingEntry::Coordinates),
            increasing(n).prop_map(SpacingEntry::Coordinates),
        ]
    };
    (
        prop_oneof![4 => 30usize..=100, 1 => Just(128usize)],
        prop_oneof![5 => 30usize..=100, 1 => 129usize..=260, 1 => 250usize..=270],
        1usize..=2,
        edge,
        any::<bool>(),
    )
        .prop_flat_map(move |(rows, cols, planes, edge, reversed)| {
            // Input: axis 1 (rows) contiguous, axis 2 (columns) strided, axis 0 outermost.
            let shape = vec![planes, rows, cols];
            let mut strides = vec![(rows * cols) as isize, 1, rows as isize];
            let offset = if reversed {
                strides[1] = -1;
                rows - 1
            } else {
                0
            };
            let axes = prop_oneof![
                Just(vec![1isize]),
                Just(vec![2isize]),
                Just(vec![1isize, 2]),
                Just(vec![2isize, -2]),
            ];
            (
                Just(shape),
                Just(strides),
                prop::collection::vec(value(), planes * rows * cols),
                Just(offset),
                axes,
                (spacing(rows), spacing(cols)),
                Just(edge),
                prop::collection::vec(any::<bool>(), 2),
            )
        })
        .prop_map(
            |(shape, strides, data, offset, axes, (rows, cols), edge, flips)| {
                let spacing = axes
                    .iter()
                    .map(|&a| {
                        if a.rem_euclid(3) == 1 {
                            rows.clone()
                        } else {
                            cols.clone()
                        }
                    })
                    .collect();
                Case {
                    shape,
                    strides,
                    data,
                    offset,
                    axes,
                    spacing,
                    edge,
                    out_order: vec![0, 1, 2],
                    out_flip: vec![false, flips[0], flips[1]],
                }
            },
        )
}

/// Each of `kernels` that fits the case, on each vector path this CPU has (the distinct caps),
/// equals the reference; returns how many (kernel, path) pairs fitted.
fn on_every_path(case: &Case, kernels: &[Kernel]) -> Result<usize, TestCaseError> {
    let reference = case.run(None).unwrap();
    let mut applied = 0;
    for &kernel in kernels {
        for isa in distinct_caps(kernel) {
            if let Some(got) = case.run_on(Some(kernel), isa) {
                same_bits(&got, &reference)?;
                applied += 1;
            }
        }
    }
    Ok(applied)
}

fn same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) -> Result<(), TestCaseError> {
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        for (j, (&p, &q)) in x.iter().zip(y).enumerate() {
            prop_assert!(
                p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()),
                "output {k} element {j}: {p:?} vs {q:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 300 } else { 2000 }))]

    #[test]
    fn every_kernel_equals_the_reference(case in case()) {
        let reference = case.run(None).unwrap();
        let mut applied = 0;
        for kernel in [Kernel::Auto, Kernel::AlongContiguous, Kernel::AlongStrided, Kernel::Across] {
            if let Some(got) = case.run(Some(kernel)) {
                same_bits(&got, &reference)?;
                applied += 1;
            }
        }
        // Auto and AlongStrided always fit.
        prop_assert!(applied >= 2);
    }

    #[test]
    fn a_strided_view_gives_the_bits_of_its_contiguous_copy(case in case()) {
        let strided = case.run(Some(Kernel::Auto)).unwrap();
        let copy = Case {
            strides: {
                let mut s = vec![1isize; case.shape.len()];
                for k in (0..s.len().saturating_sub(1)).rev() {
                    s[k] = s[k + 1] * case.shape[k + 1] as isize;
                }
                s
            },
            data: case.contiguous_copy(),
            offset: 0,
            ..case.clone()
        };
        same_bits(&copy.run(Some(Kernel::Auto)).unwrap(), &strided)?;
    }

    #[test]
    fn linear_data_gives_exact_slopes(
        n in 3usize..80,
        c0 in -1000i32..1000,
        slope in -64i32..64,
        log2_h in -4i32..4,
        second in any::<bool>(),
    ) {
        // f[i] = c0 + slope * i * h with h a power of two: every operation is exact, so every
        // point, edges included, gives `slope` exactly.
        let h = 2f64.powi(log2_h);
        let f: Vec<f64> = (0..n).map(|i| f64::from(c0) + f64::from(slope) * i as f64 * h).collect();
        let edge = if second { EdgeOrder::Second } else { EdgeOrder::First };
        let mut out = vec![f64::NAN; n];
        gradient_1d(&f, &mut out, AxisSpacing::Uniform(h), edge).unwrap();
        prop_assert!(out.iter().all(|&g| g == f64::from(slope)), "{out:?}");
        let f32_data: Vec<f32> = f.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![f32::NAN; n];
        gradient_1d(&f32_data, &mut out32, AxisSpacing::Uniform(h as f32), edge).unwrap();
        prop_assert!(out32.iter().all(|&g| g == slope as f32), "{out32:?}");
    }

    #[test]
    fn linear_data_on_uneven_coordinates_gives_the_slope(
        steps in prop::collection::vec(0.1..3.0f64, 2..60),
        slope in -10.0..10.0f64,
        second in any::<bool>(),
    ) {
        // Second-order formulas are exact for linear data up to rounding.
        let mut x = vec![0.0];
        for s in &steps {
            x.push(x[x.len() - 1] + s);
        }
        let f: Vec<f64> = x.iter().map(|&x| 3.0 + slope * x).collect();
        let edge = if second && x.len() >= 3 { EdgeOrder::Second } else { EdgeOrder::First };
        let mut out = vec![f64::NAN; x.len()];
        gradient_1d(&f, &mut out, AxisSpacing::Coordinates(&x), edge).unwrap();
        for g in out {
            prop_assert!((g - slope).abs() <= 1e-9 * (1.0 + slope.abs()) * 100.0, "{g} vs {slope}");
        }
    }

    #[test]
    fn integer_samples_give_the_bits_of_their_float_conversion(
        data in prop::collection::vec(any::<i16>(), 2..70),
        h in step(),
        second in any::<bool>(),
    ) {
        let edge = if second && data.len() >= 3 { EdgeOrder::Second } else { EdgeOrder::First };
        check_conversion::<i16, f32>(&data, h as f32, edge)?;
        check_conversion::<i16, f64>(&data, h, edge)?;
        let wide: Vec<u64> = data.iter().map(|&v| (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        check_conversion::<u64, f64>(&wide, h, edge)?;
        check_conversion::<u64, f32>(&wide, h as f32, edge)?;
    }

    #[test]
    fn f32_kernels_equal_the_reference(
        data in prop::collection::vec(value().prop_map(|v| v as f32), 3..90),
        h in step().prop_map(|v| v as f32),
        rows in 1usize..5,
        second in any::<bool>(),
    ) {
        // A rows x cols image; both axes, every kernel.
        let cols = data.len() / rows;
        prop_assume!(cols >= 3 && rows >= 1);
        let data = &data[..rows * cols];
        let shape = [rows, cols];
        let input = StridedView::contiguous(data, &shape).unwrap();
        let edge = if second { EdgeOrder::Second } else { EdgeOrder::First };
        let axes: &[isize] = if rows >= edge.min_len() { &[0, 1] } else { &[1] };
        let options = Options::new().axes(Axes::List(axes)).spacing(Spacing::Uniform(h)).edge_order(edge);
        let run = |kernel: Option<Kernel>| {
            let mut bufs = vec![vec![f32::NAN; data.len()]; axes.len()];
            let mut views: Vec<_> = bufs.iter_mut().map(|b| StridedViewMut::contiguous(b, &shape).unwrap()).collect();
            let applied = match kernel {
                None => gradient_reference(&input, &mut views, &options).map(|()| true),
                Some(k) => gradient_with(&input, &mut views, &options, k, Isa::Avx512),
            }.unwrap();
            drop(views);
            applied.then_some(bufs)
        };
        let reference = run(None).unwrap();
        for kernel in [Kernel::Auto, Kernel::AlongContiguous, Kernel::AlongStrided, Kernel::Across] {
            if let Some(got) = run(Some(kernel)) {
                for (g, r) in got.iter().flatten().zip(reference.iter().flatten()) {
                    prop_assert!(g.to_bits() == r.to_bits() || (g.is_nan() && r.is_nan()), "{kernel:?}: {g} vs {r}");
                }
            }
        }
    }
}

// Larger calls (the tiled walk of mixed layouts, shared coordinate weights over several
// blocks), fewer of them.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 64 } else { 500 }))]

    #[test]
    fn long_coordinate_lines_equal_the_reference_on_every_path(case in long_lines()) {
        let kernels = [Kernel::Auto, Kernel::AlongContiguous, Kernel::AlongStrided, Kernel::Across];
        // Auto and AlongStrided fit every layout, on each path.
        let paths = |kernel| distinct_caps(kernel).count();
        prop_assert!(on_every_path(&case, &kernels)? >= paths(Kernel::Auto) + paths(Kernel::AlongStrided));
    }

    #[test]
    fn mixed_layouts_equal_the_reference_on_every_path(case in mixed_layouts()) {
        prop_assert_eq!(on_every_path(&case, &[Kernel::Auto])?, distinct_caps(Kernel::Auto).count());
    }
}

fn check_conversion<T: Sample<F> + Copy, F: Real>(
    data: &[T],
    h: F,
    edge: EdgeOrder,
) -> Result<(), TestCaseError> {
    let floats: Vec<F> = data.iter().map(|&v| v.to_real()).collect();
    let (mut a, mut b) = (vec![F::nan(); data.len()], vec![F::nan(); data.len()]);
    gradient_1d(data, &mut a, AxisSpacing::Uniform(h), edge).unwrap();
    gradient_1d(&floats, &mut b, AxisSpacing::Uniform(h), edge).unwrap();
    for (&x, &y) in a.iter().zip(&b) {
        prop_assert!(same(x, y), "{x:?} vs {y:?}");
    }
    // The N-d API agrees with the 1-D one.
    let shape = [data.len()];
    let input = StridedView::contiguous(data, &shape).unwrap();
    let mut c = vec![F::nan(); data.len()];
    gradient(
        &input,
        &mut [StridedViewMut::contiguous(&mut c, &shape).unwrap()],
        &Options::new().spacing(Spacing::Uniform(h)).edge_order(edge),
    )
    .unwrap();
    for (&x, &y) in a.iter().zip(&c) {
        prop_assert!(same(x, y), "{x:?} vs {y:?}");
    }
    Ok(())
}

/// Arrays large enough that the fused all-axes pass cuts the outer axis into several chunks
/// (chunks hold about 256 KiB of input): the result must still equal the reference.
#[test]
fn fused_chunks_equal_the_reference() {
    fn check<T: Sample<f64> + Copy>(
        data: &[T],
        shape: &[usize],
        strides: &[isize],
        offset: usize,
        edge: EdgeOrder,
    ) {
        let coords: Vec<Vec<f64>> = shape
            .iter()
            .map(|&n| (0..n).map(|i| (i * i) as f64 * 0.01 + i as f64).collect())
            .collect();
        let input = StridedView::new(data, offset, shape, strides).unwrap();
        let count: usize = shape.iter().product();
        for spacing_kind in 0..2 {
            let entries: Vec<AxisSpacing<'_, f64>> = coords
                .iter()
                .enumerate()
                .map(|(a, x)| {
                    if spacing_kind == 1 && a % 2 == 0 {
                        AxisSpacing::Coordinates(x)
                    } else {
                        AxisSpacing::Uniform(0.5 + a as f64)
                    }
                })
                .collect();
            let options = Options::new()
                .spacing(Spacing::PerAxis(&entries))
                .edge_order(edge);
            let run = |reference: bool| {
                let mut bufs = vec![vec![f64::NAN; count]; shape.len()];
                let mut views: Vec<_> = bufs
                    .iter_mut()
                    .map(|b| StridedViewMut::contiguous(b, shape).unwrap())
                    .collect();
                if reference {
                    gradient_reference(&input, &mut views, &options).unwrap();
                } else {
                    gradient(&input, &mut views, &options).unwrap();
                }
                drop(views);
                bufs
            };
            let (fast, slow) = (run(false), run(true));
            for (k, (f, s)) in fast.iter().zip(&slow).enumerate() {
                for (j, (a, b)) in f.iter().zip(s).enumerate() {
                    assert!(
                        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                        "shape {shape:?} output {k} element {j}: {a} vs {b}"
                    );
                }
            }
        }
    }
    let wave = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 150.0)
            .collect()
    };
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        check(&wave(300 * 301), &[300, 301], &[301, 1], 0, edge);
        check(&wave(41 * 50 * 80), &[41, 50, 80], &[4000, 80, 1], 0, edge);
        check(
            &wave(9 * 40 * 30 * 5),
            &[9, 40, 30, 5],
            &[6000, 150, 5, 1],
            0,
            edge,
        );
        // Reversed outer axis, and a transposed 2-D view.
        check(&wave(300 * 301), &[300, 301], &[-301, 1], 299 * 301, edge);
        check(&wave(300 * 301), &[301, 300], &[1, 301], 0, edge);
        let ints: Vec<i16> = (0..200 * 1400)
            .map(|i| ((i * 31) % 2000 - 1000) as i16)
            .collect();
        check(&ints, &[200, 1400], &[1400, 1], 0, edge);
    }
}

/// `n` samples of a test pattern, every `every`-th one (from the fifth) among the values that
/// decide bits (zeros, infinities, NaN, subnormals, huge values), made into `T` by `make`.
fn patterned<T>(n: usize, every: usize, make: &impl Fn(f64) -> T) -> Vec<T> {
    let pool = support::specials_and(&[1.5, -2.25, 7.0, 1e300, -3e-310, 0.1, 42.0]);
    (0..n)
        .map(|i| {
            make(if i % every == 5 {
                pool[i / every % pool.len()]
            } else {
                ((i * 37) % 101) as f64 * 0.25 - 12.0
            })
        })
        .collect()
}

/// `x` as an `i16` sample: clamped, and 7 for a NaN or an infinity.
fn to_i16(x: f64) -> i16 {
    if x.is_finite() {
        x.clamp(-3e4, 3e4) as i16
    } else {
        7
    }
}

/// The `selected` outputs of `gradient` on the paths up to `isa` (the reference's for `None`),
/// each an array of the input's shape: contiguous, or at `strides`.
fn outputs_on<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
    selected: usize,
    strides: Option<&[isize]>,
    isa: Option<Isa>,
) -> Vec<Vec<F>> {
    outputs_placed(input, options, selected, strides, isa, 0)
}

/// [`outputs_on`], each output starting `place` elements into its allocation.
fn outputs_placed<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
    selected: usize,
    strides: Option<&[isize]>,
    isa: Option<Isa>,
    place: usize,
) -> Vec<Vec<F>> {
    let shape = input.shape();
    let count: usize = shape.iter().product();
    let mut bufs = vec![vec![F::nan(); place + count]; selected];
    let mut outs: Vec<_> = bufs
        .iter_mut()
        .map(|b| match strides {
            None => StridedViewMut::contiguous(&mut b[place..], shape).unwrap(),
            Some(strides) => StridedViewMut::new(b, place, shape, strides).unwrap(),
        })
        .collect();
    match isa {
        Some(isa) => assert!(gradient_with(input, &mut outs, options, Kernel::Auto, isa).unwrap()),
        None => gradient_reference(input, &mut outs, options).unwrap(),
    }
    drop(outs);
    bufs.into_iter().map(|b| b[place..].to_vec()).collect()
}

/// Asserts that `got` holds `reference`'s bits (any NaN for a NaN), naming the first element
/// that differs and `what` was run.
fn assert_same_outputs<F: Real>(got: &[Vec<F>], reference: &[Vec<F>], what: impl Fn() -> String) {
    for (k, (g, r)) in got.iter().zip(reference).enumerate() {
        let at = g.iter().zip(r).position(|(&a, &b)| !same(a, b));
        assert!(
            at.is_none(),
            "{}, output {k}, element {at:?}: {:?} vs {:?}",
            what(),
            at.map(|j| g[j]),
            at.map(|j| r[j])
        );
    }
}

/// Frames along both axes, every size around the kernels' lanes and the frame shortcut's
/// limits (2 rows take the search's other route, lines of 129 points are not flat), either
/// order of the axes, contiguous descriptors and explicit C-order strides (both take the
/// shortcut), padded rows (which do not): every vector path gives the reference's bits.
#[test]
fn frames_along_both_axes_equal_the_reference_on_every_path() {
    fn check<T: Sample<F> + Copy, F: Real>(make: impl Fn(f64) -> T) {
        for rows in [2usize, 3, 4, 5, 9, 40] {
            for cols in [2usize, 3, 7, 8, 9, 16, 17, 31, 32, 33, 127, 128, 129] {
                // Rows padded by one element: the third layout.
                let padded = cols + 1;
                let data: Vec<T> = patterned(rows * padded, 11, &make);
                let shape = [rows, cols];
                let dense = &data[..rows * cols];
                let (c_strides, padded_strides) = ([cols as isize, 1], [padded as isize, 1]);
                let views = [
                    StridedView::contiguous(dense, &shape).unwrap(),
                    StridedView::new(dense, 0, &shape, &c_strides).unwrap(),
                    StridedView::new(&data, 0, &shape, &padded_strides).unwrap(),
                ];
                for (input, edge, axes) in views.iter().flat_map(|v| {
                    [EdgeOrder::First, EdgeOrder::Second]
                        .into_iter()
                        .flat_map(move |e| [[0isize, 1], [1, 0]].map(|a| (v, e, a)))
                }) {
                    if rows < edge.min_len() || cols < edge.min_len() {
                        continue;
                    }
                    let per = [
                        AxisSpacing::Uniform(F::from(0.5).unwrap()),
                        AxisSpacing::Uniform(F::from(-3.0).unwrap()),
                    ];
                    let options = Options::new()
                        .axes(Axes::List(&axes))
                        .spacing(Spacing::PerAxis(&per))
                        .edge_order(edge);
                    let reference = outputs_on(input, &options, 2, None, None);
                    for isa in distinct_caps(Kernel::Auto) {
                        for strides in [None, Some(&c_strides[..])] {
                            let got = outputs_on(input, &options, 2, strides, Some(isa));
                            assert_same_outputs(&got, &reference, || {
                                format!("{rows}x{cols}, axes {axes:?}, {edge:?}, {isa:?}")
                            });
                        }
                    }
                }
            }
        }
    }
    check::<f64, f64>(|x| x);
    check::<f32, f32>(|x| x as f32);
    check::<i16, f32>(to_i16);
}

/// Mixed layouts tile by tile (`kernels::tiles`) for every sample type the tiles copy: F-order
/// inputs, their rows forwards and reversed, into C-order outputs. The columns cross the tiles'
/// edges (128 columns) once or several times; the rows (bands of 32 `f64` rows, 64 `f32`)
/// leave a band of one row, or of a few, or make one band. Along either axis or both, evenly spaced or by
/// coordinates along the columns; every vector path gives the reference's bits.
#[test]
fn mixed_layouts_of_every_sample_type_equal_the_reference_on_every_path() {
    fn check<T: Sample<F> + Copy, F: Real>(make: impl Fn(f64) -> T) {
        for (rows, cols) in [(33usize, 130usize), (40, 260), (65, 1030)] {
            let data: Vec<T> = patterned(rows * cols, 13, &make);
            let x: Vec<F> = (0..cols)
                .map(|i| F::from(i as f64 * 0.5 + 0.125 * (i as f64 * 1.3).sin()).unwrap())
                .collect();
            let shape = [rows, cols];
            let (forward, reversed) = ([1isize, rows as isize], [-1isize, rows as isize]);
            let inputs = [
                StridedView::new(&data, 0, &shape, &forward).unwrap(),
                StridedView::new(&data, rows - 1, &shape, &reversed).unwrap(),
            ];
            let (even, by) = (
                [
                    AxisSpacing::Uniform(F::from(0.5).unwrap()),
                    AxisSpacing::Uniform(F::from(-3.0).unwrap()),
                ],
                [
                    AxisSpacing::Uniform(F::from(0.5).unwrap()),
                    AxisSpacing::Coordinates(&x),
                ],
            );
            for input in &inputs {
                for edge in [EdgeOrder::First, EdgeOrder::Second] {
                    for (axes, per) in [
                        (&[0isize, 1][..], &even[..]),
                        (&[0, 1], &by[..]),
                        (&[1], &by[1..]),
                        (&[0], &even[..1]),
                    ] {
                        let options = Options::new()
                            .axes(Axes::List(axes))
                            .spacing(Spacing::PerAxis(per))
                            .edge_order(edge);
                        let reference = outputs_on(input, &options, axes.len(), None, None);
                        for isa in distinct_caps(Kernel::Auto) {
                            let got = outputs_on(input, &options, axes.len(), None, Some(isa));
                            assert_same_outputs(&got, &reference, || {
                                format!(
                                    "{rows}x{cols} {}, axes {axes:?}, {edge:?}, {isa:?}",
                                    core::any::type_name::<T>()
                                )
                            });
                        }
                    }
                }
            }
        }
    }
    check::<f64, f64>(|x| x);
    check::<f32, f32>(|x| x as f32);
    check::<i16, f32>(to_i16);
}

/// Mixed layouts into outputs that start at every place within a cache line: the tiles' columns
/// after the first start on the first output's cache lines, so the first tile of a band is up to
/// a cache line's samples wider than the others. `f64` and `f32` (tiles of 128 columns),
/// F-order inputs into C-order outputs whose rows are whole cache lines (every row placed alike)
/// or not, first- and second-order edges, evenly spaced and by coordinates: every vector path
/// gives the reference's bits.
#[test]
fn mixed_layouts_into_outputs_at_every_place_in_a_cache_line_equal_the_reference() {
    fn check<F: Real>() {
        let line = 64 / size_of::<F>();
        // A band's rows: 256 bytes of the input's columns. Three bands, the middle one with a
        // halo row on each side (the largest window); two bands.
        let band = 256 / size_of::<F>();
        for (rows, cols) in [
            (2 * band + 8, 4 * line * 8 + 3),
            (band + 3, 2 * line * 8 + 5 * line),
        ] {
            let data: Vec<F> = patterned(rows * cols, 11, &|v| F::from(v).unwrap());
            let x: Vec<F> = (0..cols)
                .map(|i| F::from(i as f64 * 0.25 + 0.0625 * (i as f64 * 0.7).sin()).unwrap())
                .collect();
            let shape = [rows, cols];
            let f_order = [1, rows as isize];
            let input = StridedView::new(&data, 0, &shape, &f_order).unwrap();
            let spacings = [
                [AxisSpacing::Uniform(F::from(0.5).unwrap()); 2],
                [
                    AxisSpacing::Uniform(F::from(0.5).unwrap()),
                    AxisSpacing::Coordinates(&x),
                ],
            ];
            for edge in [EdgeOrder::First, EdgeOrder::Second] {
                for per in &spacings {
                    let options = Options::new()
                        .spacing(Spacing::PerAxis(per))
                        .edge_order(edge);
                    let reference = outputs_on(&input, &options, 2, None, None);
                    for place in 0..line {
                        for isa in distinct_caps(Kernel::Auto) {
                            let got = outputs_placed(&input, &options, 2, None, Some(isa), place);
                            assert_same_outputs(&got, &reference, || {
                                format!(
                                    "{rows}x{cols} {}, output at {place}, {edge:?}, {isa:?}",
                                    core::any::type_name::<F>()
                                )
                            });
                        }
                    }
                }
            }
        }
    }
    check::<f64>();
    check::<f32>();
}

/// Arrays along a subset of their axes, the outer one among them, whose outer points hold more
/// than 3 MiB, by coordinates along the outer axis: the fused pass then also cuts an axis no
/// output differentiates along, one point at a time (`pass::across`), leaving one axis or two
/// in each part. Over outputs of two layouts, on every vector path, the result must equal the
/// reference.
#[test]
fn fused_parts_across_an_unselected_axis_equal_the_reference() {
    // (shape, selected axes): a point of axis 0 holds more than 3 MiB of `f64`, and the
    // unselected axis's points lie at least 4 KiB apart. The first's C-order output takes
    // non-temporal stores (16 MiB), and its planes start their rows at three offsets within a
    // cache line: the table the first part fills serves some parts' lines in place and is
    // copied for the others', on some vector path.
    // The third's parts (rows of 64 KiB, planes of 3.25 MiB) take several chunks of the outer
    // axis, a last one shorter, whatever the L2 (`pass::part_chunk_bytes`: 1, 2 or 4 planes).
    // (Under Miri, `miri_layouts` runs the cut on a small array: its thresholds are its own.)
    let cases: [(&[usize], &[isize]); 3] = [
        (&[3, 701, 1030], &[2, 0]),
        (&[3, 253, 3, 520], &[0, 3]),
        (&[5, 52, 8192], &[2, 0]),
    ];
    for (shape, axes) in cases {
        let count: usize = shape.iter().product();
        let data: Vec<f64> = (0..count)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 150.0)
            .collect();
        let input = StridedView::contiguous(&data, shape).unwrap();
        let coords: Vec<Vec<f64>> = shape
            .iter()
            .map(|&n| (0..n).map(|i| (i * i) as f64 * 0.01 + i as f64).collect())
            .collect();
        // The outputs: C order, then the last one with its axes reversed (every stride negative).
        let c_strides: Vec<isize> = (0..shape.len())
            .map(|a| shape[a + 1..].iter().product::<usize>() as isize)
            .collect();
        let reversed: Vec<isize> = c_strides.iter().map(|s| -s).collect();
        // Coordinates along every axis, or along the outer axis only.
        for (uneven, edge) in [(!0, EdgeOrder::Second), (1, EdgeOrder::First)] {
            // One entry per selected axis, in the order of `axes`.
            let entries: Vec<AxisSpacing<'_, f64>> = axes
                .iter()
                .map(|&a| match uneven & 1 << a {
                    0 => AxisSpacing::Uniform(0.5 + a as f64),
                    _ => AxisSpacing::Coordinates(&coords[a as usize]),
                })
                .collect();
            let options = Options::new()
                .spacing(Spacing::PerAxis(&entries))
                .axes(Axes::List(axes))
                .edge_order(edge);
            let run = |isa: Option<Isa>| {
                let mut bufs = vec![vec![f64::NAN; count]; axes.len()];
                let last = bufs.len() - 1;
                let mut views: Vec<_> = bufs
                    .iter_mut()
                    .enumerate()
                    .map(|(k, b)| match k == last {
                        true => StridedViewMut::new(b, count - 1, shape, &reversed).unwrap(),
                        false => StridedViewMut::new(b, 0, shape, &c_strides).unwrap(),
                    })
                    .collect();
                match isa {
                    Some(isa) => {
                        assert!(
                            gradient_with(&input, &mut views, &options, Kernel::Auto, isa).unwrap()
                        )
                    }
                    None => gradient_reference(&input, &mut views, &options).unwrap(),
                }
                drop(views);
                bufs
            };
            let slow = run(None);
            for isa in distinct_caps(Kernel::Auto) {
                let fast = run(Some(isa));
                for (k, (f, s)) in fast.iter().zip(&slow).enumerate() {
                    for (j, (a, b)) in f.iter().zip(s).enumerate() {
                        assert!(
                            same(*a, *b),
                            "{isa:?} shape {shape:?} axes {axes:?} uneven {uneven:#b} output {k} \
                             element {j}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }
}
