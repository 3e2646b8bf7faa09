//! Stack used by the core on this host, measured by painting: a region below the current frame
//! is filled with a pattern, the call runs, and the deepest byte no longer holding the pattern
//! is how far the call's frames reached. The cost of the measuring call itself (an empty
//! closure) is subtracted. `docs/robustness.md` lists the results next to the static bound for
//! a Cortex-M4F.
//!
//! Run: `cargo run --release --example stack_usage`.
//!
//! The painting writes below the stack pointer, memory no Rust object owns at that moment: a
//! measuring tool's liberty (as with painted stacks on microcontrollers), not library practice.

use std::hint::black_box;
use std::ptr::{
    read_volatile, with_exposed_provenance, with_exposed_provenance_mut, write_volatile,
};

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, Options, Real, Spacing, StridedView, StridedViewMut, gradient,
    gradient_1d, gradient_reference,
};

/// Bytes painted below the measuring frame (the thread has a 4 MiB stack).
const PAINT: usize = 256 * 1024;
const PATTERN: u8 = 0xA5;

/// Fills `PAINT` bytes below this function's frame with the pattern.
#[inline(never)]
fn paint() {
    let marker = 0u8;
    let top = black_box(&marker) as *const u8 as usize - 64;
    for address in top - PAINT..top {
        // SAFETY (measurement only): stack memory of this thread below every live frame.
        unsafe { write_volatile(with_exposed_provenance_mut::<u8>(address), PATTERN) };
    }
}

/// The lowest address below `top` that no longer holds the pattern.
#[inline(never)]
fn lowest_touched(top: usize) -> usize {
    (top - PAINT..top)
        // SAFETY (measurement only): the region `paint` filled, on this thread's stack.
        .find(|&a| unsafe { read_volatile(with_exposed_provenance::<u8>(a)) } != PATTERN)
        .unwrap_or(top)
}

/// Bytes of stack below this frame that `f` used.
#[inline(never)]
fn depth(f: &mut dyn FnMut()) -> usize {
    let marker = 0u8;
    let top = black_box(&marker) as *const u8 as usize;
    paint();
    f();
    top - lowest_touched(top)
}

/// Net stack of `f`: its depth minus that of an empty call, the largest of 3 runs.
fn measure(mut f: impl FnMut()) -> usize {
    let empty = (0..3).map(|_| depth(&mut || ())).max().unwrap_or(0);
    let used = (0..3).map(|_| depth(&mut f)).max().unwrap_or(0);
    used.saturating_sub(empty)
}

/// The most stack any path takes on `input` along `axes` (one output each, C order).
fn worst_of_paths<F: Real>(input: &StridedView<'_, F>, axes: &[isize], edge: EdgeOrder) -> usize {
    let shape = input.shape();
    let count: usize = shape.iter().product();
    let options = Options::new()
        .axes(Axes::List(axes))
        .spacing(Spacing::Uniform(F::from(0.5).unwrap()))
        .edge_order(edge);
    let mut buffers = vec![vec![F::zero(); count]; axes.len()];
    let mut views: Vec<_> = buffers
        .iter_mut()
        .map(|b| StridedViewMut::contiguous(b, shape).unwrap())
        .collect();
    let kernels = [
        Kernel::Auto,
        Kernel::AlongContiguous,
        Kernel::AlongStrided,
        Kernel::Across,
    ];
    let mut worst = measure(|| gradient(input, &mut views, &options).unwrap());
    worst = worst.max(measure(|| {
        gradient_reference(input, &mut views, &options).unwrap();
    }));
    for kernel in kernels {
        worst = worst.max(measure(|| {
            gradient_with(input, &mut views, &options, kernel, Isa::Avx512).unwrap();
        }));
    }
    drop(views);
    black_box(&buffers);
    worst
}

