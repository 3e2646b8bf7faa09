//! Every vector path of one build gives the reference's bits: the compile-time lanes
//! (`Isa::Baseline`), the AVX2 sweeps taken at run time (`Isa::Avx2`), the AVX-512F sweeps of
//! uneven spacing and non-temporal stores (`Isa::Avx512Partial`) and the AVX-512F sweeps of
//! everything (`Isa::Avx512`, on CPUs with AVX512-VBMI2).
//!
//! Each call chooses its own path (`numgrad::testing`). Each `#[test]` is one kind of input:
//! the reference runs once for each input, and every cap that runs different code on this CPU
//! (`testing::distinct_caps`) is compared with it. A cap the CPU lacks runs a lower one's path,
//! and `caps_run_the_paths_this_cpu_has` says which ran (`--nocapture`); with
//! `NUMGRAD_REQUIRE_AVX2=1` (set by CI, whose machines have AVX2) it fails on an x86_64 CPU
//! without AVX2 instead of checking fewer paths. Off x86_64 (aarch64: `wide`'s NEON lanes) the
//! compile-time lanes are the only path.
//!
//! One reference for every cap: the reference's scalar loops, unoptimized, were nine tenths of
//! this suite's time when each cap ran its own.

use numgrad::testing::{Isa, Kernel, distinct_caps, gradient_1d_with, gradient_with, isa_used};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, Options, Real, Sample, Spacing, StridedView, StridedViewMut,
    gradient_reference,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Values biased toward the ones that decide bits.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -100.0..100.0f64,
        1 => Just(-0.0),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NAN),
        1 => Just(5e-324),
        1 => Just(1.7e308),
        1 => (-1000i32..1000).prop_map(f64::from),
    ]
}

