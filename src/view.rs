//! Strided views over caller buffers, and the validation that makes them trustworthy.
//!
//! A view is a buffer, the element offset of its first element, a shape and strides in
//! elements. Constructing one checks, with checked arithmetic and in this order (the first
//! failing check names the error, whatever the order of the axes):
//! 1. the rank is at most [`MAX_RANK`] ([`RankTooLarge`](GradientError::RankTooLarge)) and
//!    `strides` has one entry per axis ([`StridesLength`](GradientError::StridesLength));
//! 2. the size: the product of the nonzero lengths times the element size in bytes fits in
//!    `isize` ([`SizeOverflow`](GradientError::SizeOverflow)). numpy's rule: it refuses
//!    `np.empty((0, 2**63))` and `np.empty((2, 2**62, 0))` alike, a zero length making no
//!    shape small enough. For a contiguous view, the buffer then holds exactly the element
//!    count ([`DataLength`](GradientError::DataLength));
//! 3. a view with no elements stops here: it reaches nothing, whatever its offset and strides;
//! 4. the first element, at `offset`, lies in the buffer
//!    ([`OffsetOutOfBounds`](GradientError::OffsetOutOfBounds));
//! 5. each index extent `(shape[k] - 1) * strides[k]`, and their sums from `offset`, fit in
//!    `isize` ([`SizeOverflow`](GradientError::SizeOverflow));
//! 6. every reachable element index `offset + Σ i_k * strides[k]` (with `0 <= i_k < shape[k]`)
//!    lies in `0..buffer.len()` ([`OutOfBounds`](GradientError::OutOfBounds));
//! 7. for an output view, no two elements share memory: sorted by `|stride|`, each axis longer
//!    than 1 has a stride larger than the span of the axes before it (zero strides therefore
//!    fail; [`OverlappingOutput`](GradientError::OverlappingOutput)). This is conservative, as
//!    in ndarray: some exotic non-overlapping layouts are rejected.
//!
//! A view from a raw pointer (`from_raw_parts`) gets the same checks against the span of the
//! elements it reaches (its buffer, by the caller's promise), after which 4 and 6 hold by
//! construction; its buffer's other elements are never read (the stride-2 loads are off).
//!
//! Kernels rely on 6: every partial sum of the index terms lies between the lowest and highest
//! reachable index, so index arithmetic inside a validated view can neither overflow nor leave
//! the buffer.

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::{GradientError, MAX_RANK};

/// Strides of a view: explicit, or C order (row-major, contiguous) derived from the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strides<'a> {
    COrder,
    Explicit(&'a [isize]),
}

/// The shape-and-strides half of a view, shared by the read-only and the mutable kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout<'a> {
    offset: usize,
    shape: &'a [usize],
    strides: Strides<'a>,
    /// Whether the buffer's elements between those the view reaches may be read (a view over a
    /// slice), which the stride-2 vector loads do; a view from a raw pointer owns only the
    /// elements it reaches.
    gaps_readable: bool,
}

impl<'a> Layout<'a> {
    /// Checks conditions 1–6 for a buffer of `buffer_len` elements of `elem_size` bytes.
    fn new(
        buffer_len: usize,
        elem_size: usize,
        offset: usize,
        shape: &'a [usize],
        strides: Strides<'a>,
    ) -> Result<Self, GradientError> {
        let (layout, count) = Self::sized(elem_size, offset, shape, strides)?;
        if count == 0 {
            return Ok(layout);
        }
        if offset >= buffer_len {
            return Err(GradientError::OffsetOutOfBounds { offset, buffer_len });
        }
        let (lowest, highest) = layout.reach()?;
        let in_bounds = lowest >= 0 && usize::try_from(highest).is_ok_and(|h| h < buffer_len);
        if in_bounds {
            Ok(layout)
        } else {
            Err(GradientError::OutOfBounds {
                lowest,
                highest,
                buffer_len,
            })
        }
    }

    /// Checks conditions 1–2 (rank, strides' length, size), whatever the buffer: the layout and
    /// its element count. The one place these checks are made, for every kind of view.
    #[inline]
    fn sized(
        elem_size: usize,
        offset: usize,
        shape: &'a [usize],
        strides: Strides<'a>,
    ) -> Result<(Self, usize), GradientError> {
        if shape.len() > MAX_RANK {
            return Err(GradientError::RankTooLarge { rank: shape.len() });
        }
        if let Strides::Explicit(s) = strides
            && s.len() != shape.len()
        {
            return Err(GradientError::StridesLength {
                shape: shape.len(),
                strides: s.len(),
            });
        }
        let count = element_count(shape, elem_size)?;
        let layout = Self {
            offset,
            shape,
            strides,
            gaps_readable: true,
        };
        Ok((layout, count))
    }

