//! The differential suite against numpy: every case of `tests/fixtures/numpy_gradient.txt`
//! (written by `tests/fixtures/generate.py` with numpy) is recomputed here and compared bit for
//! bit (any NaN matches any NaN: payloads are not part of the contract).
//!
//! Each case runs through every path: the automatic kernel choice, each forced kernel that fits,
//! the scalar reference, and outputs written through reversed (negative-stride) views; all of
//! it on each vector path: the compile-time lanes, the run-time AVX2 sweeps and the AVX-512
//! ones (one `#[test]` per path, each call choosing its own).

mod support;

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Real, Sample, Spacing, StridedView,
    StridedViewMut, gradient_reference,
};

use support::same;

const FIXTURES: &str = include_str!("fixtures/numpy_gradient.txt");

/// A float type that fixtures spell as hex bit patterns.
trait Bits: Real {
    fn parse(hex: &str) -> Self;
}

impl Bits for f64 {
    fn parse(hex: &str) -> Self {
        assert_eq!(hex.len(), 16, "f64 bits {hex}");
        f64::from_bits(u64::from_str_radix(hex, 16).expect("hex"))
    }
}

impl Bits for f32 {
    fn parse(hex: &str) -> Self {
        assert_eq!(hex.len(), 8, "f32 bits {hex}");
        f32::from_bits(u32::from_str_radix(hex, 16).expect("hex"))
    }
}

/// One fixture case, still as text.
#[derive(Default, Debug)]
struct Case<'a> {
    index: usize,
    name: &'a str,
    dtype: &'a str,
    out: &'a str,
    base: Vec<&'a str>,
    offset: usize,
    shape: Vec<usize>,
    strides: Vec<isize>,
    axes: Option<Vec<isize>>,
    spacing: Vec<&'a str>,
    edge: i64,
    grads: Vec<Vec<&'a str>>,
    error: Option<&'a str>,
}

fn parse_cases(text: &str) -> Vec<Case<'_>> {
    let mut cases = Vec::new();
    let mut case = Case::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split(' ');
        let key = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.filter(|w| !w.is_empty()).collect();
        match key {
            "case" => {
                case = Case {
                    index: rest[0].parse().unwrap(),
                    name: rest[1],
                    ..Case::default()
                }
            }
            "dtype" => case.dtype = rest[0],
            "out" => case.out = rest[0],
            "base" => case.base = rest,
            "offset" => case.offset = rest[0].parse().unwrap(),
            "shape" => case.shape = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "strides" => case.strides = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "axes" if rest == ["all"] => case.axes = None,
            "axes" => case.axes = Some(rest.iter().map(|w| w.parse().unwrap()).collect()),
            "spacing" => case.spacing = rest,
            "edge" => case.edge = rest[0].parse().unwrap(),
            "grad" => case.grads.push(rest),
            "error" => case.error = Some(rest[0]),
            "end" => cases.push(std::mem::take(&mut case)),
            other => panic!("unknown fixture line {other:?}"),
        }
    }
    cases
}

/// Parses a base value of the sample type.
trait ParseSample: Sized {
    fn parse_sample(word: &str) -> Self;
}

macro_rules! int_samples {
    ($($t:ty),*) => {$(
        impl ParseSample for $t {
            fn parse_sample(word: &str) -> Self {
                word.parse().unwrap()
            }
        }
    )*};
}
int_samples!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ParseSample for f64 {
    fn parse_sample(word: &str) -> Self {
        <f64 as Bits>::parse(word)
    }
}

impl ParseSample for f32 {
    fn parse_sample(word: &str) -> Self {
        <f32 as Bits>::parse(word)
    }
}

/// The spacing entries of a case, owned.
enum Entry<F> {
    Uniform(F),
    Coordinates(Vec<F>),
}

/// Which of our errors numpy's exception class corresponds to.
fn error_matches(numpy: &str, ours: &GradientError) -> bool {
    use GradientError::*;
    match numpy {
        "AxisError" => matches!(ours, AxisOutOfRange { .. }),
        "ValueError" => matches!(
            ours,
            DuplicateAxis { .. } | CoordinateLength { .. } | AxisTooShort { .. }
        ),
        "TypeError" => matches!(ours, SpacingCount { .. }),
        "IndexError" => matches!(ours, AxisTooShort { .. }),
        _ => false,
    }
}

