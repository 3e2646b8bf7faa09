//! Bad input loses nothing, good input writes nothing but its outputs.
//!
//! 1. Every error the crate can return, raised with outputs pre-filled with a NaN-payload
//!    sentinel, on every path (`gradient`, `gradient_reference`, `testing::gradient_with` with each
//!    kernel, `gradient_1d`, `gradient_1d_in_place`, the view constructors, the streams, the owned
//!    API): the error is the expected variant and every output element still holds the sentinel
//!    (a stream also keeps its state; the owned API leaks nothing).
//! 2. For random views that pass validation (negative and zero input strides, reversed, padded
//!    and permuted outputs, several outputs): outputs live inside larger buffers whose guard
//!    cells hold the sentinel; after each path every element outside the output view still
//!    holds it and every element inside equals the reference. Changing every input element the
//!    view does not reach changes no output bit.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[cfg(feature = "alloc")]
use numgrad::gradient_owned;
use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, GradientStream, Options, Real, Sample, Spacing,
    StridedView, StridedViewMut, TimedGradientStream, gradient, gradient_1d, gradient_1d_in_place,
    gradient_reference,
};
use proptest::prelude::*;
use support::{positions, same};

// ---------------------------------------------------------------------------------------------
// Sentinels and a failing, counting allocator.

/// A float whose sentinel is a quiet NaN with a payload no computation here produces.
trait Guarded: Real {
    fn sentinel() -> Self;
    fn is_sentinel(self) -> bool;
}

impl Guarded for f64 {
    fn sentinel() -> Self {
        f64::from_bits(0x7ff8_dead_beef_1234)
    }
    fn is_sentinel(self) -> bool {
        self.to_bits() == 0x7ff8_dead_beef_1234
    }
}

impl Guarded for f32 {
    fn sentinel() -> Self {
        f32::from_bits(0x7fc0_1234)
    }
    fn is_sentinel(self) -> bool {
        self.to_bits() == 0x7fc0_1234
    }
}

fn all_sentinel<F: Guarded>(buffers: &[Vec<F>]) -> bool {
    buffers.iter().flatten().all(|&v| v.is_sentinel())
}

struct FailingCounter;

thread_local! {
    /// Bytes allocated and not yet freed by this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Allocations of at least this many bytes fail once `BUDGET` of them have succeeded.
    static FAIL_FROM: Cell<usize> = const { Cell::new(usize::MAX) };
    static BUDGET: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator (or returns null, which `GlobalAlloc` allows); the
// counters are thread-local cells without destructors.
unsafe impl GlobalAlloc for FailingCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= FAIL_FROM.with(Cell::get) {
            let budget = BUDGET.with(Cell::get);
            if budget == 0 {
                return std::ptr::null_mut();
            }
            BUDGET.with(|c| c.set(budget - 1));
        }
        // SAFETY: the caller's layout contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.with(|c| c.set(c.get() + layout.size() as isize));
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.with(|c| c.set(c.get() - layout.size() as isize));
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: FailingCounter = FailingCounter;

// ---------------------------------------------------------------------------------------------
// Part 1: every error, on every path, leaves the outputs alone.

/// One output view: its buffer length, offset, shape and strides (`None`: C order, contiguous).
struct Out<'a> {
    len: usize,
    offset: usize,
    shape: &'a [usize],
    strides: Option<&'a [isize]>,
}

impl<'a> Out<'a> {
    fn contiguous(shape: &'a [usize]) -> Self {
        Self {
            len: shape.iter().product(),
            offset: 0,
            shape,
            strides: None,
        }
    }
}

/// The paths of an N-d call.
#[derive(Clone, Copy, Debug)]
enum Path {
    Gradient,
    Reference,
    Forced(Kernel),
}

const PATHS: [Path; 6] = [
    Path::Gradient,
    Path::Reference,
    Path::Forced(Kernel::Auto),
    Path::Forced(Kernel::AlongContiguous),
    Path::Forced(Kernel::AlongStrided),
    Path::Forced(Kernel::Across),
];

fn call<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    views: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
) -> Result<bool, GradientError> {
    match path {
        Path::Gradient => gradient(input, views, options).map(|()| true),
        Path::Reference => gradient_reference(input, views, options).map(|()| true),
        Path::Forced(kernel) => gradient_with(input, views, options, kernel, Isa::Avx512),
    }
}