    /// The layout of the elements of this one whose index along each axis `k` lies in
    /// `start[k]..start[k] + shape[k]`, with `strides` holding this layout's strides
    /// (`shape[k] >= 1` and `start[k] + shape[k] <= self.len(k)` for every axis, or some
    /// `shape[k] == 0`): a sub-view of a validated view is a validated view of the same buffer.
    pub(crate) fn part<'b>(
        &self,
        start: &[usize],
        shape: &'b [usize],
        strides: &'b [isize],
    ) -> Layout<'b> {
        debug_assert_eq!(shape.len(), self.rank());
        debug_assert!((0..self.rank()).all(|k| strides.get(k) == Some(&self.stride(k))));
        let empty = shape.contains(&0);
        debug_assert!(
            empty || (0..self.rank()).all(|k| start[k] + shape[k] <= self.len(k)),
            "a part lies within its view"
        );
        // A partial sum of a validated index: cannot overflow, lands in the buffer.
        let moved = start
            .iter()
            .enumerate()
            .fold(self.offset as isize, |at, (k, &i)| {
                at.wrapping_add((i as isize).wrapping_mul(self.stride(k)))
            });
        Layout {
            offset: if empty { self.offset } else { moved as usize },
            shape,
            strides: Strides::Explicit(strides),
            gaps_readable: self.gaps_readable,
        }
    }

    /// This layout's strides, into `out` (of length at least the rank).
    pub(crate) fn strides_into<'b>(&self, out: &'b mut [isize; MAX_RANK]) -> &'b [isize] {
        for (k, s) in out.iter_mut().enumerate().take(self.rank()) {
            *s = self.stride(k);
        }
        out.get(..self.rank()).unwrap_or(&[])
    }

    /// Whether the strides are C order's, derived from the shape (a contiguous view).
    #[inline]
    pub(crate) fn is_c_order(&self) -> bool {
        self.strides == Strides::COrder
    }

    /// Whether `other` (of the same shape) lays its elements out in this layout's order: the
    /// same stride on every axis. Two C-order layouts are, with no stride computed.
    #[cfg(target_pointer_width = "64")]
    pub(crate) fn same_order(&self, other: &Layout<'_>) -> bool {
        match (self.strides, other.strides) {
            (Strides::COrder, Strides::COrder) => true,
            _ => (0..self.rank()).all(|a| self.stride(a) == other.stride(a)),
        }
    }

    /// Lowest and highest element index reached by a non-empty view (whose offset is inside a
    /// buffer, so it fits in `isize` but for buffers of zero-sized elements).
    fn reach(&self) -> Result<(isize, isize), GradientError> {
        let start = isize::try_from(self.offset).map_err(|_| GradientError::SizeOverflow)?;
        let (mut lo, mut hi) = (start, start);
        for axis in 0..self.rank() {
            let extent = isize::try_from(self.len(axis) - 1)
                .ok()
                .and_then(|last| last.checked_mul(self.stride(axis)))
                .ok_or(GradientError::SizeOverflow)?;
            let end = if extent < 0 { &mut lo } else { &mut hi };
            *end = end.checked_add(extent).ok_or(GradientError::SizeOverflow)?;
        }
        Ok((lo, hi))
    }

    /// Checks condition 7.
    fn check_no_overlap(&self) -> Result<(), GradientError> {
        if self.is_empty() {
            return Ok(());
        }
        let mut order = [0u8; MAX_RANK];
        let mut count = 0;
        for axis in (0..self.rank()).filter(|&a| self.len(a) > 1) {
            if let Some(slot) = order.get_mut(count) {
                *slot = axis as u8;
                count += 1;
            }
        }
        let order = order.get_mut(..count).unwrap_or(&mut []);
        sort_by_key(order, |a| self.stride(usize::from(a)).unsigned_abs());
        let mut span = 0usize;
        for &axis in order.iter() {
            let axis = usize::from(axis);
            let stride = self.stride(axis).unsigned_abs();
            if stride <= span {
                return Err(GradientError::OverlappingOutput { axis });
            }
            // Bounded by the validated reach, so it cannot overflow.
            span = span.saturating_add(stride.saturating_mul(self.len(axis) - 1));
        }
        Ok(())
    }

    /// Number of axes.
    #[inline]
    pub(crate) fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The shape.
    #[inline]
    pub(crate) fn shape(&self) -> &'a [usize] {
        self.shape
    }

    /// Length of `axis` (0 for an axis that does not exist).
    #[inline]
    pub(crate) fn len(&self, axis: usize) -> usize {
        self.shape.get(axis).copied().unwrap_or(0)
    }

    /// Whether elements between those the view reaches may be read.
    #[inline]
    pub(crate) fn gaps_readable(&self) -> bool {
        self.gaps_readable
    }

    /// Whether the view has no elements.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// Element offset of the first element.
    #[inline]
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// Stride of `axis` in elements, given its C-order stride `c` (the product of the lengths
    /// after it), which a C-order layout returns without computing it again.
    #[inline]
    pub(crate) fn stride_given(&self, axis: usize, c: isize) -> isize {
        match self.strides {
            Strides::Explicit(s) => s.get(axis).copied().unwrap_or(0),
            Strides::COrder => c,
        }
    }

    /// Stride of `axis` in elements (0 for an axis that does not exist).
    ///
    /// C-order strides are the product of the later lengths; that product is at most the
    /// validated element count, so it fits in `isize` whenever the view is non-empty.
    #[inline]
    pub(crate) fn stride(&self, axis: usize) -> isize {
        match self.strides {
            Strides::Explicit(s) => s.get(axis).copied().unwrap_or(0),
            Strides::COrder => {
                let later = self.shape.get(axis + 1..).unwrap_or(&[]);
                let product = later.iter().fold(1usize, |acc, &n| acc.saturating_mul(n));
                isize::try_from(product).unwrap_or(isize::MAX)
            }
        }
    }
}

