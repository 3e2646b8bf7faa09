//! numpy's own `TestGradient` (numpy/lib/tests/test_function_base.py), ported case by case with
//! numpy's expected values. `assert_array_equal` stays exact; `assert_almost_equal` keeps numpy's
//! tolerance (7 decimals).
//!
//! Not ported, because the types make them impossible to express: datetime64/timedelta64 and
//! masked arrays (no such element types), float16, 2-D coordinate arrays (coordinates are
//! slices), and the tuple-vs-array return type.

use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Sample, Spacing, gradient_owned,
};

fn grad<T: Sample<f64>>(f: &[T], shape: &[usize], options: &Options<'_, f64>) -> Vec<Vec<f64>> {
    gradient_owned(f, shape, options)
        .unwrap()
        .into_iter()
        .map(|g| g.data)
        .collect()
}

fn err<T: Sample<f64>>(f: &[T], shape: &[usize], options: &Options<'_, f64>) -> GradientError {
    gradient_owned(f, shape, options).unwrap_err()
}

fn almost_equal(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1.5e-7, "{a:?} vs {b:?}");
    }
}

fn transpose6(m: &[f64]) -> Vec<f64> {
    (0..36).map(|k| m[(k % 6) * 6 + k / 6]).collect()
}

fn tile6(row: [f64; 6]) -> Vec<f64> {
    row.iter().copied().cycle().take(36).collect()
}

const ONE: Options<'static, f64> = Options::new();

#[test]
fn test_basic() {
    let x = [1i64, 1, 3, 4];
    let dx = [vec![2., 3., 2., 3.], vec![0., 0., 1., 1.]];
    assert_eq!(grad(&x, &[2, 2], &ONE), dx);
    let v = [1.0, 1.0, 3.0, 4.0];
    assert_eq!(grad(&v, &[2, 2], &ONE), dx);
}

#[test]
fn test_args() {
    let dx: Vec<f64> = (1..=5).map(f64::from).collect();
    let dx_uneven = [1., 2., 5., 9., 11.];
    let f_2d: Vec<i64> = (0..25).collect();
    let arange5: Vec<i64> = (0..5).collect();
    let ok = |f: &[i64], shape: &[usize], options: Options<'_, f64>| {
        gradient_owned(f, shape, &options).unwrap();
    };
    ok(&arange5, &[5], Options::new().spacing(Spacing::Uniform(3.)));
    ok(
        &arange5,
        &[5],
        Options::new().spacing(Spacing::PerAxis(&[AxisSpacing::Coordinates(&dx)])),
    );
    ok(
        &f_2d,
        &[5, 5],
        Options::new().spacing(Spacing::Uniform(1.5)),
    );
    let uneven = [
        AxisSpacing::Coordinates(&dx_uneven),
        AxisSpacing::Coordinates(&dx_uneven),
    ];
    ok(
        &f_2d,
        &[5, 5],
        Options::new().spacing(Spacing::PerAxis(&uneven)),
    );
    let mixed = [AxisSpacing::Coordinates(&dx), AxisSpacing::Uniform(2.0)];
    ok(
        &f_2d,
        &[5, 5],
        Options::new().spacing(Spacing::PerAxis(&mixed)),
    );
    ok(
        &f_2d,
        &[5, 5],
        Options::new()
            .axes(Axes::One(1))
            .spacing(Spacing::PerAxis(&[AxisSpacing::Coordinates(&dx)])),
    );
}