fn report<F: Real>(name: &str) {
    // Rank 1: the 1-D entry point and the N-d one.
    let n = 1000;
    let series: Vec<F> = (0..n).map(|i| F::from(i * i % 97).unwrap()).collect();
    let x: Vec<F> = (0..n).map(|i| F::from(i * 3 + i % 2).unwrap()).collect();
    let mut out = vec![F::zero(); n];
    let one_d = [
        AxisSpacing::Uniform(F::from(0.5).unwrap()),
        AxisSpacing::Coordinates(&x),
    ]
    .iter()
    .flat_map(|&s| [EdgeOrder::First, EdgeOrder::Second].map(|e| (s, e)))
    .map(|(s, e)| measure(|| gradient_1d(black_box(&series), &mut out, s, e).unwrap()))
    .max()
    .unwrap_or(0);
    let shape1 = [n];
    let input = StridedView::contiguous(&series, &shape1).unwrap();
    let rank1 = worst_of_paths(&input, &[0], EdgeOrder::Second);

    // Rank 3: one axis, and all three (the fused pass).
    let shape3 = [10usize, 12, 14];
    let data: Vec<F> = (0..1680).map(|i| F::from(i % 31).unwrap()).collect();
    let input = StridedView::contiguous(&data, &shape3).unwrap();
    let rank3 = worst_of_paths(&input, &[1], EdgeOrder::First).max(worst_of_paths(
        &input,
        &[0, 1, 2],
        EdgeOrder::Second,
    ));

    // Rank 64: ten axes of 2 points among 54 of one (1024 elements), reversed and transposed
    // strides; one axis, three (fused) and all ten.
    let mut shape64 = [1usize; 64];
    let mut strides64 = [0isize; 64];
    let mut stride = 1isize;
    for k in 0..10 {
        let axis = 6 * k + 3;
        shape64[axis] = 2;
        strides64[axis] = if k % 2 == 0 { stride } else { -stride };
        stride *= 2;
    }
    let offset: usize = (0..10).filter(|k| k % 2 == 1).map(|k| 1usize << k).sum();
    let data: Vec<F> = (0..1024).map(|i| F::from(i % 13).unwrap()).collect();
    let input = StridedView::new(&data, offset, &shape64, &strides64).unwrap();
    let ten: Vec<isize> = (0..10).map(|k| 6 * k + 3).collect();
    let rank64 = worst_of_paths(&input, &ten[..1], EdgeOrder::First)
        .max(worst_of_paths(&input, &ten[..3], EdgeOrder::First))
        .max(worst_of_paths(&input, &ten, EdgeOrder::First));

    // On 64-bit targets: a tile's buffer (an F-order input into C-order outputs) and a block
    // of shared weights (lines of coordinates).
    let square: Vec<F> = (0..4096).map(|i| F::from(i % 29).unwrap()).collect();
    let f_order = StridedView::new(&square, 0, &[64, 64], &[1, 64]).unwrap();
    let tiles = worst_of_paths(&f_order, &[0, 1], EdgeOrder::Second);
    let weights = coordinate_lines::<F>([64, 64]);
    // Lines longer than a block by coordinates: their weights in a whole table of 2,720
    // points (`kernels::whole_lines`), two segments of it.
    let long_weights = coordinate_lines::<F>([4, 3000]);

    // Planes of more than 3 MiB by coordinates along axes 2 and 0: the fused pass cut across
    // the row axis too (one point of it at a time).
    let rows = (3 << 20) / (1030 * size_of::<F>()) + 1;
    let shape = [3, rows, 1030];
    let planes: Vec<F> = (0..3 * rows * 1030)
        .map(|i| F::from(i % 37).unwrap())
        .collect();
    let input = StridedView::contiguous(&planes, &shape).unwrap();
    let (x2, x0): (Vec<F>, Vec<F>) = (
        (0..1030).map(|i| F::from(i * i + i).unwrap()).collect(),
        (0..3).map(|i| F::from(i * i + i).unwrap()).collect(),
    );
    let per = [AxisSpacing::Coordinates(&x2), AxisSpacing::Coordinates(&x0)];
    let options = Options::new()
        .axes(Axes::List(&[2, 0]))
        .spacing(Spacing::PerAxis(&per));
    let mut outs = vec![vec![F::zero(); planes.len()]; 2];
    let mut views: Vec<_> = outs
        .iter_mut()
        .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
        .collect();
    let across = measure(|| gradient(&input, &mut views, &options).unwrap());

    println!(
        "{name}: gradient_1d {one_d} B; rank 1 {rank1} B; rank 3 {rank3} B; rank 64 {rank64} B; \
         mixed layouts {tiles} B; coordinate lines {weights} B; long coordinate lines \
         {long_weights} B; parts across {across} B"
    );
}

/// The deepest stack of `gradient` along the rows of a `shape` array by coordinates: lines
/// that share their weights.
fn coordinate_lines<F: Real>(shape: [usize; 2]) -> usize {
    let data: Vec<F> = (0..shape[0] * shape[1])
        .map(|i| F::from(i % 31).unwrap())
        .collect();
    let x: Vec<F> = (0..shape[1]).map(|i| F::from(i * i + i).unwrap()).collect();
    let input = StridedView::contiguous(&data, &shape).unwrap();
    let per = [AxisSpacing::Coordinates(&x)];
    let options = Options::new()
        .axes(Axes::One(1))
        .spacing(Spacing::PerAxis(&per));
    let mut out = vec![F::zero(); data.len()];
    measure(|| {
        let view = StridedViewMut::contiguous(&mut out, &shape).unwrap();
        gradient(&input, &mut [view], &options).unwrap();
    })
}

fn main() {
    let run = || {
        report::<f32>("f32");
        report::<f64>("f64");
    };
    std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
