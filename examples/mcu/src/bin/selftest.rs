//! numgrad on the chip's own floating point (hard on the Cortex-M4F, soft on the Cortex-M0),
//! bit for bit against numpy: a few hundred cases of `tests/fixtures/numpy_gradient.txt`,
//! embedded by `build.rs`, run through
//!
//! - `gradient_1d` (the 1-D cases, their strided views gathered into a slice first),
//! - the N-d `gradient` (every case: ranks 1 to 5, strided, negative- and zero-stride views,
//!   axis subsets, every spacing mode, both edge orders; and the cases numpy rejected, which
//!   must be rejected too),
//! - `GradientStream` (1-D cases with uniform spacing) and `TimedGradientStream` (1-D cases
//!   with coordinates, as timestamps), fed in blocks of 1 to 5 frames.
//!
//! Prints one line per API (`gradient_1d: 212/212 bit-exact`) and a summary through
//! semihosting, then exits with code 0 only if everything matched. A NaN expected matches any
//! NaN produced (payloads are not part of the contract), as in the host tests.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, GradientStream, Options, Real, Sample, Spacing,
    StridedView, StridedViewMut, TimedGradientStream, gradient, gradient_1d,
};
use numgrad_mcu::{exit, paint_stack, stack_used};

/// The exception numpy raised, for the cases where it did.
#[derive(Clone, Copy)]
#[allow(clippy::enum_variant_names)]
enum NumpyError {
    AxisError,
    ValueError,
    TypeError,
    IndexError,
}

impl NumpyError {
    /// Whether our error is the one numpy's exception class stands for.
    fn matches(self, ours: &GradientError) -> bool {
        use GradientError::*;
        match self {
            Self::AxisError => matches!(ours, AxisOutOfRange { .. }),
            Self::ValueError => matches!(
                ours,
                DuplicateAxis { .. } | CoordinateLength { .. } | AxisTooShort { .. }
            ),
            Self::TypeError => matches!(ours, SpacingCount { .. }),
            Self::IndexError => matches!(ours, AxisTooShort { .. }),
        }
    }
}

/// What numpy returned: the gradients (one per selected axis, each in C order, concatenated),
/// or an exception.
enum Expect<F: 'static> {
    Grad(&'static [F]),
    Error(NumpyError),
}

/// One numpy call: the view `base[offset..]` with `shape` and `strides` (in elements), the
/// arguments, and what numpy returned.
struct Case<T: 'static, F: 'static> {
    index: u16,
    base: &'static [T],
    offset: usize,
    shape: &'static [usize],
    strides: &'static [isize],
    axes: Axes<'static>,
    /// Selected axes: how many outputs the call takes.
    outputs: usize,
    spacing: Spacing<'static, F>,
    edge: EdgeOrder,
    expect: Expect<F>,
}

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// Bit equality, any NaN matching any NaN (as `tests/support/mod.rs`).
fn same<F: Real>(x: F, y: F) -> bool {
    (x == y && x.is_sign_negative() == y.is_sign_negative()) || (x.is_nan() && y.is_nan())
}

/// Whether two series have the same length and bits.
fn all_same<F: Real>(got: &[F], expected: &[F]) -> bool {
    got.len() == expected.len() && got.iter().zip(expected).all(|(&a, &b)| same(a, b))
}

/// Matches and cases run, for one API.
#[derive(Clone, Copy, Default)]
struct Tally {
    matched: u32,
    run: u32,
}

impl Tally {
    fn record(&mut self, ok: bool, api: &str, index: u16) {
        self.run += 1;
        if ok {
            self.matched += 1;
        } else {
            hprintln!("MISMATCH {} case {}", api, index);
        }
    }
}

/// The counts of every API.
#[derive(Default)]
struct Tallies {
    gradient_1d: Tally,
    gradient: Tally,
    stream: Tally,
    timed: Tally,
}

