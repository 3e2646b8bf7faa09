//! The block API: the gradient of one block of a larger array, from the block's samples and a
//! halo around them, such that the blocks of any partition, stitched together, equal the whole
//! call bit for bit. What a distributed engine or a thread pool calls.
//!
//! The decisions numpy makes on a whole axis are made once, by [`WholeArray::new`], for the
//! whole axis: the spacing's checks, and whether its coordinates are evenly spaced (numpy then
//! uses the uniform formulas on the whole axis; a block whose own coordinates happen to be even
//! inside an uneven grid keeps the uneven ones). Each block is then computed with the whole
//! axis's stencils at its own points, by the same kernels as the whole call.

use core::ops::Range;

use crate::axes::AxisList;
use crate::call::Validated;
use crate::element::{Precision, Real, Sample};
use crate::isa::Path;
use crate::kernels::{self, AxisRange, ElemBytes, Kernel, Route};
use crate::options::EdgeOrder;
use crate::pass::{self, Job, MAX_FUSED, cuttable};
use crate::scalar::{self, Values};
use crate::value::Value;
use crate::view::{StridedView, StridedViewMut, element_count};
use crate::{GradientError, MAX_RANK, Options};

/// A gradient call on a whole array of `shape`, validated once, to be computed one block at a
/// time with [`gradient_block`](Self::gradient_block).
///
/// The halo a block needs along a selected axis of `n` points, for a block of points
/// `start..end` ([`window`](Self::window) computes it):
/// - inside the axis, one point on each side (the central difference reads `i - 1` and
///   `i + 1`);
/// - at the first point, with first-order edges, points `0..2`; with second-order edges,
///   points `0..3`: a block holding point 0 but fewer than 3 points (2 for first order)
///   reaches that far past its end. Symmetrically at the last point.
///
/// A block of any size, down to one point, is computed exactly from its window. Along an axis
/// that is not selected, the window is the block. A larger window is accepted too (the whole
/// array, for a thread pool).
///
/// ```
/// use numgrad::{gradient, Options, StridedView, StridedViewMut, WholeArray};
/// let f = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0, 22.0];
/// let options = Options::new();
/// let whole = WholeArray::new(&[7], &options)?;
/// // The block of points 3..5 reads the window 2..6 of the whole.
/// assert_eq!(whole.window(0, 3..5)?, 2..6);
/// let window = StridedView::contiguous(&f[2..6], &[4])?;
/// let mut d = [0.0; 2];
/// let out = StridedViewMut::contiguous(&mut d, &[2])?;
/// whole.gradient_block(&window, &[2], &[3], &mut [out])?;
/// // The same bits as points 3 and 4 of the whole call.
/// let mut all = [0.0; 7];
/// let input = StridedView::contiguous(&f, &[7])?;
/// gradient(&input, &mut [StridedViewMut::contiguous(&mut all, &[7])?], &options)?;
/// assert_eq!(d, all[3..5]);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct WholeArray<'a, F> {
    call: Validated<'a, F>,
}

impl<'a, F: Precision> WholeArray<'a, F> {
    /// Validates a call on a whole array of `shape`: the checks [`gradient`](crate::gradient)
    /// makes on the input's shape and on `options` (rank, size, axes, spacing count, each
    /// selected axis's spacing and length), in the same order, scanning coordinates once.
    ///
    /// The size is checked for elements of `F`'s size (and again, by
    /// [`gradient_values_block`](Self::gradient_values_block), for the value type's).
    pub fn new(shape: &'a [usize], options: &Options<'a, F>) -> Result<Self, GradientError> {
        if shape.len() > MAX_RANK {
            return Err(GradientError::RankTooLarge { rank: shape.len() });
        }
        element_count(shape, size_of::<F>())?;
        let axes = AxisList::resolve(options.axes, shape.len())?;
        Ok(Self {
            call: Validated::new(shape, axes, options)?,
        })
    }

    /// A whole array from a call validated on it.
    #[cfg(feature = "rayon")]
    pub(crate) fn from_validated(call: Validated<'a, F>) -> Self {
        Self { call }
    }