/// Runs `case` on every path; returns how many paths were compared.
fn run<T: Sample<F> + ParseSample + Copy, F: Bits>(case: &Case<'_>, isa: Isa) -> usize {
    let label = format!("case {} {}", case.index, case.name);
    let base: Vec<T> = case.base.iter().map(|w| T::parse_sample(w)).collect();
    let input = StridedView::new(&base, case.offset, &case.shape, &case.strides)
        .unwrap_or_else(|e| panic!("{label}: input view rejected: {e}"));
    let (mut uniform_all, mut entries) = (None, Vec::new());
    match case.spacing.as_slice() {
        ["none"] => {}
        ["scalar", v] => uniform_all = Some(F::parse(v)),
        ["axes", list @ ..] => {
            for e in list {
                if let Some(v) = e.strip_prefix("u:") {
                    entries.push(Entry::Uniform(F::parse(v)));
                } else if let Some(c) = e.strip_prefix("c:") {
                    let coords = c
                        .split(',')
                        .filter(|w| !w.is_empty())
                        .map(F::parse)
                        .collect();
                    entries.push(Entry::Coordinates(coords));
                } else {
                    panic!("{label}: bad spacing entry {e}");
                }
            }
        }
        other => panic!("{label}: bad spacing {other:?}"),
    }
    let per_axis: Vec<AxisSpacing<'_, F>> = entries
        .iter()
        .map(|e| match e {
            Entry::Uniform(h) => AxisSpacing::Uniform(*h),
            Entry::Coordinates(x) => AxisSpacing::Coordinates(x),
        })
        .collect();
    let selected = match &case.axes {
        None => case.shape.len(),
        Some(list) => list.len(),
    };
    let spacing = match (uniform_all, case.spacing.first(), per_axis.as_slice()) {
        (Some(h), _, _) => Spacing::Uniform(h),
        // numpy reads one scalar argument as the spacing of every axis.
        (None, Some(&"axes"), &[AxisSpacing::Uniform(h)]) if selected != 1 => Spacing::Uniform(h),
        (None, Some(&"axes"), _) => Spacing::PerAxis(&per_axis),
        _ => Spacing::Unit,
    };
    let axes = match &case.axes {
        None => Axes::All,
        Some(list) => Axes::List(list),
    };
    let edge = EdgeOrder::try_from(case.edge).unwrap_or_else(|e| panic!("{label}: {e}"));
    let options = Options::new().axes(axes).spacing(spacing).edge_order(edge);
    let count: usize = case.shape.iter().product();
    let outputs_needed = case.grads.len();

    if let Some(exception) = case.error {
        // numpy raised: we must reject the call too, and leave the outputs alone.
        let mut buffers = vec![vec![F::from(7.0).unwrap(); count]; selected];
        let mut views: Vec<_> = buffers
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        let err = gradient_with(&input, &mut views, &options, Kernel::Auto, isa)
            .expect_err(&format!("{label}: numpy raised {exception}, we did not"));
        assert!(
            error_matches(exception, &err),
            "{label}: numpy raised {exception}, we returned {err:?}"
        );
        drop(views);
        assert!(
            buffers
                .iter()
                .flatten()
                .all(|&v| v == F::from(7.0).unwrap())
        );
        return 1;
    }

    let expected: Vec<Vec<F>> = case
        .grads
        .iter()
        .map(|g| g.iter().map(|w| F::parse(w)).collect())
        .collect();
    for g in &expected {
        assert_eq!(g.len(), count, "{label}: fixture length");
    }
    let check = |path: &str, got: &[Vec<F>]| {
        for (k, (g, e)) in got.iter().zip(&expected).enumerate() {
            for (j, (&a, &b)) in g.iter().zip(e).enumerate() {
                assert!(
                    same(a, b),
                    "{label} [{path}] output {k} element {j}: got {a:?}, numpy {b:?}"
                );
            }
        }
    };

    let mut compared = 0;
    let fresh = || vec![vec![F::nan(); count]; outputs_needed];
    // Reference and every kernel, C-order outputs.
    let mut outs = fresh();
    {
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        gradient_reference(&input, &mut views, &options).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    check("reference", &outs);
    compared += 1;
    for kernel in [
        Kernel::Auto,
        Kernel::AlongContiguous,
        Kernel::AlongStrided,
        Kernel::Across,
    ] {
        let mut outs = fresh();
        let applied = {
            let mut views: Vec<_> = outs
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
                .collect();
            gradient_with(&input, &mut views, &options, kernel, isa)
                .unwrap_or_else(|e| panic!("{label}: {e}"))
        };
        if applied {
            check(&format!("{kernel:?}"), &outs);
            compared += 1;
        } else {
            assert!(
                outs.iter().flatten().all(|v| v.is_nan()),
                "{label}: wrote while declining"
            );
        }
    }
    // Outputs through fully reversed views: element [i..] lives at count-1 - C-index.
    let rev_strides: Vec<isize> = c_strides(&case.shape).iter().map(|s| -s).collect();
    let mut outs = fresh();
    {
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| {
                let last = b.len().saturating_sub(1);
                StridedViewMut::new(b, last, &case.shape, &rev_strides)
                    .unwrap_or_else(|e| panic!("{label}: reversed output view: {e}"))
            })
            .collect();
        gradient_with(&input, &mut views, &options, Kernel::Auto, isa)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    for g in &mut outs {
        g.reverse();
    }
    check("reversed outputs", &outs);
    compared + 1
}

fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![1isize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1].max(1) as isize;
    }
    strides
}

