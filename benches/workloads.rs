//! The performance workloads, shared by the criterion bench (`benches/gradient.rs`) and the
//! report (`examples/perf_report.rs`): inputs, our call, a memcpy of the same bytes, and the
//! naive per-line loop (numpy's formulas with index arithmetic along each line).
#![allow(dead_code)]

use numgrad::testing::{Isa, Kernel, gradient_with, isa_detected};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, Options, Real, Sample, Spacing, StridedView, StridedViewMut,
    gradient_reference,
};

/// Median of the samples.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds per call of `f`, over `reps` calls (one timed sample).
pub fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    let t = std::time::Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / reps as f64
}

/// The automatic kernel on the path detected for this CPU: what `gradient` runs.
pub fn auto() -> (Kernel, Isa) {
    (Kernel::Auto, isa_detected())
}

/// Element type of a workload's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    F64,
    F32,
    I16ToF32,
}

/// How the spacing is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    Unit,
    Coordinates,
}

/// One workload: a view of a buffer, the axes, spacing and edge order.
#[derive(Clone, Debug)]
pub struct Workload {
    pub name: &'static str,
    pub elem: Elem,
    /// Buffer length in elements.
    pub buffer: usize,
    pub offset: usize,
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub axes: Option<Vec<isize>>,
    pub space: Space,
    pub edge: EdgeOrder,
    /// Output strides (every output alike); `None` is C order.
    pub out_strides: Option<Vec<isize>>,
}

fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut s = vec![1isize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1] as isize;
    }
    s
}

fn dense(name: &'static str, elem: Elem, shape: &[usize], axes: Option<Vec<isize>>) -> Workload {
    Workload {
        name,
        elem,
        buffer: shape.iter().product(),
        offset: 0,
        shape: shape.to_vec(),
        strides: c_strides(shape),
        axes,
        space: Space::Unit,
        edge: EdgeOrder::First,
        out_strides: None,
    }
}

