//! The block API on arbitrary bytes: a whole array (shape, data of a chosen element type, axes,
//! spacing, edge order), a partition into blocks and windows around them (sometimes too small);
//! every block either fails with the error its window deserves, writing nothing, or the stitched
//! blocks equal the whole call bit for bit. Real samples through `gradient_block`, the value
//! types (complex, datetime64, float16) through `gradient_values_block`.
#![no_main]

use std::marker::PhantomData;

use arbitrary::Unstructured;
use half::f16;
use libfuzzer_sys::fuzz_target;
use num_complex::Complex;
use numgrad::{
    Axes, Datetime64, EdgeOrder, GradientError, Options, Precision, Real, Sample, Spacing,
    StridedView, StridedViewMut, Value, WholeArray, gradient, gradient_values,
};
use numgrad_fuzz::{Entry, FuzzOut, FuzzSample};

/// A sample kind: its whole call and its block call.
trait Kind<F: Precision> {
    type Sample: FuzzSample;
    type Out: FuzzOut;
    fn whole(
        input: &StridedView<'_, Self::Sample>,
        outputs: &mut [StridedViewMut<'_, Self::Out>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError>;
    fn block(
        whole: &WholeArray<'_, F>,
        window: &StridedView<'_, Self::Sample>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, Self::Out>],
    ) -> Result<(), GradientError>;
}

/// Real samples `T`: `gradient` and `gradient_block`.
struct Reals<T>(PhantomData<T>);

impl<T: Sample<F> + FuzzSample, F: Real + FuzzOut> Kind<F> for Reals<T> {
    type Sample = T;
    type Out = F;
    fn whole(
        input: &StridedView<'_, T>,
        outputs: &mut [StridedViewMut<'_, F>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError> {
        gradient(input, outputs, options)
    }
    fn block(
        whole: &WholeArray<'_, F>,
        window: &StridedView<'_, T>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, F>],
    ) -> Result<(), GradientError> {
        whole.gradient_block(window, window_start, block_start, outputs)
    }
}

/// Value samples `V`: `gradient_values` and `gradient_values_block`.
struct Values<V>(PhantomData<V>);

impl<V: Value<F> + FuzzSample, F: Precision> Kind<F> for Values<V>
where
    V::Out: FuzzOut,
{
    type Sample = V;
    type Out = V::Out;
    fn whole(
        input: &StridedView<'_, V>,
        outputs: &mut [StridedViewMut<'_, V::Out>],
        options: &Options<'_, F>,
    ) -> Result<(), GradientError> {
        gradient_values(input, outputs, options)
    }
    fn block(
        whole: &WholeArray<'_, F>,
        window: &StridedView<'_, V>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, V::Out>],
    ) -> Result<(), GradientError> {
        whole.gradient_values_block(window, window_start, block_start, outputs)
    }
}

/// C-order strides of `shape`.
fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![1isize; shape.len()];
    for a in (0..shape.len().saturating_sub(1)).rev() {
        strides[a] = strides[a + 1] * shape[a + 1] as isize;
    }
    strides
}

fn check<K: Kind<F>, F: Precision>(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let rank = u.int_in_range(1..=3usize)?;
    let shape: Vec<usize> = (0..rank)
        .map(|_| u.int_in_range(1..=9))
        .collect::<arbitrary::Result<_>>()?;
    let count: usize = shape.iter().product();
    let data: Vec<K::Sample> = (0..count)
        .map(|_| K::Sample::make(u))
        .collect::<arbitrary::Result<_>>()?;
    let mut axes: Vec<isize> = (0..rank as isize).collect();
    for k in (1..rank).rev() {
        axes.swap(k, u.int_in_range(0..=k)?);
    }
    axes.truncate(u.int_in_range(1..=rank)?);
    let entries: Vec<Entry<F>> = axes
        .iter()
        .map(|&a| Entry::make(u, shape[a as usize]))
        .collect::<arbitrary::Result<_>>()?;
    let per_axis: Vec<_> = entries.iter().map(Entry::as_spacing).collect();
    let edge = if u.arbitrary()? {
        EdgeOrder::First
    } else {
        EdgeOrder::Second
    };
    let options = Options::new()
        .axes(Axes::List(&axes))
        .spacing(Spacing::PerAxis(&per_axis))
        .edge_order(edge);

    let strides = c_strides(&shape);
    let input = StridedView::new(&data, 0, &shape, &strides).unwrap();
    let k = axes.len();
    let mut whole_out = vec![vec![K::Out::sentinel(); count]; k];
    let mut views: Vec<_> = whole_out
        .iter_mut()
        .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
        .collect();
    let result = K::whole(&input, &mut views, &options);
    drop(views);
    let whole = WholeArray::new(&shape, &options);
    let whole = match (whole, result) {
        (Ok(w), Ok(())) => w,
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "the whole array fails as the whole call");
            return Ok(());
        }
        (w, r) => panic!("whole array {:?}, whole call {r:?}", w.err()),
    };

    // A partition: per axis, cut points.
    let cuts: Vec<Vec<usize>> = shape
        .iter()
        .map(|&n| {
            let mut c: Vec<usize> = (1..n).filter(|_| u.ratio(1, 3).unwrap_or(false)).collect();
            c.insert(0, 0);
            c.push(n);
            c
        })
        .collect();
    let mut stitched = vec![vec![K::Out::sentinel(); count]; k];
    let mut pick = vec![0usize; rank];
    loop {
        let start: Vec<usize> = (0..rank).map(|a| cuts[a][pick[a]]).collect();
        let bshape: Vec<usize> = (0..rank).map(|a| cuts[a][pick[a] + 1] - start[a]).collect();
        // The window: what the block reads, give or take a point.
        let (mut w0, mut wshape) = (vec![0; rank], vec![0; rank]);
        let mut short = None;
        for a in 0..rank {
            let need = whole.window(a, start[a]..start[a] + bshape[a]).unwrap();
            let (mut lo, mut hi) = (need.start, need.end);
            match u.int_in_range(0u8..=9)? {
                0 if lo > 0 => lo -= 1,
                1 if hi < shape[a] => hi += 1,
                2 if lo < start[a] => {
                    lo += 1;
                    short.get_or_insert(a);
                }
                3 if hi > start[a] + bshape[a] => {
                    hi -= 1;
                    short.get_or_insert(a);
                }
                _ => {}
            }
            w0[a] = lo;
            wshape[a] = hi - lo;
        }
        let offset: usize = w0.iter().zip(&strides).map(|(&i, &s)| i * s as usize).sum();
        let window = StridedView::new(&data, offset, &wshape, &strides).unwrap();
        let bcount: usize = bshape.iter().product();
        let mut outs = vec![vec![K::Out::sentinel(); bcount]; k];
        let mut views: Vec<_> = outs
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &bshape).unwrap())
            .collect();
        let done = K::block(&whole, &window, &w0, &start, &mut views);
        drop(views);
        match (done, short) {
            (Ok(()), None) => {
                let bstrides = c_strides(&bshape);
                for e in 0..bcount {
                    let mut at = 0;
                    for a in 0..rank {
                        let i = e / bstrides[a] as usize % bshape[a];
                        at += (start[a] + i) * strides[a] as usize;
                    }
                    for j in 0..k {
                        stitched[j][at] = outs[j][e];
                    }
                }
            }
            (Err(GradientError::HaloTooSmall { .. }), Some(_)) => {
                let untouched = |v: &K::Out| v.matches(K::Out::sentinel());
                assert!(outs.iter().flatten().all(untouched), "nothing written");
                return Ok(());
            }
            (done, short) => panic!("block {start:?}: {done:?}, window short on {short:?}"),
        }
        // Next block, C order.
        let mut a = rank;
        loop {
            if a == 0 {
                for (s, w) in stitched.iter().zip(&whole_out) {
                    for (x, y) in s.iter().zip(w) {
                        assert!(x.matches(*y), "stitched {x:?} whole {y:?}");
                    }
                }
                return Ok(());
            }
            a -= 1;
            pick[a] += 1;
            if pick[a] + 1 < cuts[a].len() {
                break;
            }
            pick[a] = 0;
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let _ = match u.int_in_range(0u8..=6) {
        Ok(0) => check::<Reals<f64>, f64>(&mut u),
        Ok(1) => check::<Reals<f32>, f32>(&mut u),
        Ok(2) => check::<Reals<i16>, f64>(&mut u),
        Ok(3) => check::<Values<Complex<f64>>, f64>(&mut u),
        Ok(4) => check::<Values<Complex<f32>>, f32>(&mut u),
        Ok(5) => check::<Values<Datetime64>, f64>(&mut u),
        _ => check::<Values<f16>, f16>(&mut u),
    };
});