/// `at` as an index, when the `n >= 1` elements `at + i*step` (`i < n`) all lie in a buffer of
/// `len` elements: an arithmetic progression lies in it when its first and last terms do.
fn line_start(at: isize, step: isize, n: usize, len: usize) -> Option<usize> {
    let span = isize::try_from(n.checked_sub(1)?).ok()?.checked_mul(step)?;
    let last = usize::try_from(at.checked_add(span)?).ok()?;
    let first = usize::try_from(at).ok()?;
    (first < len && last < len).then_some(first)
}

/// Sorts `order` by `key`, stably: an insertion sort (at most [`MAX_RANK`] entries). The
/// library's sort would do the same for up to 20 entries, but keeps a panic path (for
/// inconsistent orderings) that a panic-free build cannot contain.
fn sort_by_key(order: &mut [u8], key: impl Fn(u8) -> usize) {
    for i in 1..order.len() {
        // Moves entry `i` down past every entry with a larger key: equal keys keep their order.
        let mut j = i;
        while let Some([before, here]) = j.checked_sub(1).and_then(|b| order.get_mut(b..=j)) {
            if key(*before) <= key(*here) {
                break;
            }
            core::mem::swap(before, here);
            j -= 1;
        }
    }
}

/// A read-only strided view of samples: the input of a gradient.
///
/// Zero and negative strides are allowed (broadcast and reversed views, as numpy makes them).
///
/// ```
/// use numgrad::StridedView;
/// let data = [0.0, 1.0, 4.0, 9.0, 16.0, 25.0];
/// // The 2x3 transpose of a C-order 3x2 array.
/// let t = StridedView::new(&data, 0, &[2, 3], &[1, 2]).unwrap();
/// assert_eq!(t.shape(), &[2, 3]);
/// // Reversed: offset at the last element, stride -1.
/// assert!(StridedView::new(&data, 5, &[6], &[-1]).is_ok());
/// // Out of bounds is an error, never a panic.
/// assert!(StridedView::new(&data, 1, &[6], &[1]).is_err());
/// ```
#[derive(Debug)]
pub struct StridedView<'a, T> {
    buffer: Buffer<T>,
    layout: Layout<'a>,
    borrow: PhantomData<&'a [T]>,
}

// Derived `Clone` would ask `T: Clone`; a view is a shared borrow, copyable whatever `T` is.
impl<T> Clone for StridedView<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for StridedView<'_, T> {}

// SAFETY: a `StridedView` is a shared borrow of its elements (`&'a [T]` in all but name): it
// reads them and never writes, so it may cross threads exactly when `&[T]` may.
unsafe impl<T: Sync> Send for StridedView<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for StridedView<'_, T> {}

