//! Properties of the value types (complex, datetime64, timedelta64, float16) through
//! `gradient_values`: the kernel's walk equals the reference's on every layout, axes, spacing
//! and edge order; the owned arrays equal the call into C-order outputs; validation is
//! `gradient`'s, error for error; datetime64 and timedelta64
//! counts give the same results; a complex line whose other component is zero carries the real
//! gradient (as numbers: numpy's complex division turns some `-0.0` into `+0.0`) where that
//! division is exact (a power-of-two spacing); float16 equals the f64 fast path, rounded,
//! where every float16 operation is exact; and a two-channel stream of I and Q samples (the
//! baseband recipe the README gives, since streams take real samples) is numpy's complex
//! gradient, as numbers, where the README says it is; the stitched blocks of any partition,
//! each read from any window that covers it, are the whole call (and, with `rayon`, so is the
//! parallel call on any number of slabs).

use crate::support;

use half::f16;
use num_complex::Complex;
use numgrad::testing::gradient_values_reference;
use numgrad::{
    Axes, AxisSpacing, Datetime64, EdgeOrder, GradientError, GradientStream, Options, Precision,
    Spacing, StridedView, StridedViewMut, Timedelta64, Value, WholeArray, gradient,
    gradient_values, gradient_values_owned,
};
use proptest::prelude::*;
use std::fmt::Debug;
use support::same;

type Outcome = Result<(), GradientError>;

/// A random call: a view of a buffer, some axes, per-axis spacing, an edge order, and the
/// layout of the outputs.
#[derive(Clone, Debug)]
struct Call {
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
    len: usize,
    axes: Vec<isize>,
    spacing: Vec<Step>,
    edge: EdgeOrder,
    out_flip: Vec<bool>,
}

#[derive(Clone, Debug)]
enum Step {
    Uniform(f64),
    Coordinates(Vec<f64>),
}

fn call() -> impl Strategy<Value = Call> {
    let edge = prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)];
    (1usize..=3, edge)
        .prop_flat_map(|(rank, edge)| {
            // Lengths from 1, so some calls are too short for their edge order.
            let shape = prop::collection::vec(1usize..=7, rank);
            let strides = prop::collection::vec(-9isize..=9, rank);
            let axes = Just((0..rank as isize).collect::<Vec<_>>()).prop_shuffle();
            (shape, strides, axes, 1..=rank, Just(edge))
        })
        .prop_flat_map(|(shape, strides, axes, k, edge)| {
            let (mut lo, mut hi) = (0isize, 0isize);
            for (&n, &s) in shape.iter().zip(&strides) {
                let e = (n as isize - 1) * s;
                if e < 0 { lo += e } else { hi += e }
            }
            let axes = axes[..k].to_vec();
            let spacing: Vec<_> = axes
                .iter()
                .map(|&a| {
                    let n = shape[a as usize];
                    prop_oneof![
                        prop::sample::select(vec![1.0, 0.5, 2.0, 0.3, -1.5, 0.0, 1e-3])
                            .prop_map(Step::Uniform),
                        prop::collection::vec(-20.0..20.0f64, n).prop_map(|mut x| {
                            x.sort_by(f64::total_cmp);
                            Step::Coordinates(x)
                        }),
                    ]
                })
                .collect();
            let rank = shape.len();
            (
                Just(shape),
                Just(strides),
                Just((-lo) as usize),
                Just((hi - lo) as usize + 1),
                Just(axes),
                spacing,
                Just(edge),
                prop::collection::vec(any::<bool>(), rank),
            )
        })
        .prop_map(
            |(shape, strides, offset, len, axes, spacing, edge, out_flip)| Call {
                shape,
                strides,
                offset,
                len,
                axes,
                spacing,
                edge,
                out_flip,
            },
        )
}

/// Sample values of each type, from one draw of numbers.
fn complex(x: f64, y: f64) -> Complex<f64> {
    Complex::new(x, y)
}

fn count(x: f64) -> i64 {
    // Mostly small counts, some huge ones (wrapping sums, products out of range), some NaT.
    match (x * 1000.0) as i64 % 17 {
        0 => i64::MIN,
        1 => (x * 1e18) as i64,
        _ => (x * 1000.0) as i64,
    }
}

fn numbers() -> impl Strategy<Value = Vec<(f64, f64)>> {
    let v = prop_oneof![
        8 => -100.0..100.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]),
    ];
    prop::collection::vec((v.clone(), v), 400)
}

