//! One test per error cause: the call is rejected with the variant that names the cause, and
//! every output buffer still holds its sentinel (nothing is written before all checks pass).

#[cfg(feature = "alloc")]
use numgrad::gradient_owned;
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Spacing, StridedView, StridedViewMut,
    gradient, gradient_1d, gradient_reference,
};

const SENTINEL: f64 = -12345.678;

/// Runs `gradient` and `gradient_reference` on a 3x4 input with outputs built by `outputs`
/// (from sentinel-filled buffers), returns the error after checking both paths agree and left
/// the buffers alone.
fn rejects(
    input: &StridedView<'_, f64>,
    out_shapes: &[&[usize]],
    options: &Options<'_, f64>,
) -> GradientError {
    let mut errors = Vec::new();
    for reference in [false, true] {
        let mut buffers: Vec<Vec<f64>> = out_shapes
            .iter()
            .map(|s| vec![SENTINEL; s.iter().product()])
            .collect();
        let mut views: Vec<_> = buffers
            .iter_mut()
            .zip(out_shapes)
            .map(|(b, s)| StridedViewMut::contiguous(b, s).unwrap())
            .collect();
        let result = if reference {
            gradient_reference(input, &mut views, options)
        } else {
            gradient(input, &mut views, options)
        };
        drop(views);
        assert!(
            buffers.iter().flatten().all(|&v| v == SENTINEL),
            "an output was written"
        );
        errors.push(result.unwrap_err());
    }
    assert_eq!(errors[0], errors[1], "fast path and reference disagree");
    errors[0]
}

fn data() -> Vec<f64> {
    (0..12).map(f64::from).collect()
}

const S34: &[usize] = &[3, 4];

#[test]
fn rank_too_large() {
    let shape = [1usize; 65];
    let strides = [1isize; 65];
    let d = [1.0];
    let err = StridedView::new(&d, 0, &shape, &strides).unwrap_err();
    assert_eq!(err, GradientError::RankTooLarge { rank: 65 });
    let mut out = [SENTINEL];
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &shape, &strides).unwrap_err(),
        GradientError::RankTooLarge { rank: 65 }
    );
    assert_eq!(out, [SENTINEL]);
}

#[test]
fn strides_length() {
    let d = data();
    assert_eq!(
        StridedView::new(&d, 0, &[3, 4], &[4]).unwrap_err(),
        GradientError::StridesLength {
            shape: 2,
            strides: 1
        }
    );
}

#[test]
fn size_overflow() {
    let d = data();
    assert_eq!(
        StridedView::new(&d, 0, &[usize::MAX, 2], &[0, 0]).unwrap_err(),
        GradientError::SizeOverflow
    );
    assert_eq!(
        StridedView::new(&d, 0, &[4, 2], &[isize::MAX / 2, 1]).unwrap_err(),
        GradientError::SizeOverflow
    );
    // numpy's rule: the product of the nonzero lengths, in bytes, must fit in `isize`, so a
    // zero length does not hide a huge one, in any axis order (`np.empty((0, 2**63))`,
    // `np.empty((2, 2**62, 0))` and `np.empty((0, 2**62, 4))` all raise).
    let shapes: [&[usize]; 4] = [
        &[0, usize::MAX],
        &[usize::MAX, 0],
        &[2, usize::MAX, 0],
        &[0, 1 << 62, 4],
    ];
    for shape in shapes {
        let strides = &[0isize; 3][..shape.len()];
        for offset in [0, 100] {
            assert_eq!(
                StridedView::new(&d, offset, shape, strides).unwrap_err(),
                GradientError::SizeOverflow,
                "{shape:?}"
            );
        }
        assert_eq!(
            StridedView::contiguous(&[0.0f64; 0], shape).unwrap_err(),
            GradientError::SizeOverflow,
            "{shape:?}"
        );
    }
    // Counted in bytes: 2**59 f64 elements are 2**62 bytes, which fits; 2**60 do not.
    assert!(StridedView::new(&d, 100, &[0, 1 << 59], &[1, 1]).is_ok());
    assert_eq!(
        StridedView::new(&d, 100, &[0, 1 << 60], &[1, 1]).unwrap_err(),
        GradientError::SizeOverflow
    );
}

