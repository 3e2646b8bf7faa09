//! The differential suite for the value types against numpy: every case of
//! `tests/fixtures/numpy_values.txt` (written by `tests/fixtures/generate_values.py` with numpy)
//! — complex128, complex64, datetime64, timedelta64 and float16 — recomputed by `gradient_values` and by
//! the reference's walk, into C-order and reversed outputs, block by block through the block
//! API, and (with the features `rayon` and `ndarray`) by the parallel call and the ndarray
//! adapter, and compared bit for bit (any NaN matches any NaN; NaT is a count like any other).

use crate::fixture_cases;
use crate::support;

use half::f16;
use num_complex::Complex;
use numgrad::testing::gradient_values_reference;
use std::ops::Range;

use numgrad::{
    Datetime64, Real, StridedView, StridedViewMut, Timedelta64, Value, WholeArray, gradient_values,
};

use fixture_cases::{Bits, Case, c_strides, error_matches, parse_cases};
use support::same;

const FIXTURES: &str = include_str!("../fixtures/numpy_values.txt");

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

    // Blocks: every axis cut into pieces of 1 to 5 points, each block computed from the
    // smallest window it reads (a sub-view of the input), its results put in place.
    let whole = WholeArray::new(&case.shape, &options).unwrap_or_else(|e| panic!("{label}: {e}"));
    let rank = case.shape.len();
    let pieces: Vec<Vec<Range<usize>>> = (case.shape.iter().enumerate())
        .map(|(a, &n)| cuts(n, case.index + a))
        .collect();
    let mut outs = fresh(outputs);
    for block in product(&pieces) {
        let windows: Vec<Range<usize>> = (0..rank)
            .map(|a| whole.window(a, block[a].clone()).unwrap())
            .collect();
        let w0: Vec<usize> = windows.iter().map(|w| w.start).collect();
        let wlen: Vec<usize> = windows.iter().map(|w| w.len()).collect();
        let b0: Vec<usize> = block.iter().map(|b| b.start).collect();
        let blen: Vec<usize> = block.iter().map(|b| b.len()).collect();
        let at = (w0.iter().zip(&case.strides)).map(|(&i, &s)| i as isize * s);
        let offset = case.offset as isize + at.sum::<isize>();
        let window = StridedView::new(&base, offset as usize, &wlen, &case.strides).unwrap();
        let mut parts = vec![vec![V::untouched(); blen.iter().product()]; outputs];
        let mut views: Vec<_> = (parts.iter_mut())
            .map(|b| StridedViewMut::contiguous(b, &blen).unwrap())
            .collect();
        whole
            .gradient_values_block(&window, &w0, &b0, &mut views)
            .unwrap_or_else(|e| panic!("{label}: block {block:?}: {e}"));
        drop(views);
        for (out, part) in outs.iter_mut().zip(&parts) {
            for (j, &v) in part.iter().enumerate() {
                let idx = unravel(j, &blen);
                let whole_idx = (idx.iter().zip(&b0))
                    .map(|(i, b)| i + b)
                    .collect::<Vec<_>>();
                out[ravel(&whole_idx, &case.shape)] = v;
            }
        }
    }
    check("blocks", &outs);
    // Mutable only with the adapters' features (the aarch64 suite builds without them).
    #[cfg_attr(not(any(feature = "rayon", feature = "ndarray")), allow(unused_mut))]
    let mut paths = 4;

    #[cfg(feature = "rayon")]
    {
        // The parallel call, forced onto 3 slabs whatever the size.
        let mut outs = fresh(outputs);
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        numgrad::testing::gradient_values_parallel_with(&input, &mut views, &options, 0, Some(3))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        drop(views);
        check("parallel", &outs);
        paths += 1;
    }

    #[cfg(feature = "ndarray")]
    {
        // An ndarray view of the same elements: ndarray builds views from non-negative
        // strides, so each reversed axis is built forwards from its last element, then inverted.
        let empty = case.shape.contains(&0);
        let dims = ndarray::IxDyn(&case.shape);
        let steps: Vec<usize> = case.strides.iter().map(|s| s.unsigned_abs()).collect();
        let from_last = (case.shape.iter().zip(&case.strides))
            .filter(|&(_, &s)| s < 0 && !empty)
            .map(|(&n, &s)| (n as isize - 1) * s)
            .sum::<isize>();
        let first = if empty {
            0
        } else {
            case.offset as isize + from_last
        };
        let shape = ndarray::ShapeBuilder::strides(dims, ndarray::IxDyn(&steps));
        // SAFETY: the case's view was validated by `case.view` above: every element its shape
        // and strides reach lies in `base` (which outlives the array), and these are the same
        // elements, reached from the lowest address.
        let mut array =
            unsafe { ndarray::ArrayView::from_shape_ptr(shape, base.as_ptr().add(first as usize)) };
        for (a, &s) in case.strides.iter().enumerate() {
            if s < 0 && !empty {
                array.invert_axis(ndarray::Axis(a));
            }
        }
        let got = numgrad::gradient_values_arrays(&array, &options)
            .unwrap_or_else(|e| panic!("{label}: ndarray: {e}"));
        let got: Vec<Vec<V::Out>> = got.iter().map(|a| a.iter().copied().collect()).collect();
        check("ndarray", &got);
        // Into caller arrays in F order.
        let f_order = ndarray::ShapeBuilder::f(ndarray::IxDyn(&case.shape));
        let mut outs = vec![ndarray::ArrayD::from_elem(f_order, V::untouched()); outputs];
        let mut views: Vec<_> = outs.iter_mut().map(|a| a.view_mut()).collect();
        numgrad::gradient_values_array_into(&array, &mut views, &options)
            .unwrap_or_else(|e| panic!("{label}: ndarray into: {e}"));
        drop(views);
        let got: Vec<Vec<V::Out>> = outs.iter().map(|a| a.iter().copied().collect()).collect();
        check("ndarray into F order", &got);
        paths += 2;
    }
    paths
}

/// Pieces of an axis of `n` points: 1 to 5 points each, the sizes cycling from `seed`.
fn cuts(n: usize, seed: usize) -> Vec<Range<usize>> {
    let mut pieces = vec![];
    let mut start = 0;
    let mut k = seed;
    while start < n {
        let len = [1, 3, 2, 5, 4][k % 5].min(n - start);
        pieces.push(start..start + len);
        start += len;
        k += 1;
    }
    if pieces.is_empty() {
        pieces.push(0..0);
    }
    pieces
}

/// Every combination of one piece per axis.
fn product(pieces: &[Vec<Range<usize>>]) -> Vec<Vec<Range<usize>>> {
    let mut all = vec![vec![]];
    for axis in pieces {
        all = all
            .iter()
            .flat_map(|prefix| {
                axis.iter().map(move |p| {
                    let mut v: Vec<Range<usize>> = prefix.clone();
                    v.push(p.clone());
                    v
                })
            })
            .collect();
    }
    all
}

/// The multi-index of C-order index `j` in `shape`.
fn unravel(mut j: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (a, &n) in shape.iter().enumerate().rev() {
        idx[a] = j % n;
        j /= n;
    }
    idx
}

/// The C-order index of multi-index `idx` in `shape`.
fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
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
