//! The `alloc` API on arbitrary bytes: a shape, C-order data and options; the result equals the
//! reference on the same data, and errors are the reference's errors.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use numgrad::{
    Axes, EdgeOrder, Options, Spacing, StridedView, StridedViewMut, gradient_owned,
    gradient_reference,
};
use numgrad_fuzz::{Entry, same, special_f64};

fn check(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let rank = u.int_in_range(0..=4usize)?;
    let shape: Vec<usize> = (0..rank).map(|_| u.int_in_range(0..=8)).collect::<arbitrary::Result<_>>()?;
    let count: usize = shape.iter().product();
    let len = if u.ratio(1, 10)? { u.int_in_range(0..=count + 2)? } else { count };
    let data: Vec<f64> = (0..len).map(|_| special_f64(u)).collect::<arbitrary::Result<_>>()?;
    let axes_list: Vec<isize> = (0..u.int_in_range(0..=3usize)?)
        .map(|_| u.int_in_range(-5..=5))
        .collect::<arbitrary::Result<_>>()?;
    let axes = if u.arbitrary()? { Axes::All } else { Axes::List(&axes_list) };
    let n_entries = u.int_in_range(0..=4usize)?;
    let entries: Vec<Entry<f64>> = (0..n_entries)
        .map(|k| Entry::make(u, shape.get(k).copied().unwrap_or(2)))
        .collect::<arbitrary::Result<_>>()?;
    let per_axis: Vec<_> = entries.iter().map(Entry::as_spacing).collect();
    let spacing = if u.arbitrary()? { Spacing::PerAxis(&per_axis) } else { Spacing::Uniform(special_f64(u)?) };
    let edge = if u.arbitrary()? { EdgeOrder::First } else { EdgeOrder::Second };
    let options = Options::new().axes(axes).spacing(spacing).edge_order(edge);

    let owned = gradient_owned(&data, &shape, &options);
    let Ok(input) = StridedView::contiguous(&data, &shape) else {
        assert!(owned.is_err());
        return Ok(());
    };
    let outputs = owned.as_ref().map_or(0, Vec::len);
    let mut buffers = vec![vec![0.0; count]; outputs.max(match axes { Axes::All => rank, Axes::List(l) => l.len(), Axes::One(_) => 1 })];
    let mut views: Vec<_> = buffers.iter_mut().map(|b| StridedViewMut::contiguous(b, &shape).unwrap()).collect();
    let reference = gradient_reference(&input, &mut views, &options);
    drop(views);
    match (owned, reference) {
        (Ok(arrays), Ok(())) => {
            for (a, b) in arrays.iter().zip(&buffers) {
                assert_eq!(a.shape, shape);
                assert!(a.data.iter().zip(b).all(|(&x, &y)| same(x, y)));
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("owned {a:?} vs reference {b:?}"),
    }
    Ok(())
}

fuzz_target!(|bytes: &[u8]| {
    let _ = check(&mut Unstructured::new(bytes));
});
