//! The core allocates nothing; the owned API allocates its outputs and nothing proportional to
//! the input besides them. A counting global allocator (per thread, so the test harness's own
//! threads do not interfere) proves it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[cfg(feature = "alloc")]
use numgrad::{Axes, GradientError, gradient_owned};
use numgrad::{
    AxisSpacing, EdgeOrder, Options, Spacing, StridedView, StridedViewMut, gradient, gradient_1d,
    gradient_reference,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    /// Allocations of at least this many bytes fail (to test the owned API's error path).
    static FAIL_FROM: Cell<usize> = const { Cell::new(usize::MAX) };
}

// SAFETY: forwards to the system allocator; the counters are plain thread-local cells.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= FAIL_FROM.with(Cell::get) {
            return std::ptr::null_mut();
        }
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        BYTES.with(|c| c.set(c.get() + layout.size()));
        // SAFETY: same layout contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, bytes) made by `f` on this thread.
fn counted(f: impl FnOnce()) -> (usize, usize) {
    let before = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    f();
    (
        ALLOCATIONS.with(Cell::get) - before.0,
        BYTES.with(Cell::get) - before.1,
    )
}

#[test]
fn the_core_never_allocates_and_the_owned_api_allocates_its_outputs() {
    // Large enough for the fused pass, streaming stores and every kernel.
    let shape = [64usize, 48, 40];
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let x: Vec<f64> = (0..48)
        .map(|i| i as f64 * 0.5 + (i % 3) as f64 * 0.01)
        .collect();
    let mut outs = vec![vec![0.0; n]; 3];
    let spacing = [
        AxisSpacing::Uniform(0.5),
        AxisSpacing::Coordinates(&x),
        AxisSpacing::Uniform(2.0),
    ];
    let options = Options::new()
        .spacing(Spacing::PerAxis(&spacing))
        .edge_order(EdgeOrder::Second);
    let input = StridedView::contiguous(&data, &shape).unwrap();
    let transposed = StridedView::new(&data, 0, &[40, 48, 64], &[1, 40, 1920]).unwrap();
    let [a, b, c] = &mut outs[..] else {
        unreachable!()
    };
    let mut views = [
        StridedViewMut::contiguous(a, &shape).unwrap(),
        StridedViewMut::contiguous(b, &shape).unwrap(),
        StridedViewMut::contiguous(c, &shape).unwrap(),
    ];
    assert_eq!(
        counted(|| gradient(&input, &mut views, &options).unwrap()),
        (0, 0)
    );
    assert_eq!(
        counted(|| gradient_reference(&input, &mut views, &options).unwrap()),
        (0, 0)
    );
    let tshape = [40usize, 48, 64];
    let tspacing = [
        AxisSpacing::Uniform(1.0),
        AxisSpacing::Coordinates(&x),
        AxisSpacing::Uniform(3.0),
    ];
    let [a, b, c] = &mut outs[..] else {
        unreachable!()
    };
    let mut tviews = [
        StridedViewMut::contiguous(a, &tshape).unwrap(),
        StridedViewMut::contiguous(b, &tshape).unwrap(),
        StridedViewMut::contiguous(c, &tshape).unwrap(),
    ];
    let toptions = Options::new().spacing(Spacing::PerAxis(&tspacing));
    assert_eq!(
        counted(|| gradient(&transposed, &mut tviews, &toptions).unwrap()),
        (0, 0)
    );
    let samples: Vec<i16> = (0..5000).map(|i| (i % 200) as i16).collect();
    let mut rate = vec![0.0f32; 5000];
    assert_eq!(
        counted(|| gradient_1d(
            &samples,
            &mut rate,
            AxisSpacing::Uniform(0.01),
            EdgeOrder::First
        )
        .unwrap()),
        (0, 0)
    );
    // Errors allocate nothing either.
    assert_eq!(
        counted(|| {
            gradient(&input, &mut tviews, &options).unwrap_err();
        }),
        (0, 0)
    );

    #[cfg(feature = "alloc")]
    {
        // Owned: the outputs (data and shape of each), the vector holding them, and one small
        // vector of views, nothing proportional to the input besides the outputs.
        let two_axes = Options::new().axes(Axes::List(&[2, 0]));
        let mut result = None;
        let (allocations, bytes) =
            counted(|| result = Some(gradient_owned(&data, &shape, &two_axes).unwrap()));
        let result = result.unwrap();
        assert_eq!(result.len(), 2);
        let outputs = 2 * n * size_of::<f64>();
        let small = 2 * shape.len() * size_of::<usize>()
            + 2 * size_of::<numgrad::GradientArray<f64>>()
            + 2 * size_of::<StridedViewMut<'_, f64>>();
        assert_eq!(
            allocations,
            2 * 2 + 2,
            "two outputs of two vectors each, plus two holders"
        );
        assert_eq!(bytes, outputs + small);
    }
}