/// Runs the call on every path with sentinel-filled outputs; each must fail with `expected`
/// and leave every output element as it was.
fn rejected_everywhere<T: Sample<F>, F: Guarded>(
    input: &StridedView<'_, T>,
    outs: &[Out<'_>],
    options: &Options<'_, F>,
    expected: GradientError,
) {
    for path in PATHS {
        let mut buffers: Vec<Vec<F>> = outs.iter().map(|o| vec![F::sentinel(); o.len]).collect();
        let mut views: Vec<_> = buffers
            .iter_mut()
            .zip(outs)
            .map(|(b, o)| match o.strides {
                Some(s) => StridedViewMut::new(b, o.offset, o.shape, s).unwrap(),
                None => StridedViewMut::contiguous(b, o.shape).unwrap(),
            })
            .collect();
        let result = call(path, input, &mut views, options);
        drop(views);
        assert_eq!(result, Err(expected), "{path:?}");
        assert!(
            all_sentinel(&buffers),
            "{path:?} wrote an output on {expected:?}"
        );
    }
}

fn data12() -> Vec<f64> {
    (0..12).map(|i| f64::from(i * i) * 0.5).collect()
}

const S34: &[usize] = &[3, 4];

#[test]
fn rank_too_large() {
    let shape = [1usize; 65];
    let strides = [0isize; 65];
    let expected = GradientError::RankTooLarge { rank: 65 };
    let mut out = vec![f64::sentinel(); 4];
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &shape, &strides).unwrap_err(),
        expected
    );
    assert_eq!(
        StridedViewMut::contiguous(&mut out[..1], &shape).unwrap_err(),
        expected
    );
    assert!(all_sentinel(&[out]));
    let d = [1.0f64];
    assert_eq!(
        StridedView::new(&d, 0, &shape, &strides).unwrap_err(),
        expected
    );
    assert_eq!(StridedView::contiguous(&d, &shape).unwrap_err(), expected);
    #[cfg(feature = "alloc")]
    assert_eq!(
        gradient_owned::<f64, f64>(&d, &shape, &Options::new()).unwrap_err(),
        expected
    );
}

#[test]
fn strides_length() {
    let mut out = vec![f32::sentinel(); 12];
    let expected = GradientError::StridesLength {
        shape: 2,
        strides: 3,
    };
    assert_eq!(
        StridedViewMut::new(&mut out, 0, S34, &[4, 1, 1]).unwrap_err(),
        expected
    );
    assert!(all_sentinel(&[out]));
    assert_eq!(
        StridedView::new(&data12(), 0, S34, &[4, 1, 1]).unwrap_err(),
        expected
    );
}

#[test]
fn size_overflow() {
    let mut out = vec![f64::sentinel(); 12];
    let huge = [usize::MAX, 2];
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &huge, &[0, 0]).unwrap_err(),
        GradientError::SizeOverflow
    );
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &[4, 3], &[isize::MAX / 2, 1]).unwrap_err(),
        GradientError::SizeOverflow
    );
    assert_eq!(
        StridedViewMut::contiguous(&mut out, &huge).unwrap_err(),
        GradientError::SizeOverflow
    );
    // A zero length does not make a huge shape small, whatever the axis order (numpy refuses
    // `np.empty((0, 2**63))` and `np.empty((2, 2**62, 0))` alike).
    for shape in [&[0, usize::MAX][..], &[2, usize::MAX, 0], &[0, 1 << 61]] {
        let strides = [1isize; 3];
        let strides = &strides[..shape.len()];
        assert_eq!(
            StridedViewMut::new(&mut out, 0, shape, strides).unwrap_err(),
            GradientError::SizeOverflow,
            "{shape:?}"
        );
        assert_eq!(
            StridedViewMut::contiguous(&mut out, shape).unwrap_err(),
            GradientError::SizeOverflow,
            "{shape:?}"
        );
    }
    assert!(all_sentinel(&[out]));
    #[cfg(feature = "alloc")]
    assert_eq!(
        gradient_owned::<u8, f64>(&[], &huge, &Options::new()).unwrap_err(),
        GradientError::SizeOverflow
    );
}

#[test]
fn out_of_bounds() {
    let mut out = vec![f64::sentinel(); 12];
    assert_eq!(
        StridedViewMut::new(&mut out, 2, S34, &[-4, 1]).unwrap_err(),
        GradientError::OutOfBounds {
            lowest: -6,
            highest: 5,
            buffer_len: 12
        }
    );
    assert_eq!(
        StridedViewMut::new(&mut out, 1, S34, &[4, 1]).unwrap_err(),
        GradientError::OutOfBounds {
            lowest: 1,
            highest: 12,
            buffer_len: 12
        }
    );
    // An offset past the buffer is out of bounds (not an overflow, even at `usize::MAX`).
    for offset in [12, usize::MAX] {
        assert_eq!(
            StridedViewMut::new(&mut out, offset, &[1], &[0]).unwrap_err(),
            GradientError::OffsetOutOfBounds {
                offset,
                buffer_len: 12
            }
        );
    }
    assert!(all_sentinel(&[out]));
}