impl<'a, T> StridedView<'a, T> {
    /// A view of `data` whose element `[i_0, …, i_k]` is
    /// `data[offset + i_0*strides[0] + … + i_k*strides[k]]`.
    ///
    /// Checks, in this order, reporting the first that fails (the same error whatever the
    /// order of the axes):
    /// 1. [`RankTooLarge`](GradientError::RankTooLarge): more than [`MAX_RANK`] axes;
    /// 2. [`StridesLength`](GradientError::StridesLength): `strides` and `shape` differ in
    ///    length;
    /// 3. [`SizeOverflow`](GradientError::SizeOverflow): the product of the nonzero lengths,
    ///    in bytes, does not fit in `isize` (numpy refuses `np.empty((0, 2**63))` too). A view
    ///    with a zero length that passes this is accepted: it reaches nothing, whatever its
    ///    offset and strides;
    /// 4. [`OffsetOutOfBounds`](GradientError::OffsetOutOfBounds): `offset` is not an index of
    ///    `data`;
    /// 5. [`SizeOverflow`](GradientError::SizeOverflow): an index extent
    ///    `(shape[k] - 1) * strides[k]`, or its sum with `offset` and the other extents, does not
    ///    fit in `isize`;
    /// 6. [`OutOfBounds`](GradientError::OutOfBounds): the lowest or highest reachable element
    ///    lies outside `data`.
    ///
    /// ```
    /// use numgrad::{gradient, Options, StridedView, StridedViewMut};
    /// // Every other element, backwards: data[6], data[4], data[2], data[0].
    /// let data = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// let view = StridedView::new(&data, 6, &[4], &[-2])?;
    /// let mut d = [0.0; 4];
    /// gradient(&view, &mut [StridedViewMut::contiguous(&mut d, &[4])?], &Options::new())?;
    /// assert_eq!(d, [-2.0; 4]);
    /// // One more element would reach index -2.
    /// assert!(StridedView::new(&data, 6, &[5], &[-2]).is_err());
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    // Out of line: a firmware builds several views, and each inlined copy costs flash.
    #[inline(never)]
    pub fn new(
        data: &'a [T],
        offset: usize,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Result<Self, GradientError> {
        let layout = Layout::new(
            data.len(),
            size_of::<T>(),
            offset,
            shape,
            Strides::Explicit(strides),
        )?;
        Ok(Self::over(Buffer::of(data), layout))
    }

    /// A view from a pointer to its first element (index `[0, …, 0]`), a shape and strides in
    /// elements: the door for array libraries (ndarray, numpy buffers) whose views point at
    /// their first element and may step over memory they do not own. Nothing is copied, and no
    /// slice is ever made over the span between the elements.
    ///
    /// Checks 1–3 and 5 of [`new`](Self::new), in the same order, then that the span from the
    /// lowest to the highest reachable element fits in `isize` bytes
    /// ([`SizeOverflow`](GradientError::SizeOverflow)) and that `first` is non-null and
    /// aligned for `T` ([`InvalidPointer`](GradientError::InvalidPointer)); a view with no
    /// elements needs neither.
    ///
    /// # Safety
    /// For `'a`, every element `first.offset(i_0*strides[0] + … + i_k*strides[k])` with
    /// `0 <= i_j < shape[j]` is valid for reads, initialized, and not written by anyone, and
    /// all of them lie in one allocation. Elements between them are not touched (they may be
    /// borrowed mutably elsewhere).
    ///
    /// ```
    /// use numgrad::{gradient, Options, StridedView, StridedViewMut};
    /// // Every other sample of a series, through a pointer to the first one.
    /// let data = [0.0, 9.0, 1.0, 9.0, 4.0, 9.0, 9.0];
    /// // SAFETY: elements 0, 2 and 4 of `data` are readable for as long as `data` is borrowed.
    /// let view = unsafe { StridedView::from_raw_parts(data.as_ptr(), &[3], &[2]) }?;
    /// let mut d = [0.0; 3];
    /// gradient(&view, &mut [StridedViewMut::contiguous(&mut d, &[3])?], &Options::new())?;
    /// assert_eq!(d, [1.0, 2.0, 3.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub unsafe fn from_raw_parts(
        first: *const T,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Result<Self, GradientError> {
        let (buffer, layout) = Buffer::reached_from(first.cast_mut(), shape, strides)?;
        Ok(Self::over(buffer, layout))
    }

    /// A C-order (row-major) view of all of `data`, which must hold exactly the shape's element
    /// count.
    ///
    /// Checks, in this order: [`RankTooLarge`](GradientError::RankTooLarge), then
    /// [`SizeOverflow`](GradientError::SizeOverflow) (the product of the nonzero lengths, in
    /// bytes, fits in `isize`, as for [`new`](Self::new)), then
    /// [`DataLength`](GradientError::DataLength) (`data` holds exactly the element count).
    ///
    /// ```
    /// use numgrad::{GradientError, StridedView};
    /// let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// assert!(StridedView::contiguous(&data, &[2, 3]).is_ok());
    /// assert_eq!(
    ///     StridedView::contiguous(&data[..5], &[2, 3]).unwrap_err(),
    ///     GradientError::DataLength { expected: 6, got: 5 }
    /// );
    /// ```
    // Out of line: a firmware builds several views, and each inlined copy costs flash.
    #[inline(never)]
    pub fn contiguous(data: &'a [T], shape: &'a [usize]) -> Result<Self, GradientError> {
        let layout = Layout::contiguous(data.len(), size_of::<T>(), shape)?;
        Ok(Self::over(Buffer::of(data), layout))
    }

    fn over(buffer: Buffer<T>, layout: Layout<'a>) -> Self {
        Self {
            buffer,
            layout,
            borrow: PhantomData,
        }
    }

    /// The shape.
    ///
    /// ```
    /// use numgrad::StridedView;
    /// let data = [0u8; 12];
    /// assert_eq!(StridedView::contiguous(&data, &[3, 4])?.shape(), [3, 4]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn shape(&self) -> &'a [usize] {
        self.layout.shape()
    }

