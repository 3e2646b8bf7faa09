//! The value types' kernel over views from raw pointers, sized for Miri (`cargo +nightly miri
//! test --features complex,half --test suite -- miri_values::`): it checks each line's bounds
//! once and then reads and writes the line's elements unchecked, so here the elements between them are
//! left uninitialised and Miri reports any access off the line. Inputs stepped both ways along
//! either axis, outputs stepped by 2, and unit steps along the uniform axis for both (the
//! contiguous lines' slice loop); complex, timedelta64 and float16 samples, uniform and
//! coordinate spacing; against the reference's walk over an initialised copy. Then blocks of
//! the same views through the block API (the kernel over a range of each line's points), each
//! from the window it reads.

use crate::support;

use core::fmt::Debug;
use core::mem::MaybeUninit;

use half::f16;
use num_complex::Complex;
use numgrad::testing::gradient_values_reference;
use numgrad::{
    AxisSpacing, EdgeOrder, Options, Precision, Spacing, StridedView, StridedViewMut, Timedelta64,
    Value, WholeArray, gradient_values,
};

const SHAPE: [usize; 2] = [4, 7];

/// `V` samples over layouts whose gaps stay uninitialised, against the reference.
fn check<V: Value<F> + Default, F: Precision>(sample: impl Fn(usize) -> V, x: [F; 7])
where
    V::Out: PartialEq + Debug,
{
    let reached = |first, strides: &[isize]| support::positions(first, &SHAPE, strides);
    // Input (first element, strides) and output strides: stepped by 2, or unit along the
    // uniform axis 0 (the contiguous lines' slice loop) with gaps between the lines.
    let layouts: [(usize, [isize; 2], [isize; 2]); 5] = [
        (0, [14, 2], [14, 2]),
        (54, [-14, -2], [14, 2]),
        (0, [2, 8], [14, 2]),
        (6, [-2, 8], [14, 2]),
        (0, [1, 5], [1, 5]),
    ];
    let x_axis = [
        AxisSpacing::Uniform(F::from(0.3).unwrap()),
        AxisSpacing::Coordinates(&x),
    ];
    for (first, strides, out_strides) in layouts {
        let at = reached(first, &strides);
        let len = at.iter().max().unwrap() + 2;
        let mut input = vec![MaybeUninit::<V>::uninit(); len];
        let mut dense = vec![V::default(); len];
        for (k, &e) in at.iter().enumerate() {
            input[e] = MaybeUninit::new(sample(k));
            dense[e] = sample(k);
        }
        for edge in [EdgeOrder::First, EdgeOrder::Second] {
            let options = Options::new()
                .spacing(Spacing::PerAxis(&x_axis))
                .edge_order(edge);
            let expected: Vec<Vec<V::Out>> = {
                let view = StridedView::new(&dense, first, &SHAPE, &strides).unwrap();
                let mut outs = vec![vec![V::Out::default(); 28]; 2];
                let [a, b] = &mut outs[..] else {
                    unreachable!()
                };
                let mut views = [
                    StridedViewMut::contiguous(a, &SHAPE).unwrap(),
                    StridedViewMut::contiguous(b, &SHAPE).unwrap(),
                ];
                gradient_values_reference(&view, &mut views, &options).unwrap();
                outs
            };
            let mut out = vec![vec![MaybeUninit::<V::Out>::uninit(); 56]; 2];
            {
                // SAFETY: the reached input elements are initialised and only read for the
                // call; the reached output elements are only written, through these views.
                let view = unsafe {
                    StridedView::from_raw_parts(
                        input.as_ptr().add(first).cast::<V>(),
                        &SHAPE,
                        &strides,
                    )
                }
                .unwrap();
                // SAFETY: 56 elements hold the 4 x 7 layout of either output strides.
                let mut outs = unsafe { support::raw_outputs(&mut out, &SHAPE, &out_strides) };
                gradient_values(&view, &mut outs, &options).unwrap();
            }
            for (o, exp) in out.iter().zip(&expected) {
                for (k, e) in support::positions(0, &SHAPE, &out_strides)
                    .into_iter()
                    .enumerate()
                {
                    // SAFETY: the call wrote every reached output element.
                    let got = unsafe { o[e].assume_init() };
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{:?}", exp[k]),
                        "{strides:?} {edge:?}: {k}"
                    );
                }
            }
            // Blocks (an interior one, one at the first edges, one at the last), each from
            // the window it reads, into outputs laid out as above: the whole call's values.
            let whole = WholeArray::new(&SHAPE, &options).unwrap();
            for block in [[1..3, 2..6], [0..2, 0..3], [3..4, 5..7]] {
                let b0 = block.clone().map(|b| b.start);
                let blen = block.clone().map(|b| b.len());
                let w = [0, 1].map(|a| whole.window(a, block[a].clone()).unwrap());
                let w0 = w.clone().map(|w| w.start);
                let wlen = w.map(|w| w.len());
                let from =
                    first as isize + w0[0] as isize * strides[0] + w0[1] as isize * strides[1];
                let mut out = vec![vec![MaybeUninit::<V::Out>::uninit(); 56]; 2];
                {
                    // SAFETY: the window's elements are reached input elements, initialised
                    // and only read for the call; the block's outputs are only written.
                    let view = unsafe {
                        StridedView::from_raw_parts(
                            input.as_ptr().offset(from).cast::<V>(),
                            &wlen,
                            &strides,
                        )
                    }
                    .unwrap();
                    // SAFETY: 56 elements hold a block of either output strides.
                    let mut outs = unsafe { support::raw_outputs(&mut out, &blen, &out_strides) };
                    whole
                        .gradient_values_block(&view, &w0, &b0, &mut outs)
                        .unwrap();
                }
                for (o, exp) in out.iter().zip(&expected) {
                    let reached = support::positions(0, &blen, &out_strides);
                    for (k, e) in reached.into_iter().enumerate() {
                        // SAFETY: the call wrote every reached output element.
                        let got = unsafe { o[e].assume_init() };
                        let (i, j) = (b0[0] + k / blen[1], b0[1] + k % blen[1]);
                        assert_eq!(
                            format!("{got:?}"),
                            format!("{:?}", exp[i * 7 + j]),
                            "block {block:?} {strides:?} {edge:?}: {k}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn raw_value_views_touch_only_the_elements_they_reach() {
    let x = [0.0, 0.5, 1.5, 1.75, 3.0, 4.5, 5.0];
    let wave = |k: usize| ((k * 7919) % 113) as f64 * 0.25 - 9.0;
    check(|k| Complex::new(wave(k), -wave(k + 3)), x);
    check(|k| Timedelta64((wave(k) * 1e3) as i64), x);
    check(|k| f16::from_f64(wave(k)), x.map(f16::from_f64));
}