#[test]
fn data_length() {
    let mut out = vec![f32::sentinel(); 11];
    assert_eq!(
        StridedViewMut::contiguous(&mut out, S34).unwrap_err(),
        GradientError::DataLength {
            expected: 12,
            got: 11
        }
    );
    assert!(all_sentinel(&[out]));
    #[cfg(feature = "alloc")]
    assert_eq!(
        gradient_owned::<i16, f32>(&[1, 2, 3], &[2, 2], &Options::new()).unwrap_err(),
        GradientError::DataLength {
            expected: 4,
            got: 3
        }
    );
}

#[test]
fn overlapping_output() {
    let mut out = vec![f64::sentinel(); 12];
    for (offset, strides, axis) in [
        (0, [0isize, 1], 0),
        (0, [1, 2], 1),
        (0, [2, 1], 0),
        (6, [1, -2], 1),
    ] {
        assert_eq!(
            StridedViewMut::new(&mut out, offset, S34, &strides).unwrap_err(),
            GradientError::OverlappingOutput { axis },
            "{strides:?}"
        );
    }
    assert!(all_sentinel(&[out]));
}

#[test]
fn output_count() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34)],
        &Options::new(),
        GradientError::OutputCount {
            expected: 2,
            got: 1,
        },
    );
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), Out::contiguous(S34)],
        &Options::new().axes(Axes::One(1)),
        GradientError::OutputCount {
            expected: 1,
            got: 2,
        },
    );
}

#[test]
fn output_rank() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), Out::contiguous(&[3, 4, 1])],
        &Options::new(),
        GradientError::OutputRank {
            output: 1,
            expected: 2,
            got: 3,
        },
    );
}

#[test]
fn output_shape() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    // The second output is wrong: the first, valid, is not written either.
    let strided = Out {
        len: 40,
        offset: 39,
        shape: &[3, 5],
        strides: Some(&[-10, -2]),
    };
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), strided],
        &Options::new(),
        GradientError::OutputShape {
            output: 1,
            axis: 1,
            expected: 4,
            got: 5,
        },
    );
    let mut out = vec![f64::sentinel(); 7];
    assert_eq!(
        gradient_1d(&d, &mut out, AxisSpacing::Uniform(1.0), EdgeOrder::First),
        Err(GradientError::OutputShape {
            output: 0,
            axis: 0,
            expected: 12,
            got: 7
        })
    );
    assert!(all_sentinel(&[out]));
}

#[test]
fn axis_out_of_range() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    for axis in [2isize, -3, isize::MIN, isize::MAX] {
        rejected_everywhere(
            &input,
            &[Out::contiguous(S34)],
            &Options::new().axes(Axes::One(axis)),
            GradientError::AxisOutOfRange { axis, rank: 2 },
        );
    }
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), Out::contiguous(S34)],
        &Options::new().axes(Axes::List(&[0, 2])),
        GradientError::AxisOutOfRange { axis: 2, rank: 2 },
    );
}

#[test]
fn duplicate_axis() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), Out::contiguous(S34)],
        &Options::new().axes(Axes::List(&[1, -1])),
        GradientError::DuplicateAxis { axis: 1 },
    );
}

#[test]
fn spacing_count() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    let per = [AxisSpacing::Uniform(0.5)];
    rejected_everywhere(
        &input,
        &[Out::contiguous(S34), Out::contiguous(S34)],
        &Options::new().spacing(Spacing::PerAxis(&per)),
        GradientError::SpacingCount {
            expected: 2,
            got: 1,
        },
    );
}