    pub(crate) fn layout(&self) -> &Layout<'a> {
        &self.layout
    }

    /// Pointer to the first element (index `[0, …, 0]`) of a non-empty view: inside the
    /// buffer, by validation (meaningless for an empty view, never dereferenced then).
    pub(crate) fn first(&self) -> *const T {
        self.buffer.at(self.layout.offset())
    }

    /// The element at buffer index `e` (see [`Layout::offset`]), or `None` outside the buffer.
    pub(crate) fn get(&self, e: usize) -> Option<T>
    where
        T: Copy,
    {
        // SAFETY: `e` is an index of the buffer, whose elements are readable for `'a`.
        (e < self.buffer.len).then(|| unsafe { self.buffer.at(e).read() })
    }

    /// Pointer to buffer element `at`, when the `n` elements `at + i*step` (`i < n`) all lie
    /// in the buffer: reads of them through it, at `i*step` from it, are in bounds.
    pub(crate) fn line(&self, at: isize, step: isize, n: usize) -> Option<*const T> {
        line_start(at, step, n, self.buffer.len).map(|e| self.buffer.at(e).cast_const())
    }

    /// The same elements restricted to `part` (a validated sub-layout of this view's).
    pub(crate) fn with_layout<'b>(&self, part: Layout<'b>) -> StridedView<'b, T>
    where
        'a: 'b,
    {
        StridedView::over(self.buffer, part)
    }
}

/// A mutable strided view of floats: one output of a gradient.
///
/// Negative strides are allowed; strides that make two elements share memory (zero strides on
/// an axis longer than 1, interleaved strides) are rejected.
///
/// ```
/// use numgrad::{GradientError, StridedViewMut};
/// // The second column of a 3x2 row-major buffer.
/// let mut table = [0.0; 6];
/// let column = StridedViewMut::new(&mut table, 1, &[3], &[2])?;
/// assert_eq!(column.shape(), [3]);
/// // A zero stride would write three results to one element: refused.
/// assert_eq!(
///     StridedViewMut::new(&mut table, 0, &[3], &[0]).unwrap_err(),
///     GradientError::OverlappingOutput { axis: 0 }
/// );
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Debug)]
pub struct StridedViewMut<'a, F> {
    buffer: Buffer<F>,
    layout: Layout<'a>,
    borrow: PhantomData<&'a mut [F]>,
}

// SAFETY: a `StridedViewMut` is an exclusive borrow of its elements (`&'a mut [F]` in all but
// name), so it may cross threads exactly when `&mut [F]` may.
unsafe impl<F: Send> Send for StridedViewMut<'_, F> {}
// SAFETY: as above: through a shared reference it neither reads nor writes its elements.
unsafe impl<F: Sync> Sync for StridedViewMut<'_, F> {}