#[test]
fn offset_out_of_bounds() {
    let d = data();
    for offset in [12, 13, usize::MAX] {
        for (shape, strides) in [(&[1usize][..], &[0isize][..]), (&[3, 4], &[-4, -1])] {
            assert_eq!(
                StridedView::new(&d, offset, shape, strides).unwrap_err(),
                GradientError::OffsetOutOfBounds {
                    offset,
                    buffer_len: 12
                }
            );
        }
    }
    // Empty views reach nothing: no offset is out of bounds for them.
    assert!(StridedView::new(&d, usize::MAX, &[3, 0], &[1, 1]).is_ok());
    let mut out = vec![SENTINEL; 12];
    assert_eq!(
        StridedViewMut::new(&mut out, usize::MAX, &[2], &[1]).unwrap_err(),
        GradientError::OffsetOutOfBounds {
            offset: usize::MAX,
            buffer_len: 12
        }
    );
    assert!(out.iter().all(|&v| v == SENTINEL));
}

#[test]
fn out_of_bounds() {
    let d = data();
    assert_eq!(
        StridedView::new(&d, 1, &[3, 4], &[4, 1]).unwrap_err(),
        GradientError::OutOfBounds {
            lowest: 1,
            highest: 12,
            buffer_len: 12
        }
    );
    let mut out = vec![SENTINEL; 12];
    assert_eq!(
        StridedViewMut::new(&mut out, 2, &[3, 4], &[-4, 1]).unwrap_err(),
        GradientError::OutOfBounds {
            lowest: -6,
            highest: 5,
            buffer_len: 12
        }
    );
    assert!(out.iter().all(|&v| v == SENTINEL));
}

#[test]
fn data_length() {
    let d = data();
    assert_eq!(
        StridedView::contiguous(&d, &[5, 2]).unwrap_err(),
        GradientError::DataLength {
            expected: 10,
            got: 12
        }
    );
    #[cfg(feature = "alloc")]
    assert_eq!(
        gradient_owned(&d[..11], S34, &Options::new()).unwrap_err(),
        GradientError::DataLength {
            expected: 12,
            got: 11
        }
    );
}

#[test]
fn overlapping_output() {
    let mut out = vec![SENTINEL; 12];
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &[3, 4], &[0, 1]).unwrap_err(),
        GradientError::OverlappingOutput { axis: 0 }
    );
    assert_eq!(
        StridedViewMut::new(&mut out, 0, &[3, 4], &[1, 2]).unwrap_err(),
        GradientError::OverlappingOutput { axis: 1 }
    );
    assert!(out.iter().all(|&v| v == SENTINEL));
}

#[test]
fn output_count() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    assert_eq!(
        rejects(&input, &[S34], &Options::new()),
        GradientError::OutputCount {
            expected: 2,
            got: 1
        }
    );
    assert_eq!(
        rejects(&input, &[S34, S34], &Options::new().axes(Axes::One(0))),
        GradientError::OutputCount {
            expected: 1,
            got: 2
        }
    );
}

#[test]
fn output_rank() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    assert_eq!(
        rejects(&input, &[S34, &[12]], &Options::new()),
        GradientError::OutputRank {
            output: 1,
            expected: 2,
            got: 1
        }
    );
}

#[test]
fn output_shape() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    assert_eq!(
        rejects(&input, &[&[4, 3], S34], &Options::new()),
        GradientError::OutputShape {
            output: 0,
            axis: 0,
            expected: 3,
            got: 4
        }
    );
    let mut out = vec![0.0f64; 11];
    assert_eq!(
        gradient_1d(&d, &mut out, AxisSpacing::Uniform(1.0), EdgeOrder::First).unwrap_err(),
        GradientError::OutputShape {
            output: 0,
            axis: 0,
            expected: 12,
            got: 11
        }
    );
    assert!(out.iter().all(|&v| v == 0.0));
}

#[test]
fn axis_out_of_range() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    assert_eq!(
        rejects(&input, &[S34], &Options::new().axes(Axes::One(2))),
        GradientError::AxisOutOfRange { axis: 2, rank: 2 }
    );
    assert_eq!(
        rejects(
            &input,
            &[S34, S34],
            &Options::new().axes(Axes::List(&[0, -3]))
        ),
        GradientError::AxisOutOfRange { axis: -3, rank: 2 }
    );
}

#[test]
fn duplicate_axis() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    assert_eq!(
        rejects(
            &input,
            &[S34, S34],
            &Options::new().axes(Axes::List(&[1, -1]))
        ),
        GradientError::DuplicateAxis { axis: 1 }
    );
}

