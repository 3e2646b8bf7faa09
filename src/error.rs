//! The one error type: every way a call can be rejected, each naming what was wrong.

use core::fmt;

/// Why a gradient call was rejected.
///
/// Every check runs before the first output element is written, so a call that returns an error
/// has left every output buffer exactly as it was.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder, GradientError};
/// // Two points cannot take second-order edges; the output is left as it was.
/// let mut out = [7.0; 2];
/// let err = gradient_1d(&[1.0, 2.0], &mut out, AxisSpacing::Uniform(1.0), EdgeOrder::Second);
/// assert_eq!(err, Err(GradientError::AxisTooShort { axis: 0, len: 2, min: 3 }));
/// assert_eq!(out, [7.0; 2]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum GradientError {
    /// The view has more axes than numpy's maximum, [`MAX_RANK`](crate::MAX_RANK).
    RankTooLarge {
        /// Number of axes given.
        rank: usize,
    },
    /// `shape` and `strides` have different lengths.
    StridesLength {
        /// Length of `shape`.
        shape: usize,
        /// Length of `strides`.
        strides: usize,
    },
    /// The view is too big for any buffer: the product of its nonzero lengths, in bytes, does
    /// not fit in `isize` (numpy's "array is too big", also for a view with a zero length), or
    /// an index extent `(len - 1) * stride` or the sum of the extents does not fit in `isize`.
    SizeOverflow,
    /// A non-empty view's first element, at `offset`, lies outside its buffer.
    OffsetOutOfBounds {
        /// The view's offset.
        offset: usize,
        /// Length of the buffer.
        buffer_len: usize,
    },
    /// The view reaches elements outside its buffer: `lowest..=highest` must lie in
    /// `0..buffer_len`.
    OutOfBounds {
        /// Lowest element index the view reaches (may be negative).
        lowest: isize,
        /// Highest element index the view reaches.
        highest: isize,
        /// Length of the buffer.
        buffer_len: usize,
    },
    /// A contiguous view's buffer does not hold exactly the shape's element count.
    DataLength {
        /// Product of the shape.
        expected: usize,
        /// Length of the buffer.
        got: usize,
    },
    /// The block API was given a window, a window start or a block start whose number of axes
    /// is not the whole array's.
    BlockRank {
        /// The whole array's rank.
        expected: usize,
        /// The rank given.
        got: usize,
    },
    /// A block or its window does not lie within the whole array along `axis`.
    BlockOutside {
        /// The axis.
        axis: usize,
        /// First index of the block or window along it.
        start: usize,
        /// One past its last index.
        end: usize,
        /// The whole array's length along it.
        len: usize,
    },
    /// A block's window does not hold every point the block's stencils read along `axis`.
    HaloTooSmall {
        /// The axis.
        axis: usize,
        /// First point the block reads.
        needed_start: usize,
        /// One past the last point it reads.
        needed_end: usize,
        /// First point of the window given.
        start: usize,
        /// One past its last point.
        end: usize,
    },
    /// A view from a raw pointer was given a null pointer, or one not aligned for its element
    /// type (a view with no elements accepts any pointer).
    InvalidPointer,
    /// An output view's strides make two of its elements share memory (a zero stride on an axis
    /// longer than 1, or strides that interleave).
    OverlappingOutput {
        /// The axis whose stride collides with the span of the smaller-stride axes.
        axis: usize,
    },
    /// The number of output views differs from the number of selected axes.
    OutputCount {
        /// Number of selected axes.
        expected: usize,
        /// Number of outputs given.
        got: usize,
    },
    /// An output view's rank differs from the input's.
    OutputRank {
        /// Which output (position in the outputs slice).
        output: usize,
        /// The input's rank.
        expected: usize,
        /// The output's rank.
        got: usize,
    },
    /// An output view's length along an axis differs from the input's.
    OutputShape {
        /// Which output (position in the outputs slice).
        output: usize,
        /// The axis that differs.
        axis: usize,
        /// The input's length along it.
        expected: usize,
        /// The output's length along it.
        got: usize,
    },
    /// An axis index is outside `-rank..rank`.
    AxisOutOfRange {
        /// The axis as given.
        axis: isize,
        /// The input's rank.
        rank: usize,
    },
    /// The same axis was selected twice (after resolving negative indices).
    DuplicateAxis {
        /// The repeated axis, non-negative.
        axis: usize,
    },
    /// Per-axis spacing was given with a different number of entries than selected axes.
    SpacingCount {
        /// Number of selected axes.
        expected: usize,
        /// Number of spacing entries.
        got: usize,
    },
    /// A coordinate array's length differs from its axis's length.
    CoordinateLength {
        /// The axis the coordinates belong to.
        axis: usize,
        /// The axis's length.
        expected: usize,
        /// The coordinate array's length.
        got: usize,
    },
    /// An axis is shorter than `edge_order + 1` points, the least a gradient needs.
    AxisTooShort {
        /// The axis.
        axis: usize,
        /// Its length.
        len: usize,
        /// The least length the edge order allows.
        min: usize,
    },
    /// An edge order other than 1 or 2 (numpy silently treats 0 and negatives as 2; we refuse).
    InvalidEdgeOrder {
        /// The order as given.
        order: i64,
    },
    /// The allocator could not provide an owned output (only from the `alloc` API).
    AllocationFailed {
        /// Number of elements requested.
        elements: usize,
    },
    /// An output slice is shorter than a call may need (streaming API: a block of `n` values
    /// needs room for `n + channels` outputs).
    OutputTooSmall {
        /// The least length the call accepts.
        needed: usize,
        /// The output's length.
        got: usize,
    },
    /// An interleaved block's length is not a whole number of frames (streaming API).
    PartialFrame {
        /// The block's length in values.
        len: usize,
        /// Values per frame (the stream's channel count).
        channels: usize,
    },
    /// A block's timestamp slice does not hold one timestamp per frame (streaming API).
    TimestampCount {
        /// Frames in the block.
        frames: usize,
        /// Timestamps given.
        got: usize,
    },
}

