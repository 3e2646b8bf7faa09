//! In-place 1-D gradient: a buffer replaced by its gradient, with O(1) extra memory.
//!
//! The gradient of point `i` reads points `i - 1 ..= i + 1`, so a left-to-right pass may
//! overwrite point `i - 1` once point `i + 1` has been read. The pass is a stream (the same
//! state machine and block path as [`GradientStream`](crate::GradientStream)) fed with chunks
//! of the buffer: the outputs of a chunk are the gradients of points the stream has already
//! read and copied into its three-frame history, so they are written back behind the chunk.

use crate::GradientError;
use crate::element::Real;
use crate::options::EdgeOrder;
use crate::spacing::{AxisSpacing, Grid, Steps};
use crate::stream::{Clock, Engine, FixedStep, Stamped, Timestamp, check_block};

/// Points per chunk: the outputs of one chunk go through a stack buffer of `CHUNK + 1` floats.
const CHUNK: usize = 64;

/// Replaces `data` by its gradient: bit for bit what [`gradient_1d`](crate::gradient_1d)
/// writes for the same series, spacing and edge order (numpy's reduction of evenly spaced
/// [`AxisSpacing::Coordinates`] included; NaN where it is NaN, sign and payload unspecified).
///
/// Extra memory is fixed: a 65-float stack buffer and the stream's three-point history. Every
/// check runs before the first write, with `gradient_1d`'s errors: on error `data` is
/// untouched.
///
/// ```
/// use numgrad::{gradient_1d, gradient_1d_in_place, AxisSpacing, EdgeOrder};
/// let series = [1.0f32, 2.0, 4.0, 7.0, 11.0, 16.0];
/// let mut expected = [0.0f32; 6];
/// gradient_1d(&series, &mut expected, AxisSpacing::Uniform(0.5), EdgeOrder::Second)?;
///
/// let mut buffer = series;
/// gradient_1d_in_place(&mut buffer, AxisSpacing::Uniform(0.5), EdgeOrder::Second)?;
/// assert_eq!(buffer, expected);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
pub fn gradient_1d_in_place<F: Real>(
    data: &mut [F],
    spacing: AxisSpacing<'_, F>,
    edge_order: EdgeOrder,
) -> Result<(), GradientError> {
    let n = data.len();
    match Grid::resolve(spacing, 0, n, edge_order.min_len())? {
        Grid::Even(h) => pass(data, Engine::new(FixedStep::new(h), edge_order), |_| ()),
        Grid::Uneven(Steps::Coordinates(x)) => stamped(data, x, edge_order),
        Grid::Uneven(Steps::Ticks32(t)) => stamped(data, t, edge_order),
        Grid::Uneven(Steps::Ticks64(t)) => stamped(data, t, edge_order),
    }
}

/// The pass for a timestamp per point.
fn stamped<F: Real, X: Timestamp<F>>(
    data: &mut [F],
    x: &[X],
    edge_order: EdgeOrder,
) -> Result<(), GradientError> {
    let engine = Engine::<F, Stamped<X>, 1>::new(Stamped::default(), edge_order);
    pass(data, engine, |range| x.get(range).unwrap_or(&[]))
}

/// Streams `data` through `engine` a chunk at a time, writing each chunk's outputs back behind
/// it; `stamps` gives the stamps of a range of points. `data` is at least as long as the edge
/// order needs (checked by the caller), so no step can fail.
fn pass<'x, F: Real, K: Clock<F> + 'x>(
    data: &mut [F],
    mut engine: Engine<F, K, 1>,
    stamps: impl Fn(core::ops::Range<usize>) -> K::Stamps<'x>,
) -> Result<(), GradientError> {
    let n = data.len();
    let mut room = [F::zero(); CHUNK + 1];
    let (mut read, mut written) = (0, 0);
    while read < n {
        let end = n.min(read + CHUNK);
        let chunk = data.get(read..end).unwrap_or(&[]);
        // The chunk's outputs are for points below `end - 1`, all already read: writing them
        // back cannot clobber a point the stream still has to read.
        check_block::<1>(chunk.len(), None, room.len())?;
        let w = engine.push_block(chunk, stamps(read..end), &mut room)?;
        // Not `copy_from_slice`: its length check stays a panic path at opt-level `z`.
        if let (Some(dst), Some(src)) = (data.get_mut(written..written + w), room.get(..w)) {
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = s;
            }
        }
        written += w;
        read = end;
    }
    let [last] = engine.finish()?;
    if let Some(slot) = data.get_mut(written) {
        *slot = last;
    }
    Ok(())
}