#[test]
fn spacing_count() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    let one = [AxisSpacing::Uniform(1.0)];
    assert_eq!(
        rejects(
            &input,
            &[S34, S34],
            &Options::new().spacing(Spacing::PerAxis(&one))
        ),
        GradientError::SpacingCount {
            expected: 2,
            got: 1
        }
    );
}

#[test]
fn coordinate_length() {
    let d = data();
    let input = StridedView::contiguous(&d, S34).unwrap();
    let x = [0.0, 1.0, 2.0];
    let per = [AxisSpacing::Uniform(1.0), AxisSpacing::Coordinates(&x)];
    assert_eq!(
        rejects(
            &input,
            &[S34, S34],
            &Options::new().spacing(Spacing::PerAxis(&per))
        ),
        GradientError::CoordinateLength {
            axis: 1,
            expected: 4,
            got: 3
        }
    );
    let ticks = [0u32, 5];
    let mut out = [SENTINEL; 12];
    assert_eq!(
        gradient_1d(&d, &mut out, AxisSpacing::Ticks32(&ticks), EdgeOrder::First).unwrap_err(),
        GradientError::CoordinateLength {
            axis: 0,
            expected: 12,
            got: 2
        }
    );
    assert!(out.iter().all(|&v| v == SENTINEL));
}

#[test]
fn axis_too_short() {
    let d = data();
    let input = StridedView::contiguous(&d, &[2, 6]).unwrap();
    let s26: &[usize] = &[2, 6];
    // The second axis is fine, the first too short for second-order edges: nothing is written,
    // not even the second output.
    assert_eq!(
        rejects(
            &input,
            &[s26, s26],
            &Options::new()
                .axes(Axes::List(&[1, 0]))
                .edge_order(EdgeOrder::Second)
        ),
        GradientError::AxisTooShort {
            axis: 0,
            len: 2,
            min: 3
        }
    );
    let one = [5.0];
    let mut out = [SENTINEL];
    assert_eq!(
        gradient_1d(&one, &mut out, AxisSpacing::Uniform(1.0), EdgeOrder::First).unwrap_err(),
        GradientError::AxisTooShort {
            axis: 0,
            len: 1,
            min: 2
        }
    );
    assert_eq!(out, [SENTINEL]);
}

#[test]
fn invalid_edge_order() {
    for order in [0, -1, 3, i64::MIN] {
        assert_eq!(
            EdgeOrder::try_from(order).unwrap_err(),
            GradientError::InvalidEdgeOrder { order }
        );
    }
    assert_eq!(EdgeOrder::try_from(1), Ok(EdgeOrder::First));
    assert_eq!(EdgeOrder::try_from(2), Ok(EdgeOrder::Second));
}

#[test]
fn every_error_has_a_message_naming_its_values() {
    let messages = [
        (
            GradientError::AxisTooShort {
                axis: 3,
                len: 2,
                min: 3,
            },
            ["axis 3", "2 points", "3"],
        ),
        (
            GradientError::OutputShape {
                output: 1,
                axis: 2,
                expected: 7,
                got: 8,
            },
            ["output 1", "8", "7"],
        ),
        (
            GradientError::CoordinateLength {
                axis: 1,
                expected: 4,
                got: 3,
            },
            ["axis 1", "3 entries", "4"],
        ),
        (
            GradientError::OffsetOutOfBounds {
                offset: 15,
                buffer_len: 12,
            },
            ["element 15", "buffer of 12", "outside"],
        ),
        (
            GradientError::HaloTooSmall {
                axis: 2,
                needed_start: 4,
                needed_end: 9,
                start: 5,
                end: 9,
            },
            ["axis 2", "4..9", "5..9"],
        ),
        (
            GradientError::BlockOutside {
                axis: 1,
                start: 6,
                end: 11,
                len: 10,
            },
            ["axis 1", "6..11", "10"],
        ),
        (
            GradientError::BlockRank {
                expected: 3,
                got: 2,
            },
            ["2 axes", "3", "whole array"],
        ),
        (
            GradientError::InvalidPointer,
            ["null", "aligned", "pointer"],
        ),
    ];
    for (err, parts) in messages {
        let text = err.to_string();
        for p in parts {
            assert!(text.contains(p), "{text:?} lacks {p:?}");
        }
    }
    let _: &dyn core::error::Error = &GradientError::SizeOverflow;
}
