//! The walk over the lines or rows of one axis: an odometer over the batch axes in memory
//! order, and the part of an axis a call computes.

use crate::MAX_RANK;
use crate::view::Layout;

/// Points `start..end` of one axis: the part of the outputs a call computes (the whole axis when
/// absent). Points outside the range are still read where a stencil needs them. The output of
/// point `i` is at index `i - output_from` along the axis (`output_from <= start`): 0 when the
/// output has the input's shape, `start` when it holds the range alone (a block).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisRange {
    pub(crate) axis: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) output_from: usize,
}

/// An odometer over the batch axes (those longer than 1 and not excluded), outermost first in
/// order of decreasing input stride, tracking the element offsets in input and output.
pub(crate) struct Batch {
    depth: usize,
    len: [usize; MAX_RANK],
    s_in: [isize; MAX_RANK],
    s_out: [isize; MAX_RANK],
    idx: [usize; MAX_RANK],
    /// Slot of the gradient axis when it is walked (the across kernel), else `MAX_RANK`.
    axis_slot: usize,
    /// Point of the gradient axis at index 0 of its slot (the start of a range on it).
    axis_start: usize,
}

impl Batch {
    /// Walks every axis of `input`/`output` except those in `exclude`, the axis of `range` only
    /// over its length `end - start` (the caller starts the offsets at `start`); `axis` is the
    /// gradient axis, whose point [`Batch::gradient_index`] reports when it is walked.
    pub(crate) fn new(
        input: &Layout<'_>,
        output: &Layout<'_>,
        exclude: u64,
        axis: usize,
        range: Option<AxisRange>,
    ) -> Self {
        let mut batch = Self {
            depth: 0,
            len: [0; MAX_RANK],
            s_in: [0; MAX_RANK],
            s_out: [0; MAX_RANK],
            idx: [0; MAX_RANK],
            axis_slot: MAX_RANK,
            axis_start: 0,
        };
        let len = |a: usize| match range {
            Some(r) if r.axis == a => r.end.saturating_sub(r.start),
            _ => input.len(a),
        };
        if let Some(r) = range
            && r.axis == axis
        {
            batch.axis_start = r.start;
        }
        let rank = input.rank().min(MAX_RANK);
        for a in (0..rank).filter(|&a| exclude & (1 << a) == 0 && len(a) > 1) {
            let key = |s_in: isize, s_out: isize| (s_in.unsigned_abs(), s_out.unsigned_abs());
            let new_key = key(input.stride(a), output.stride(a));
            // Insertion sort, largest stride first.
            let mut slot = batch.depth.min(MAX_RANK - 1);
            while slot > 0 && key(batch.s_in[slot - 1], batch.s_out[slot - 1]) < new_key {
                batch.len[slot] = batch.len[slot - 1];
                batch.s_in[slot] = batch.s_in[slot - 1];
                batch.s_out[slot] = batch.s_out[slot - 1];
                if batch.axis_slot == slot - 1 {
                    batch.axis_slot = slot;
                }
                slot -= 1;
            }
            // Already below MAX_RANK; restated so the compiler drops the bounds checks below
            // (a panic-free build must not keep them).
            let slot = slot.min(MAX_RANK - 1);
            batch.len[slot] = len(a);
            batch.s_in[slot] = input.stride(a);
            batch.s_out[slot] = output.stride(a);
            if a == axis {
                batch.axis_slot = slot;
            }
            batch.depth += 1;
        }
        batch
    }

    /// Index along the gradient axis at the current position (0 when it is not walked).
    #[inline]
    pub(crate) fn gradient_index(&self) -> usize {
        self.axis_start + self.idx.get(self.axis_slot).copied().unwrap_or(0)
    }

    /// Steps to the next position, updating the offsets; `false` once every position was seen.
    ///
    /// Offsets stay within the view's validated reach: each is a partial sum of its index terms.
    #[inline]
    pub(crate) fn advance(&mut self, off_in: &mut isize, off_out: &mut isize) -> bool {
        for k in (0..self.depth.min(MAX_RANK)).rev() {
            let (len, s_in, s_out) = (self.len[k], self.s_in[k], self.s_out[k]);
            let idx = &mut self.idx[k];
            if *idx + 1 < len {
                *idx += 1;
                *off_in += s_in;
                *off_out += s_out;
                return true;
            }
            let back = *idx as isize;
            *off_in -= back * s_in;
            *off_out -= back * s_out;
            *idx = 0;
        }
        false
    }
}
