//! The differential suite for the value types against numpy: every case of
//! `tests/fixtures/numpy_values.txt` (written by `tests/fixtures/generate_values.py` with numpy)
//! — complex128, complex64, datetime64, timedelta64 and float16 — recomputed by `gradient_values` and by
//! the reference's walk, into C-order and reversed outputs, and compared bit for bit (any NaN
//! matches any NaN; NaT is a count like any other).

mod fixture_cases;
mod support;

use half::f16;
use num_complex::Complex;
use numgrad::testing::gradient_values_reference;
use numgrad::{Datetime64, Real, StridedViewMut, Timedelta64, Value, gradient_values};

use fixture_cases::{Bits, Case, c_strides, error_matches, parse_cases};
use support::same;

const FIXTURES: &str = include_str!("fixtures/numpy_values.txt");

/// A value type as the fixtures spell it, and how its results compare.
trait Fixture<F: Bits>: Value<F> {
    fn parse(word: &str) -> Self;
    fn parse_out(word: &str) -> Self::Out;
    fn same(a: Self::Out, b: Self::Out) -> bool;
    /// A result no call writes, to see which outputs were left alone.
    fn untouched() -> Self::Out;
    fn is_untouched(v: Self::Out) -> bool;
}

impl<F: Bits + Real> Fixture<F> for Complex<F> {
    fn parse(word: &str) -> Self {
        let (re, im) = word.split_once(':').expect("re:im");
        Complex::new(F::parse(re), F::parse(im))
    }
    fn parse_out(word: &str) -> Self {
        <Self as Fixture<F>>::parse(word)
    }
    fn same(a: Self, b: Self) -> bool {
        same(a.re, b.re) && same(a.im, b.im)
    }
    fn untouched() -> Self {
        Complex::new(F::from(7.0).unwrap(), F::from(-7.0).unwrap())
    }
    fn is_untouched(v: Self) -> bool {
        v == <Self as Fixture<F>>::untouched()
    }
}

macro_rules! counts {
    ($t:ident) => {
        impl Fixture<f64> for $t {
            fn parse(word: &str) -> Self {
                $t(word.parse().expect("count"))
            }
            fn parse_out(word: &str) -> Timedelta64 {
                Timedelta64(word.parse().expect("count"))
            }
            fn same(a: Timedelta64, b: Timedelta64) -> bool {
                a == b
            }
            fn untouched() -> Timedelta64 {
                Timedelta64(7)
            }
            fn is_untouched(v: Timedelta64) -> bool {
                v == Timedelta64(7)
            }
        }
    };
}
counts!(Datetime64);
counts!(Timedelta64);

impl Fixture<f16> for f16 {
    fn parse(word: &str) -> Self {
        <f16 as Bits>::parse(word)
    }
    fn parse_out(word: &str) -> Self {
        <f16 as Bits>::parse(word)
    }
    fn same(a: Self, b: Self) -> bool {
        same(a, b)
    }
    fn untouched() -> Self {
        f16::from_f32(7.0)
    }
    fn is_untouched(v: Self) -> bool {
        v.to_bits() == f16::from_f32(7.0).to_bits()
    }
}

/// Runs `case` through the kernel and the reference walk, into C-order and reversed outputs;
/// returns how many paths were compared.
fn run<V: Fixture<F>, F: Bits>(case: &Case<'_>) -> usize {
    let label = case.label();
    let base: Vec<V> = case.base.iter().map(|w| V::parse(w)).collect();
    let input = case.view(&base);
    let spacing = case.spacing::<F>();
    let per_axis = spacing.per_axis();
    let options = case.options(&spacing, &per_axis);
    let selected = case.selected();
    let count: usize = case.shape.iter().product();
    let fresh = |k: usize| vec![vec![V::untouched(); count]; k];

    if let Some(exception) = case.error {
        // numpy raised: both paths reject the call the same way and leave the outputs alone.
        let mut outs = fresh(selected);
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        let err = gradient_values(&input, &mut views, &options)
            .expect_err(&format!("{label}: numpy raised {exception}, we did not"));
        assert!(
            error_matches(exception, &err),
            "{label}: numpy raised {exception}, we returned {err:?}"
        );
        let reference = gradient_values_reference(&input, &mut views, &options);
        assert_eq!(reference, Err(err), "{label}: the reference disagrees");
        drop(views);
        assert!(outs.iter().flatten().all(|&v| V::is_untouched(v)));
        return 1;
    }

    let expected: Vec<Vec<V::Out>> = case
        .grads
        .iter()
        .map(|g| g.iter().map(|w| V::parse_out(w)).collect())
        .collect();
    for g in &expected {
        assert_eq!(g.len(), count, "{label}: fixture length");
    }
    let check = |path: &str, got: &[Vec<V::Out>]| {
        for (k, (g, e)) in got.iter().zip(&expected).enumerate() {
            for (j, (&a, &b)) in g.iter().zip(e).enumerate() {
                assert!(
                    V::same(a, b),
                    "{label} [{path}] output {k} element {j}: got {a:?}, numpy {b:?}"
                );
            }
        }
    };
    let outputs = expected.len();
    let mut outs = fresh(outputs);
    {
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        gradient_values(&input, &mut views, &options).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    check("kernel", &outs);
    let mut outs = fresh(outputs);
    {
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        gradient_values_reference(&input, &mut views, &options)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    check("reference", &outs);
    // Outputs through fully reversed views: element [i..] lives at count-1 - C-index.
    let rev_strides: Vec<isize> = c_strides(&case.shape).iter().map(|s| -s).collect();
    let mut outs = fresh(outputs);
    {
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| {
                let last = b.len().saturating_sub(1);
                StridedViewMut::new(b, last, &case.shape, &rev_strides)
                    .unwrap_or_else(|e| panic!("{label}: reversed output view: {e}"))
            })
            .collect();
        gradient_values(&input, &mut views, &options).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    for g in &mut outs {
        g.reverse();
    }
    check("reversed outputs", &outs);
    3
}

#[test]
fn every_value_fixture_matches_numpy() {
    let cases = parse_cases(FIXTURES);
    let mut by_dtype = std::collections::BTreeMap::<&str, usize>::new();
    let mut compared = 0;
    for case in &cases {
        compared += match case.dtype {
            "c128" => run::<Complex<f64>, f64>(case),
            "c64" => run::<Complex<f32>, f32>(case),
            "M8" => run::<Datetime64, f64>(case),
            "m8" => run::<Timedelta64, f64>(case),
            "f16" => run::<f16, f16>(case),
            other => panic!("case {}: unknown dtype {other}", case.index),
        };
        *by_dtype.entry(case.dtype).or_default() += 1;
    }
    // Every dtype is there, with enough cases to mean something.
    for dtype in ["c128", "c64", "M8", "m8", "f16"] {
        assert!(
            by_dtype.get(dtype).copied().unwrap_or(0) >= 50,
            "{by_dtype:?}"
        );
    }
    eprintln!(
        "{} cases {by_dtype:?}, {compared} paths compared",
        cases.len()
    );
}