/// Every workload; `quick` shrinks the large ones (for a fast smoke run).
pub fn all(quick: bool) -> Vec<Workload> {
    let big = if quick { 100_000 } else { 10_000_000 };
    let side = if quick { 256 } else { 2048 };
    let cube = if quick { 48 } else { 256 };
    let mut w = vec![
        dense("1d f64 n=1e3", Elem::F64, &[1000], None),
        dense("1d f64 n=1e5", Elem::F64, &[100_000], None),
        dense("1d f64 n=1e7", Elem::F64, &[big], None),
        dense("1d f32 n=1e3", Elem::F32, &[1000], None),
        dense("1d f32 n=1e5", Elem::F32, &[100_000], None),
        dense("1d f32 n=1e7", Elem::F32, &[big], None),
        Workload {
            space: Space::Coordinates,
            ..dense("1d coords n=1e3", Elem::F64, &[1000], None)
        },
        Workload {
            space: Space::Coordinates,
            ..dense("1d coords n=1e5", Elem::F64, &[100_000], None)
        },
        Workload {
            space: Space::Coordinates,
            ..dense("1d coords n=1e7", Elem::F64, &[big], None)
        },
        // `f32` coordinates: 16 quotients per 512-bit division, where the AVX-512F lanes
        // once called their intrinsics out of line (15x the AVX2 lanes' time).
        Workload {
            space: Space::Coordinates,
            ..dense("1d f32 coords n=1e5", Elem::F32, &[100_000], None)
        },
        Workload {
            space: Space::Coordinates,
            ..dense("1d f32 coords n=1e7", Elem::F32, &[big], None)
        },
        Workload {
            edge: EdgeOrder::Second,
            ..dense("1d edge2 n=1e7", Elem::F64, &[big], None)
        },
        dense("1d i16->f32 n=1e3", Elem::I16ToF32, &[1000], None),
        dense("1d i16->f32 n=1e5", Elem::I16ToF32, &[100_000], None),
        dense("1d i16->f32 n=1e7", Elem::I16ToF32, &[big], None),
        dense("2d 2048^2 axis 0", Elem::F64, &[side, side], Some(vec![0])),
        dense("2d 2048^2 axis 1", Elem::F64, &[side, side], Some(vec![1])),
        dense("2d 2048^2 all", Elem::F64, &[side, side], None),
        dense("3d 256^3 all", Elem::F64, &[cube, cube, cube], None),
    ];
    // The transpose of a C-order square: strides (1, side). numpy's outputs (`empty_like`,
    // order K) keep the input's memory order; C-order outputs make the call a transpose.
    w.push(Workload {
        strides: vec![1, side as isize],
        out_strides: Some(vec![1, side as isize]),
        ..dense("2d transposed all", Elem::F64, &[side, side], None)
    });
    w.push(Workload {
        strides: vec![1, side as isize],
        ..dense(
            "2d transposed all, C-order out",
            Elem::F64,
            &[side, side],
            None,
        )
    });
    // The same in `f32`: the transposing copy moves two columns of 4-byte samples at a time.
    w.push(Workload {
        strides: vec![1, side as isize],
        ..dense(
            "2d transposed f32 all, C-order out",
            Elem::F32,
            &[side, side],
            None,
        )
    });
    // Many lines sharing one coordinate array: each point's weights are the same on all of
    // them (numpy computes them once per axis, as arrays).
    let (planes, rows, points) = if quick {
        (12, 20, 250)
    } else {
        (150, 200, 2500)
    };
    w.push(Workload {
        space: Space::Coordinates,
        ..dense(
            "3d 150x200x2500 coords, axes (2, 0)",
            Elem::F64,
            &[planes, rows, points],
            Some(vec![2, 0]),
        )
    });
    // The same array along its contiguous axis alone: 30,000 lines sharing one coordinate
    // array, each read a block at a time.
    w.push(Workload {
        space: Space::Coordinates,
        ..dense(
            "3d 150x200x2500 coords, axis 2",
            Elem::F64,
            &[planes, rows, points],
            Some(vec![2]),
        )
    });
    // The same array along its outer axis alone: rows of 500,000 points across it.
    w.push(Workload {
        space: Space::Coordinates,
        ..dense(
            "3d 150x200x2500 coords, axis 0",
            Elem::F64,
            &[planes, rows, points],
            Some(vec![0]),
        )
    });
    // An F-order array into C-order outputs: every output a transpose of its input's order.
    let (tall, wide) = if quick { (300, 250) } else { (3000, 2500) };
    w.push(Workload {
        strides: vec![1, tall as isize],
        ..dense(
            "2d 3000x2500 F-order all, C-order out",
            Elem::F64,
            &[tall, wide],
            None,
        )
    });
    // The same layouts in cache: 128 KiB of input, a window of a tile as wide as the array
    // (the size at which a power-of-two pitch of the tiles' buffer once cost half again).
    let small = if quick { 64 } else { 128 };
    w.push(Workload {
        strides: vec![1, small as isize],
        ..dense(
            "2d 128x128 F-order all, C-order out",
            Elem::F64,
            &[small, small],
            None,
        )
    });
    // Every other column of a side x 2side array.
    w.push(Workload {
        buffer: side * side * 2,
        strides: vec![2 * side as isize, 2],
        ..dense("2d step-2 all", Elem::F64, &[side, side], None)
    });
    w
}

/// An output view of `o`: `strides`, or C order.
fn out_view<'b, F>(
    o: &'b mut [F],
    shape: &'b [usize],
    strides: Option<&'b [isize]>,
) -> StridedViewMut<'b, F> {
    match strides {
        Some(s) => StridedViewMut::new(o, 0, shape, s).unwrap(),
        None => StridedViewMut::contiguous(o, shape).unwrap(),
    }
}

/// The most axes a workload selects.
pub const MAX_AXES: usize = 3;

/// A deterministic, non-trivial signal.
fn signal(i: usize) -> f64 {
    let x = i as f64 * 1e-3;
    (x * 1.7).sin() * 100.0 + (i % 97) as f64
}

/// Allocated inputs and outputs of a workload, ready to run.
pub struct Prepared<T, F> {
    pub work: Workload,
    pub data: Vec<T>,
    pub coords: Vec<Vec<F>>,
    pub outputs: Vec<Vec<F>>,
    /// Destination of the same-run memcpy (as many bytes as the input view spans).
    pub copy: Vec<T>,
}