/// Coordinates: increasing gaps, with repeats (zero steps) and huge or tiny gaps now and then.
fn coordinates(n: usize) -> impl Strategy<Value = Vec<f64>> {
    let gap = prop_oneof![
        6 => 0.01..10.0f64,
        1 => Just(0.0),
        1 => Just(1e-300),
        1 => Just(1e300),
    ];
    (prop::collection::vec(gap, n), -50.0..50.0f64).prop_map(|(gaps, start)| {
        gaps.iter()
            .scan(start, |x, g| {
                let here = *x;
                *x += g;
                Some(here)
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
enum Space {
    Uniform(f64),
    Coordinates(Vec<f64>),
}

#[derive(Clone, Debug)]
struct Case {
    data: Vec<f64>,
    space: Space,
    edge: EdgeOrder,
    /// Output stride (1, 2 or -1): unit and scattered stores.
    out_stride: isize,
}

/// Lengths 2..=70 cover every remainder of 4- and 8-lane groups.
fn case() -> impl Strategy<Value = Case> {
    (2usize..=70, any::<bool>()).prop_flat_map(|(n, second)| {
        let edge = if second && n >= 3 {
            EdgeOrder::Second
        } else {
            EdgeOrder::First
        };
        let space = prop_oneof![
            1 => prop::sample::select(vec![1.0, 0.5, 0.1, 3.0, -2.0]).prop_map(Space::Uniform),
            3 => coordinates(n).prop_map(Space::Coordinates),
        ];
        (
            prop::collection::vec(value(), n),
            space,
            prop::sample::select(vec![1isize, 2, -1]),
        )
            .prop_map(move |(data, space, out_stride)| Case {
                data,
                space,
                edge,
                out_stride,
            })
    })
}

/// A result's bits, with every NaN one value: payloads are not part of the contract (as
/// elsewhere).
fn bits<F: Real>(v: F) -> u64 {
    let v = v.to_f64().unwrap();
    if v.is_nan() { u64::MAX } else { v.to_bits() }
}

/// The bits of the gradient of `case` with samples `T` in `F`: by the reference, or on the
/// path of the cap `fast` by `gradient` (strided output) and, for unit stride, `gradient_1d`
/// too.
fn run<T: Sample<F>, F: Real>(case: &Case, data: &[T], fast: Option<Isa>) -> Vec<u64> {
    let n = data.len();
    let coords: Vec<F> = match &case.space {
        Space::Coordinates(x) => x.iter().map(|&v| F::from(v).unwrap()).collect(),
        Space::Uniform(_) => vec![],
    };
    let spacing = match &case.space {
        Space::Uniform(dx) => AxisSpacing::Uniform(F::from(*dx).unwrap()),
        Space::Coordinates(_) => AxisSpacing::Coordinates(&coords),
    };
    let span = (n - 1) * case.out_stride.unsigned_abs() + 1;
    let mut buffer = vec![F::nan(); span];
    let offset = if case.out_stride < 0 { span - 1 } else { 0 };
    let shape = [n];
    let input = StridedView::contiguous(data, &shape).unwrap();
    let options = Options::new()
        .spacing(Spacing::PerAxis(core::slice::from_ref(&spacing)))
        .edge_order(case.edge);
    {
        let strides = [case.out_stride];
        let mut outs = [StridedViewMut::new(&mut buffer, offset, &shape, &strides).unwrap()];
        match fast {
            Some(isa) => {
                assert!(gradient_with(&input, &mut outs, &options, Kernel::Auto, isa).unwrap())
            }
            None => gradient_reference(&input, &mut outs, &options).unwrap(),
        }
    }
    let out: Vec<u64> = (0..n)
        .map(|j| bits(buffer[(offset as isize + j as isize * case.out_stride) as usize]))
        .collect();
    if let (Some(isa), 1) = (fast, case.out_stride) {
        // The output 256 B and 3 KiB after the input modulo 4 KiB: a series is swept
        // backwards in the first case on x86_64 (`kernels::Backward`), forwards in the second.
        for ahead in [256, 3072] {
            let mut pool = vec![F::nan(); n + 4096 / size_of::<F>()];
            let from = (pool.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize) % 4096;
            let skip = (ahead + 4096 - from) % 4096 / size_of::<F>();
            let direct = &mut pool[skip..skip + n];
            gradient_1d_with(data, direct, spacing, case.edge, isa).unwrap();
            let got: Vec<u64> = direct.iter().map(|&v| bits(v)).collect();
            assert_eq!(got, out, "{isa:?}: output {ahead} B after the input");
        }
    }
    out
}

/// The first cap whose result from `run` (the reference's with `None`) is not the
/// reference's, if any: the reference runs once, then every cap that runs different code.
fn first_cap_off<R: PartialEq>(run: impl Fn(Option<Isa>) -> R) -> Option<Isa> {
    let reference = run(None);
    distinct_caps(Kernel::Auto).find(|&isa| run(Some(isa)) != reference)
}

/// The first cap whose path does not give the reference's bits for `case` with samples `T` in
/// `F`, if any.
fn cap_off_reference<T: Sample<F>, F: Real>(case: &Case, data: &[T]) -> Option<Isa> {
    first_cap_off(|fast| run::<T, F>(case, data, fast))
}

/// Every sample/float pairing the AVX lanes load: f64, f32 (through f32 data), i16 into both.
fn check_case(case: &Case) -> Result<(), TestCaseError> {
    let floats: Vec<f32> = case.data.iter().map(|&v| v as f32).collect();
    let ints: Vec<i16> = case.data.iter().map(|&v| v as i16).collect();
    prop_assert_eq!(cap_off_reference::<f64, f64>(case, &case.data), None, "f64");
    prop_assert_eq!(cap_off_reference::<f32, f32>(case, &floats), None, "f32");
    prop_assert_eq!(
        cap_off_reference::<i16, f32>(case, &ints),
        None,
        "i16 into f32"
    );
    prop_assert_eq!(
        cap_off_reference::<i16, f64>(case, &ints),
        None,
        "i16 into f64"
    );
    Ok(())
}

/// `n` increasing, unevenly spaced coordinates.
fn uneven<F: Real>(n: usize) -> Vec<F> {
    (0..n)
        .map(|i| F::from(i as f64 * 0.5 + 0.125 * (i as f64 * 1.3).sin()).unwrap())
        .collect()
}

/// The first cap whose path does not give the reference's bits for `input` and `options`, if
/// any: the gradient along each of the `selected` axes written to a contiguous array of the
/// input's shape.
fn cap_off_reference_nd<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
    selected: usize,
) -> Option<Isa> {
    cap_off_reference_placed(input, options, selected, &[])
}

/// As [`cap_off_reference_nd`], output `k` starting `places[k]` samples past its buffer's
/// first 64-byte boundary (each at its buffer's start where `places` is empty).
fn cap_off_reference_placed<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
    selected: usize,
    places: &[usize],
) -> Option<Isa> {
    let shape = input.shape();
    let count: usize = shape.iter().product();
    let room = places.iter().max().map_or(0, |p| p + 64);
    let run = |fast: Option<Isa>| {
        let mut buffers = vec![vec![F::nan(); count + room]; selected];
        let starts: Vec<usize> = (buffers.iter().enumerate())
            .map(|(k, b)| places.get(k).map_or(0, |p| b.as_ptr().align_offset(64) + p))
            .collect();
        let mut outs: Vec<_> = buffers
            .iter_mut()
            .zip(&starts)
            .map(|(b, &at)| StridedViewMut::contiguous(&mut b[at..at + count], shape).unwrap())
            .collect();
        match fast {
            Some(isa) => {
                assert!(gradient_with(input, &mut outs, options, Kernel::Auto, isa).unwrap())
            }
            None => gradient_reference(input, &mut outs, options).unwrap(),
        }
        drop(outs);
        let bits_of = |(b, &at): (&Vec<F>, &usize)| {
            b[at..at + count]
                .iter()
                .map(|&v| bits(v))
                .collect::<Vec<_>>()
        };
        buffers.iter().zip(&starts).map(bits_of).collect::<Vec<_>>()
    };
    first_cap_off(run)
}

/// Asserts that a series of `n` samples of `data` by coordinates, from element `offset` at
/// stride `step`, gives the reference's bits on every path. Its lanes divide: the sweeps that
/// take 512-bit lanes.
fn series<T: Sample<F>, F: Real>(data: &[T], (offset, step): (usize, isize), n: usize) {
    let x: Vec<F> = uneven(n);
    let (shape, strides) = ([n], [step]);
    let input = StridedView::new(data, offset, &shape, &strides).unwrap();
    let spacing = [AxisSpacing::Coordinates(&x)];
    let options = Options::new().spacing(Spacing::PerAxis(&spacing));
    assert_eq!(
        cap_off_reference_nd(&input, &options, 1),
        None,
        "{n} points from {offset} step {step} by coordinates, {} samples into {}",
        core::any::type_name::<T>(),
        core::any::type_name::<F>()
    );
}

/// Series whose outputs are stored non-temporally (>= 16 MiB), through the non-temporal stores
/// of the path (512-bit ones on the AVX-512 path): on uneven coordinates, evenly spaced, and
/// from `i16` samples into `f32`.
#[test]
fn large_series_give_the_reference_bits() {
    let n = (16 << 20) / 8 + 13;
    let data: Vec<f64> = (0..n).map(|i| (i as f64 * 1e-3).sin() * 100.0).collect();
    let x: Vec<f64> = (0..n)
        .map(|i| i as f64 + 0.25 * (i as f64 * 0.7).cos())
        .collect();
    let mut case = Case {
        data,
        space: Space::Coordinates(x),
        edge: EdgeOrder::Second,
        out_stride: 1,
    };
    assert_eq!(
        cap_off_reference::<f64, f64>(&case, &case.data),
        None,
        "by coordinates"
    );
    (case.space, case.edge) = (Space::Uniform(0.1), EdgeOrder::First);
    assert_eq!(
        cap_off_reference::<f64, f64>(&case, &case.data),
        None,
        "evenly spaced"
    );
    let n: usize = (16 << 20) / 4 + 13;
    let ints: Vec<i16> = (0..n).map(|i| ((i * 7919) % 2001) as i16 - 1000).collect();
    assert_eq!(
        cap_off_reference::<i16, f32>(&case, &ints),
        None,
        "i16 into f32"
    );
}

/// 2-D arrays whose outputs are stored non-temporally (16 MiB or more) along both axes (rows
/// across and lines along): contiguous and as a step-2 view, evenly spaced, and contiguous by
/// coordinates (rows across weighted, read ahead); then rows across too long to walk whole
/// ([`long_rows`]).
#[test]
fn large_arrays_give_the_reference_bits() {
    // A C-order array, then every other column of one twice as wide (stride-2 lanes).
    let shape = [1029, 2048];
    let (x0, x1): (Vec<f64>, Vec<f64>) = (uneven(shape[0]), uneven(shape[1]));
    let coords = [AxisSpacing::Coordinates(&x0), AxisSpacing::Coordinates(&x1)];
    for (step, spacing) in [(1, None), (2, None), (1, Some(&coords))] {
        let data: Vec<f64> = (0..shape[0] * shape[1] * step)
            .map(|i| (i as f64 * 0.37).sin() * 10.0)
            .collect();
        let strides = [(shape[1] * step) as isize, step as isize];
        let input = StridedView::new(&data, 0, &shape, &strides).unwrap();
        let options = match spacing {
            Some(spacing) => Options::new().spacing(Spacing::PerAxis(spacing)),
            None => Options::new(),
        };
        assert_eq!(
            cap_off_reference_nd(&input, &options, 2),
            None,
            "16 MiB outputs of a 2-D array, step {step}, coordinates {}",
            spacing.is_some()
        );
    }

    // Rows longer than a window (`route::ROW_WINDOW_BYTES`) and not a whole number of them,
    // from `f64` samples and from `i16` samples into `f32`.
    let (rows, cols) = (4, (16 << 20) / 8 / 4 + 13);
    let data: Vec<f64> = (0..rows * cols)
        .map(|i| (i as f64 * 0.37).sin() * 10.0)
        .collect();
    long_rows::<f64, f64>(&data, [rows, cols]);
    let ints: Vec<i16> = (0..rows * 2 * cols)
        .map(|i| ((i * 7919) % 2001) as i16 - 1000)
        .collect();
    long_rows::<i16, f32>(&ints, [rows, 2 * cols]);
}

/// Mixed layouts (`kernels::tiles`) whose outputs are stored non-temporally (16 MiB or more):
/// an F-order `f64` array and a transposed `f32` view into C-order outputs, placed alike on
/// their cache lines or 16 bytes apart (then the second output's lines are shared by two tiles'
/// rows, their single points stored through the cache), evenly spaced and by coordinates along
/// the columns.
#[test]
fn large_mixed_layouts_give_the_reference_bits() {
    fn check<F: Real>(shape: [usize; 2], transposed: bool) {
        let count = shape[0] * shape[1];
        let data: Vec<F> = (0..count)
            .map(|i| F::from((i as f64 * 0.37).sin() * 10.0).unwrap())
            .collect();
        // Columns apart by the rows (F order), or by a longer pitch (a transposed view of a
        // wider array's first rows).
        let pitch = if transposed { shape[0] + 3 } else { shape[0] };
        let data = if transposed {
            let mut wider = vec![F::nan(); pitch * shape[1]];
            for (c, column) in data.chunks(shape[0]).enumerate() {
                wider[c * pitch..c * pitch + shape[0]].copy_from_slice(column);
            }
            wider
        } else {
            data
        };
        let strides = [1, pitch as isize];
        let input = StridedView::new(&data, 0, &shape, &strides).unwrap();
        let x: Vec<F> = uneven(shape[1]);
        let by = [
            AxisSpacing::Uniform(F::from(0.5).unwrap()),
            AxisSpacing::Coordinates(&x),
        ];
        let apart = 16 / size_of::<F>();
        for places in [[0, 0], [3, 3 + apart]] {
            for options in [
                Options::new(),
                Options::new().spacing(Spacing::PerAxis(&by)),
            ] {
                assert_eq!(
                    cap_off_reference_placed(&input, &options, 2, &places),
                    None,
                    "{shape:?} {} mixed layouts, outputs at {places:?}",
                    core::any::type_name::<F>()
                );
            }
        }
    }
    // 16 MiB of outputs each: 2,099,196 `f64`, 4,202,400 `f32`.
    check::<f64>([1026, 2046], false);
    check::<f32>([1030, 4080], true);
}

/// Asserts that a C-order array of `shape` (rows longer than a window, outputs of 16 MiB or
/// more) gives the reference's bits on every path, its rows walked a window at a
/// time: along axis 0 alone and with axis 1 (the fused pass, a window at a time over each
/// chunk), by coordinates and evenly spaced (alone, the evenly spaced axis is one block
/// instead).
fn long_rows<T: Sample<F>, F: Real>(data: &[T], shape: [usize; 2]) {
    let (x0, x1): (Vec<F>, Vec<F>) = (uneven(shape[0]), uneven(shape[1]));
    let by = [AxisSpacing::Coordinates(&x0), AxisSpacing::Coordinates(&x1)];
    let input = StridedView::contiguous(data, &shape).unwrap();
    for (axes, selected) in [(Axes::List(&[0]), 1), (Axes::All, 2)] {
        for coordinates in [true, false] {
            let options = match coordinates {
                true => Options::new().spacing(Spacing::PerAxis(&by[..selected])),
                false => Options::new(),
            };
            assert_eq!(
                cap_off_reference_nd(&input, &options.axes(axes), selected),
                None,
                "rows of {} {} into {}, {axes:?}, coordinates {coordinates}",
                shape[1],
                core::any::type_name::<T>(),
                core::any::type_name::<F>()
            );
        }
    }
}

/// Step-2 views (every other sample, forwards and backwards) of series by coordinates and of
/// 2-D arrays along both axes, from `f64`, `f32` and `i16` samples: the lanes that load such
/// rows with their own shuffles (the AVX-512F lanes as two halves of the AVX2 ones), at widths
/// around every lane count. Series by coordinates take the AVX-512F lanes on a CPU that has
/// them; the 2-D arrays, evenly spaced and small, the AVX2 ones.
#[test]
fn step_two_views_give_the_reference_bits() {
    // Element `[0, 0]` of a backward view is the last of the first row's pairs.
    fn grid<T: Sample<F>, F: Real>(shape: [usize; 2], step: isize, data: &[T]) {
        let offset = if step < 0 { 2 * shape[1] - 1 } else { 0 };
        let strides = [2 * shape[1] as isize, step];
        let input = StridedView::new(data, offset, &shape, &strides).unwrap();
        assert_eq!(
            cap_off_reference_nd(&input, &Options::new(), 2),
            None,
            "{shape:?} step {step}, {} samples into {}",
            core::any::type_name::<T>(),
            core::any::type_name::<F>()
        );
    }
    // `n` samples as `f64`, `f32` and `i16`.
    let samples = |n: usize| {
        let data: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1013) as f64 * 0.37 - 150.0)
            .collect();
        let floats: Vec<f32> = data.iter().map(|&v| v as f32).collect();
        let ints: Vec<i16> = data.iter().map(|&v| v as i16).collect();
        (data, floats, ints)
    };
    for cols in (2..=40).chain([63, 64, 65, 129]) {
        for step in [2, -2] {
            let (data, floats, ints) = samples(2 * cols);
            // Element 0 of a backward view is the last sample.
            let offset = if step < 0 { data.len() - 1 } else { 0 };
            series::<f64, f64>(&data, (offset, step), cols);
            series::<f32, f32>(&floats, (offset, step), cols);
            series::<i16, f32>(&ints, (offset, step), cols);
            let shape = [5, cols];
            let (data, floats, ints) = samples(2 * shape[0] * shape[1]);
            grid::<f64, f64>(shape, step, &data);
            grid::<f32, f32>(shape, step, &floats);
            grid::<i16, f32>(shape, step, &ints);
        }
    }
}

/// Series by coordinates that start at every point of a cache line, from `f64`, `f32` and `i16`
/// samples: their lanes divide (the sweeps that take 512-bit lanes), and where a vector of the
/// samples' own type starts a cache line, with the line's points around it, the AVX-512F lanes
/// shift its neighbours in from the aligned vectors before and after it.
#[test]
fn aligned_neighbours_give_the_reference_bits() {
    let data: Vec<f64> = (0..400)
        .map(|i| ((i * 7919) % 1013) as f64 * 0.37 - 150.0)
        .collect();
    let floats: Vec<f32> = data.iter().map(|&v| v as f32).collect();
    let ints: Vec<i16> = data.iter().map(|&v| v as i16).collect();
    for offset in 0..16 {
        for n in [3, 24, 25, 47, 48, 49, 50, 64, 100, 257] {
            series::<f64, f64>(&data, (offset, 1), n);
            series::<f32, f32>(&floats, (offset, 1), n);
            series::<i16, f32>(&ints, (offset, 1), n);
        }
    }
}

/// Evenly spaced series of `f64` and `f32` samples starting at every element of a cache line,
/// of lengths around a few 512-bit vectors, their outputs in the same buffer: a whole number of
/// 4 KiB further (swept forward) or right after the samples (backward), at the samples'
/// alignment or one element off it. Where a vector of samples starts a cache line with a vector
/// of the line before it and two from it, the AVX-512F lanes shift its neighbours in from the
/// aligned vectors, and the sweep first stores whole vectors up to that span, the last
/// overlapping it (`kernels::sweep`).
#[test]
fn evenly_spaced_series_give_the_reference_bits() {
    fn series<F: Real>() {
        let lane = 64 / size_of::<F>();
        let page = 4096 / size_of::<F>();
        let mut pool = vec![F::nan(); 4 * page + 64];
        let base = pool.as_ptr().align_offset(64);
        for offset in 0..lane {
            for n in [
                3, 17, 24, 25, 31, 32, 33, 40, 47, 48, 49, 50, 63, 64, 65, 100, 257, 1000,
            ] {
                let samples: Vec<F> = (0..n)
                    .map(|i| F::from(((i * 7919) % 1013) as f64 * 0.37 - 150.0).unwrap())
                    .collect();
                let reference = {
                    let (mut out, shape) = (vec![F::nan(); n], [n]);
                    let input = StridedView::contiguous(&samples, &shape).unwrap();
                    let spacing = [AxisSpacing::Uniform(F::from(0.3).unwrap())];
                    let options = Options::new().spacing(Spacing::PerAxis(&spacing));
                    let outs = &mut [StridedViewMut::contiguous(&mut out, &shape).unwrap()];
                    gradient_reference(&input, outs, &options).unwrap();
                    out.iter().map(|&v| bits(v)).collect::<Vec<_>>()
                };
                let whole = n.div_ceil(page) * page;
                let gaps = [whole, whole + 1, n, n + 1];
                for (isa, gap) in
                    distinct_caps(Kernel::Auto).flat_map(|isa| gaps.map(|gap| (isa, gap)))
                {
                    let from = base + offset;
                    pool[from..from + n].copy_from_slice(&samples);
                    let (input, rest) = pool.split_at_mut(from + n);
                    let output = &mut rest[gap - n..gap];
                    let spacing = AxisSpacing::Uniform(F::from(0.3).unwrap());
                    gradient_1d_with(&input[from..], output, spacing, EdgeOrder::First, isa)
                        .unwrap();
                    let got: Vec<u64> = output.iter().map(|&v| bits(v)).collect();
                    assert_eq!(
                        got,
                        reference,
                        "{isa:?}: {n} {} from element {offset} of a cache line, output {gap} after",
                        core::any::type_name::<F>()
                    );
                }
            }
        }
    }
    series::<f64>();
    series::<f32>();
}

/// 2-D arrays by coordinates along their rows, outputs of 16 MiB or more (non-temporal
/// stores), whose rows are swept whole four or two at a time, placed alike
/// (`kernels::whole_lines`): rows whose outputs start their cache lines at two points (`f64`
/// rows of 2,500: fours), at four (`f32` rows of 5,604: fours) and at eight (`f64` rows of
/// 2,501 and 5,601: pairs, and some rows with no mate among their neighbours), the input at
/// the outputs' alignment or not.
#[test]
fn paired_lines_give_the_reference_bits() {
    fn grid<F: Real>(shape: [usize; 2], offset: usize) {
        let data: Vec<F> = (0..shape[0] * shape[1] + offset)
            .map(|i| F::from((i as f64 * 0.37).sin() * 10.0).unwrap())
            .collect();
        let x = uneven::<F>(shape[1]);
        let spacing = [AxisSpacing::Coordinates(&x)];
        let options = Options::new()
            .axes(Axes::One(1))
            .spacing(Spacing::PerAxis(&spacing));
        let strides = [shape[1] as isize, 1];
        let input = StridedView::new(&data, offset, &shape, &strides).unwrap();
        assert_eq!(
            cap_off_reference_nd(&input, &options, 1),
            None,
            "{shape:?} {} by coordinates along rows, input from {offset}",
            core::any::type_name::<F>()
        );
    }
    for offset in [0, 1] {
        grid::<f64>([840, 2500], offset);
        grid::<f64>([840, 2501], offset);
        // Rows longer than a table of weights: three segments of each row (`f64`), two
        // (`f32`), whose boundaries split the rows' pairs.
        grid::<f64>([376, 5601], offset);
        grid::<f32>([752, 5604], offset);
    }
}

/// Arrays by coordinates along their outer axis, whose rows across it are swept two points at
/// a time (`kernels::across::row_pair`): outer lengths 3 to 10 (an odd and an even number of
/// interior points, so a last point alone), both edge orders, rows around every lane count,
/// rows an odd number of elements apart (outputs on no common alignment) and a whole number
/// of cache lines apart, from `f64`, `f32` and `i16` samples, alone and with the other axis;
/// then arrays large enough for the fused pass, whose chunks of 13 (`f64`) and 52 (`i16`)
/// rows start pairs at odd and even points.
#[test]
fn row_pairs_give_the_reference_bits() {
    fn grid<T: Sample<F>, F: Real>((shape, edge): ([usize; 2], EdgeOrder), sample: fn(f64) -> T) {
        let data: Vec<T> = (0..shape[0] * shape[1])
            .map(|i| sample((i as f64 * 0.37).sin() * 100.0))
            .collect();
        let (x0, x1): (Vec<F>, Vec<F>) = (uneven(shape[0]), uneven(shape[1]));
        let by = [AxisSpacing::Coordinates(&x0), AxisSpacing::Coordinates(&x1)];
        let input = StridedView::contiguous(&data, &shape).unwrap();
        let options = Options::new().edge_order(edge);
        for (axes, selected) in [(Axes::One(0), 1), (Axes::All, 2)] {
            let options = options
                .spacing(Spacing::PerAxis(&by[..selected]))
                .axes(axes);
            assert_eq!(
                cap_off_reference_nd(&input, &options, selected),
                None,
                "{shape:?} {} into {}, {axes:?}, {edge:?}",
                core::any::type_name::<T>(),
                core::any::type_name::<F>()
            );
        }
    }
    for rows in 3..=10 {
        for cols in [3, 4, 7, 8, 9, 15, 16, 17, 33, 64, 67] {
            for edge in [EdgeOrder::First, EdgeOrder::Second] {
                grid::<f64, f64>(([rows, cols], edge), |v| v);
                grid::<f32, f32>(([rows, cols], edge), |v| v as f32);
                grid::<i16, f32>(([rows, cols], edge), |v| v as i16);
            }
        }
    }
    grid::<f64, f64>(([37, 2500], EdgeOrder::Second), |v| v);
    grid::<i16, f32>(([61, 2500], EdgeOrder::First), |v| v as i16);
}

/// Every cap runs a path no higher than itself; with `NUMGRAD_REQUIRE_AVX2=1`, the AVX2 cap
/// runs the AVX2 sweeps (x86_64), so that the other tests compare them.
#[test]
fn caps_run_the_paths_this_cpu_has() {
    let required = std::env::var_os("NUMGRAD_REQUIRE_AVX2").is_some_and(|v| v == "1");
    for cap in Isa::ALL {
        let used = isa_used(cap);
        println!("cap {cap:?}: ran {used:?}");
        assert!(used <= cap, "{used:?} above the cap {cap:?}");
    }
    if cfg!(target_arch = "x86_64") && required {
        let used = isa_used(Isa::Avx2);
        assert!(
            used >= Isa::Avx2,
            "NUMGRAD_REQUIRE_AVX2=1, but this CPU has no AVX2 (ran {used:?})"
        );
    }
    println!(
        "distinct paths: {:?}",
        distinct_caps(Kernel::Auto).collect::<Vec<_>>()
    );
}

/// Random series (lengths, values, spacings, edge orders and output strides) on every path.
#[test]
fn random_series_give_the_reference_bits() {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    runner
        .run(&case(), |case| check_case(&case))
        .unwrap_or_else(|e| panic!("{e}"));
}

// Without NEON `wide`'s lanes are plain arrays, and this suite would no longer check NEON lanes.
#[cfg(all(target_arch = "aarch64", not(target_feature = "neon")))]
compile_error!("aarch64 build without NEON: `wide`'s compile-time lanes are plain arrays");

/// On aarch64 the compile-time lanes (`wide`'s NEON vectors) are the only path: every cap runs
/// them, whatever it allows.
#[cfg(target_arch = "aarch64")]
#[test]
fn aarch64_runs_the_neon_compile_time_lanes_only() {
    for cap in Isa::ALL {
        assert_eq!(isa_used(cap), Isa::Baseline, "cap {cap:?}");
    }
}