    /// The whole array's shape.
    pub fn shape(&self) -> &'a [usize] {
        self.call.shape()
    }

    /// The points of `axis` a block of points `block` reads: `block` with its halo, clipped to
    /// the axis (`block` itself along an axis that is not selected, or for an empty block).
    ///
    /// Fails with [`AxisOutOfRange`](GradientError::AxisOutOfRange) for an axis the array does
    /// not have, [`BlockOutside`](GradientError::BlockOutside) if `block` does not lie in the
    /// axis.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, Options, WholeArray};
    /// let second = Options::<f64>::new().edge_order(EdgeOrder::Second);
    /// let whole = WholeArray::new(&[10, 4], &second)?;
    /// assert_eq!(whole.window(0, 4..6)?, 3..7); // one point on each side
    /// assert_eq!(whole.window(0, 0..1)?, 0..3); // point 0 reads points 1 and 2
    /// assert_eq!(whole.window(0, 9..10)?, 7..10); // and the last point two before it
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn window(&self, axis: usize, block: Range<usize>) -> Result<Range<usize>, GradientError> {
        let shape = self.shape();
        let Some(&n) = shape.get(axis) else {
            return Err(GradientError::AxisOutOfRange {
                axis: isize::try_from(axis).unwrap_or(isize::MAX),
                rank: shape.len(),
            });
        };
        if block.start > block.end || block.end > n {
            return Err(GradientError::BlockOutside {
                axis,
                start: block.start,
                end: block.end,
                len: n,
            });
        }
        let selected = self.call.axes().iter().any(|a| a == axis);
        if !selected || block.is_empty() {
            return Ok(block);
        }
        Ok(halo(block, n, self.call.edge_order()))
    }

    /// [`gradient_block`](Self::gradient_block) for the sample types of [`Value`] (complex
    /// numbers, datetime64 and timedelta64 counts, float16), each with numpy's arithmetic for its
    /// dtype, as [`gradient_values`](crate::gradient_values) computes them: the stitched blocks
    /// of any partition equal that call, bit for bit.
    ///
    /// The same checks in the same order, after one more: the whole array's size for elements
    /// of `V` and `V::Out` ([`SizeOverflow`](GradientError::SizeOverflow)).
    ///
    /// ```
    /// use numgrad::{gradient_values, Datetime64, Options, StridedView, StridedViewMut, Timedelta64, WholeArray};
    /// let days = [1, 3, 4, 9, 16, 20].map(Datetime64);
    /// let options = Options::<f64>::new();
    /// let whole = WholeArray::new(&[6], &options)?;
    /// // Points 2..4 read points 1..5.
    /// let window = StridedView::contiguous(&days[1..5], &[4])?;
    /// let mut block = [Timedelta64(0); 2];
    /// let out = StridedViewMut::contiguous(&mut block, &[2])?;
    /// whole.gradient_values_block(&window, &[1], &[2], &mut [out])?;
    /// let mut all = [Timedelta64(0); 6];
    /// let input = StridedView::contiguous(&days, &[6])?;
    /// gradient_values(&input, &mut [StridedViewMut::contiguous(&mut all, &[6])?], &options)?;
    /// assert_eq!(block, all[2..4]);
    /// assert_eq!(block.map(|d| d.0), [3, 6]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn gradient_values_block<V: Value<F>>(
        &self,
        window: &StridedView<'_, V>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, V::Out>],
    ) -> Result<(), GradientError> {
        element_count(self.shape(), size_of::<V>().max(size_of::<V::Out>()))?;
        let Some(block) = self.block(window, window_start, block_start, outputs)? else {
            return Ok(());
        };
        // Infallible from here.
        block.values(outputs);
        Ok(())
    }

    /// The checks of a block call, in their order (those
    /// [`gradient_block`](Self::gradient_block) lists); the validated block if it has points
    /// and there are axes to differentiate, `None` if there is nothing to compute. Both block
    /// calls compute from it, so what they compute is what was checked.
    fn block<'b, 'v, 'o: 'b, T, O>(
        &'b self,
        window: &'b StridedView<'v, T>,
        window_start: &'b [usize],
        block_start: &'b [usize],
        outputs: &[StridedViewMut<'o, O>],
    ) -> Result<Option<Block<'b, 'a, 'v, T, F>>, GradientError> {
        let shape = self.shape();
        let rank = shape.len();
        for got in [window.shape().len(), window_start.len(), block_start.len()] {
            if got != rank {
                return Err(GradientError::BlockRank {
                    expected: rank,
                    got,
                });
            }
        }
        let axes = self.call.axes();
        if outputs.len() != axes.len() {
            return Err(GradientError::OutputCount {
                expected: axes.len(),
                got: outputs.len(),
            });
        }
        let Some(block_shape) = outputs.first().map(|o| o.shape()) else {
            // No selected axis: nothing to compute, and nothing to check it against.
            return Ok(None);
        };
        if block_shape.len() != rank {
            return Err(GradientError::OutputRank {
                output: 0,
                expected: rank,
                got: block_shape.len(),
            });
        }
        for (o, output) in outputs.iter().enumerate() {
            crate::call::check_same_shape(o, block_shape, output.shape())?;
        }
        // Every axis: the window and the block in the whole, the window over what is read.
        let starts = window_start.iter().zip(block_start);
        let lens = window.shape().iter().zip(block_shape);
        for (axis, (((&w0, &b0), (&w, &b)), &n)) in starts.zip(lens).zip(shape).enumerate() {
            let have = w0..w0.saturating_add(w);
            if have.end > n {
                return Err(GradientError::BlockOutside {
                    axis,
                    start: have.start,
                    end: have.end,
                    len: n,
                });
            }
            let needed = self.window(axis, b0..b0.saturating_add(b))?;
            if !needed.is_empty() && (needed.start < have.start || needed.end > have.end) {
                return Err(GradientError::HaloTooSmall {
                    axis,
                    needed_start: needed.start,
                    needed_end: needed.end,
                    start: have.start,
                    end: have.end,
                });
            }
        }
        Ok((!block_shape.contains(&0)).then_some(Block {
            whole: self,
            window,
            window_start,
            block_start,
            block_shape,
        }))
    }
}

