//! The parallel gradient equals the serial one bit for bit: any layout, axes, spacing, edge
//! order, number of slabs and of threads.

use crate::support;

use numgrad::testing::gradient_parallel_with;
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Spacing, StridedView, StridedViewMut,
    gradient, gradient_parallel,
};
use proptest::prelude::*;
use support::same;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -100.0..100.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NAN]),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    /// Input strides: a dense layout in some axis order, some axes reversed, maybe stepped.
    order: Vec<usize>,
    flip: Vec<bool>,
    step: isize,
    data: Vec<f64>,
    axes: Vec<isize>,
    coords: Vec<Option<Vec<f64>>>,
    edge: EdgeOrder,
    slabs: usize,
    threads: usize,
}

fn case() -> impl Strategy<Value = Case> {
    let edge = prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)];
    (1usize..=3, edge)
        .prop_flat_map(|(rank, edge)| {
            (
                prop::collection::vec(edge.min_len()..=17usize, rank),
                Just(edge),
            )
        })
        .prop_flat_map(|(shape, edge)| {
            let rank = shape.len();
            let count: usize = shape.iter().product();
            let axes = Just((0..rank as isize).collect::<Vec<_>>()).prop_shuffle();
            let coords: Vec<_> = shape
                .iter()
                .map(|&n| {
                    prop_oneof![
                        Just(None),
                        prop::collection::vec(-50.0..50.0f64, n).prop_map(Some),
                        Just(Some((0..n).map(|i| 0.5 * i as f64).collect())),
                    ]
                })
                .collect();
            (
                Just(shape),
                Just((0..rank).collect::<Vec<_>>()).prop_shuffle(),
                prop::collection::vec(any::<bool>(), rank),
                prop_oneof![Just(1isize), Just(2)],
                prop::collection::vec(value(), 2 * count),
                (axes, 1..=rank).prop_map(|(a, k)| a[..k].to_vec()),
                coords,
                Just(edge),
                1usize..=9,
                1usize..=4,
            )
        })
        .prop_map(
            |(shape, order, flip, step, data, axes, coords, edge, slabs, threads)| Case {
                shape,
                order,
                flip,
                step,
                data,
                axes,
                coords,
                edge,
                slabs,
                threads,
            },
        )
}

impl Case {
    fn strides(&self) -> (Vec<isize>, usize) {
        let mut strides = vec![0isize; self.shape.len()];
        let mut span = self.step;
        for &a in self.order.iter().rev() {
            strides[a] = span;
            span *= self.shape[a] as isize;
        }
        let mut offset = 0isize;
        for (a, &f) in self.flip.iter().enumerate() {
            if f {
                offset += (self.shape[a] as isize - 1) * strides[a];
                strides[a] = -strides[a];
            }
        }
        (strides, offset as usize)
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let (strides, offset) = self.strides();
        let input = StridedView::new(&self.data, offset, &self.shape, &strides).unwrap();
        let entries: Vec<AxisSpacing<'_, f64>> = self
            .axes
            .iter()
            .map(|&a| match &self.coords[a as usize] {
                Some(x) => AxisSpacing::Coordinates(x),
                None => AxisSpacing::Uniform(0.75),
            })
            .collect();
        let options = Options::new()
            .axes(Axes::List(&self.axes))
            .spacing(Spacing::PerAxis(&entries))
            .edge_order(self.edge);
        let count: usize = self.shape.iter().product();
        let k = self.axes.len();
        let mut serial = vec![vec![0.0f64; count]; k];
        let mut parallel = vec![vec![0.0f64; count]; k];
        gradient(&input, &mut views(&mut serial, &self.shape), &options).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .unwrap();
        pool.install(|| {
            gradient_parallel_with(
                &input,
                &mut views(&mut parallel, &self.shape),
                &options,
                0,
                Some(self.slabs),
            )
        })
        .unwrap();
        for j in 0..k {
            for (e, (&a, &b)) in parallel[j].iter().zip(&serial[j]).enumerate() {
                prop_assert!(same(a, b), "output {j}, element {e}: {a:e} vs {b:e}");
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parallel_equals_serial(case in case()) {
        case.check()?;
    }
}

/// Views of the buffers of `bufs`, each of `shape`, C order.
fn views<'a>(bufs: &'a mut [Vec<f64>], shape: &'a [usize]) -> Vec<StridedViewMut<'a, f64>> {
    bufs.iter_mut()
        .map(|b| StridedViewMut::contiguous(b, shape).unwrap())
        .collect()
}

/// Serial and parallel results of `gradient` on `f` of `shape`, all axes, on a pool of 2.
fn both(f: &[f64], shape: &[usize], options: &Options<'_, f64>) -> (Vec<f64>, Vec<f64>) {
    let input = StridedView::contiguous(f, shape).unwrap();
    let k = shape.len();
    let mut serial = vec![vec![0.0; f.len()]; k];
    let mut parallel = serial.clone();
    gradient(&input, &mut views(&mut serial, shape), options).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| gradient_parallel(&input, &mut views(&mut parallel, shape), options))
        .unwrap();
    (serial.concat(), parallel.concat())
}

#[test]
fn large_calls_take_the_parallel_path_and_equal_the_serial_one() {
    let f: Vec<f64> = (0..300_000)
        .map(|i| f64::from(i % 1013).sqrt() * if i % 7 == 0 { -1.0 } else { 1.0 })
        .collect();
    for shape in [&[300_000][..], &[500, 600], &[50, 60, 100]] {
        for edge in [EdgeOrder::First, EdgeOrder::Second] {
            let options = Options::new().edge_order(edge);
            let (serial, parallel) = both(&f, shape, &options);
            assert!(serial.iter().zip(&parallel).all(|(a, b)| same(*a, *b)));
        }
    }
    // A series with uneven coordinates.
    let x: Vec<f64> = (0..300_000)
        .map(|i| f64::from(i) + f64::from(i % 5) * 0.1)
        .collect();
    let spacing = [AxisSpacing::Coordinates(&x)];
    let options = Options::new().spacing(Spacing::PerAxis(&spacing));
    let (serial, parallel) = both(&f, &[300_000], &options);
    assert!(serial.iter().zip(&parallel).all(|(a, b)| same(*a, *b)));
}

#[test]
fn errors_are_the_serial_ones_and_write_nothing() {
    let f = vec![1.0; 100_000];
    let input = StridedView::contiguous(&f, &[100, 1000]).unwrap();
    let mut out = vec![7.0; 100_000];
    let view = StridedViewMut::contiguous(&mut out, &[100, 1000]).unwrap();
    assert_eq!(
        gradient_parallel(&input, &mut [view], &Options::new()),
        Err(GradientError::OutputCount {
            expected: 2,
            got: 1
        })
    );
    assert!(out.iter().all(|&v| v == 7.0));
}