#[test]
fn coordinate_length() {
    let d = data12();
    let input = StridedView::contiguous(&d, S34).unwrap();
    // The first axis's spacing is valid, the second's is not: nothing is written at all.
    let x = [0.0, 1.0, 3.0];
    let ticks = [1u32, 5, 6];
    for second in [
        AxisSpacing::Coordinates(&x),
        AxisSpacing::UnreducedCoordinates(&x),
        AxisSpacing::Ticks32(&ticks),
        AxisSpacing::Ticks64(&[7u64; 5]),
    ] {
        let per = [AxisSpacing::Coordinates(&x), second];
        rejected_everywhere(
            &input,
            &[Out::contiguous(S34), Out::contiguous(S34)],
            &Options::new().spacing(Spacing::PerAxis(&per)),
            GradientError::CoordinateLength {
                axis: 1,
                expected: 4,
                got: if matches!(second, AxisSpacing::Ticks64(_)) {
                    5
                } else {
                    3
                },
            },
        );
    }
    let expected = GradientError::CoordinateLength {
        axis: 0,
        expected: 12,
        got: 3,
    };
    let mut out = vec![f64::sentinel(); 12];
    assert_eq!(
        gradient_1d(
            &d,
            &mut out,
            AxisSpacing::Coordinates(&x),
            EdgeOrder::Second
        ),
        Err(expected)
    );
    let mut in_place = vec![f64::sentinel(); 12];
    assert_eq!(
        gradient_1d_in_place(
            &mut in_place,
            AxisSpacing::Coordinates(&x),
            EdgeOrder::First
        ),
        Err(expected)
    );
    assert!(all_sentinel(&[out, in_place]));
}

#[test]
fn axis_too_short() {
    // Axis 1 has 2 points: enough for first-order edges, too few for second-order ones.
    let d = [1i16, 4, 9, 16, 25, 36];
    let shape = [3usize, 2];
    let input = StridedView::new(&d, 5, &shape, &[-2, -1]).unwrap();
    rejected_everywhere::<i16, f32>(
        &input,
        &[Out::contiguous(&shape), Out::contiguous(&shape)],
        &Options::new().edge_order(EdgeOrder::Second),
        GradientError::AxisTooShort {
            axis: 1,
            len: 2,
            min: 3,
        },
    );
    let mut out = vec![f32::sentinel(); 1];
    assert_eq!(
        gradient_1d(
            &[1.0f32],
            &mut out,
            AxisSpacing::Uniform(1.0),
            EdgeOrder::First
        ),
        Err(GradientError::AxisTooShort {
            axis: 0,
            len: 1,
            min: 2
        })
    );
    let mut in_place = vec![f32::sentinel(); 2];
    assert_eq!(
        gradient_1d_in_place(&mut in_place, AxisSpacing::Uniform(1.0), EdgeOrder::Second),
        Err(GradientError::AxisTooShort {
            axis: 0,
            len: 2,
            min: 3
        })
    );
    assert!(all_sentinel(&[out]) && all_sentinel(&[in_place]));
}

#[test]
fn invalid_edge_order() {
    for order in [0i64, -1, 3, i64::MIN, i64::MAX] {
        assert_eq!(
            EdgeOrder::try_from(order),
            Err(GradientError::InvalidEdgeOrder { order })
        );
    }
    assert_eq!(EdgeOrder::try_from(1), Ok(EdgeOrder::First));
    assert_eq!(EdgeOrder::try_from(2), Ok(EdgeOrder::Second));
}

#[cfg(feature = "alloc")]
#[test]
fn allocation_failed_leaks_nothing() {
    let data: Vec<u8> = (0..=255).cycle().take(4096).collect();
    let shape = [64usize, 64];
    let options = Options::<f64>::new();
    // Outputs are 32 KiB each: fail the first, then the second (the first, already allocated,
    // must be freed with the error).
    let before = LIVE.with(Cell::get);
    for budget in [0, 1] {
        FAIL_FROM.with(|c| c.set(32 * 1024));
        BUDGET.with(|c| c.set(budget));
        let result = gradient_owned::<u8, f64>(&data, &shape, &options);
        FAIL_FROM.with(|c| c.set(usize::MAX));
        assert_eq!(
            result.unwrap_err(),
            GradientError::AllocationFailed { elements: 4096 }
        );
        assert_eq!(LIVE.with(Cell::get), before, "a partial result leaked");
    }
    // The same call succeeds once memory is available, and frees everything it returned.
    let arrays = gradient_owned::<u8, f64>(&data, &shape, &options).unwrap();
    assert_eq!(arrays.len(), 2);
    drop(arrays);
    assert_eq!(LIVE.with(Cell::get), before);
}