pub trait MakeSample: Copy + Default {
    fn make(v: f64) -> Self;
}
impl MakeSample for f64 {
    fn make(v: f64) -> Self {
        v
    }
}
impl MakeSample for f32 {
    fn make(v: f64) -> Self {
        v as f32
    }
}
impl MakeSample for i16 {
    fn make(v: f64) -> Self {
        (v * 50.0) as i16
    }
}

impl<T: Sample<F> + MakeSample, F: Real + MakeSample> Prepared<T, F> {
    pub fn new(work: &Workload) -> Self {
        let data: Vec<T> = (0..work.buffer).map(|i| T::make(signal(i))).collect();
        let coords = work
            .shape
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|i| F::make(i as f64 * 0.01 + ((i * 7) % 5) as f64 * 1e-4))
                    .collect()
            })
            .collect();
        let count: usize = work.shape.iter().product();
        let outputs = vec![vec![F::zero(); count]; work.selected().len()];
        Self {
            work: work.clone(),
            data,
            coords,
            copy: vec![T::default(); work.buffer],
            outputs,
        }
    }

    /// Our gradient (`kernel` forced on vector paths up to an `Isa`, or `None` for the
    /// reference). Allocates nothing, so the timed call is the library's alone (every workload
    /// selects at most [`MAX_AXES`] axes).
    pub fn run(&mut self, kernel: Option<(Kernel, Isa)>) {
        let Self {
            work,
            data,
            coords,
            outputs,
            ..
        } = self;
        let spacing: [AxisSpacing<'_, F>; MAX_AXES] =
            core::array::from_fn(|k| match (work.space, k < outputs.len()) {
                (Space::Coordinates, true) => AxisSpacing::Coordinates(&coords[work.axis(k)]),
                _ => AxisSpacing::Uniform(F::one()),
            });
        let options = Options::new()
            .axes(work.axes.as_deref().map_or(Axes::All, Axes::List))
            .spacing(Spacing::PerAxis(&spacing[..outputs.len()]))
            .edge_order(work.edge);
        let input = StridedView::new(data, work.offset, &work.shape, &work.strides).unwrap();
        let shape = &work.shape;
        let strides = work.out_strides.as_deref();
        let view = |o| out_view(o, shape, strides);
        let call = |views: &mut [StridedViewMut<'_, F>]| match kernel {
            Some((k, isa)) => assert!(gradient_with(&input, views, &options, k, isa).unwrap()),
            None => gradient_reference(&input, views, &options).unwrap(),
        };
        match outputs.as_mut_slice() {
            [a] => call(&mut [view(a)]),
            [a, b] => call(&mut [view(a), view(b)]),
            [a, b, c] => call(&mut [view(a), view(b), view(c)]),
            _ => panic!("a workload selects 1 to {MAX_AXES} axes"),
        }
    }

    /// A memcpy of the bytes the input view spans.
    pub fn memcpy(&mut self) {
        self.copy.copy_from_slice(&self.data);
    }

    /// The naive per-line loop: numpy's formulas with index arithmetic along each line, lines
    /// visited in C order of the other indices (so an outer axis is walked column by column).
    pub fn naive(&mut self) {
        let shape = self.work.shape.clone();
        let strides = self.work.strides.clone();
        let out_strides = (self.work.out_strides.clone()).unwrap_or_else(|| c_strides(&shape));
        for (k, &axis) in self.work.selected().iter().enumerate() {
            let n = shape[axis];
            let (s, so) = (strides[axis], out_strides[axis]);
            let h = F::one();
            let x = &self.coords[axis];
            let out = &mut self.outputs[k];
            let mut idx = vec![0usize; shape.len()];
            let lines: usize = shape
                .iter()
                .enumerate()
                .filter(|&(a, _)| a != axis)
                .map(|(_, &n)| n)
                .product();
            for _ in 0..lines {
                let base = self.work.offset as isize
                    + idx
                        .iter()
                        .zip(&strides)
                        .map(|(&i, &s)| i as isize * s)
                        .sum::<isize>();
                let obase: isize = idx
                    .iter()
                    .zip(&out_strides)
                    .map(|(&i, &s)| i as isize * s)
                    .sum();
                let f = |i: usize| self.data[(base + i as isize * s) as usize].to_real();
                let mut put = |i: usize, v: F| out[(obase + i as isize * so) as usize] = v;
                match self.work.space {
                    Space::Unit => {
                        for i in 1..n - 1 {
                            put(i, (f(i + 1) - f(i - 1)) / (F::make(2.0) * h));
                        }
                        if self.work.edge == EdgeOrder::First {
                            put(0, (f(1) - f(0)) / h);
                            put(n - 1, (f(n - 1) - f(n - 2)) / h);
                        } else {
                            let (a, b, c) =
                                (F::make(-1.5) / h, F::make(2.0) / h, F::make(-0.5) / h);
                            put(0, a * f(0) + b * f(1) + c * f(2));
                            let (a, b, c) = (F::make(0.5) / h, F::make(-2.0) / h, F::make(1.5) / h);
                            put(n - 1, a * f(n - 3) + b * f(n - 2) + c * f(n - 1));
                        }
                    }
                    Space::Coordinates => {
                        for i in 1..n - 1 {
                            let dx1 = x[i] - x[i - 1];
                            let dx2 = x[i + 1] - x[i];
                            let a = -dx2 / (dx1 * (dx1 + dx2));
                            let b = (dx2 - dx1) / (dx1 * dx2);
                            let c = dx1 / (dx2 * (dx1 + dx2));
                            put(i, a * f(i - 1) + b * f(i) + c * f(i + 1));
                        }
                        put(0, (f(1) - f(0)) / (x[1] - x[0]));
                        put(n - 1, (f(n - 1) - f(n - 2)) / (x[n - 1] - x[n - 2]));
                    }
                }
                // Next line: C order over the other axes.
                for a in (0..shape.len()).rev() {
                    if a == axis {
                        continue;
                    }
                    idx[a] += 1;
                    if idx[a] < shape[a] {
                        break;
                    }
                    idx[a] = 0;
                }
            }
        }
    }

    /// Bytes a gradient must move: the input span read once, every output written once, and
    /// the coordinates read once.
    pub fn bytes_moved(&self) -> usize {
        let input = self.data.len() * std::mem::size_of::<T>();
        let outputs: usize = self
            .outputs
            .iter()
            .map(|o| o.len() * std::mem::size_of::<F>())
            .sum();
        let coords: usize = match self.work.space {
            Space::Unit => 0,
            Space::Coordinates => self
                .work
                .selected()
                .iter()
                .map(|&a| self.coords[a].len() * std::mem::size_of::<F>())
                .sum(),
        };
        input + outputs + coords
    }

    /// Bytes the memcpy moves (read and write of the input span).
    pub fn bytes_copied(&self) -> usize {
        2 * self.data.len() * std::mem::size_of::<T>()
    }

    /// Elements computed (all outputs).
    pub fn elements(&self) -> usize {
        self.outputs.iter().map(Vec::len).sum()
    }

    /// Runs ours (auto), the reference and the naive loop once and checks that all three give
    /// the same bits.
    pub fn check(&mut self) {
        self.run(None);
        let reference = self.outputs.clone();
        self.run(Some(auto()));
        let same = |a: &[Vec<F>], b: &[Vec<F>]| {
            a.iter().flatten().zip(b.iter().flatten()).all(|(x, y)| {
                (x == y && x.is_sign_negative() == y.is_sign_negative())
                    || (x.is_nan() && y.is_nan())
            })
        };
        assert!(
            same(&self.outputs, &reference),
            "{}: ours differs from the reference",
            self.work.name
        );
        if self.work.edge == EdgeOrder::First || self.work.space == Space::Unit {
            self.naive();
            assert!(
                same(&self.outputs, &reference),
                "{}: naive differs from the reference",
                self.work.name
            );
        }
    }
}

impl Workload {
    /// The selected axes, non-negative.
    pub fn selected(&self) -> Vec<usize> {
        let count = self.axes.as_ref().map_or(self.shape.len(), Vec::len);
        (0..count).map(|k| self.axis(k)).collect()
    }

    /// The `k`-th selected axis, non-negative.
    pub fn axis(&self, k: usize) -> usize {
        match &self.axes {
            None => k,
            Some(list) => list[k].rem_euclid(self.shape.len() as isize) as usize,
        }
    }
}