impl<'a, F> StridedViewMut<'a, F> {
    /// A mutable view of `data` whose element `[i_0, …, i_k]` is
    /// `data[offset + i_0*strides[0] + … + i_k*strides[k]]`.
    ///
    /// Fails like [`StridedView::new`], in the same order, and then with
    /// [`OverlappingOutput`](GradientError::OverlappingOutput) if two elements would share
    /// memory.
    ///
    /// ```
    /// use numgrad::{gradient, Options, StridedView, StridedViewMut};
    /// // Results written back to front: out[2] is the gradient at f[0].
    /// let f = [1.0, 2.0, 4.0];
    /// let mut out = [0.0; 3];
    /// let view = StridedViewMut::new(&mut out, 2, &[3], &[-1])?;
    /// gradient(&StridedView::contiguous(&f, &[3])?, &mut [view], &Options::new())?;
    /// assert_eq!(out, [2.0, 1.5, 1.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    // Out of line: a firmware builds several views, and each inlined copy costs flash.
    #[inline(never)]
    pub fn new(
        data: &'a mut [F],
        offset: usize,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Result<Self, GradientError> {
        let layout = Layout::new(
            data.len(),
            size_of::<F>(),
            offset,
            shape,
            Strides::Explicit(strides),
        )?;
        layout.check_no_overlap()?;
        Ok(Self::over(Buffer::of_mut(data), layout))
    }

    /// A mutable view from a pointer to its first element (index `[0, …, 0]`), a shape and
    /// strides in elements: the door for array libraries (ndarray, numpy buffers), with no copy
    /// and no slice over the span between the elements.
    ///
    /// Checks as [`StridedView::from_raw_parts`], in the same order, and then
    /// [`OverlappingOutput`](GradientError::OverlappingOutput) as [`new`](Self::new) does.
    ///
    /// # Safety
    /// For `'a`, every element `first.offset(i_0*strides[0] + … + i_k*strides[k])` with
    /// `0 <= i_j < shape[j]` is valid for reads and writes and accessed by nothing else, and all
    /// of them lie in one allocation. Elements between them are not touched (they may be
    /// borrowed elsewhere, by another view or another thread).
    ///
    /// ```
    /// use numgrad::{gradient, Options, StridedView, StridedViewMut};
    /// // Results into the even elements; the odd ones stay as they were.
    /// let f = [1.0, 2.0, 4.0];
    /// let mut out = [-1.0; 6];
    /// // SAFETY: elements 0, 2 and 4 of `out` are writable, and only through this view.
    /// let view = unsafe { StridedViewMut::from_raw_parts(out.as_mut_ptr(), &[3], &[2]) }?;
    /// gradient(&StridedView::contiguous(&f, &[3])?, &mut [view], &Options::new())?;
    /// assert_eq!(out, [1.0, -1.0, 1.5, -1.0, 2.0, -1.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub unsafe fn from_raw_parts(
        first: *mut F,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Result<Self, GradientError> {
        let (buffer, layout) = Buffer::reached_from(first, shape, strides)?;
        layout.check_no_overlap()?;
        Ok(Self::over(buffer, layout))
    }

    /// A C-order (row-major) view of all of `data`, which must hold exactly the shape's element
    /// count. Checks as [`StridedView::contiguous`], in the same order (a C-order view never
    /// overlaps itself).
    ///
    /// ```
    /// use numgrad::{gradient, Options, StridedView, StridedViewMut};
    /// let f = [1.0, 2.0, 4.0, 7.0];
    /// let mut d = [0.0; 4];
    /// let out = StridedViewMut::contiguous(&mut d, &[4])?;
    /// gradient(&StridedView::contiguous(&f, &[4])?, &mut [out], &Options::new())?;
    /// assert_eq!(d, [1.0, 1.5, 2.5, 3.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    // Out of line: a firmware builds several views, and each inlined copy costs flash.
    #[inline(never)]
    pub fn contiguous(data: &'a mut [F], shape: &'a [usize]) -> Result<Self, GradientError> {
        let layout = Layout::contiguous(data.len(), size_of::<F>(), shape)?;
        Ok(Self::over(Buffer::of_mut(data), layout))
    }

    fn over(buffer: Buffer<F>, layout: Layout<'a>) -> Self {
        Self {
            buffer,
            layout,
            borrow: PhantomData,
        }
    }

    /// The shape.
    ///
    /// ```
    /// use numgrad::StridedViewMut;
    /// let mut data = [0.0f32; 12];
    /// assert_eq!(StridedViewMut::contiguous(&mut data, &[3, 4])?.shape(), [3, 4]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn shape(&self) -> &'a [usize] {
        self.layout.shape()
    }

    pub(crate) fn layout(&self) -> &Layout<'a> {
        &self.layout
    }

    /// Pointer to the first element (index `[0, …, 0]`) of a non-empty view: inside the
    /// buffer, by validation (meaningless for an empty view, never dereferenced then).
    pub(crate) fn first_mut(&mut self) -> *mut F {
        self.buffer.at(self.layout.offset())
    }

    /// Pointer to buffer element `at`, when the `n` elements `at + i*step` (`i < n`) all lie
    /// in the buffer: writes to them through it, at `i*step` from it, are in bounds (and, the
    /// view being exclusive, touch no memory anything else reads).
    pub(crate) fn line_mut(&mut self, at: isize, step: isize, n: usize) -> Option<*mut F> {
        line_start(at, step, n, self.buffer.len).map(|e| self.buffer.at(e))
    }

    /// Writes `value` at buffer index `e` (see [`Layout::offset`]); nothing outside the buffer.
    pub(crate) fn set(&mut self, e: usize, value: F) {
        if e < self.buffer.len {
            // SAFETY: `e` is an index of the buffer, whose elements are writable through this
            // view alone for `'a`.
            unsafe { self.buffer.at(e).write(value) }
        }
    }

    /// A view of the elements `part` lays out, with no borrow of this one.
    ///
    /// # Safety
    /// `part` is a validated sub-layout of this view's with no two elements sharing memory,
    /// and, while the result lives, no other view (this one included) accesses its elements.
    #[cfg(any(feature = "rayon", target_pointer_width = "64"))]
    pub(crate) unsafe fn part_of<'b>(&self, part: Layout<'b>) -> StridedViewMut<'b, F>
    where
        'a: 'b,
    {
        StridedViewMut::over(self.buffer, part)
    }
}