/// A stream's refused calls change neither the output nor the stream: it then computes what a
/// stream that never saw them computes.
#[test]
fn refused_stream_blocks_change_nothing() {
    let series: Vec<i16> = (0..24).map(|i| (i * i % 37) as i16 - 9).collect();
    let ticks: Vec<u32> = (0..12u32)
        .map(|k| (u32::MAX - 20).wrapping_add(k * k))
        .collect();
    let feed = |refuse: bool| -> Vec<f64> {
        let mut plain = GradientStream::<f64, 2>::new(0.25, EdgeOrder::Second);
        let mut timed = TimedGradientStream::<f64, u32, 2>::new(EdgeOrder::First);
        let mut emitted = Vec::new();
        for (k, (block, stamps)) in series.chunks(8).zip(ticks.chunks(4)).enumerate() {
            if refuse {
                let mut room = vec![f64::sentinel(); 10];
                let e = plain.push_block(&block[..7], &mut room);
                assert_eq!(
                    e,
                    Err(GradientError::PartialFrame {
                        len: 7,
                        channels: 2
                    })
                );
                let e = plain.push_block(block, &mut room[..9]);
                assert_eq!(e, Err(GradientError::OutputTooSmall { needed: 10, got: 9 }));
                let e = timed.push_block(block, &stamps[..3], &mut room);
                assert_eq!(e, Err(GradientError::TimestampCount { frames: 4, got: 3 }));
                let e = timed.push_block(&block[..5], stamps, &mut room);
                assert_eq!(
                    e,
                    Err(GradientError::PartialFrame {
                        len: 5,
                        channels: 2
                    })
                );
                assert!(all_sentinel(&[room]), "a refused block wrote");
                if k == 0 {
                    // Too early to finish: refused, and the streams carry on unchanged.
                    assert_eq!(
                        plain.finish(),
                        Err(GradientError::AxisTooShort {
                            axis: 0,
                            len: 0,
                            min: 3
                        })
                    );
                    assert_eq!(
                        timed.finish(),
                        Err(GradientError::AxisTooShort {
                            axis: 0,
                            len: 0,
                            min: 2
                        })
                    );
                }
            }
            let mut room = vec![f64::sentinel(); 10];
            let n = plain.push_block(block, &mut room).unwrap();
            emitted.extend_from_slice(&room[..n]);
            assert!(room[n..].iter().all(|v| v.is_sentinel()));
            let n = timed.push_block(block, stamps, &mut room).unwrap();
            emitted.extend_from_slice(&room[..n]);
            assert!(room[n..].iter().all(|v| v.is_sentinel()));
        }
        emitted.extend_from_slice(&plain.finish().unwrap());
        emitted.extend_from_slice(&timed.finish().unwrap());
        emitted
    };
    let (clean, refused) = (feed(false), feed(true));
    assert_eq!(clean.len(), 48);
    assert!(clean.iter().zip(&refused).all(|(a, b)| same(*a, *b)));
}

/// An empty block (a DMA callback may deliver one) is a no-op, whatever the output (even an
/// empty one): `Ok(0)`, nothing written, the stream unchanged. An empty block with timestamps
/// is still a timestamp-count error.
#[test]
fn empty_stream_blocks_are_no_ops() {
    let series: Vec<i16> = (0..24).map(|i| (i * i % 37) as i16 - 9).collect();
    let ticks: Vec<u32> = (0..12u32)
        .map(|k| (u32::MAX - 20).wrapping_add(k * k))
        .collect();
    let feed = |empty_blocks: bool| -> Vec<f64> {
        let mut plain = GradientStream::<f64, 2>::new(0.25, EdgeOrder::Second);
        let mut timed = TimedGradientStream::<f64, u32, 2>::new(EdgeOrder::First);
        let mut emitted = Vec::new();
        for (block, stamps) in series.chunks(6).zip(ticks.chunks(3)) {
            if empty_blocks {
                let mut none: [f64; 0] = [];
                assert_eq!(plain.push_block(&[] as &[i16], &mut none), Ok(0));
                assert_eq!(timed.push_block(&[] as &[i16], &[], &mut none), Ok(0));
                let mut room = vec![f64::sentinel(); 3];
                assert_eq!(plain.push_block(&[] as &[i16], &mut room), Ok(0));
                assert_eq!(timed.push_block(&[] as &[i16], &[], &mut room), Ok(0));
                assert_eq!(
                    timed.push_block(&[] as &[i16], &stamps[..1], &mut room),
                    Err(GradientError::TimestampCount { frames: 0, got: 1 })
                );
                assert!(all_sentinel(&[room]), "an empty block wrote");
            }
            let mut room = vec![f64::sentinel(); 8];
            let n = plain.push_block(block, &mut room).unwrap();
            emitted.extend_from_slice(&room[..n]);
            let n = timed.push_block(block, stamps, &mut room).unwrap();
            emitted.extend_from_slice(&room[..n]);
        }
        emitted.extend_from_slice(&plain.finish().unwrap());
        emitted.extend_from_slice(&timed.finish().unwrap());
        emitted
    };
    let (plain, with_empty) = (feed(false), feed(true));
    assert_eq!(plain.len(), 48);
    assert!(plain.iter().zip(&with_empty).all(|(&a, &b)| same(a, b)));
    // A non-empty block still needs room for `len + C`, even a block of one frame.
    let mut s = GradientStream::<f32, 3>::new(1.0, EdgeOrder::First);
    let mut none: [f32; 0] = [];
    assert_eq!(
        s.push_block(&[1.0f32, 2.0, 3.0], &mut none),
        Err(GradientError::OutputTooSmall { needed: 6, got: 0 })
    );
}

