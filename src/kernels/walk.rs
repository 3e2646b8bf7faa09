//! The walk over the lines or rows of one axis: an odometer over the batch axes in memory
//! order, and the part of an axis a call computes.

use core::mem::MaybeUninit;

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

/// One axis of a [`Batch`]: its length, its strides and the odometer's index on it.
#[derive(Clone, Copy)]
struct Dim {
    len: usize,
    s_in: isize,
    s_out: isize,
    idx: usize,
}

/// An odometer over the batch axes (those longer than 1 and not excluded), outermost first in
/// order of decreasing input stride, tracking the element offsets in input and output.
///
/// Only its first `depth` axes are ever written or read, and a call walks only a few: they are
/// left uninitialised beyond, where zeroing all `MAX_RANK` of them (2 KiB) cost a small call
/// more than its kernels (a 32x32 frame: 2 of its 8 thousand instructions).
pub(crate) struct Batch {
    depth: usize,
    /// The walked axes; `dims[..depth]` are initialised.
    dims: [MaybeUninit<Dim>; MAX_RANK],
    /// Slot of the gradient axis when it is walked (the across kernel), else `MAX_RANK`.
    axis_slot: usize,
    /// Point of the gradient axis at index 0 of its slot (the start of a range on it).
    axis_start: usize,
}

impl Batch {
    /// An odometer with no axis yet: [`Batch::walk`] adds them, in place (a `Batch` built and
    /// then returned was copied, 2 KiB, by the compiler).
    #[inline(always)]
    pub(crate) const fn empty() -> Self {
        Self {
            depth: 0,
            dims: [const { MaybeUninit::uninit() }; MAX_RANK],
            axis_slot: MAX_RANK,
            axis_start: 0,
        }
    }

    /// Walks every axis of `input`/`output` except those in `exclude`, the axis of `range` only
    /// over its length `end - start` (the caller starts the offsets at `start`); `axis` is the
    /// gradient axis, whose point [`Batch::gradient_index`] reports when it is walked. Called
    /// once, on an [`empty`](Batch::empty) odometer.
    pub(crate) fn walk(
        &mut self,
        input: &Layout<'_>,
        output: &Layout<'_>,
        exclude: u64,
        axis: usize,
        range: Option<AxisRange>,
    ) {
        debug_assert_eq!(self.depth, 0);
        let len = |a: usize| match range {
            Some(r) if r.axis == a => r.end.saturating_sub(r.start),
            _ => input.len(a),
        };
        if let Some(r) = range
            && r.axis == axis
        {
            self.axis_start = r.start;
        }
        let rank = input.rank().min(MAX_RANK);
        let key = |d: &Dim| (d.s_in.unsigned_abs(), d.s_out.unsigned_abs());
        for a in (0..rank).filter(|&a| exclude & (1 << a) == 0 && len(a) > 1) {
            let new = Dim {
                len: len(a),
                s_in: input.stride(a),
                s_out: output.stride(a),
                idx: 0,
            };
            // Insertion sort, largest stride first, into slots `..=depth` (`depth < rank`:
            // one slot per axis).
            let mut slot = self.depth.min(MAX_RANK - 1);
            while slot > 0 && key(self.dim(slot - 1)) < key(&new) {
                self.dims[slot] = self.dims[slot - 1];
                if self.axis_slot == slot - 1 {
                    self.axis_slot = slot;
                }
                slot -= 1;
            }
            // Already below MAX_RANK; restated so the compiler drops the bounds check (a
            // panic-free build must not keep it).
            let slot = slot.min(MAX_RANK - 1);
            self.dims[slot] = MaybeUninit::new(new);
            if a == axis {
                self.axis_slot = slot;
            }
            self.depth += 1;
        }
    }

    /// The walked axis in slot `k`.
    #[inline(always)]
    fn dim(&self, k: usize) -> &Dim {
        debug_assert!(k < self.depth);
        // SAFETY: every caller passes `k < depth` (`advance`'s loop, the insertion sort's
        // `slot - 1 < depth`, `gradient_index`'s checked slot), and slots below `depth` were
        // written before `depth` grew past them.
        unsafe { self.dims.get_unchecked(k).assume_init_ref() }
    }

    /// The walked axis in slot `k`, to move its index (`k < depth`, as for [`Batch::dim`]).
    #[inline(always)]
    fn dim_mut(&mut self, k: usize) -> &mut Dim {
        debug_assert!(k < self.depth);
        // SAFETY: as for `dim`.
        unsafe { self.dims.get_unchecked_mut(k).assume_init_mut() }
    }

    /// Index along the gradient axis at the current position (0 when it is not walked).
    #[inline]
    pub(crate) fn gradient_index(&self) -> usize {
        let walked = self.axis_slot < self.depth;
        self.axis_start
            + if walked {
                self.dim(self.axis_slot).idx
            } else {
                0
            }
    }

    /// Whether the next position is the gradient axis's next point, every other axis where it
    /// is: the axis is the innermost walked one and not at its last point, so that
    /// [`advance`](Batch::advance) moves the offsets by its strides.
    #[cfg(target_pointer_width = "64")]
    #[inline]
    pub(crate) fn next_is_next_point(&self) -> bool {
        self.axis_slot + 1 == self.depth && {
            let dim = self.dim(self.axis_slot);
            dim.idx + 1 < dim.len
        }
    }

    /// Steps to the next position, updating the offsets; `false` once every position was seen.
    ///
    /// Offsets stay within the view's validated reach: each is a partial sum of its index terms.
    #[inline]
    pub(crate) fn advance(&mut self, off_in: &mut isize, off_out: &mut isize) -> bool {
        for k in (0..self.depth).rev() {
            let dim = self.dim_mut(k);
            if dim.idx + 1 < dim.len {
                dim.idx += 1;
                *off_in += dim.s_in;
                *off_out += dim.s_out;
                return true;
            }
            let back = dim.idx as isize;
            *off_in -= back * dim.s_in;
            *off_out -= back * dim.s_out;
            dim.idx = 0;
        }
        false
    }
}