impl fmt::Display for GradientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::RankTooLarge { rank } => write!(
                f,
                "view has {rank} axes, more than the maximum of {}",
                crate::MAX_RANK
            ),
            Self::StridesLength { shape, strides } => write!(
                f,
                "shape has {shape} axes but strides has {strides} entries"
            ),
            Self::SizeOverflow => f.write_str(
                "view size (bytes of its nonzero lengths) or index extent overflows isize",
            ),
            Self::OffsetOutOfBounds { offset, buffer_len } => write!(
                f,
                "view starts at element {offset}, outside a buffer of {buffer_len}"
            ),
            Self::OutOfBounds {
                lowest,
                highest,
                buffer_len,
            } => write!(
                f,
                "view reaches elements {lowest}..={highest}, outside a buffer of {buffer_len}"
            ),
            Self::DataLength { expected, got } => write!(
                f,
                "buffer holds {got} elements but the shape needs exactly {expected}"
            ),
            Self::BlockRank { expected, got } => write!(
                f,
                "the block has {got} axes where the whole array has {expected}"
            ),
            Self::BlockOutside {
                axis,
                start,
                end,
                len,
            } => write!(
                f,
                "points {start}..{end} of axis {axis} are not all in the whole array's {len}"
            ),
            Self::HaloTooSmall {
                axis,
                needed_start,
                needed_end,
                start,
                end,
            } => write!(
                f,
                "the block reads points {needed_start}..{needed_end} of axis {axis}, \
                 the window holds {start}..{end}"
            ),
            Self::InvalidPointer => {
                f.write_str("the view's pointer is null or not aligned for its element type")
            }
            Self::OverlappingOutput { axis } => write!(
                f,
                "output stride of axis {axis} makes elements overlap (zero or interleaved stride)"
            ),
            Self::OutputCount { expected, got } => {
                write!(f, "{got} outputs given for {expected} selected axes")
            }
            Self::OutputRank {
                output,
                expected,
                got,
            } => write!(
                f,
                "output {output} has rank {got}, the input has rank {expected}"
            ),
            Self::OutputShape {
                output,
                axis,
                expected,
                got,
            } => write!(
                f,
                "output {output} has length {got} along axis {axis}, the input has {expected}"
            ),
            Self::AxisOutOfRange { axis, rank } => {
                write!(f, "axis {axis} is out of range for rank {rank}")
            }
            Self::DuplicateAxis { axis } => write!(f, "axis {axis} is selected more than once"),
            Self::SpacingCount { expected, got } => write!(
                f,
                "{got} spacing entries given for {expected} selected axes"
            ),
            Self::CoordinateLength {
                axis,
                expected,
                got,
            } => write!(
                f,
                "coordinates for axis {axis} have {got} entries, the axis has {expected}"
            ),
            Self::AxisTooShort { axis, len, min } => write!(
                f,
                "axis {axis} has {len} points; this edge order needs at least {min}"
            ),
            Self::InvalidEdgeOrder { order } => {
                write!(f, "edge order {order} is not supported (use 1 or 2)")
            }
            Self::AllocationFailed { elements } => {
                write!(f, "could not allocate an output of {elements} elements")
            }
            Self::OutputTooSmall { needed, got } => write!(
                f,
                "output holds {got} elements, this call needs room for {needed}"
            ),
            Self::PartialFrame { len, channels } => write!(
                f,
                "block of {len} values is not a whole number of {channels}-channel frames"
            ),
            Self::TimestampCount { frames, got } => {
                write!(f, "{got} timestamps given for a block of {frames} frames")
            }
        }
    }
}

impl core::error::Error for GradientError {}