impl<'a, F: Real> WholeArray<'a, F> {
    /// The gradient of one block into `outputs`, one per selected axis (in the order of the
    /// selected axes), each of the block's shape: exactly the values the whole call gives at
    /// the block's points, bit for bit.
    ///
    /// `window` holds the samples of the whole array from index `window_start` on (along each
    /// axis), and must cover the block's [`window`](Self::window) along every axis; the block
    /// starts at index `block_start` of the whole array and has the outputs' shape.
    ///
    /// Checks, before anything is written: the window's rank and the lengths of
    /// `window_start` and `block_start` ([`BlockRank`](GradientError::BlockRank)); the number
    /// of outputs ([`OutputCount`](GradientError::OutputCount)), their ranks and shapes (each
    /// the first's: [`OutputRank`](GradientError::OutputRank),
    /// [`OutputShape`](GradientError::OutputShape)); then, axis by axis, that the block and the
    /// window lie in the whole array ([`BlockOutside`](GradientError::BlockOutside)) and that the
    /// window covers what the block reads ([`HaloTooSmall`](GradientError::HaloTooSmall)).
    pub fn gradient_block<T: Sample<F>>(
        &self,
        window: &StridedView<'_, T>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, F>],
    ) -> Result<(), GradientError> {
        self.block_on(Path::detect(), window, window_start, block_start, outputs)
    }

    /// [`gradient_block`](Self::gradient_block) on a given vector path.
    pub(crate) fn block_on<T: Sample<F>>(
        &self,
        path: Path,
        window: &StridedView<'_, T>,
        window_start: &[usize],
        block_start: &[usize],
        outputs: &mut [StridedViewMut<'_, F>],
    ) -> Result<(), GradientError> {
        let Some(block) = self.block(window, window_start, block_start, outputs)? else {
            return Ok(());
        };
        // Infallible from here.
        if !block.fused(path, outputs) {
            block.per_axis(path, outputs);
        }
        Ok(())
    }
}

/// A validated block (made only by [`WholeArray::block`], after its checks): its window, where
/// the window and the block start in the whole array, and the block's shape (rank
/// `whole.shape().len()` each).
struct Block<'b, 'a, 'v, T, F> {
    whole: &'b WholeArray<'a, F>,
    window: &'b StridedView<'v, T>,
    window_start: &'b [usize],
    block_start: &'b [usize],
    block_shape: &'b [usize],
}

