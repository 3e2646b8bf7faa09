//! Views from raw pointers and the block API, sized for Miri (`cargo +nightly miri test --test
//! miri_raw`). A raw view owns only the elements it reaches: here the elements between them
//! are left uninitialised, so Miri reports any kernel that reads them (the stride-2 vector
//! loads do, over slices) or writes them. Every kernel, both lane paths, inputs and outputs
//! stepped both ways; and stitched blocks against the whole call.

use crate::support;

use core::mem::MaybeUninit;

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    AxisSpacing, EdgeOrder, GradientError, Options, Spacing, StridedView, StridedViewMut,
    WholeArray, gradient, gradient_reference,
};
use support::same;

const KERNELS: [Kernel; 4] = [
    Kernel::Auto,
    Kernel::AlongContiguous,
    Kernel::AlongStrided,
    Kernel::Across,
];

/// A buffer of `len` elements, those at `reached` set to `value(k)`, the others uninitialised.
fn sparse(len: usize, reached: &[usize], value: impl Fn(usize) -> f64) -> Vec<MaybeUninit<f64>> {
    let mut buf = vec![MaybeUninit::uninit(); len];
    for (k, &e) in reached.iter().enumerate() {
        buf[e] = MaybeUninit::new(value(k));
    }
    buf
}

/// Element positions of a view, C order of its indices.
fn reached(first: usize, shape: &[usize], strides: &[isize]) -> Vec<usize> {
    support::positions(first, shape, strides)
}

#[test]
fn raw_views_touch_only_the_elements_they_reach() {
    // 2-D, shape 5 x 19 (odd lengths: lane remainders), inputs with steps of 2 along either
    // axis and either sign, outputs stepped by 2 as well.
    let shape = [5usize, 19];
    let layouts: [(usize, [isize; 2]); 4] =
        [(0, [38, 2]), (188, [-38, -2]), (0, [2, 10]), (36, [-2, 10])];
    for (first, strides) in layouts {
        let at = reached(first, &shape, &strides);
        let len = at.iter().max().unwrap() + 2;
        let input = sparse(len, &at, |k| ((k * 7919) % 113) as f64 * 0.25 - 9.0);
        // The reference reads the same elements through a slice of a fully initialised copy.
        let dense: Vec<f64> = (0..len)
            .map(|e| {
                at.iter().position(|&p| p == e).map_or(0.0, |k| {
                    // SAFETY: `e` is a reached element, initialised above.
                    unsafe { input[at[k]].assume_init() }
                })
            })
            .collect();
        let expected = {
            let view = StridedView::new(&dense, first, &shape, &strides).unwrap();
            let (mut a, mut b) = (vec![0.0; 95], vec![0.0; 95]);
            let outs = [
                StridedViewMut::contiguous(&mut a, &shape).unwrap(),
                StridedViewMut::contiguous(&mut b, &shape).unwrap(),
            ];
            gradient_reference(&view, &mut { outs }, &Options::new()).unwrap();
            [a, b]
        };
        for kernel in KERNELS {
            for isa in [Isa::Baseline, Isa::Avx2] {
                // Outputs: every other element of a buffer whose gaps stay uninitialised.
                let out_strides = [38isize, 2];
                let mut out: Vec<Vec<MaybeUninit<f64>>> = vec![vec![MaybeUninit::uninit(); 190]; 2];
                let applied = {
                    // SAFETY: the reached input elements are initialised and only read for the
                    // call; the reached output elements are only written, through these views.
                    let view = unsafe {
                        StridedView::from_raw_parts(
                            input.as_ptr().add(first).cast::<f64>(),
                            &shape,
                            &strides,
                        )
                    }
                    .unwrap();
                    // SAFETY: 190 elements hold the 5 x 19 layout stepped by 2.
                    let mut outs = unsafe { support::raw_outputs(&mut out, &shape, &out_strides) };
                    gradient_with(&view, &mut outs, &Options::new(), kernel, isa).unwrap()
                };
                if !applied {
                    continue;
                }
                for (o, exp) in out.iter().zip(&expected) {
                    for (k, e) in reached(0, &shape, &out_strides).into_iter().enumerate() {
                        // SAFETY: the call wrote every reached output element.
                        let got = unsafe { o[e].assume_init() };
                        assert!(same(got, exp[k]), "{kernel:?} {isa:?} {strides:?}: {k}");
                    }
                }
            }
        }
    }
}