#[test]
fn test_badargs() {
    let f_2d: Vec<i64> = (0..25).collect();
    let x: Vec<f64> = (1..=5).map(f64::from).collect();
    let ones2 = [1.0, 1.0];
    let per = |s: &[AxisSpacing<'_, f64>]| {
        err(&f_2d, &[5, 5], &Options::new().spacing(Spacing::PerAxis(s)))
    };
    // Wrong sizes (numpy: ValueError).
    let wrong = GradientError::CoordinateLength {
        axis: 1,
        expected: 5,
        got: 2,
    };
    assert_eq!(
        per(&[
            AxisSpacing::Coordinates(&x),
            AxisSpacing::Coordinates(&ones2)
        ]),
        wrong
    );
    assert_eq!(
        per(&[AxisSpacing::Uniform(1.0), AxisSpacing::Coordinates(&ones2)]),
        wrong
    );
    assert_eq!(
        per(&[
            AxisSpacing::Coordinates(&ones2),
            AxisSpacing::Coordinates(&ones2)
        ]),
        GradientError::CoordinateLength {
            axis: 0,
            expected: 5,
            got: 2
        }
    );
    // Wrong number of arguments (numpy: TypeError).
    let count = |expected, got| GradientError::SpacingCount { expected, got };
    assert_eq!(per(&[AxisSpacing::Coordinates(&x)]), count(2, 1));
    assert_eq!(
        err(
            &f_2d,
            &[5, 5],
            &Options::new()
                .axes(Axes::List(&[0, 1]))
                .spacing(Spacing::PerAxis(&[AxisSpacing::Coordinates(&x)]))
        ),
        count(2, 1)
    );
    let x3 = [AxisSpacing::Coordinates(&x); 3];
    assert_eq!(per(&x3), count(2, 3));
    assert_eq!(per(&[AxisSpacing::Uniform(1.0); 3]), count(2, 3));
    let on_axis_1 = |s: &[AxisSpacing<'_, f64>]| {
        err(
            &f_2d,
            &[5, 5],
            &Options::new()
                .axes(Axes::One(1))
                .spacing(Spacing::PerAxis(s)),
        )
    };
    assert_eq!(on_axis_1(&[AxisSpacing::Coordinates(&x); 2]), count(1, 2));
    assert_eq!(on_axis_1(&[AxisSpacing::Uniform(1.0); 2]), count(1, 2));
}

#[test]
fn test_second_order_accurate() {
    let x: Vec<f64> = (0..10).map(|i| f64::from(i) / 9.0).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|x| 2. * x.powi(3) + 4. * x.powi(2) + 2. * x)
        .collect();
    let analytical: Vec<f64> = x.iter().map(|x| 6. * x.powi(2) + 8. * x + 2.).collect();
    let dx = x[1] - x[0];
    let g = &grad(
        &y,
        &[10],
        &Options::new()
            .spacing(Spacing::Uniform(dx))
            .edge_order(EdgeOrder::Second),
    )[0];
    for (g, a) in g.iter().zip(&analytical) {
        assert!((g / a - 1.0).abs() < 0.03);
    }
    // Unevenly spaced (numpy draws sorted random points; any sorted distinct points will do).
    let x: [f64; 10] = [0.03, 0.11, 0.2, 0.31, 0.45, 0.52, 0.66, 0.71, 0.85, 0.97];
    let y: Vec<f64> = x
        .iter()
        .map(|x| 2. * x.powi(3) + 4. * x.powi(2) + 2. * x)
        .collect();
    let analytical: Vec<f64> = x.iter().map(|x| 6. * x.powi(2) + 8. * x + 2.).collect();
    let coords = [AxisSpacing::Coordinates(&x)];
    let g = &grad(
        &y,
        &[10],
        &Options::new()
            .spacing(Spacing::PerAxis(&coords))
            .edge_order(EdgeOrder::Second),
    )[0];
    for (g, a) in g.iter().zip(&analytical) {
        assert!((g / a - 1.0).abs() < 0.03, "{g} vs {a}");
    }
}

