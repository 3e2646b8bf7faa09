//! The parallel gradient (feature `rayon`): the block API run on rayon's pool, one slab of the
//! outermost axis per task, bit-identical to the serial call.

use alloc::vec::Vec;

use rayon::prelude::*;

use crate::block::WholeArray;
use crate::call::{Validated, validate};
use crate::driver::execute;
use crate::element::{Precision, Real, Sample};
use crate::isa::Path;
use crate::kernels::Kernel;
use crate::scalar::{self, Values};
use crate::value::Value;
use crate::view::{Layout, StridedView, StridedViewMut};
use crate::{GradientError, MAX_RANK, Options};

/// Calls with fewer elements than this run serially: below it, handing work to a second
/// thread costs more than it saves. Measured here (see the README's scaling table).
pub const PARALLEL_MIN_ELEMENTS: usize = 1 << 16;

/// Slabs per thread: a few, so a thread slowed by a noisy neighbour leaves its share to the
/// others, but each slab still large enough to stream.
const SLABS_PER_THREAD: usize = 4;

/// [`gradient`](crate::gradient) on rayon's current thread pool: the same checks in the same
/// order (nothing written on error) and the same results, bit for bit, for any number of
/// threads.
///
/// The outermost axis of the input (largest stride) is cut into slabs; each is computed by
/// the block API ([`WholeArray::gradient_block`]) with the whole input as its window, so every
/// point is computed by the stencil and the kernel the serial call uses there. Calls under
/// [`PARALLEL_MIN_ELEMENTS`] elements, or on a pool of one thread, run serially.
///
/// ```
/// use numgrad::{gradient, gradient_parallel, Options, StridedView, StridedViewMut};
/// let f: Vec<f64> = (0..300 * 400).map(|i| f64::from(i % 977).sqrt()).collect();
/// let input = StridedView::contiguous(&f, &[300, 400])?;
/// let (mut a, mut b) = (vec![0.0; f.len()], vec![0.0; f.len()]);
/// let (mut c, mut d) = (vec![0.0; f.len()], vec![0.0; f.len()]);
/// let shape = [300, 400];
/// gradient_parallel(&input, &mut [
///     StridedViewMut::contiguous(&mut a, &shape)?,
///     StridedViewMut::contiguous(&mut b, &shape)?,
/// ], &Options::new())?;
/// gradient(&input, &mut [
///     StridedViewMut::contiguous(&mut c, &shape)?,
///     StridedViewMut::contiguous(&mut d, &shape)?,
/// ], &Options::new())?;
/// assert!(a == c && b == d);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_parallel<T, F>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
) -> Result<(), GradientError>
where
    T: Sample<F> + Sync,
    F: Real + Send + Sync,
{
    run(input, outputs, options, PARALLEL_MIN_ELEMENTS, None)
}

/// [`gradient_parallel`] for the sample types of [`Value`] (complex numbers, datetime64 and
/// timedelta64 counts, float16): [`gradient_values`](crate::gradient_values) on rayon's current
/// thread pool, the slabs computed by [`WholeArray::gradient_values_block`]. The same checks in
/// the same order, the same results bit for bit, for any number of threads.
///
/// ```
/// use numgrad::{gradient_values, gradient_values_parallel, Options, StridedView, StridedViewMut, Timedelta64};
/// // Elapsed nanoseconds of 400 x 300 samples.
/// let f: Vec<Timedelta64> = (0..400 * 300).map(|i| Timedelta64(i * i % 1_000_003)).collect();
/// let shape = [400, 300];
/// let input = StridedView::contiguous(&f, &shape)?;
/// let (mut a, mut b) = (vec![Timedelta64(0); f.len()], vec![Timedelta64(0); f.len()]);
/// let options = Options::<f64>::new().axes(numgrad::Axes::One(0));
/// gradient_values_parallel(&input, &mut [StridedViewMut::contiguous(&mut a, &shape)?], &options)?;
/// gradient_values(&input, &mut [StridedViewMut::contiguous(&mut b, &shape)?], &options)?;
/// assert_eq!(a, b);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_values_parallel<V, F>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
) -> Result<(), GradientError>
where
    V: Value<F>,
    F: Precision,
{
    run_values(input, outputs, options, PARALLEL_MIN_ELEMENTS, None)
}

