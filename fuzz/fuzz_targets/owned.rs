//! The `alloc` API on arbitrary bytes: a shape, C-order data of a chosen element type and
//! options; the owned arrays equal the scalar reference on the same data bit for bit, and an
//! error is the reference's error (or the contiguous view's, for a buffer of the wrong length).
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use numgrad::{
    Axes, EdgeOrder, Options, Real, Sample, Spacing, StridedView, StridedViewMut, gradient_owned,
    gradient_reference,
};
use numgrad_fuzz::{Entry, FuzzSample, same, special};

fn check<T: Sample<F> + FuzzSample, F: Real>(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let rank = u.int_in_range(0..=4usize)?;
    let shape: Vec<usize> = (0..rank)
        .map(|_| u.int_in_range(0..=8))
        .collect::<arbitrary::Result<_>>()?;
    let count: usize = shape.iter().product();
    let len = if u.ratio(1, 10)? {
        u.int_in_range(0..=count + 2)?
    } else {
        count
    };
    let data: Vec<T> = (0..len)
        .map(|_| T::make(u))
        .collect::<arbitrary::Result<_>>()?;
    let axes_list: Vec<isize> = (0..u.int_in_range(0..=3usize)?)
        .map(|_| u.int_in_range(-5..=5))
        .collect::<arbitrary::Result<_>>()?;
    let axes = match u.int_in_range(0u8..=2)? {
        0 => Axes::All,
        1 => Axes::One(u.int_in_range(-5..=5)?),
        _ => Axes::List(&axes_list),
    };
    let n_entries = u.int_in_range(0..=4usize)?;
    let entries: Vec<Entry<F>> = (0..n_entries)
        .map(|k| Entry::make(u, shape.get(k).copied().unwrap_or(2)))
        .collect::<arbitrary::Result<_>>()?;
    let per_axis: Vec<_> = entries.iter().map(Entry::as_spacing).collect();
    let spacing = match u.int_in_range(0u8..=2)? {
        0 => Spacing::Unit,
        1 => Spacing::Uniform(special(u)?),
        _ => Spacing::PerAxis(&per_axis),
    };
    let edge = if u.arbitrary()? {
        EdgeOrder::First
    } else {
        EdgeOrder::Second
    };
    let options = Options::new().axes(axes).spacing(spacing).edge_order(edge);

    let owned = gradient_owned(&data, &shape, &options);
    let input = match StridedView::contiguous(&data, &shape) {
        Ok(input) => input,
        Err(e) => {
            assert_eq!(owned.err(), Some(e));
            return Ok(());
        }
    };
    let selected = match axes {
        Axes::All => rank,
        Axes::One(_) => 1,
        Axes::List(l) => l.len(),
        // `Axes` is non_exhaustive; the three forms above are the only ones built here.
        _ => unreachable!("built above"),
    };
    let mut buffers = vec![vec![F::zero(); count]; selected];
    let mut views: Vec<_> = buffers
        .iter_mut()
        .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
        .collect();
    let reference = gradient_reference(&input, &mut views, &options);
    drop(views);
    match (owned, reference) {
        (Ok(arrays), Ok(())) => {
            assert_eq!(arrays.len(), selected);
            for (a, b) in arrays.iter().zip(&buffers) {
                assert_eq!(a.shape, shape);
                assert_eq!(a.data.len(), count);
                assert!(a.data.iter().zip(b).all(|(&x, &y)| same(x, y)));
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("owned {a:?} vs reference {b:?}"),
    }
    Ok(())
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let _ = match u.int_in_range(0u8..=3).unwrap_or(0) {
        0 => check::<f64, f64>(&mut u),
        1 => check::<f32, f32>(&mut u),
        2 => check::<i16, f32>(&mut u),
        _ => check::<u64, f64>(&mut u),
    };
});