/// `f` of `call`'s options: its axes, edge order and spacing (converted to `F`, round to
/// nearest).
fn with_options<F: Precision, R>(call: &Call, f: impl FnOnce(&Options<'_, F>) -> R) -> R {
    let to = |v: f64| F::from(v).expect("every f64 converts");
    let coordinates: Vec<Vec<F>> = call
        .spacing
        .iter()
        .map(|s| match s {
            Step::Uniform(_) => Vec::new(),
            Step::Coordinates(x) => x.iter().map(|&v| to(v)).collect(),
        })
        .collect();
    let per_axis: Vec<AxisSpacing<'_, F>> = call
        .spacing
        .iter()
        .zip(&coordinates)
        .map(|(s, x)| match s {
            Step::Uniform(h) => AxisSpacing::Uniform(to(*h)),
            Step::Coordinates(_) => AxisSpacing::Coordinates(x),
        })
        .collect();
    let options = Options::new()
        .axes(Axes::List(&call.axes))
        .spacing(Spacing::PerAxis(&per_axis))
        .edge_order(call.edge);
    f(&options)
}

/// Runs `call` on `data` through `run` (the kernel or the reference), into outputs flipped as
/// the call says; returns each output in C order, or the error.
fn outputs<V: Copy, O: Copy + Debug, F: Precision>(
    call: &Call,
    data: &[V],
    fill: O,
    run: impl Fn(&StridedView<'_, V>, &mut [StridedViewMut<'_, O>], &Options<'_, F>) -> Outcome,
) -> Result<Vec<Vec<O>>, GradientError> {
    let input = StridedView::new(data, call.offset, &call.shape, &call.strides)
        .expect("the strategy builds valid views");
    let count: usize = call.shape.iter().product();
    // Outputs in C order, each axis reversed where `out_flip` says.
    let mut strides = vec![1isize; call.shape.len()];
    for k in (0..call.shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * call.shape[k + 1] as isize;
    }
    let mut offset = 0usize;
    for (k, s) in strides.iter_mut().enumerate() {
        if call.out_flip[k] {
            offset += (call.shape[k] - 1) * s.unsigned_abs();
            *s = -*s;
        }
    }
    let mut bufs = vec![vec![fill; count]; call.axes.len()];
    {
        let mut views: Vec<_> = bufs
            .iter_mut()
            .map(|b| StridedViewMut::new(b, offset, &call.shape, &strides).unwrap())
            .collect();
        if let Err(e) = with_options(call, |options| run(&input, &mut views, options)) {
            drop(views);
            assert!(
                bufs.iter()
                    .flatten()
                    .all(|v| format!("{v:?}") == format!("{fill:?}"))
            );
            return Err(e);
        }
    }
    // Back to C order: read each output through the flipped layout.
    let mut index = vec![0usize; call.shape.len()];
    let mut c_order = vec![Vec::with_capacity(count); bufs.len()];
    for _ in 0..count {
        let e = index
            .iter()
            .zip(&strides)
            .fold(offset as isize, |e, (&i, &s)| e + i as isize * s) as usize;
        for (c, b) in c_order.iter_mut().zip(&bufs) {
            c.push(b[e]);
        }
        for k in (0..index.len()).rev() {
            index[k] += 1;
            if index[k] < call.shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    Ok(c_order)
}

/// `call` on `data` block by block through [`WholeArray::gradient_values_block`]: every axis
/// cut into pieces of 1 to 4 points (drawn from `seed`), each block read from its window
/// widened by up to `slack` more points on each side (clipped to the axis); returns each
/// output in C order, or the error.
fn by_blocks<V: Value<F>, F: Precision>(
    call: &Call,
    data: &[V],
    fill: V::Out,
    (seed, slack): (u64, usize),
) -> Result<Vec<Vec<V::Out>>, GradientError> {
    with_options(call, |options| {
        let whole = WholeArray::new(&call.shape, options)?;
        let rank = call.shape.len();
        let mut rng = seed | 1;
        let mut next = move |m: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % m as u64) as usize
        };
        let pieces: Vec<Vec<(usize, usize)>> = (call.shape.iter())
            .map(|&n| {
                let (mut v, mut start) = (vec![], 0);
                while start < n {
                    let len = (1 + next(4)).min(n - start);
                    v.push((start, len));
                    start += len;
                }
                v
            })
            .collect();
        let count: usize = call.shape.iter().product();
        let mut out = vec![vec![fill; count]; call.axes.len()];
        let mut block = vec![0usize; rank];
        loop {
            let (b0, blen): (Vec<usize>, Vec<usize>) =
                (0..rank).map(|a| pieces[a][block[a]]).unzip();
            let mut w0 = vec![0; rank];
            let mut wlen = vec![0; rank];
            for a in 0..rank {
                let w = whole.window(a, b0[a]..b0[a] + blen[a])?;
                let start = w.start.saturating_sub(next(slack + 1));
                let end = (w.end + next(slack + 1)).min(call.shape[a]);
                (w0[a], wlen[a]) = (start, end - start);
            }
            let at: isize = w0
                .iter()
                .zip(&call.strides)
                .map(|(&i, &s)| i as isize * s)
                .sum();
            let offset = (call.offset as isize + at) as usize;
            let window = StridedView::new(data, offset, &wlen, &call.strides)?;
            let mut parts = vec![vec![fill; blen.iter().product()]; call.axes.len()];
            let mut views: Vec<_> = (parts.iter_mut())
                .map(|b| StridedViewMut::contiguous(b, &blen))
                .collect::<Result<_, _>>()?;
            whole.gradient_values_block(&window, &w0, &b0, &mut views)?;
            drop(views);
            for (o, part) in out.iter_mut().zip(&parts) {
                for (j, &v) in part.iter().enumerate() {
                    // Block index `j` (C order) to the whole array's C index.
                    let (mut rest, mut e) = (j, 0);
                    let mut scale = 1;
                    for a in (0..rank).rev() {
                        e += (b0[a] + rest % blen[a]) * scale;
                        rest /= blen[a];
                        scale *= call.shape[a];
                    }
                    o[e] = v;
                }
            }
            // The next block, the last axis fastest.
            let mut a = rank;
            loop {
                if a == 0 {
                    return Ok(out);
                }
                a -= 1;
                block[a] += 1;
                if block[a] < pieces[a].len() {
                    break;
                }
                block[a] = 0;
            }
        }
    })
}

fn same_complex(a: &[Vec<Complex<f64>>], b: &[Vec<Complex<f64>>]) -> bool {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .all(|(p, q)| same(p.re, q.re) && same(p.im, q.im))
}

/// The float16 line `f` with `options`: `gradient_values` (in F16C lanes where the CPU has
/// them) gives the reference's walk, one point at a time, bit for bit (any NaN for any NaN), or
/// its error. The line properties' one comparison, whatever their spacing.
fn a_line_is_the_reference(f: &[f16], options: &Options<'_, f16>) -> Result<(), TestCaseError> {
    let shape = [f.len()];
    let run = |reference: bool| {
        let mut g = vec![f16::from_f32(7.0); f.len()];
        let input = StridedView::contiguous(f, &shape).unwrap();
        let mut out = [StridedViewMut::contiguous(&mut g, &shape).unwrap()];
        let r = match reference {
            true => gradient_values_reference(&input, &mut out, options),
            false => gradient_values(&input, &mut out, options),
        };
        r.map(|()| g)
    };
    match (run(false), run(true)) {
        (Ok(k), Ok(r)) => {
            for (i, (&a, &b)) in k.iter().zip(&r).enumerate() {
                prop_assert!(same(a, b), "point {i}: {a:?} vs {b:?}");
            }
        }
        (k, r) => prop_assert_eq!(k.err(), r.err()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn the_kernel_walks_every_layout_as_the_reference(call in call(), numbers in numbers()) {
        let data: Vec<_> = numbers[..call.len].iter().map(|&(x, y)| complex(x, y)).collect();
        let nan = complex(f64::NAN, 7.0);
        let kernel = outputs(&call, &data, nan, gradient_values);
        let reference = outputs(&call, &data, nan, gradient_values_reference);
        match (&kernel, &reference) {
            (Ok(k), Ok(r)) => prop_assert!(same_complex(k, r), "{kernel:?} {reference:?}"),
            _ => prop_assert_eq!(kernel.clone().err(), reference.clone().err()),
        }
        // The same walk for counts; datetime64 and timedelta64 agree.
        let ticks: Vec<_> = numbers[..call.len].iter().map(|&(x, _)| count(x)).collect();
        let (dt, td): (Vec<_>, Vec<_>) = ticks.iter().map(|&t| (Datetime64(t), Timedelta64(t))).unzip();
        let fill = Timedelta64(7);
        let kernel = outputs(&call, &dt, fill, gradient_values);
        prop_assert_eq!(&kernel, &outputs(&call, &dt, fill, gradient_values_reference));
        prop_assert_eq!(&kernel, &outputs(&call, &td, fill, gradient_values));
        // And for float16, in float16.
        let half: Vec<_> = numbers[..call.len].iter().map(|&(x, _)| f16::from_f64(x)).collect();
        let kernel = outputs(&call, &half, f16::NAN, gradient_values);
        let reference = outputs(&call, &half, f16::NAN, gradient_values_reference);
        match (&kernel, &reference) {
            (Ok(k), Ok(r)) => prop_assert!(
                k.iter().flatten().zip(r.iter().flatten()).all(|(&a, &b)| same(a, b)),
                "{kernel:?} {reference:?}"
            ),
            _ => prop_assert_eq!(kernel.clone().err(), reference.clone().err()),
        }
    }

    #[test]
    fn float16_lines_are_the_reference_in_lanes_too(
        bits in prop::collection::vec(any::<u16>(), 3..80),
        h in prop::sample::select(vec![1.0, 0.1, 0.3, -3.0, 1e-3, 6e-8, 6e4, 0.0]),
        second in any::<bool>(),
    ) {
        // Contiguous lines long enough for the F16C lanes (8 points at a time, where the CPU
        // has them), of any float16 bit pattern (NaN, inf, subnormals, overflowing differences),
        // against the reference's walk, one point at a time.
        let f: Vec<f16> = bits.iter().map(|&b| f16::from_bits(b)).collect();
        let edge = if second { EdgeOrder::Second } else { EdgeOrder::First };
        let options = Options::new().spacing(Spacing::Uniform(f16::from_f64(h))).edge_order(edge);
        a_line_is_the_reference(&f, &options)?;
    }

    #[test]
    fn float16_coordinate_lines_are_the_reference_in_lanes_too(
        pairs in prop::collection::vec((any::<u16>(), any::<u16>()), 3..150),
        sorted in any::<bool>(),
        second in any::<bool>(),
    ) {
        // Lines along float16 coordinates long enough for the F16C weights (8 points at a
        // time, 64 a block, where the CPU has them): any samples, coordinates of any bit
        // pattern or sorted finite ones, against the reference's walk, one point at a time.
        let f: Vec<f16> = pairs.iter().map(|&(b, _)| f16::from_bits(b)).collect();
        let mut x: Vec<f16> = pairs.iter().map(|&(_, b)| f16::from_bits(b)).collect();
        if sorted {
            x.retain(|v| v.is_finite());
            x.sort_by(|a, b| a.total_cmp(b));
            x.resize(f.len(), f16::MAX);
        }
        let edge = if second { EdgeOrder::Second } else { EdgeOrder::First };
        let per_axis = [AxisSpacing::Coordinates(&x)];
        let options = Options::new().spacing(Spacing::PerAxis(&per_axis)).edge_order(edge);
        a_line_is_the_reference(&f, &options)?;
    }

    #[test]
    fn float16_is_the_f64_gradient_where_float16_is_exact(call in call(), numbers in numbers(), h in 0usize..3) {
        // Integers up to 100 (and the specials), a power-of-two spacing: every difference,
        // coefficient, product and sum is exact in float16 (at most 11 significant bits), so
        // rounding each operation to float16 changes nothing and the f16 results are the f64
        // fast path's, rounded once.
        let h = [0.5, 1.0, 2.0][h];
        let call = Call { spacing: call.spacing.iter().map(|_| Step::Uniform(h)).collect(), ..call };
        let x: Vec<f64> = numbers[..call.len].iter().map(|p| p.0.round()).collect();
        let half: Vec<f16> = x.iter().map(|&v| f16::from_f64(v)).collect();
        let wide = outputs(&call, &x, f64::NAN, gradient);
        let narrow = outputs(&call, &half, f16::NAN, gradient_values);
        match (wide, narrow) {
            (Ok(wide), Ok(narrow)) => {
                for (&w, &n) in wide.iter().flatten().zip(narrow.iter().flatten()) {
                    prop_assert!(same(f16::from_f64(w), n), "f64 {w} vs f16 {n}");
                }
            }
            (wide, narrow) => prop_assert_eq!(wide.err(), narrow.err()),
        }
    }

    #[test]
    fn owned_arrays_are_the_call_into_c_order_outputs(call in call(), numbers in numbers()) {
        // A C-order input of the call's shape, unflipped outputs: `gradient_values_owned`
        // returns what `gradient_values` writes, axis by axis, or its error.
        let count: usize = call.shape.iter().product();
        let mut strides = vec![1isize; call.shape.len()];
        for k in (0..call.shape.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * call.shape[k + 1] as isize;
        }
        let rank = call.shape.len();
        let call = Call { strides, offset: 0, len: count, out_flip: vec![false; rank], ..call };
        let data: Vec<_> = numbers[..count].iter().map(|&(x, y)| complex(x, y)).collect();
        let owned = with_options(&call, |o| gradient_values_owned(&data, &call.shape, o));
        let strided = outputs(&call, &data, complex(f64::NAN, 7.0), gradient_values);
        match (owned, strided) {
            (Ok(owned), Ok(strided)) => {
                prop_assert_eq!(owned.len(), strided.len());
                for (k, (array, values)) in owned.iter().zip(&strided).enumerate() {
                    let axis = call.axes[k].rem_euclid(rank as isize) as usize;
                    prop_assert_eq!((array.axis, &array.shape), (axis, &call.shape));
                    prop_assert!(same_complex(std::slice::from_ref(&array.data), std::slice::from_ref(values)));
                }
            }
            (owned, strided) => prop_assert_eq!(owned.err(), strided.err()),
        }
    }

    #[test]
    fn stitched_blocks_are_the_whole_call(
        call in call(),
        numbers in numbers(),
        seed in any::<u64>(),
        slack in 0usize..3,
    ) {
        // Any partition, any window at least what each block reads: the whole call's bits
        // (or its error), for complex, float16 and datetime64 samples.
        let data: Vec<_> = numbers[..call.len].iter().map(|&(x, y)| complex(x, y)).collect();
        let nan = complex(f64::NAN, 7.0);
        let whole = outputs(&call, &data, nan, gradient_values);
        match (&whole, &by_blocks(&call, &data, nan, (seed, slack))) {
            (Ok(w), Ok(b)) => prop_assert!(same_complex(w, b), "{w:?} {b:?}"),
            (w, b) => prop_assert_eq!(w.clone().err(), b.clone().err()),
        }
        let half: Vec<_> = numbers[..call.len].iter().map(|&(x, _)| f16::from_f64(x)).collect();
        let whole = outputs(&call, &half, f16::NAN, gradient_values);
        match (&whole, &by_blocks(&call, &half, f16::NAN, (seed, slack))) {
            (Ok(w), Ok(b)) => prop_assert!(
                w.iter().flatten().zip(b.iter().flatten()).all(|(&x, &y)| same(x, y)),
                "{w:?} {b:?}"
            ),
            (w, b) => prop_assert_eq!(w.clone().err(), b.clone().err()),
        }
        let dt: Vec<_> = numbers[..call.len].iter().map(|&(x, _)| Datetime64(count(x))).collect();
        let fill = Timedelta64(7);
        let whole = outputs(&call, &dt, fill, gradient_values);
        prop_assert_eq!(&whole, &by_blocks(&call, &dt, fill, (seed, slack)));
        #[cfg(feature = "rayon")]
        {
            // The parallel call, on 1 to 4 slabs: the serial bits.
            let slabs = Some(1 + (seed % 4) as usize);
            let parallel = |i: &StridedView<'_, Datetime64>, o: &mut [StridedViewMut<'_, Timedelta64>], opt: &Options<'_, f64>| {
                numgrad::testing::gradient_values_parallel_with(i, o, opt, 0, slabs)
            };
            prop_assert_eq!(&whole, &outputs(&call, &dt, fill, parallel));
            let parallel = |i: &StridedView<'_, Complex<f64>>, o: &mut [StridedViewMut<'_, Complex<f64>>], opt: &Options<'_, f64>| {
                numgrad::testing::gradient_values_parallel_with(i, o, opt, 0, slabs)
            };
            match (&outputs(&call, &data, nan, gradient_values), &outputs(&call, &data, nan, parallel)) {
                (Ok(w), Ok(p)) => prop_assert!(same_complex(w, p), "{w:?} {p:?}"),
                (w, p) => prop_assert_eq!(w.clone().err(), p.clone().err()),
            }
        }
    }

    #[test]
    fn validation_is_gradients(call in call()) {
        // Error for error (or none) with `gradient` on real samples of the same layout.
        let real = vec![1.0f64; call.len];
        let counts = vec![Timedelta64(1); call.len];
        let ours = outputs(&call, &counts, Timedelta64(7), gradient_values).err();
        let theirs = outputs(&call, &real, 7.0, gradient).err();
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn a_zero_component_carries_the_real_gradient(call in call(), numbers in numbers()) {
        // Powers of two only: numpy's complex division by them is exact, like the real one.
        let call = Call {
            spacing: call.spacing.iter().map(|_| Step::Uniform(0.5)).collect(),
            ..call
        };
        let x: Vec<f64> = numbers[..call.len].iter().map(|p| p.0).collect();
        let real = outputs(&call, &x, f64::NAN, gradient);
        let on_re: Vec<_> = x.iter().map(|&x| complex(x, 0.0)).collect();
        let on_im: Vec<_> = x.iter().map(|&x| complex(0.0, x)).collect();
        let nan = complex(f64::NAN, f64::NAN);
        let (re, im) = (outputs(&call, &on_re, nan, gradient_values), outputs(&call, &on_im, nan, gradient_values));
        match (real, re, im) {
            (Ok(real), Ok(re), Ok(im)) => {
                for ((r, a), b) in real.iter().flatten().zip(re.iter().flatten()).zip(im.iter().flatten()) {
                    // Finite inputs keep the other component's part out (inf * 0 is NaN).
                    // Equal as numbers: numpy's division adds `im * 0` to the real part (and
                    // subtracts `re * 0` from the imaginary one), so `-0.0` may come out `+0.0`.
                    if x.iter().all(|v| v.is_finite()) {
                        prop_assert!(*r == a.re || r.is_nan() && a.re.is_nan(), "{r} vs {a}");
                        prop_assert!(*r == b.im || r.is_nan() && b.im.is_nan(), "{r} vs {b}");
                    }
                }
            }
            (real, re, im) => {
                prop_assert!(real.is_err() && re.is_err() && im.is_err());
            }
        }
    }

    #[test]
    fn an_iq_stream_is_the_complex_gradient_for_finite_samples_and_power_of_two_spacing(
        iq in prop::collection::vec((-1e3..1e3f32, -1e3..1e3f32), 3..40),
        h in 0usize..3,
        second in any::<bool>(),
    ) {
        // Interleaved I/Q frames through a two-channel real stream, against numpy's complex
        // gradient: numpy divides by `2h + 0j` as `(re + im*0) * (1/(2h))`, which is `re/(2h)`
        // only when `1/(2h)` is exact, and multiplies by `w + 0j` as `w*re - 0*im`, which is
        // `w*re` for finite samples. Equal as numbers (numpy's `+ im*0` may turn `-0.0` into
        // `+0.0`).
        let h = [0.5f32, 1.0, 4.0][h];
        let edge = if second { EdgeOrder::Second } else { EdgeOrder::First };
        let frames: Vec<f32> = iq.iter().flat_map(|&(i, q)| [i, q]).collect();
        let mut stream = GradientStream::<f32, 2>::new(h, edge);
        let mut streamed = vec![0.0f32; frames.len() + 2];
        let n = stream.push_block(&frames, &mut streamed).unwrap();
        prop_assert_eq!(n, frames.len() - 2);
        let last = stream.finish().unwrap();
        streamed[n..n + 2].copy_from_slice(&last);

        let c: Vec<Complex<f32>> = iq.iter().map(|&(i, q)| Complex::new(i, q)).collect();
        let mut g = vec![Complex::new(f32::NAN, f32::NAN); c.len()];
        let options = Options::new().spacing(Spacing::Uniform(h)).edge_order(edge);
        gradient_values(
            &StridedView::contiguous(&c, &[c.len()]).unwrap(),
            &mut [StridedViewMut::contiguous(&mut g, &[c.len()]).unwrap()],
            &options,
        )
        .unwrap();
        for (k, z) in g.iter().enumerate() {
            prop_assert!(streamed[2 * k] == z.re && streamed[2 * k + 1] == z.im, "frame {k}: {z}");
        }
    }
}
