//! Every vector path of one build gives the reference's bits: the compile-time lanes
//! (`Isa::Baseline`), the AVX2 sweeps taken at run time (`Isa::Avx2`) and the AVX-512F sweeps
//! of uneven spacing (`Isa::Avx512`).
//!
//! One `#[test]` per binary: the ISA limit is process-wide, so nothing else here may run
//! while a path is being checked. Each pass runs the best path the CPU has up to its limit
//! (`--nocapture` shows which paths ran), so `cargo test` passes on any x86_64 CPU. CI sets
//! `NUMGRAD_REQUIRE_AVX2=1` (its machines have AVX2): then on x86_64 the AVX2 pass must really
//! run AVX2, so a lost detection cannot silently skip the run-time sweeps.

use numgrad::{
    AxisSpacing, EdgeOrder, Isa, Options, Real, Sample, Spacing, StridedView, StridedViewMut,
    active_isa, gradient, gradient_1d, gradient_reference, limit_isa,
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

/// The bits of the gradient of `case` with samples `T` in `F`: by the reference, or by
/// `gradient` (strided output) and, for unit stride, `gradient_1d` too.
fn run<T: Sample<F>, F: Real>(case: &Case, data: &[T], fast: bool) -> Vec<u64> {
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
        if fast {
            gradient(&input, &mut outs, &options).unwrap();
        } else {
            gradient_reference(&input, &mut outs, &options).unwrap();
        }
    }
    // Bits, with every NaN one value: payloads are not part of the contract (as elsewhere).
    let bits = |v: F| {
        let v = v.to_f64().unwrap();
        if v.is_nan() { u64::MAX } else { v.to_bits() }
    };
    let out: Vec<u64> = (0..n)
        .map(|j| bits(buffer[(offset as isize + j as isize * case.out_stride) as usize]))
        .collect();
    if fast && case.out_stride == 1 {
        let mut direct = vec![F::nan(); n];
        gradient_1d(data, &mut direct, spacing, case.edge).unwrap();
        assert_eq!(direct.iter().map(|&v| bits(v)).collect::<Vec<_>>(), out);
    }
    out
}

/// Every sample/float pairing the AVX lanes load: f64, f32 (through f32 data), i16 into both.
fn check_case(case: &Case) -> Result<(), TestCaseError> {
    fn pair<T: Sample<F>, F: Real>(case: &Case, data: Vec<T>) -> Result<(), TestCaseError> {
        let reference = run::<T, F>(case, &data, false);
        let fast = run::<T, F>(case, &data, true);
        prop_assert_eq!(fast, reference);
        Ok(())
    }
    pair::<f64, f64>(case, case.data.clone())?;
    pair::<f32, f32>(case, case.data.iter().map(|&v| v as f32).collect())?;
    let ints: Vec<i16> = case.data.iter().map(|&v| v as i16).collect();
    pair::<i16, f32>(case, ints.clone())?;
    pair::<i16, f64>(case, ints)
}

/// A series whose output streams (>= 16 MiB) on uneven coordinates, through the streaming
/// stores of each path.
fn check_streaming_series() {
    let n = (16 << 20) / 8 + 13;
    let data: Vec<f64> = (0..n).map(|i| (i as f64 * 1e-3).sin() * 100.0).collect();
    let x: Vec<f64> = (0..n)
        .map(|i| i as f64 + 0.25 * (i as f64 * 0.7).cos())
        .collect();
    let case = Case {
        data,
        space: Space::Coordinates(x),
        edge: EdgeOrder::Second,
        out_stride: 1,
    };
    let reference = run::<f64, f64>(&case, &case.data, false);
    assert!(run::<f64, f64>(&case, &case.data, true) == reference);
}

#[test]
fn every_vector_path_gives_the_reference_bits() {
    let x86 = cfg!(target_arch = "x86_64");
    for isa in [Isa::Baseline, Isa::Avx2, Isa::Avx512] {
        limit_isa(isa);
        let active = active_isa();
        // With NUMGRAD_REQUIRE_AVX2 set (CI), AVX2 must run on x86_64; otherwise each pass
        // runs what the CPU has, and the output says which paths ran.
        if isa >= Isa::Avx2 && x86 && std::env::var_os("NUMGRAD_REQUIRE_AVX2").is_some() {
            assert!(
                active >= Isa::Avx2,
                "NUMGRAD_REQUIRE_AVX2 is set but this CPU has no AVX2"
            );
        }
        assert!(active <= isa, "{active:?} above the limit {isa:?}");
        println!("limit {isa:?}: ran {active:?}");
        let mut runner = TestRunner::new(Config {
            cases: 512,
            ..Config::default()
        });
        runner
            .run(&case(), |case| check_case(&case))
            .unwrap_or_else(|e| panic!("{isa:?}: {e}"));
        check_streaming_series();
    }
    limit_isa(Isa::Avx512);
}
