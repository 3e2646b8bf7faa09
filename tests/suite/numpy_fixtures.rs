//! The differential suite against numpy: every case of `tests/fixtures/numpy_gradient.txt`
//! (written by `tests/fixtures/generate.py` with numpy) is recomputed here and compared bit for
//! bit (any NaN matches any NaN: payloads are not part of the contract).
//!
//! Each case runs through every path: the automatic kernel choice, each forced kernel that fits,
//! the scalar reference, and outputs written through reversed (negative-stride) views; all of
//! it on each vector path: the compile-time lanes, the run-time AVX2 sweeps and the AVX-512
//! ones (one `#[test]` per path, each call choosing its own).

use crate::fixture_cases;
use crate::support;

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{Real, Sample, StridedViewMut, gradient_reference};

use fixture_cases::{Bits, Case, c_strides, error_matches, parse_cases};
use support::same;

const FIXTURES: &str = include_str!("../fixtures/numpy_gradient.txt");

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

/// Runs `case` on every path; returns how many paths were compared.
fn run<T: Sample<F> + ParseSample + Copy, F: Bits + Real>(case: &Case<'_>, isa: Isa) -> usize {
    let label = case.label();
    let base: Vec<T> = case.base.iter().map(|w| T::parse_sample(w)).collect();
    let input = case.view(&base);
    let spacing = case.spacing::<F>();
    let per_axis = spacing.per_axis();
    let options = case.options(&spacing, &per_axis);
    let selected = case.selected();
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
fn every_numpy_fixture_matches_on_partial_avx512() {
    every_numpy_fixture_matches(Isa::Avx512Partial);
}

#[test]
fn every_numpy_fixture_matches_on_avx512() {
    every_numpy_fixture_matches(Isa::Avx512);
}

#[test]
fn every_numpy_fixture_matches_with_the_fma_quotient() {
    every_numpy_fixture_matches(Isa::Avx512Fma);
}