impl<'b, 'a, 'v, T: Copy, F: Precision> Block<'b, 'a, 'v, T, F> {
    /// What the block's points of `axis` read, laid out with `lens` (its shape) and `strides`
    /// (the window's): the window restricted to the block, but along `axis` to the block with
    /// its halo; and the index of the whole axis where that starts.
    fn reads<'s>(
        &self,
        axis: usize,
        (lens, strides): (&'s mut [usize; MAX_RANK], &'s [isize]),
    ) -> Option<(StridedView<'s, T>, usize)>
    where
        'b: 's,
        'v: 's,
    {
        let rank = self.block_shape.len().min(MAX_RANK);
        let mut starts = [0usize; MAX_RANK];
        let dims = self.block_start.iter().zip(self.block_shape);
        let dims = dims
            .zip(self.window_start)
            .zip(starts.iter_mut().zip(lens.iter_mut()));
        for (j, (((&b0, &len), &w0), (start, n))) in dims.enumerate() {
            let points = if j == axis {
                halo_of(&self.whole.call, j, b0, len)
            } else {
                b0..b0 + len
            };
            // Validated: the window holds every point read.
            *start = points.start - w0;
            *n = points.len();
        }
        let read = starts.get(axis)? + self.window_start.get(axis)?;
        let lens: &'s [usize] = lens.get(..rank)?;
        let part = self
            .window
            .layout()
            .part(starts.get(..rank)?, lens, strides);
        Some((self.window.with_layout(part), read))
    }
}

impl<'b, 'a, 'v, V: Value<F>, F: Precision> Block<'b, 'a, 'v, V, F> {
    /// Each selected axis in turn, by the value types' scalar kernel: the block's points of
    /// every line, read from the window with the whole axis's stencils.
    fn values(&self, outputs: &mut [StridedViewMut<'_, V::Out>]) {
        let mut strides = [0isize; MAX_RANK];
        let strides = self.window.layout().strides_into(&mut strides);
        let mut lens = [0usize; MAX_RANK];
        let axes = self.whole.call.axes();
        for ((k, axis), output) in axes.iter().enumerate().zip(outputs.iter_mut()) {
            let (Some((input, read)), Some(&b0), Some(&len)) = (
                self.reads(axis, (&mut lens, strides)),
                self.block_start.get(axis),
                self.block_shape.get(axis),
            ) else {
                continue;
            };
            let n = input.shape().get(axis).copied().unwrap_or(0);
            let plan = self.whole.call.plan(k, axis).window(read, n);
            let first = b0 - read;
            scalar::axis_points::<V, F, Values>(&input, output, axis, &plan, first..first + len);
        }
    }
}

impl<'b, 'a, 'v, T: Sample<F>, F: Real> Block<'b, 'a, 'v, T, F> {
    /// The job of the `k`-th selected axis, `axis`, into `output`, its input laid out with
    /// `lens` (its shape) and `strides` (the window's), with `cut` the axis cut into ranges
    /// (if any): [`reads`](Self::reads), the whole axis's plan on those points, and where the
    /// block starts in them.
    fn job<'s>(
        &self,
        (k, axis): (usize, usize),
        output: &StridedViewMut<'_, F>,
        (lens, strides): (&'s mut [usize; MAX_RANK], &'s [isize]),
        cut: Option<usize>,
    ) -> Option<Job<'s, 'a, T, F>>
    where
        'b: 's,
        'v: 's,
    {
        let (input, read) = self.reads(axis, (lens, strides))?;
        let n = *input.shape().get(axis)?;
        let block_len = *self.block_shape.get(axis)?;
        let plan = self.whole.call.plan(k, axis).window(read, n);
        // Only an axis whose block reads points outside itself need be cut.
        let cut = cut.or((n != block_len).then_some(axis));
        let bytes = ElemBytes::of::<T, F>();
        let (lin, lout, even) = (input.layout(), output.layout(), plan.is_even());
        let cut = cut.map_or(0, |a| 1u64 << a);
        let route = Route::choose(Kernel::Auto, lin, lout, axis, even, cut, bytes)?;
        Some(Job {
            input,
            axis,
            plan,
            route,
            first: self.block_start.get(axis)? - read,
        })
    }