// ---------------------------------------------------------------------------------------------
// Part 2: valid random views write exactly their outputs and read exactly their inputs.

/// The spacing of one selected axis.
#[derive(Clone, Debug)]
enum Step {
    Uniform(f64),
    Coordinates(Vec<f64>),
    Unreduced(Vec<f64>),
    Ticks(Vec<u32>),
}

/// One output's layout: axes from outermost to innermost, sign flips, a gap multiplier
/// (padding between lines) and guard cells before and after.
#[derive(Clone, Debug)]
struct OutLayout {
    order: Vec<usize>,
    flip: Vec<bool>,
    gap: isize,
    before: usize,
    after: usize,
}

#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    strides: Vec<isize>,
    /// Buffer elements before the lowest and after the highest the input reaches.
    pad: (usize, usize),
    seed: u64,
    axes: Vec<usize>,
    steps: Vec<Step>,
    edge: EdgeOrder,
    outs: Vec<OutLayout>,
}

/// Values biased toward those that decide bits.
fn value(r: u64) -> f64 {
    match r % 16 {
        0 => 0.0,
        1 => -0.0,
        2 => f64::INFINITY,
        3 => f64::NAN,
        4 => 5e-324,
        5 => -1.5e308,
        _ => ((r >> 8) % 2001) as f64 * 0.125 - 125.0,
    }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn step_strategy(n: usize) -> impl Strategy<Value = Step> {
    let sorted = prop::collection::vec(-50.0..50.0f64, n).prop_map(|mut x| {
        x.sort_by(f64::total_cmp);
        x
    });
    let even = (
        -5.0..5.0f64,
        prop::sample::select(vec![0.5, 0.25, 1.5, -2.0]),
    )
        .prop_map(move |(x0, h)| (0..n).map(|i| x0 + h * i as f64).collect::<Vec<_>>());
    prop_oneof![
        3 => prop::sample::select(vec![1.0, 0.5, 0.1, -3.0, 0.0, f64::NAN, 1e300])
            .prop_map(Step::Uniform),
        2 => sorted.clone().prop_map(Step::Coordinates),
        1 => even.prop_map(Step::Coordinates),
        1 => sorted.prop_map(Step::Unreduced),
        1 => prop::collection::vec(any::<u32>(), n).prop_map(Step::Ticks),
    ]
}

fn out_layout(rank: usize) -> impl Strategy<Value = OutLayout> {
    (
        Just((0..rank).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(any::<bool>(), rank),
        prop_oneof![3 => Just(1isize), 1 => Just(2isize)],
        0..4usize,
        0..4usize,
    )
        .prop_map(|(order, flip, gap, before, after)| OutLayout {
            order,
            flip,
            gap,
            before,
            after,
        })
}

fn case() -> impl Strategy<Value = Case> {
    let edge = prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)];
    let length = prop_oneof![1 => Just(0usize), 2 => Just(1usize), 10 => 2..=9usize];
    (prop::collection::vec(length, 1..=4), edge)
        .prop_flat_map(|(shape, edge)| {
            let rank = shape.len();
            // Differentiable axes, in a random order, a random subset of them.
            let candidates: Vec<usize> =
                (0..rank).filter(|&a| shape[a] >= edge.min_len()).collect();
            let k = candidates.len();
            let axes = Just(candidates)
                .prop_shuffle()
                .prop_flat_map(move |c| (0..=k).prop_map(move |m| c[..m].to_vec()));
            (
                Just(shape),
                prop::collection::vec(-9isize..=9, rank),
                (0..5usize, 0..5usize),
                any::<u64>(),
                axes,
                Just(edge),
            )
        })
        .prop_flat_map(|(shape, strides, pad, seed, axes, edge)| {
            let steps: Vec<_> = axes.iter().map(|&a| step_strategy(shape[a])).collect();
            let outs = prop::collection::vec(out_layout(shape.len()), axes.len());
            (Just((shape, strides, pad, seed, axes, edge)), steps, outs)
        })
        .prop_map(
            |((shape, strides, pad, seed, axes, edge), steps, outs)| Case {
                shape,
                strides,
                pad,
                seed,
                axes,
                steps,
                edge,
                outs,
            },
        )
}