/// Where a view's buffer is: a pointer to its element 0 and its length in elements. For a
/// view over a slice, the slice; for a view from a raw pointer, the span from the lowest to the
/// highest element it reaches (element 0 then being the lowest). Elements of the buffer that
/// the view does not reach are never accessed.
#[derive(Debug)]
struct Buffer<T> {
    /// Non-null (dangling for an empty raw view), so that `Result<View, _>` needs no tag.
    start: NonNull<T>,
    len: usize,
}

impl<T> Clone for Buffer<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Buffer<T> {}

impl<T> Buffer<T> {
    fn of(data: &[T]) -> Self {
        Self {
            start: NonNull::from(data).cast(),
            len: data.len(),
        }
    }

    fn of_mut(data: &mut [T]) -> Self {
        let len = data.len();
        Self {
            start: NonNull::from(data).cast(),
            len,
        }
    }

    /// Pointer to element `e` (`e <= len`; only dereferenced by callers for `e < len`).
    #[inline]
    fn at(self, e: usize) -> *mut T {
        self.start.as_ptr().wrapping_add(e)
    }

    /// The buffer a view from a raw pointer reaches, and its layout in it (element 0 the lowest
    /// element reached, so the offset is the first element's distance from it): checks 1–3 and
    /// 5 of a view over a slice, then that the span fits in `isize` bytes and that `first` is
    /// a valid pointer for `T`.
    fn reached_from<'a>(
        first: *mut T,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Result<(Self, Layout<'a>), GradientError> {
        // Checks 1 to 3: a view with no elements stops there.
        let (probe, count) = Layout::sized(size_of::<T>(), 0, shape, Strides::Explicit(strides))?;
        if count == 0 {
            let buffer = Self {
                start: NonNull::dangling(),
                len: 0,
            };
            return Ok((
                buffer,
                Layout {
                    gaps_readable: false,
                    ..probe
                },
            ));
        }
        let (lowest, highest) = probe.reach()?;
        let span = highest
            .checked_sub(lowest)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_add(1))
            .filter(|&n| {
                n.checked_mul(size_of::<T>().max(1))
                    .is_some_and(|bytes| isize::try_from(bytes).is_ok())
            })
            .ok_or(GradientError::SizeOverflow)?;
        if first.is_null() || !first.is_aligned() {
            return Err(GradientError::InvalidPointer);
        }
        let offset = lowest.unsigned_abs();
        let layout = Layout::new(
            span,
            size_of::<T>(),
            offset,
            shape,
            Strides::Explicit(strides),
        )?;
        // The caller vouches for the reached elements only.
        let layout = Layout {
            gaps_readable: false,
            ..layout
        };
        let buffer = Self {
            // `lowest <= 0`: a reached element, in the caller's allocation.
            start: NonNull::new(first.wrapping_offset(lowest))
                .ok_or(GradientError::InvalidPointer)?,
            len: span,
        };
        Ok((buffer, layout))
    }
}

/// Check 2: the element count of `shape` (0 if a length is 0), provided the product of the
/// nonzero lengths times `elem_size` bytes (at least 1) fits in `isize`, as numpy requires of
/// every array, empty or not.
#[inline]
pub(crate) fn element_count(shape: &[usize], elem_size: usize) -> Result<usize, GradientError> {
    let nonzero = shape
        .iter()
        .filter(|&&n| n != 0)
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&c| {
            c.checked_mul(elem_size.max(1))
                .is_some_and(|bytes| isize::try_from(bytes).is_ok())
        })
        .ok_or(GradientError::SizeOverflow)?;
    Ok(if shape.contains(&0) { 0 } else { nonzero })
}