#[test]
fn test_spacing() {
    let row = [0., 2., 3., 4., 5., 5.];
    // f = tile(row, (6, 1)) + row.reshape(-1, 1)
    let f: Vec<f64> = (0..36).map(|k| row[k % 6] + row[k / 6]).collect();
    let x_uneven = [0., 0.5, 1., 3., 5., 7.];
    let x_even = [0., 1., 2., 3., 4., 5.];
    let even1 = tile6([2., 1.5, 1., 1., 0.5, 0.]);
    let even2 = tile6([2.5, 1.5, 1., 1., 0.5, -0.5]);
    let uneven1 = tile6([4., 3., 1.7, 0.5, 0.25, 0.]);
    let uneven2 = tile6([5., 3., 1.7, 0.5, 0.25, -0.25]);
    let shape = [6, 6];
    let ev = AxisSpacing::Coordinates(&x_even);
    let un = AxisSpacing::Coordinates(&x_uneven);

    for (edge, exp) in [(EdgeOrder::First, &even1), (EdgeOrder::Second, &even2)] {
        let opts = Options::new().edge_order(edge);
        let res1 = grad(
            &f,
            &shape,
            &opts.axes(Axes::List(&[0, 1])).spacing(Spacing::Uniform(1.)),
        );
        let res2 = grad(
            &f,
            &shape,
            &opts
                .axes(Axes::List(&[0, 1]))
                .spacing(Spacing::PerAxis(&[ev, ev])),
        );
        let res3 = grad(&f, &shape, &opts.spacing(Spacing::PerAxis(&[ev, ev])));
        assert_eq!(res1, res2);
        assert_eq!(res2, res3);
        almost_equal(&res1[0], &transpose6(exp));
        almost_equal(&res1[1], exp);

        let res1 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(0)).spacing(Spacing::Uniform(1.)),
        );
        let res2 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(0)).spacing(Spacing::PerAxis(&[ev])),
        );
        assert_eq!(res1[0].len(), res2[0].len());
        almost_equal(&res2[0], &transpose6(exp));

        let res1 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(1)).spacing(Spacing::Uniform(1.)),
        );
        let res2 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(1)).spacing(Spacing::PerAxis(&[ev])),
        );
        assert_eq!(res1[0].len(), res2[0].len());
        assert_eq!(&res2[0], exp);
    }

    for (edge, exp) in [(EdgeOrder::First, &uneven1), (EdgeOrder::Second, &uneven2)] {
        let opts = Options::new().edge_order(edge);
        let res1 = grad(
            &f,
            &shape,
            &opts
                .axes(Axes::List(&[0, 1]))
                .spacing(Spacing::PerAxis(&[un, un])),
        );
        let res2 = grad(&f, &shape, &opts.spacing(Spacing::PerAxis(&[un, un])));
        assert_eq!(res1, res2);
        almost_equal(&res1[0], &transpose6(exp));
        almost_equal(&res1[1], exp);
        let res1 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(0)).spacing(Spacing::PerAxis(&[un])),
        );
        almost_equal(&res1[0], &transpose6(exp));
        let res1 = grad(
            &f,
            &shape,
            &opts.axes(Axes::One(1)).spacing(Spacing::PerAxis(&[un])),
        );
        almost_equal(&res1[0], exp);
    }

    for (edge, even, uneven) in [
        (EdgeOrder::First, &even1, &uneven1),
        (EdgeOrder::Second, &even2, &uneven2),
    ] {
        let opts = Options::new().edge_order(edge);
        let res1 = grad(
            &f,
            &shape,
            &opts
                .axes(Axes::List(&[0, 1]))
                .spacing(Spacing::PerAxis(&[ev, un])),
        );
        let res2 = grad(
            &f,
            &shape,
            &opts
                .axes(Axes::List(&[1, 0]))
                .spacing(Spacing::PerAxis(&[un, ev])),
        );
        assert_eq!(res1[0], res2[1]);
        assert_eq!(res1[1], res2[0]);
        almost_equal(&res1[0], &transpose6(even));
        almost_equal(&res1[1], uneven);
    }
}

#[test]
fn test_specific_axes() {
    let x = [1i64, 1, 3, 4];
    let shape = [2, 2];
    let dx0 = vec![2., 3., 2., 3.];
    let dx1 = vec![0., 0., 1., 1.];
    assert_eq!(
        grad(&x, &shape, &Options::new().axes(Axes::One(0))),
        std::slice::from_ref(&dx0)
    );
    assert_eq!(
        grad(&x, &shape, &Options::new().axes(Axes::One(1))),
        std::slice::from_ref(&dx1)
    );
    assert_eq!(
        grad(&x, &shape, &Options::new().axes(Axes::One(-1))),
        std::slice::from_ref(&dx1)
    );
    assert_eq!(
        grad(&x, &shape, &Options::new().axes(Axes::List(&[1, 0]))),
        [dx1.clone(), dx0.clone()]
    );
    assert_eq!(
        grad(&x, &shape, &Options::new().axes(Axes::All)),
        grad(&x, &shape, &ONE)
    );
    // Spacing entries follow the order of the axes.
    let per = [AxisSpacing::Uniform(2.0), AxisSpacing::Uniform(3.0)];
    assert_eq!(
        grad(
            &x,
            &shape,
            &Options::new()
                .axes(Axes::List(&[1, 0]))
                .spacing(Spacing::PerAxis(&per))
        ),
        [
            dx1.iter().map(|v| v / 2.0).collect::<Vec<_>>(),
            dx0.iter().map(|v| v / 3.0).collect()
        ]
    );
    assert_eq!(
        err(
            &x,
            &shape,
            &Options::new()
                .axes(Axes::One(1))
                .spacing(Spacing::PerAxis(&per))
        ),
        GradientError::SpacingCount {
            expected: 1,
            got: 2
        }
    );
    assert_eq!(
        err(&x, &shape, &Options::new().axes(Axes::One(3))),
        GradientError::AxisOutOfRange { axis: 3, rank: 2 }
    );
    assert_eq!(
        err(&x, &shape, &Options::new().axes(Axes::One(-3))),
        GradientError::AxisOutOfRange { axis: -3, rank: 2 }
    );
}