    /// Every selected axis in one pass over chunks of the block's outermost axis, when there
    /// are 2 to [`MAX_FUSED`] of them and their routes allow it; `false` (nothing written)
    /// otherwise.
    fn fused(&self, path: Path, outputs: &mut [StridedViewMut<'_, F>]) -> bool {
        let axes = self.whole.call.axes();
        let layout = self.window.layout();
        let shape = self.block_shape;
        let Some((cut, &len)) = (shape.iter().enumerate())
            .filter(|&(_, &n)| n > 1)
            .max_by_key(|&(a, _)| layout.stride(a).unsigned_abs())
        else {
            return false;
        };
        if !(2..=MAX_FUSED).contains(&axes.len()) {
            return false;
        }
        let mut strides = [0isize; MAX_RANK];
        let strides = layout.strides_into(&mut strides);
        let mut lens = [[0usize; MAX_RANK]; MAX_FUSED];
        let mut jobs: [Option<Job<'_, '_, T, F>>; MAX_FUSED] = [None; MAX_FUSED];
        let work = axes.iter().enumerate().zip(outputs.iter()).zip(&mut lens);
        for ((((k, axis), output), lens), slot) in work.zip(&mut jobs) {
            let Some(job) = self.job((k, axis), output, (lens, strides), Some(cut)) else {
                return false;
            };
            // The job's points of the cut axis are the block's, from `first` on. A pass cuts
            // one axis only: any other axis must read nothing outside the block.
            let first = if axis == cut { job.first } else { 0 };
            let own = axis == cut || job.input.shape().get(axis) == shape.get(axis);
            if !own || !cuttable(job.route, axis, cut, None) {
                return false;
            }
            *slot = Some(Job { first, ..job });
        }
        let count: usize = shape.iter().product();
        let jobs = jobs.get(..axes.len()).unwrap_or(&[]);
        pass::run(
            path,
            jobs,
            outputs,
            (cut, None),
            len,
            count.checked_div(len).unwrap_or(0),
        );
        true
    }

    /// Each selected axis in turn, over the whole block.
    fn per_axis(&self, path: Path, outputs: &mut [StridedViewMut<'_, F>]) {
        let layout = self.window.layout();
        let mut strides = [0isize; MAX_RANK];
        let strides = layout.strides_into(&mut strides);
        let mut lens = [0usize; MAX_RANK];
        let axes = self.whole.call.axes();
        for ((k, axis), output) in axes.iter().enumerate().zip(outputs.iter_mut()) {
            let job = self.job((k, axis), output, (&mut lens, strides), None);
            debug_assert!(job.is_some(), "the automatic choice fits every layout");
            let Some(job) = job else { continue };
            // The block's points along `axis`, counted from the first point read (none to cut
            // when the block reads nothing outside itself: the whole axis).
            let len = self.block_shape.get(axis).copied().unwrap_or(0);
            let range = (job.input.shape().get(axis) != Some(&len)).then_some(AxisRange {
                axis,
                start: job.first,
                end: job.first + len,
                output_from: job.first,
            });
            kernels::run_axis(
                path,
                &job.input,
                output,
                axis,
                (&job.plan, None),
                job.route,
                range,
            );
        }
    }
}

/// The points of `axis` that the block of `len` points from `start` reads.
fn halo_of<F: Precision>(
    call: &Validated<'_, F>,
    axis: usize,
    start: usize,
    len: usize,
) -> Range<usize> {
    let n = call.shape().get(axis).copied().unwrap_or(0);
    halo(start..start + len, n, call.edge_order())
}

/// The points a non-empty block of points `block` of an axis of `n` points reads (`n` at least
/// the edge order's minimum).
pub(crate) fn halo(block: Range<usize>, n: usize, edge_order: EdgeOrder) -> Range<usize> {
    let mut start = block.start.saturating_sub(1);
    let mut end = if block.end == n { n } else { block.end + 1 };
    if edge_order == EdgeOrder::Second {
        // The second-order edges read two points in from the edge.
        if block.end == n {
            start = start.min(n.saturating_sub(3));
        }
        if block.start == 0 {
            end = end.max(3);
        }
    }
    start..end
}