#[test]
fn raw_pointers_are_checked() {
    let data = [1.0f64, 2.0, 3.0];
    let shape = [3usize];
    // SAFETY: each call is rejected before any access.
    unsafe {
        assert_eq!(
            StridedView::from_raw_parts(core::ptr::null::<f64>(), &shape, &[1]).err(),
            Some(GradientError::InvalidPointer)
        );
        let misaligned = data.as_ptr().cast::<u8>().add(1).cast::<f64>();
        assert_eq!(
            StridedView::from_raw_parts(misaligned, &shape, &[1]).err(),
            Some(GradientError::InvalidPointer)
        );
        assert_eq!(
            StridedView::from_raw_parts(data.as_ptr(), &[2, usize::MAX / 2], &[1, 1]).err(),
            Some(GradientError::SizeOverflow)
        );
        assert_eq!(
            StridedView::from_raw_parts(data.as_ptr(), &shape, &[isize::MAX / 2]).err(),
            Some(GradientError::SizeOverflow)
        );
        let mut out = [0.0f64; 4];
        assert_eq!(
            StridedViewMut::from_raw_parts(out.as_mut_ptr(), &[2, 2], &[1, 1]).err(),
            Some(GradientError::OverlappingOutput { axis: 1 })
        );
        // No elements: any pointer, never dereferenced.
        let empty = StridedView::from_raw_parts(core::ptr::null::<f64>(), &[0, 3], &[3, 1]);
        let mut none: [f64; 0] = [];
        let outs = StridedViewMut::from_raw_parts(none.as_mut_ptr(), &[0, 3], &[3, 1]).unwrap();
        let options = Options::new().axes(numgrad::Axes::One(1));
        assert_eq!(gradient(&empty.unwrap(), &mut [outs], &options), Ok(()));
    }
}

#[test]
fn stitched_blocks_equal_the_whole_call() {
    let shape = [7usize, 9];
    let f: Vec<f64> = (0..63).map(|i| f64::from((i * 37) % 23) - 4.5).collect();
    let x: Vec<f64> = (0..9).map(|i| f64::from(i * i) * 0.5).collect();
    let spacing = [AxisSpacing::Uniform(0.5), AxisSpacing::Coordinates(&x)];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let options = Options::new()
            .spacing(Spacing::PerAxis(&spacing))
            .edge_order(edge);
        let input = StridedView::contiguous(&f, &shape).unwrap();
        let (mut a, mut b) = (vec![0.0; 63], vec![0.0; 63]);
        gradient(
            &input,
            &mut [
                StridedViewMut::contiguous(&mut a, &shape).unwrap(),
                StridedViewMut::contiguous(&mut b, &shape).unwrap(),
            ],
            &options,
        )
        .unwrap();
        let whole = WholeArray::new(&shape, &options).unwrap();
        let (mut sa, mut sb) = (vec![0.0; 63], vec![0.0; 63]);
        for (r0, r1) in [(0, 1), (1, 4), (4, 7)] {
            for (c0, c1) in [(0, 2), (2, 3), (3, 9)] {
                let (wr, wc) = (
                    whole.window(0, r0..r1).unwrap(),
                    whole.window(1, c0..c1).unwrap(),
                );
                let wshape = [wr.len(), wc.len()];
                let window =
                    StridedView::new(&f, wr.start * 9 + wc.start, &wshape, &[9, 1]).unwrap();
                let bshape = [r1 - r0, c1 - c0];
                let off = r0 * 9 + c0;
                // The block's outputs are views into the stitched arrays (row stride 9).
                let mut outs = [
                    StridedViewMut::new(&mut sa, off, &bshape, &[9, 1]).unwrap(),
                    StridedViewMut::new(&mut sb, off, &bshape, &[9, 1]).unwrap(),
                ];
                whole
                    .gradient_block(&window, &[wr.start, wc.start], &[r0, c0], &mut outs)
                    .unwrap();
            }
        }
        assert!(sa.iter().zip(&a).all(|(p, q)| same(*p, *q)));
        assert!(sb.iter().zip(&b).all(|(p, q)| same(*p, *q)));
    }
}