#[cfg(feature = "alloc")]
#[test]
fn an_allocation_failure_is_an_error_not_an_abort() {
    let data: Vec<i32> = (0..10_000).collect();
    FAIL_FROM.with(|c| c.set(40_000));
    let result = gradient_owned::<i32, f64>(&data, &[100, 100], &Options::new());
    FAIL_FROM.with(|c| c.set(usize::MAX));
    assert_eq!(
        result.unwrap_err(),
        numgrad::GradientError::AllocationFailed { elements: 10_000 }
    );
}

/// What `gradient_owned` returns.
#[cfg(feature = "alloc")]
type Owned = Result<Vec<numgrad::GradientArray<f64>>, GradientError>;

/// `gradient_owned` under an allocator refusing every allocation of `fail_from` bytes or more:
/// the result and the (allocations, bytes) made.
#[cfg(feature = "alloc")]
fn owned_under(
    fail_from: usize,
    data: &[f64],
    shape: &[usize],
    options: &Options<'_, f64>,
) -> (Owned, (usize, usize)) {
    let mut result = None;
    FAIL_FROM.with(|c| c.set(fail_from));
    let counts = counted(|| result = Some(gradient_owned(data, shape, options)));
    FAIL_FROM.with(|c| c.set(usize::MAX));
    (result.unwrap(), counts)
}

#[cfg(feature = "alloc")]
#[test]
fn a_malformed_owned_call_allocates_nothing_and_reports_the_real_error() {
    // Rank 64, 512 KiB of input: zero-filling every output first would take 33.6 MB.
    let mut shape = [1usize; 64];
    shape[63] = 65_536;
    shape[0] = 1; // axis 0 has one point: too short
    let data: Vec<f64> = (0..65_536).map(|i| f64::from(i) * 3.0).collect();
    let x = [0.0, 1.0, 2.0];
    let per_axis = [AxisSpacing::Uniform(1.0); 3];
    let short_coords = [AxisSpacing::Coordinates(&x)];
    let malformed: [(Options<'_, f64>, GradientError); 3] = [
        (
            Options::new(),
            GradientError::AxisTooShort {
                axis: 0,
                len: 1,
                min: 2,
            },
        ),
        (
            Options::new().spacing(Spacing::PerAxis(&per_axis)),
            GradientError::SpacingCount {
                expected: 64,
                got: 3,
            },
        ),
        (
            Options::new()
                .axes(Axes::One(-1))
                .spacing(Spacing::PerAxis(&short_coords)),
            GradientError::CoordinateLength {
                axis: 63,
                expected: 65_536,
                got: 3,
            },
        ),
    ];
    for (options, expected) in &malformed {
        // With a working allocator and one that refuses everything: the same error, and not
        // one allocation.
        for fail_from in [usize::MAX, 0] {
            let (result, counts) = owned_under(fail_from, &data, &shape, options);
            assert_eq!(result.unwrap_err(), *expected, "fail_from {fail_from}");
            assert_eq!(counts, (0, 0), "{expected:?}, fail_from {fail_from}");
        }
    }
    // A well-formed call under the refusing allocator is an allocation failure, and the same
    // call with a working one allocates its output.
    let last = Options::new().axes(Axes::One(-1));
    let (result, _) = owned_under(0, &data, &shape, &last);
    assert_eq!(
        result.unwrap_err(),
        GradientError::AllocationFailed { elements: 1 }
    );
    let (result, (allocations, _)) = owned_under(usize::MAX, &data, &shape, &last);
    let grads = result.unwrap();
    assert_eq!(allocations, 4);
    assert_eq!(grads[0].axis, 63);
    assert!(grads[0].data.iter().all(|&g| g == 3.0));
}
