//! The raw-pointer views and the ndarray adapter on inputs small enough for Miri
//! (`.ci/miri.sh`), which reports any access outside an allocation, any read of uninitialised
//! memory (the outputs `gradient_arrays` never zero-fills), and any aliasing violation or data
//! race (a view touching an element another live view or thread owns). Results are compared
//! with the scalar reference over a view of the same slice, bit for bit. Also a plain test.

use crate::support;

use std::ptr::NonNull;

use ndarray::{Array2, ArrayView, ShapeBuilder, s};
use numgrad::testing::gradient_values_reference;
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Spacing, StridedView, StridedViewMut,
    Timedelta64, gradient, gradient_array_into, gradient_arrays, gradient_reference,
    gradient_values_array_into, gradient_values_arrays,
};
use support::same;

/// Values with the ones that decide bits among them, long enough rows for a vector lane and a
/// remainder on every path.
fn samples(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| match i % 7 {
            0 => -0.0,
            3 => f64::INFINITY,
            _ => (i * i) as f64 * 0.3 - 2.0,
        })
        .collect()
}

/// The scalar reference over `backing` with a hand-made layout: one C-order vector per output.
fn reference(
    backing: &[f64],
    offset: usize,
    shape: &[usize],
    strides: &[isize],
    outputs: usize,
    options: &Options<'_, f64>,
) -> Vec<Vec<f64>> {
    let input = StridedView::new(backing, offset, shape, strides).unwrap();
    let count = shape.iter().product();
    let mut values = vec![vec![f64::NAN; count]; outputs];
    let mut views: Vec<_> = values
        .iter_mut()
        .map(|v| StridedViewMut::contiguous(v, shape).unwrap())
        .collect();
    gradient_reference(&input, &mut views, options).unwrap();
    drop(views);
    values
}

fn assert_bits<'a>(got: impl IntoIterator<Item = &'a f64>, want: &[f64], what: &str) {
    let got: Vec<f64> = got.into_iter().copied().collect();
    assert_eq!(got.len(), want.len(), "{what}");
    for (j, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(same(g, w), "{what}: element {j}: {g:?} vs {w:?}");
    }
}

/// Results into the even columns through a raw view stepped by 2 while the odd columns, lent
/// by `multi_slice_mut` to another view, are written before, during (on another thread) and
/// after the call.
#[test]
fn miri_stepped_output_while_its_gaps_are_written_elsewhere() {
    let f = samples(3 * 6);
    let want = reference(
        &f,
        0,
        &[3, 6],
        &[6, 1],
        1,
        &Options::new().axes(Axes::One(1)),
    );
    let mut both = Array2::<f64>::from_elem((3, 12), f64::NAN);
    let (mut even, mut odd) = both.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    odd.fill(1.0);
    let first = even.as_mut_ptr();
    let (shape, strides) = (even.shape(), even.strides());
    assert_eq!(strides, [12, 2]);
    std::thread::scope(|scope| {
        scope.spawn(|| odd.fill(2.0));
        // SAFETY: `even` lends its elements, and only them, for this scope.
        let out = unsafe { StridedViewMut::from_raw_parts(first, shape, strides) }.unwrap();
        let input = StridedView::contiguous(&f, &[3, 6]).unwrap();
        gradient(&input, &mut [out], &Options::new().axes(Axes::One(1))).unwrap();
    });
    odd.fill(3.0);
    assert_bits(both.slice(s![.., ..;2]), &want[0], "even columns");
    assert!(both.slice(s![.., 1..;2]).iter().all(|&v| v == 3.0));
}

/// The same with plain references: a `&mut` to a gap element lives across the call.
#[test]
fn miri_stepped_output_around_a_live_mutable_reference() {
    let f = samples(7);
    let want = reference(&f, 0, &[7], &[1], 1, &Options::new());
    let mut out = [f64::NAN; 14];
    let p = out.as_mut_ptr();
    // SAFETY: element 1 is not one of the view's (0, 2, ..., 12).
    let gap = unsafe { &mut *p.add(1) };
    // SAFETY: elements 0, 2, ..., 12 are writable, and only through this view, for the call.
    let view = unsafe { StridedViewMut::from_raw_parts(p, &[7], &[2]) }.unwrap();
    gradient(
        &StridedView::contiguous(&f, &[7]).unwrap(),
        &mut [view],
        &Options::new(),
    )
    .unwrap();
    *gap = 5.0;
    assert_bits(out.iter().step_by(2), &want[0], "even elements");
    assert_eq!(out[1], 5.0);
}