/// Offset and buffer length that hold a view of `shape` and `strides` with `before` and
/// `after` spare elements around everything it reaches.
fn place(shape: &[usize], strides: &[isize], before: usize, after: usize) -> (usize, usize) {
    let (mut neg, mut pos) = (0usize, 0usize);
    for (&n, &s) in shape.iter().zip(strides) {
        let extent = n.saturating_sub(1) * s.unsigned_abs();
        if s < 0 {
            neg += extent;
        } else {
            pos += extent;
        }
    }
    (before + neg, before + neg + pos + 1 + after)
}

impl OutLayout {
    /// Strides, offset and buffer length of this layout for `shape`.
    fn strides(&self, shape: &[usize]) -> (Vec<isize>, usize, usize) {
        let mut strides = vec![0isize; shape.len()];
        let mut span = 1isize;
        for &a in self.order.iter().rev() {
            strides[a] = if self.flip[a] { -span } else { span };
            span *= shape[a].max(1) as isize * self.gap;
        }
        let (offset, len) = place(shape, &strides, self.before, self.after);
        (strides, offset, len)
    }
}

/// The outputs of one call on `input` along `case.axes` with `path` (and the kernel's verdict),
/// in sentinel-filled buffers laid out as `case.outs` says.
fn run_path<T: Sample<F>, F: Guarded>(
    case: &Case,
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
    path: Path,
) -> (bool, Vec<Vec<F>>) {
    let layouts: Vec<_> = case.outs.iter().map(|o| o.strides(&case.shape)).collect();
    let mut buffers: Vec<Vec<F>> = layouts
        .iter()
        .map(|(_, _, len)| vec![F::sentinel(); *len])
        .collect();
    let mut views: Vec<_> = buffers
        .iter_mut()
        .zip(&layouts)
        .map(|(b, (s, offset, _))| StridedViewMut::new(b, *offset, &case.shape, s).unwrap())
        .collect();
    let applied = call(path, input, &mut views, options).unwrap();
    drop(views);
    (applied, buffers)
}