/// Every fixture through every kernel, on vector paths up to `isa`.
fn every_numpy_fixture_matches(isa: Isa) {
    let cases = parse_cases(FIXTURES);
    assert!(cases.len() > 1000, "only {} fixture cases", cases.len());
    let mut compared = 0;
    for case in &cases {
        compared += match (case.dtype, case.out) {
            ("f64", "f64") => run::<f64, f64>(case, isa),
            ("f32", "f32") => run::<f32, f32>(case, isa),
            ("i8", "f64") => run::<i8, f64>(case, isa),
            ("i16", "f64") => run::<i16, f64>(case, isa),
            ("i32", "f64") => run::<i32, f64>(case, isa),
            ("i64", "f64") => run::<i64, f64>(case, isa),
            ("u8", "f64") => run::<u8, f64>(case, isa),
            ("u16", "f64") => run::<u16, f64>(case, isa),
            ("u32", "f64") => run::<u32, f64>(case, isa),
            ("u64", "f64") => run::<u64, f64>(case, isa),
            ("i8", "f32") => run::<i8, f32>(case, isa),
            ("i16", "f32") => run::<i16, f32>(case, isa),
            ("i32", "f32") => run::<i32, f32>(case, isa),
            ("i64", "f32") => run::<i64, f32>(case, isa),
            ("u8", "f32") => run::<u8, f32>(case, isa),
            ("u16", "f32") => run::<u16, f32>(case, isa),
            ("u32", "f32") => run::<u32, f32>(case, isa),
            ("u64", "f32") => run::<u64, f32>(case, isa),
            other => panic!("case {}: unsupported types {other:?}", case.index),
        };
    }
    // Most cases ran at least twice per path (auto + reference); numpy raised on the others.
    assert!(compared >= 3 * cases.len());
    println!(
        "{isa:?}: {} numpy cases, {compared} path comparisons",
        cases.len()
    );
}

#[test]
fn every_numpy_fixture_matches_on_compile_time_lanes() {
    every_numpy_fixture_matches(Isa::Baseline);
}

#[test]
fn every_numpy_fixture_matches_on_avx2() {
    every_numpy_fixture_matches(Isa::Avx2);
}

#[test]
fn every_numpy_fixture_matches_on_avx512() {
    every_numpy_fixture_matches(Isa::Avx512);
}