/// Raw views with negative strides (input and output) and a broadcast input (zero stride).
#[test]
fn miri_raw_negative_and_zero_strides() {
    let f = samples(5 * 6);
    let options = Options::new().edge_order(EdgeOrder::Second);
    // Input: both axes reversed, the first element the last of the buffer.
    let want = reference(&f, 29, &[5, 6], &[-6, -1], 2, &options);
    let mut d0 = [f64::NAN; 30];
    let mut d1 = [f64::NAN; 30];
    // SAFETY: `f` is borrowed shared for the call; index 29 + i*(-6) + j*(-1) stays in 0..30.
    let input = unsafe { StridedView::from_raw_parts(f.as_ptr().add(29), &[5, 6], &[-6, -1]) };
    // SAFETY: each output is one array written only through its view, rows back to front.
    let (o0, o1) = unsafe {
        (
            StridedViewMut::from_raw_parts(d0.as_mut_ptr().add(24), &[5, 6], &[-6, 1]),
            StridedViewMut::from_raw_parts(d1.as_mut_ptr().add(24), &[5, 6], &[-6, 1]),
        )
    };
    gradient(&input.unwrap(), &mut [o0.unwrap(), o1.unwrap()], &options).unwrap();
    for (k, d) in [d0, d1].iter().enumerate() {
        let rows_back: Vec<f64> = d.chunks(6).rev().flatten().copied().collect();
        assert_bits(&rows_back, &want[k], &format!("reversed, output {k}"));
    }

    // Input: one row of 6 seen as 4 rows (row stride 0).
    let row = &f[..6];
    let want = reference(row, 0, &[4, 6], &[0, 1], 2, &Options::new());
    // SAFETY: the six elements of `row` are readable for the call.
    let input = unsafe { StridedView::from_raw_parts(row.as_ptr(), &[4, 6], &[0, 1]) }.unwrap();
    let (mut d0, mut d1) = ([f64::NAN; 24], [f64::NAN; 24]);
    let outs = [
        StridedViewMut::contiguous(&mut d0, &[4, 6]).unwrap(),
        StridedViewMut::contiguous(&mut d1, &[4, 6]).unwrap(),
    ];
    gradient(&input, &mut { outs }, &Options::new()).unwrap();
    assert_bits(&d0, &want[0], "broadcast, axis 0");
    assert_bits(&d1, &want[1], "broadcast, axis 1");
}

/// An empty view takes a dangling pointer and reaches nothing; null and misaligned pointers
/// are refused before anything is read.
#[test]
fn miri_raw_empty_null_and_misaligned() {
    let dangling = NonNull::<f64>::dangling().as_ptr();
    // SAFETY: a view with no elements reaches no memory.
    let input = unsafe { StridedView::from_raw_parts(dangling.cast_const(), &[0, 5], &[5, 1]) };
    // SAFETY: as above.
    let output = unsafe { StridedViewMut::from_raw_parts(dangling, &[0, 5], &[5, 1]) };
    let axis1 = Options::new().axes(Axes::One(1));
    gradient(&input.unwrap(), &mut [output.unwrap()], &axis1).unwrap();

    let data = [1.0f64; 4];
    // SAFETY (of each call below): refused before any access.
    let null = unsafe { StridedView::from_raw_parts(std::ptr::null::<f64>(), &[2], &[1]) };
    assert_eq!(null.unwrap_err(), GradientError::InvalidPointer);
    let odd = data.as_ptr().cast::<u8>().wrapping_add(1).cast::<f64>();
    let misaligned = unsafe { StridedView::from_raw_parts(odd, &[2], &[1]) };
    assert_eq!(misaligned.unwrap_err(), GradientError::InvalidPointer);
    let null_mut =
        unsafe { StridedViewMut::<f64>::from_raw_parts(std::ptr::null_mut(), &[2], &[1]) };
    assert_eq!(null_mut.unwrap_err(), GradientError::InvalidPointer);
}