impl<'a> Layout<'a> {
    /// A C-order layout of all of a buffer of `buffer_len` elements of `elem_size` bytes, which
    /// must hold exactly the shape's element count: checks 1 and 2 (so a buffer of the wrong
    /// length is reported as such rather than as an out-of-bounds view), then the rest.
    // Inlined (with `sized` and `element_count`): a layout returned through memory was
    // copied at once into the view, and the copy stalled on the stores that had just written
    // it, about 10 ns of every contiguous view.
    #[inline]
    fn contiguous(
        buffer_len: usize,
        elem_size: usize,
        shape: &'a [usize],
    ) -> Result<Self, GradientError> {
        let (layout, expected) = Self::sized(elem_size, 0, shape, Strides::COrder)?;
        if buffer_len != expected {
            return Err(GradientError::DataLength {
                expected,
                got: buffer_len,
            });
        }
        // C order over exactly the element count reaches indices `0..count`: the remaining
        // checks of `new` (offset, extents, bounds) hold by construction.
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_covers_negative_and_zero_strides() {
        let data = [0u8; 10];
        assert!(StridedView::new(&data, 9, &[5, 2], &[-2, 0]).is_ok());
        assert_eq!(
            StridedView::new(&data, 8, &[5, 2], &[-2, 1]).map(|_| ()),
            Ok(())
        );
        assert_eq!(
            StridedView::new(&data, 7, &[5], &[-2]).err(),
            Some(GradientError::OutOfBounds {
                lowest: -1,
                highest: 7,
                buffer_len: 10
            })
        );
        // Empty views reach nothing, whatever the offset.
        assert!(StridedView::new(&data, 100, &[0, 5], &[1, 1]).is_ok());
    }

    #[test]
    fn overflow_is_an_error() {
        let data = [0u8; 4];
        assert_eq!(
            StridedView::new(&data, 0, &[2, 2], &[isize::MAX, 0]).err(),
            Some(GradientError::OutOfBounds {
                lowest: 0,
                highest: isize::MAX,
                buffer_len: 4
            })
        );
        assert_eq!(
            StridedView::new(&data, 0, &[3, 2], &[isize::MAX, 1]).err(),
            Some(GradientError::SizeOverflow)
        );
        assert_eq!(
            StridedView::new(&data, 0, &[usize::MAX, 2], &[0, 0]).err(),
            Some(GradientError::SizeOverflow)
        );
        // An offset past the buffer is out of bounds, not an overflow.
        assert_eq!(
            StridedView::new(&data, usize::MAX, &[1], &[0]).err(),
            Some(GradientError::OffsetOutOfBounds {
                offset: usize::MAX,
                buffer_len: 4
            })
        );
        assert_eq!(
            StridedView::new(&data, 4, &[1], &[1]).err(),
            Some(GradientError::OffsetOutOfBounds {
                offset: 4,
                buffer_len: 4
            })
        );
    }

    #[test]
    fn a_zero_length_does_not_hide_a_huge_one_whatever_the_axis_order() {
        let data = [0.0f64; 4];
        let huge = usize::MAX;
        for shape in [&[0, huge][..], &[huge, 0], &[2, huge, 0], &[0, 2, huge]] {
            let strides = [1isize; 3];
            let strides = &strides[..shape.len()];
            assert_eq!(
                StridedView::new(&data, 0, shape, strides).err(),
                Some(GradientError::SizeOverflow),
                "{shape:?}"
            );
            assert_eq!(
                StridedView::contiguous(&data, shape).err(),
                Some(GradientError::SizeOverflow),
                "{shape:?}"
            );
        }
        // numpy counts bytes: 2**60 f64 (2**63 bytes) is too big, 2**60 bytes is not.
        let n = 1usize << 60;
        assert_eq!(
            StridedView::new(&data, 0, &[0, n], &[1, 1]).err(),
            Some(GradientError::SizeOverflow)
        );
        assert!(StridedView::new(&[0u8; 4], 0, &[0, n], &[1, 1]).is_ok());
        assert!(StridedView::new(&data, 0, &[0, n / 8], &[1, 1]).is_ok());
    }

    #[test]
    fn output_overlap_is_rejected() {
        let mut data = [0.0f64; 12];
        assert!(StridedViewMut::new(&mut data, 0, &[3, 4], &[4, 1]).is_ok());
        assert!(StridedViewMut::new(&mut data, 11, &[3, 4], &[-4, -1]).is_ok());
        assert!(StridedViewMut::new(&mut data, 0, &[3, 1], &[4, 0]).is_ok());
        // A length-1 axis in the middle does not hide the axes after it.
        assert!(StridedViewMut::new(&mut data, 11, &[4, 1, 3], &[-3, -3, -1]).is_ok());
        assert_eq!(
            StridedViewMut::new(&mut data, 0, &[4, 1, 3], &[2, 7, 1]).err(),
            Some(GradientError::OverlappingOutput { axis: 0 })
        );
        assert_eq!(
            StridedViewMut::new(&mut data, 0, &[3, 2], &[4, 0]).err(),
            Some(GradientError::OverlappingOutput { axis: 1 })
        );
        assert_eq!(
            StridedViewMut::new(&mut data, 0, &[3, 4], &[2, 1]).err(),
            Some(GradientError::OverlappingOutput { axis: 0 })
        );
    }
}