fn check_case<T: Sample<F> + Copy, F: Guarded>(
    case: &Case,
    sample: impl Fn(f64) -> T,
    to_f: impl Fn(f64) -> F,
) -> Result<(), TestCaseError> {
    // The input: a valid view with spare elements around what it reaches.
    let (offset, len) = place(&case.shape, &case.strides, case.pad.0, case.pad.1);
    let mut state = case.seed;
    let data: Vec<T> = (0..len)
        .map(|_| sample(value(splitmix(&mut state))))
        .collect();
    let reached = positions(offset, &case.shape, &case.strides);
    let mut in_view = vec![false; len];
    for &p in &reached {
        in_view[p] = true;
    }
    // The same input with every element the view does not reach changed.
    let altered: Vec<T> = data
        .iter()
        .zip(&in_view)
        .enumerate()
        .map(|(i, (&v, &inside))| {
            if inside {
                v
            } else {
                sample(if i % 2 == 0 { 1e6 } else { -7.0 })
            }
        })
        .collect();

    let xs: Vec<Vec<F>> = case
        .steps
        .iter()
        .map(|s| match s {
            Step::Coordinates(x) | Step::Unreduced(x) => x.iter().map(|&v| to_f(v)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let per_axis: Vec<AxisSpacing<'_, F>> = case
        .steps
        .iter()
        .zip(&xs)
        .map(|(s, x)| match s {
            Step::Uniform(h) => AxisSpacing::Uniform(to_f(*h)),
            Step::Coordinates(_) => AxisSpacing::Coordinates(x),
            Step::Unreduced(_) => AxisSpacing::UnreducedCoordinates(x),
            Step::Ticks(t) => AxisSpacing::Ticks32(t),
        })
        .collect();
    let axes: Vec<isize> = case.axes.iter().map(|&a| a as isize).collect();
    let options = Options::new()
        .axes(Axes::List(&axes))
        .spacing(Spacing::PerAxis(&per_axis))
        .edge_order(case.edge);

    // What the reference computes, into dense C-order outputs.
    let input = StridedView::new(&data, offset, &case.shape, &case.strides).unwrap();
    let count: usize = case.shape.iter().product();
    let mut want = vec![vec![F::sentinel(); count]; axes.len()];
    {
        let mut views: Vec<_> = want
            .iter_mut()
            .map(|b| StridedViewMut::contiguous(b, &case.shape).unwrap())
            .collect();
        gradient_reference(&input, &mut views, &options).unwrap();
    }

    let altered_input = StridedView::new(&altered, offset, &case.shape, &case.strides).unwrap();
    let mut applied_any = 0;
    for path in PATHS {
        let (applied, buffers) = run_path(case, &input, &options, path);
        if !applied {
            prop_assert!(matches!(
                path,
                Path::Forced(Kernel::AlongContiguous | Kernel::Across)
            ));
            prop_assert!(all_sentinel(&buffers), "{path:?} declined but wrote");
            continue;
        }
        applied_any += 1;
        for ((buffer, layout), want) in buffers.iter().zip(&case.outs).zip(&want) {
            let (strides, offset, _) = layout.strides(&case.shape);
            let inside = positions(offset, &case.shape, &strides);
            let mut expected: Vec<Option<F>> = vec![None; buffer.len()];
            for (&p, &w) in inside.iter().zip(want) {
                expected[p] = Some(w);
            }
            for (p, (&got, expect)) in buffer.iter().zip(&expected).enumerate() {
                match expect {
                    Some(w) => prop_assert!(
                        same(got, *w),
                        "{path:?}: element {p} is {got:?}, the reference gives {w:?}"
                    ),
                    None => prop_assert!(
                        got.is_sentinel(),
                        "{path:?}: element {p}, outside the view, was written ({got:?})"
                    ),
                }
            }
        }
        // Elements the input view does not reach do not matter.
        let (applied_again, again) = run_path(case, &altered_input, &options, path);
        prop_assert!(applied_again);
        for (a, b) in buffers.iter().zip(&again) {
            prop_assert!(
                a.iter().zip(b).all(|(x, y)| same(*x, *y)),
                "{path:?}: an element outside the input view changed the result"
            );
        }
    }
    prop_assert!(
        applied_any >= 4,
        "Auto, AlongStrided and both entry points always apply"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 192 } else { 1024 }))]

    #[test]
    fn f64_outputs_stay_inside_their_views(case in case()) {
        check_case::<f64, f64>(&case, |v| v, |v| v)?;
    }

    #[test]
    fn f32_outputs_stay_inside_their_views(case in case()) {
        check_case::<f32, f32>(&case, |v| v as f32, |v| v as f32)?;
    }

    #[test]
    fn integer_samples_stay_inside_their_views(case in case()) {
        check_case::<i16, f32>(&case, |v| v as i16, |v| v as f32)?;
        check_case::<u8, f64>(&case, |v| v as u8, |v| v)?;
    }
}

/// `gradient_1d` writes exactly its output slice (here inside a larger guarded buffer), for
/// every length that leaves a SIMD remainder.
#[test]
fn gradient_1d_writes_only_its_slice() {
    for n in 2..40usize {
        let f: Vec<f32> = (0..n).map(|i| ((i * 7) % 11) as f32 - 3.5).collect();
        let t: Vec<u32> = (0..n as u32).map(|i| i * i + (i % 3)).collect();
        for edge in [EdgeOrder::First, EdgeOrder::Second] {
            if n < edge.min_len() {
                continue;
            }
            for spacing in [AxisSpacing::Uniform(0.5), AxisSpacing::Ticks32(&t)] {
                let mut buffer = vec![f32::sentinel(); n + 6];
                gradient_1d(&f, &mut buffer[3..3 + n], spacing, edge).unwrap();
                let input = StridedView::contiguous(&f, std::slice::from_ref(&n)).unwrap();
                let mut want = vec![0.0f32; n];
                gradient_reference(
                    &input,
                    &mut [StridedViewMut::contiguous(&mut want, std::slice::from_ref(&n)).unwrap()],
                    &Options::new()
                        .spacing(Spacing::PerAxis(&[spacing]))
                        .edge_order(edge),
                )
                .unwrap();
                assert!(
                    buffer[..3]
                        .iter()
                        .chain(&buffer[3 + n..])
                        .all(|v| v.is_sentinel())
                );
                assert!(
                    buffer[3..3 + n]
                        .iter()
                        .zip(&want)
                        .all(|(a, b)| same(*a, *b))
                );
            }
        }
    }
}