/// The adapter: reversed, permuted, stepped, broadcast and F-order inputs, into caller views
/// and into `gradient_arrays`' uninitialised outputs, with coordinates and an integer input.
#[test]
fn miri_adapter_layouts() {
    let f = samples(6 * 9);
    let x: Vec<f64> = (0..9).map(|i| (i * i) as f64 * 0.5).collect();
    let per_axis = [AxisSpacing::Uniform(0.5), AxisSpacing::Coordinates(&x)];
    let coords = Options::new().spacing(Spacing::PerAxis(&per_axis));
    let a = ArrayView::from_shape((6, 9), &f).unwrap();
    let cases = [
        (a.slice(s![..;-1, ..]), 45usize, [-9isize, 1]),
        (a.view(), 0, [9, 1]),
        (a.slice(s![.., ..;-1]), 8, [9, -1]),
    ];
    for (view, offset, strides) in &cases {
        let want = reference(&f, *offset, &[6, 9], strides, 2, &coords);
        let mut outs = [
            Array2::from_elem((6, 9).f(), f64::NAN),
            Array2::from_elem((6, 9), f64::NAN),
        ];
        let [o0, o1] = &mut outs;
        gradient_array_into(view, &mut [o0.view_mut(), o1.view_mut()], &coords).unwrap();
        let arrays = gradient_arrays(view, &coords).unwrap();
        for k in 0..2 {
            assert_bits(&outs[k], &want[k], &format!("into, {strides:?} output {k}"));
            assert_bits(
                &arrays[k],
                &want[k],
                &format!("arrays, {strides:?} output {k}"),
            );
        }
    }
    // Transposed: outputs transposed too, written through uninitialised memory.
    let t = a.t();
    let want = reference(&f, 0, &[9, 6], &[1, 9], 2, &Options::new());
    let arrays = gradient_arrays(&t, &Options::new()).unwrap();
    assert_eq!(arrays[0].strides(), [1, 9]);
    assert_bits(&arrays[0], &want[0], "transposed, axis 0");
    assert_bits(&arrays[1], &want[1], "transposed, axis 1");
    // Stepped by 2 (the gap-safe path), while the gaps are written on another thread.
    let mut both = Array2::from_shape_vec((6, 18), samples(6 * 18)).unwrap();
    let copy = both.clone();
    let want = reference(
        copy.as_slice().unwrap(),
        0,
        &[6, 9],
        &[18, 2],
        2,
        &Options::new(),
    );
    let (even, mut odd) = both.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    let (mut d0, mut d1) = (Array2::zeros((6, 9)), Array2::zeros((6, 9)));
    std::thread::scope(|scope| {
        scope.spawn(|| odd.fill(7.0));
        let outs = &mut [d0.view_mut(), d1.view_mut()];
        gradient_array_into(&even.view(), outs, &Options::new()).unwrap();
    });
    assert_bits(&d0, &want[0], "stepped, axis 0");
    assert_bits(&d1, &want[1], "stepped, axis 1");
    // Broadcast input; an integer input into f32.
    let row = ArrayView::from_shape(9, &f[..9]).unwrap();
    let b = row.broadcast((3, 9)).unwrap();
    let want = reference(&f[..9], 0, &[3, 9], &[0, 1], 2, &Options::new());
    let arrays = gradient_arrays(&b, &Options::new()).unwrap();
    assert_bits(&arrays[0], &want[0], "broadcast, axis 0");
    assert_bits(&arrays[1], &want[1], "broadcast, axis 1");
    let ints: Vec<i16> = (0..20).map(|i| (i * i * 7 % 23) as i16 - 11).collect();
    let iv = ArrayView::from_shape((4, 5), &ints).unwrap();
    let got = gradient_arrays::<i16, f32, _>(&iv.slice(s![..;-1, ..]), &Options::new()).unwrap();
    let floats: Vec<f32> = ints.iter().map(|&i| f32::from(i)).collect();
    let input = StridedView::new(&floats, 15, &[4, 5], &[-5, 1]).unwrap();
    let (mut w0, mut w1) = ([0.0f32; 20], [0.0f32; 20]);
    let outs = [
        StridedViewMut::contiguous(&mut w0, &[4, 5]).unwrap(),
        StridedViewMut::contiguous(&mut w1, &[4, 5]).unwrap(),
    ];
    gradient_reference(&input, &mut { outs }, &Options::new()).unwrap();
    for (g, w) in got.iter().zip([w0, w1]) {
        let g: Vec<f32> = g.iter().copied().collect();
        assert!(
            g.iter().zip(&w).all(|(&a, &b)| same(a, b)),
            "i16: {g:?} vs {w:?}"
        );
    }
}

/// The value types through the adapter (timedelta64 counts: no feature needed): a reversed
/// input into new arrays (filled before the value kernel's line slices are made over them) and
/// into stepped caller views whose gaps another thread writes meanwhile, against the value
/// reference over the same elements.
#[test]
fn miri_value_arrays() {
    let t: Vec<Timedelta64> = (0..4 * 7).map(|i| Timedelta64(i * i % 53 - 9)).collect();
    let a = ArrayView::from_shape((4, 7), &t).unwrap();
    let flipped = a.slice(s![..;-1, ..]);
    let mut want = vec![vec![Timedelta64(0); 28]; 2];
    {
        let input = StridedView::new(&t, 21, &[4, 7], &[-7, 1]).unwrap();
        let [w0, w1] = &mut want[..] else {
            unreachable!()
        };
        let outs = &mut [
            StridedViewMut::contiguous(w0, &[4, 7]).unwrap(),
            StridedViewMut::contiguous(w1, &[4, 7]).unwrap(),
        ];
        gradient_values_reference(&input, outs, &Options::<f64>::new()).unwrap();
    }
    let arrays = gradient_values_arrays(&flipped, &Options::<f64>::new()).unwrap();
    for (array, w) in arrays.iter().zip(&want) {
        assert_eq!(array.iter().copied().collect::<Vec<_>>(), *w);
    }
    let mut both = Array2::from_elem((4, 14), Timedelta64(0));
    let (mut even, mut odd) = both.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    let mut other = Array2::from_elem((4, 7), Timedelta64(0));
    std::thread::scope(|scope| {
        scope.spawn(|| odd.fill(Timedelta64(5)));
        let outs = &mut [even.view_mut(), other.view_mut()];
        gradient_values_array_into(&flipped, outs, &Options::<f64>::new()).unwrap();
    });
    assert_eq!(even.iter().copied().collect::<Vec<_>>(), want[0]);
    assert_eq!(other.iter().copied().collect::<Vec<_>>(), want[1]);
}