#[test]
fn test_inexact_dtypes() {
    // f32 stays f32 (the type system decides): the result of f32 data is f32.
    let x = [1.0f32, 2.0, 3.0];
    let g: Vec<numgrad::GradientArray<f32>> = gradient_owned(&x, &[3], &Options::new()).unwrap();
    assert_eq!(g[0].data, [1.0f32, 1.0, 1.0]);
}

#[test]
fn test_values() {
    let two: Vec<i64> = (0..2).collect();
    let three: Vec<i64> = (0..3).collect();
    grad(&two, &[2], &Options::new().edge_order(EdgeOrder::First));
    grad(&three, &[3], &Options::new().edge_order(EdgeOrder::Second));
    let short = |n: usize, edge: EdgeOrder| {
        let f: Vec<i64> = (0..n as i64).collect();
        err(&f, &[n], &Options::new().edge_order(edge))
    };
    for (n, edge) in [
        (0, EdgeOrder::First),
        (0, EdgeOrder::Second),
        (1, EdgeOrder::First),
        (1, EdgeOrder::Second),
        (2, EdgeOrder::Second),
    ] {
        assert_eq!(
            short(n, edge),
            GradientError::AxisTooShort {
                axis: 0,
                len: n,
                min: edge.min_len()
            }
        );
    }
}

#[test]
fn test_f_decreasing_unsigned_int() {
    fn check<T: Sample<f64> + Copy>(f: [T; 5]) {
        assert_eq!(grad(&f, &[5], &ONE), [vec![-1.0; 5]]);
    }
    check([5u8, 4, 3, 2, 1]);
    check([5u16, 4, 3, 2, 1]);
    check([5u32, 4, 3, 2, 1]);
    check([5u64, 4, 3, 2, 1]);
}

#[test]
fn test_f_signed_int_big_jump() {
    fn check<T: Sample<f64> + Copy>(minus_one: T, max: T, max_f: f64) {
        let x = [1.0, 3.0];
        let coords = [AxisSpacing::Coordinates(&x[..])];
        let g = grad(
            &[minus_one, max],
            &[2],
            &Options::new().spacing(Spacing::PerAxis(&coords)),
        );
        // numpy: (maxint + 1) // 2, exactly.
        let expected = ((max_f + 1.0) / 2.0).floor();
        assert_eq!(g, [vec![expected; 2]]);
    }
    check(-1i8, i8::MAX, f64::from(i8::MAX));
    check(-1i16, i16::MAX, f64::from(i16::MAX));
    check(-1i32, i32::MAX, f64::from(i32::MAX));
    check(-1i64, i64::MAX, i64::MAX as f64);
}

#[test]
fn test_x_decreasing_unsigned() {
    // Integer coordinates are the caller's conversion to float, as numpy converts them before
    // `np.diff`; decreasing unsigned coordinates then give negative steps, not wrapped ones.
    fn check<T: Copy + Into<f64>>(x: [T; 3]) {
        let xf: Vec<f64> = x.iter().map(|&v| v.into()).collect();
        let coords = [AxisSpacing::Coordinates(&xf[..])];
        let g = grad(
            &[0i64, 2, 4],
            &[3],
            &Options::new().spacing(Spacing::PerAxis(&coords)),
        );
        assert_eq!(g, [vec![-2.0; 3]]);
    }
    check([3u8, 2, 1]);
    check([3u16, 2, 1]);
    check([3u32, 2, 1]);
    check([3.0f64, 2.0, 1.0]); // u64 coordinates: `as f64`, exact for these
}

#[test]
fn test_x_signed_int_big_jump() {
    fn check(min: f64, max: f64) {
        let x = [-1.0, max];
        let coords = [AxisSpacing::Coordinates(&x[..])];
        let f = [(min / 2.0).floor(), 0.0];
        let g = grad(&f, &[2], &Options::new().spacing(Spacing::PerAxis(&coords)));
        assert_eq!(g, [vec![0.5; 2]]);
    }
    check(f64::from(i8::MIN), f64::from(i8::MAX));
    check(f64::from(i16::MIN), f64::from(i16::MAX));
    check(f64::from(i32::MIN), f64::from(i32::MAX));
    check(i64::MIN as f64, i64::MAX as f64);
}