/// [`gradient_parallel`] with its threshold, and optionally its number of slabs, given.
pub(crate) fn run<T, F>(
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    options: &Options<'_, F>,
    min_elements: usize,
    slabs: Option<usize>,
) -> Result<(), GradientError>
where
    T: Sample<F> + Sync,
    F: Real + Send + Sync,
{
    let call = validate(input, outputs, options)?;
    let path = Path::detect();
    let serial = |outputs: &mut [StridedViewMut<'_, F>], call: &Validated<'_, F>| {
        let applied = execute(input, outputs, call, Kernel::Auto, path);
        debug_assert!(applied, "the automatic choice fits every layout");
    };
    let block =
        |whole: &WholeArray<'_, F>, starts: Starts<'_>, parts: &mut [StridedViewMut<'_, F>]| {
            whole.block_on(path, input, starts.window, starts.block, parts)
        };
    in_slabs(
        input.layout(),
        outputs,
        call,
        (min_elements, slabs),
        serial,
        block,
    );
    Ok(())
}

/// [`gradient_values_parallel`] with its threshold, and optionally its number of slabs, given.
pub(crate) fn run_values<V, F>(
    input: &StridedView<'_, V>,
    outputs: &mut [StridedViewMut<'_, V::Out>],
    options: &Options<'_, F>,
    min_elements: usize,
    slabs: Option<usize>,
) -> Result<(), GradientError>
where
    V: Value<F>,
    F: Precision,
{
    let call = validate(input, outputs, options)?;
    let serial = |outputs: &mut [StridedViewMut<'_, V::Out>], call: &Validated<'_, F>| {
        scalar::run::<V, F, Values>(input, outputs, call);
    };
    let block = |whole: &WholeArray<'_, F>,
                 starts: Starts<'_>,
                 parts: &mut [StridedViewMut<'_, V::Out>]| {
        whole.gradient_values_block(input, starts.window, starts.block, parts)
    };
    in_slabs(
        input.layout(),
        outputs,
        call,
        (min_elements, slabs),
        serial,
        block,
    );
    Ok(())
}

/// Where a slab's window and block start in the whole array: what a block call takes besides
/// the window and the outputs.
struct Starts<'s> {
    /// The window's first index: zero on every axis, the whole input being the window.
    window: &'s [usize],
    /// The slab's first index.
    block: &'s [usize],
}

/// A validated call on an input laid out as `layout`, into `outputs` (results `O`): `serial`
/// computes it on this thread; or, with enough elements and threads (`min_elements`), or a
/// given number of slabs, its outermost axis (largest input stride) is cut into slabs, each
/// computed on rayon's pool by `block(whole, starts, parts)`, `starts` where the window (the
/// whole input) and the slab start, `parts` the slab's part of every output. Both starts are
/// built here, once for every kind of sample.
fn in_slabs<'a, O, F>(
    layout: &Layout<'_>,
    outputs: &mut [StridedViewMut<'_, O>],
    call: Validated<'a, F>,
    (min_elements, slabs): (usize, Option<usize>),
    serial: impl FnOnce(&mut [StridedViewMut<'_, O>], &Validated<'a, F>),
    block: impl Fn(
        &WholeArray<'a, F>,
        Starts<'_>,
        &mut [StridedViewMut<'_, O>],
    ) -> Result<(), GradientError>
    + Sync,
) where
    O: Send + Sync,
    F: Precision,
{
    let count: usize = layout.shape().iter().product();
    let threads = rayon::current_num_threads();
    // The outermost axis: largest input stride among the axes longer than 1.
    let outer = (0..layout.rank())
        .filter(|&a| layout.len(a) > 1)
        .max_by_key(|&a| layout.stride(a).unsigned_abs());
    let wanted = slabs.is_some() || (threads > 1 && count >= min_elements);
    let (Some(outer), true) = (outer, wanted) else {
        serial(outputs, &call);
        return;
    };
    let n = layout.len(outer);
    // At least a quarter of the threshold a slab, at most SLABS_PER_THREAD a thread.
    let by_size = count.checked_div(min_elements / 4).unwrap_or(count).max(1);
    let slabs = slabs
        .unwrap_or((threads * SLABS_PER_THREAD).min(by_size))
        .clamp(1, n);
    let whole = WholeArray::from_validated(call);
    // Each output's strides, once: every slab's part of an output shares them.
    let mut strides = Vec::with_capacity(outputs.len());
    for output in outputs.iter() {
        let mut s = [0isize; MAX_RANK];
        output.layout().strides_into(&mut s);
        strides.push(s);
    }
    let outputs: &[StridedViewMut<'_, O>] = outputs;
    let rank = layout.rank();
    let zeros = [0usize; MAX_RANK];
    (0..slabs).into_par_iter().for_each(|s| {
        let (start, end) = (s * n / slabs, (s + 1) * n / slabs);
        let mut at = [0usize; MAX_RANK];
        at[outer] = start;
        let mut lens = [0usize; MAX_RANK];
        lens[..rank].copy_from_slice(layout.shape());
        lens[outer] = end - start;
        let mut parts: Vec<StridedViewMut<'_, O>> = outputs
            .iter()
            .zip(&strides)
            .map(|(output, strides)| {
                let part = output
                    .layout()
                    .part(&at[..rank], &lens[..rank], &strides[..rank]);
                // SAFETY: `part` is the slab `start..end` of the outermost axis of a validated,
                // non-overlapping output; the slabs of this loop are disjoint ranges of that
                // axis, so no two tasks (and nothing else, the outputs being borrowed mutably
                // for the call) access the same element.
                unsafe { output.part_of(part) }
            })
            .collect();
        let starts = Starts {
            window: &zeros[..rank],
            block: &at[..rank],
        };
        let done = block(&whole, starts, &mut parts);
        debug_assert_eq!(done, Ok(()), "a slab of a validated call is a valid block");
    });
}