/// Runs `f` on `outputs` contiguous output views of `shape`, carved from `buf` one after
/// another (up to 5: the largest rank embedded).
fn with_outputs<F: Real, R>(
    buf: &mut [F],
    shape: &[usize],
    outputs: usize,
    f: impl FnOnce(&mut [StridedViewMut<'_, F>]) -> R,
) -> R {
    let count: usize = shape.iter().product();
    let mut chunks = buf[..outputs * count.max(1)].chunks_mut(count.max(1));
    let mut next = || {
        let chunk = chunks.next().expect("room for every output");
        StridedViewMut::contiguous(&mut chunk[..count], shape).expect("contiguous output view")
    };
    match outputs {
        1 => f(&mut [next()]),
        2 => f(&mut [next(), next()]),
        3 => f(&mut [next(), next(), next()]),
        4 => f(&mut [next(), next(), next(), next()]),
        _ => f(&mut [next(), next(), next(), next(), next()]),
    }
}

/// The element `j` of a rank-1 view of `case`.
fn element<T: Copy, F>(case: &Case<T, F>, j: usize) -> T {
    case.base[(case.offset as isize + j as isize * case.strides[0]) as usize]
}

/// The spacing of the only axis of a rank-1 case.
fn axis_spacing<F: Real>(spacing: Spacing<'static, F>) -> AxisSpacing<'static, F> {
    match spacing {
        Spacing::Unit => AxisSpacing::Uniform(F::one()),
        Spacing::Uniform(h) => AxisSpacing::Uniform(h),
        Spacing::PerAxis(list) => list[0],
        other => unreachable!("spacing {:?} is not built by build.rs", other),
    }
}

/// Runs every case of one sample/float pair through the APIs that apply to it.
fn run<T: Sample<F> + Default, F: Real>(cases: &[Case<T, F>], tally: &mut Tallies) {
    let mut out = [F::zero(); MAX_OUT];
    for case in cases {
        let count: usize = case.shape.iter().product();

        // (b) the N-d gradient, on the view as numpy saw it.
        let input = StridedView::new(case.base, case.offset, case.shape, case.strides)
            .expect("every embedded view is valid");
        let options = Options::new()
            .axes(case.axes)
            .spacing(case.spacing)
            .edge_order(case.edge);
        out.fill(F::nan());
        let result = with_outputs(&mut out, case.shape, case.outputs, |views| {
            gradient(&input, views, &options)
        });
        let ok = match (&case.expect, result) {
            (Expect::Grad(g), Ok(())) => all_same(&out[..case.outputs * count], g),
            (Expect::Error(numpy), Err(e)) => numpy.matches(&e),
            _ => false,
        };
        tally.gradient.record(ok, "gradient", case.index);

        if case.shape.len() != 1 || !matches!(case.axes, Axes::All) {
            continue;
        }
        let mut series = [T::default(); MAX_COUNT];
        for (j, s) in series[..count].iter_mut().enumerate() {
            *s = element(case, j);
        }
        let series = &series[..count];
        let spacing = axis_spacing(case.spacing);

        // (a) gradient_1d on the same values, gathered into a slice.
        out.fill(F::nan());
        let result = gradient_1d(series, &mut out[..count], spacing, case.edge);
        let ok = match (&case.expect, result) {
            (Expect::Grad(g), Ok(())) => all_same(&out[..count], g),
            (Expect::Error(numpy), Err(e)) => numpy.matches(&e),
            _ => false,
        };
        tally.gradient_1d.record(ok, "gradient_1d", case.index);

        // (c) the streams, fed in blocks of 1 to 5 frames (the block size follows the case).
        let Expect::Grad(expected) = case.expect else {
            continue;
        };
        let block = 1 + usize::from(case.index) % 5;
        out.fill(F::nan());
        // numpy reduces coordinates with all steps exactly equal to their step and uses its
        // uniform formulas; a timed stream never reduces (docs/stream.md), and the uniform
        // stream with that step gives numpy's bits.
        let spacing = match spacing {
            AxisSpacing::Coordinates(x) => evenly_spaced(x).map_or(spacing, AxisSpacing::Uniform),
            other => other,
        };
        match spacing {
            AxisSpacing::Uniform(h) => {
                let mut stream = GradientStream::<F, 1>::new(h, case.edge);
                let streamed = stream_through(series, &mut out, block, |chunk, room, _| {
                    stream.push_block(chunk, room)
                })
                .and_then(|n| stream.finish().map(|last| (n, last)));
                let ok = finished(streamed, &mut out, expected);
                tally.stream.record(ok, "GradientStream", case.index);
            }
            AxisSpacing::Coordinates(x) => {
                let mut stream = TimedGradientStream::<F, F, 1>::new(case.edge);
                let streamed = stream_through(series, &mut out, block, |chunk, room, at| {
                    stream.push_block(chunk, &x[at..at + chunk.len()], room)
                })
                .and_then(|n| stream.finish().map(|last| (n, last)));
                let ok = finished(streamed, &mut out, expected);
                tally.timed.record(ok, "TimedGradientStream", case.index);
            }
            other => unreachable!("spacing {:?} is not built by build.rs", other),
        }
    }
}

/// The step of coordinates whose steps are all exactly equal (numpy's test, in `F`).
fn evenly_spaced<F: Real>(x: &[F]) -> Option<F> {
    let h = *x.get(1)? - x[0];
    x.windows(2).all(|w| w[1] - w[0] == h).then_some(h)
}

/// Pushes `series` in blocks of `block` frames through `push` (block, room for its outputs,
/// index of its first frame), collecting the outputs at the front of `out`; returns how many.
fn stream_through<T: Copy, F: Real>(
    series: &[T],
    out: &mut [F],
    block: usize,
    mut push: impl FnMut(&[T], &mut [F], usize) -> Result<usize, GradientError>,
) -> Result<usize, GradientError> {
    let mut written = 0;
    for (k, chunk) in series.chunks(block).enumerate() {
        // A block writes at most its length plus one frame.
        let room = &mut out[written..written + chunk.len() + 1];
        written += push(chunk, room, k * block)?;
    }
    Ok(written)
}

/// Appends the last frame to what a stream wrote and compares the whole with numpy's.
fn finished<F: Real>(
    streamed: Result<(usize, [F; 1]), GradientError>,
    out: &mut [F],
    expected: &[F],
) -> bool {
    match streamed {
        Ok((n, [last])) if n + 1 == expected.len() => {
            out[n] = last;
            all_same(&out[..=n], expected)
        }
        _ => false,
    }
}

/// Prints the count line of one API.
fn line(api: &str, t: Tally) {
    hprintln!("{}: {}/{} bit-exact", api, t.matched, t.run);
}

#[entry]
fn main() -> ! {
    paint_stack();
    let mut tally = Tallies::default();
    run(CASES_F64_F64, &mut tally);
    run(CASES_F32_F32, &mut tally);
    run(CASES_I16_F32, &mut tally);
    let used = stack_used();

    hprintln!(
        "numgrad selftest on {} ({}), numpy fixture cases: {} f64, {} f32, {} i16->f32",
        env!("NUMGRAD_MCU_BOARD"),
        if cfg!(target_abi = "eabihf") {
            "hard float"
        } else {
            "soft float"
        },
        CASES_F64_F64.len(),
        CASES_F32_F32.len(),
        CASES_I16_F32.len()
    );
    hprintln!("coverage: {}", COVERAGE);
    line("gradient_1d", tally.gradient_1d);
    line("gradient", tally.gradient);
    line("GradientStream", tally.stream);
    line("TimedGradientStream", tally.timed);
    let all = [tally.gradient_1d, tally.gradient, tally.stream, tally.timed];
    let matched: u32 = all.iter().map(|t| t.matched).sum();
    let ran: u32 = all.iter().map(|t| t.run).sum();
    let ok = matched == ran && all.iter().all(|t| t.run > 0);
    hprintln!("stack used: {} bytes", used);
    hprintln!(
        "selftest: {}/{} bit-exact: {}",
        matched,
        ran,
        if ok { "PASS" } else { "FAIL" }
    );
    exit(ok)
}
