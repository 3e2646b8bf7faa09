//! Streaming gradients: numpy's gradient of a whole series, delivered as the samples arrive.
//!
//! The public documentation is on [`GradientStream`] (frames, latency, the output bound,
//! channels, memory, samples) and [`TimedGradientStream`] (timestamps, and what a stream does
//! where numpy would reduce evenly spaced coordinates).
//!
//! Layout: `engine` holds the state (the last three frames and stamps) and the state machine
//! for the first point; `clock` evaluates numpy's formulas from `stencil.rs` for a uniform step
//! or a timestamp per frame; `block` is the SIMD block path for the interior of a block.

mod block;
mod clock;
mod engine;

pub use crate::spacing::Timestamp;
pub use engine::Emitted;

pub(crate) use clock::{Clock, FixedStep, Stamped};
pub(crate) use engine::{Engine, check_block};

use crate::GradientError;
use crate::element::{Real, Sample};
use crate::options::EdgeOrder;

/// A streaming gradient of `C` interleaved channels sampled `h` apart: numpy's uniform
/// formulas, bit for bit equal to [`gradient_1d`](crate::gradient_1d) with
/// `AxisSpacing::Uniform(h)` on each channel of the whole series.
///
/// A stream is a fixed-size value (no heap, no buffer of the series) that takes frames — one
/// value per channel, channels interleaved as an IMU or a multiplexed ADC delivers them
/// (`x y z x y z …`) — one at a time ([`push`](Self::push)) or a block at a time
/// ([`push_block`](Self::push_block), e.g. a DMA half-buffer), and emits each gradient value
/// as soon as it is determined. The concatenation of everything it emits, then the frame
/// returned by [`finish`](Self::finish), is bit for bit what `gradient_1d` computes on each
/// channel of the whole series, however the series was cut into blocks (a NaN where it gives
/// a NaN: the sign and payload of a NaN are unspecified, see the crate documentation).
/// [`TimedGradientStream`] is the same with a timestamp per frame.
///
/// # When outputs come out
///
/// Frame `k` (from 0) determines the gradient of frame `k - 1`: one frame of latency inside
/// the series. At the start, a first-order stream emits nothing for frame 0; a second-order
/// stream emits nothing for frames 0 and 1, then the gradients of frames 0 and 1 together for
/// frame 2. The gradient of the last frame, which needs to know that it is the last, comes
/// from `finish`, which also resets the stream for a new series.
///
/// So a block of `n` values writes at most `n + C` values (at most `n` for a first-order
/// stream). `push_block` requires an output with room for `n + C`
/// ([`max_output_len`](Self::max_output_len)) on every call with a non-empty block, whatever
/// the call actually writes, so that a buffer that is too small fails on the first call, not
/// on the one block alignment that needs the extra frame (an empty block writes nothing and
/// needs no room). It returns how many values it wrote, always whole
/// frames, at the front of the output; the rest of the output is untouched.
///
/// # Channels and memory
///
/// The channel count `C` is a const generic: the state is exactly three frames of `C` floats,
/// three timestamps (none here), the step and its divisor, the edge order and a counter up to
/// 3 — fixed at compile time, sized exactly for the sensor, with no maximum to pick and no
/// wrong-channel-count error at run time (a block that is not whole frames is the one such
/// error). `core::mem::size_of` gives the exact RAM (`docs/stream.md` lists it: 56 bytes for
/// three `f32` channels). The block path runs on SIMD lanes across channels and frames alike.
///
/// # Samples
///
/// Any [`Sample`] type (`i16`, `u16`, `i32` ADC counts, …, or the float itself) is converted to
/// `F` on the way in, exactly as the batch API does, inside the SIMD loads of the block path.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder, GradientStream};
/// // Two channels, interleaved, i16 ADC counts sampled every 0.5 ms.
/// let series: [i16; 12] = [0, 100, 3, 98, 9, 95, 18, 90, 30, 84, 45, 77];
/// let mut stream = GradientStream::<f32, 2>::new(0.0005, EdgeOrder::Second);
/// let mut out = [0.0f32; 12 + 2];
/// let mut written = 0;
/// for block in series.chunks(4) {
///     // A block of 4 values may write up to 4 + 2.
///     let mut room = [0.0f32; 6];
///     let n = stream.push_block(block, &mut room)?;
///     out[written..written + n].copy_from_slice(&room[..n]);
///     written += n;
/// }
/// out[written..written + 2].copy_from_slice(&stream.finish()?);
///
/// // The same numbers as the batch gradient of each channel.
/// for c in 0..2 {
///     let channel: Vec<i16> = series.iter().skip(c).step_by(2).copied().collect();
///     let mut batch = [0.0f32; 6];
///     gradient_1d(&channel, &mut batch, AxisSpacing::Uniform(0.0005), EdgeOrder::Second)?;
///     let streamed: Vec<f32> = out[..12].iter().skip(c).step_by(2).copied().collect();
///     assert_eq!(streamed, batch);
/// }
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Debug)]
pub struct GradientStream<F: Real, const C: usize = 1> {
    engine: Engine<F, FixedStep<F>, C>,
}

impl<F: Real, const C: usize> GradientStream<F, C> {
    /// A stream of frames `h` apart, with edges of `edge_order`.
    ///
    /// `C = 0` does not compile.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// // Three channels (an accelerometer's x, y, z) sampled every 10 ms.
    /// let stream = GradientStream::<f32, 3>::new(0.01, EdgeOrder::First);
    /// assert_eq!(core::mem::size_of_val(&stream), 56);
    /// ```
    pub fn new(h: F, edge_order: EdgeOrder) -> Self {
        Self {
            engine: Engine::new(FixedStep::new(h), edge_order),
        }
    }

    /// The spacing `h`.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// assert_eq!(GradientStream::<f32>::new(0.01, EdgeOrder::First).spacing(), 0.01);
    /// ```
    pub fn spacing(&self) -> F {
        self.engine.clock().h()
    }

    /// The edge order.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let stream = GradientStream::<f64>::new(1.0, EdgeOrder::Second);
    /// assert_eq!(stream.edge_order(), EdgeOrder::Second);
    /// ```
    pub fn edge_order(&self) -> EdgeOrder {
        self.engine.edge_order()
    }

    /// The most values a block of `input_len` values may write: `input_len + C`, the room
    /// [`push_block`](Self::push_block) requires.
    ///
    /// ```
    /// use numgrad::GradientStream;
    /// // A DMA half-buffer of 32 frames of 3 channels.
    /// assert_eq!(GradientStream::<f32, 3>::max_output_len(96), 99);
    /// ```
    pub const fn max_output_len(input_len: usize) -> usize {
        input_len.saturating_add(C)
    }

    /// Pushes one frame (one sample per channel); returns the gradient frames it determined.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::First);
    /// let mut out = Vec::new();
    /// for v in [1.0, 2.0, 4.0, 7.0, 11.0] {
    ///     for frame in &stream.push([v]) {
    ///         out.push(frame[0]);
    ///     }
    /// }
    /// assert_eq!(out, [1.0, 1.5, 2.5, 3.5]); // one frame behind
    /// assert_eq!(stream.finish()?, [4.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn push<T: Sample<F>>(&mut self, frame: [T; C]) -> Emitted<F, C> {
        self.engine.push_frame(frame.map(Sample::to_real), ())
    }

    /// Pushes a block of interleaved frames (`input.len()` a multiple of `C`), writing the
    /// gradient values it determined to the front of `out`; returns how many it wrote (a
    /// multiple of `C`).
    ///
    /// An empty block (a DMA callback may deliver one) is a no-op: it returns `Ok(0)`, writes
    /// nothing and leaves the stream as it was, whatever the length of `out` (even empty).
    ///
    /// Errors, checked in this order before anything changes (stream and `out` untouched):
    /// [`PartialFrame`](GradientError::PartialFrame) if `input` is not whole frames;
    /// [`OutputTooSmall`](GradientError::OutputTooSmall) if `input` is not empty and `out` has
    /// room for fewer than `input.len() + C` values.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientError, GradientStream};
    /// // Two channels; frames (1, 10), (2, 20), (4, 40).
    /// let mut stream = GradientStream::<f64, 2>::new(1.0, EdgeOrder::First);
    /// let mut out = [0.0; 8];
    /// let n = stream.push_block(&[1.0, 10.0, 2.0, 20.0, 4.0, 40.0], &mut out)?;
    /// assert_eq!(out[..n], [1.0, 10.0, 1.5, 15.0]);
    /// assert_eq!(stream.finish()?, [2.0, 20.0]);
    /// // Room for the block plus one frame is required, whatever the call writes.
    /// assert_eq!(
    ///     stream.push_block(&[1.0, 10.0], &mut out[..3]),
    ///     Err(GradientError::OutputTooSmall { needed: 4, got: 3 })
    /// );
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn push_block<T: Sample<F>>(
        &mut self,
        input: &[T],
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        check_block::<C>(input.len(), None, out.len())?;
        self.engine.push_block(input, (), out)
    }

    /// Ends the series: returns the gradient of its last frame and resets the stream.
    ///
    /// Fails with [`AxisTooShort`](GradientError::AxisTooShort) (as `gradient_1d` would), the
    /// stream unchanged, if fewer than `edge_order + 1` frames were pushed.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientError, GradientStream};
    /// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::Second);
    /// stream.push([1.0]);
    /// stream.push([2.0]);
    /// // Two frames are too few for second-order edges; the stream keeps them.
    /// assert_eq!(stream.finish(), Err(GradientError::AxisTooShort { axis: 0, len: 2, min: 3 }));
    /// stream.push([4.0]);
    /// assert_eq!(stream.finish()?, [2.5]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn finish(&mut self) -> Result<[F; C], GradientError> {
        self.engine.finish()
    }

    /// Forgets the series pushed so far; the next frame starts a new one.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::First);
    /// stream.push([100.0]);
    /// stream.reset(); // the next frame starts a new series
    /// stream.push([1.0]);
    /// assert_eq!(stream.push([2.0]).as_slice(), [[1.0]]);
    /// ```
    pub fn reset(&mut self) {
        self.engine.reset();
    }
}

/// A streaming gradient of `C` interleaved channels with a timestamp per frame, of type `X`:
/// numpy's non-uniform formulas, bit for bit equal to [`gradient_1d`](crate::gradient_1d) on
/// each channel of the whole series with the batch mode of the same timestamps. Frames,
/// latency, the output bound and memory are as for [`GradientStream`] (see its
/// [documentation](GradientStream#when-outputs-come-out)).
///
/// # Timestamps
///
/// | `X` | step between frames | batch equivalent |
/// | --- | --- | --- |
/// | `F` (`f32` for an `f32` stream, `f64` for `f64`) | `t[k+1] - t[k]` | `AxisSpacing::UnreducedCoordinates(&t)` |
/// | `u32` (free-running timer) | `t[k+1].wrapping_sub(t[k])` as `F` | `AxisSpacing::Ticks32(&t)` |
/// | `u64` | `t[k+1].wrapping_sub(t[k])` as `F` | `AxisSpacing::Ticks64(&t)` |
///
/// Wrapping subtraction makes a timer that wraps around mid-series change nothing. Gradients
/// are per unit of the timestamps (per tick for a timer).
///
/// # Evenly spaced timestamps
///
/// numpy reduces coordinates whose steps are *all exactly equal* to a scalar spacing and then
/// uses its uniform formulas. A stream cannot know that in advance (the next timestamp may
/// break the pattern), so a timed stream never reduces: it computes numpy's non-uniform
/// formulas at every point. Its results therefore equal `numpy.gradient(f, t)` bit for bit
/// (NaN where numpy gives NaN, sign and payload unspecified) whenever at least two steps of the series differ — the normal case for a real clock with
/// jitter — and, when every step is exactly equal, differ from numpy's uniform formula by
/// rounding only (both evaluate the same exact expression; the non-uniform weights round
/// differently, by a few ulp). If the spacing is known to be exact, use [`GradientStream`]
/// with `h = t[1] - t[0]`: that is numpy's result bit for bit. For ticks, numpy's
/// `gradient(f, x)` with the unwrapped tick counts `x` gives the same bits when the counts
/// are exact in `F` and not evenly spaced.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder, TimedGradientStream};
/// // A 1 MHz timer that wraps between the third and fourth sample.
/// let ticks: [u32; 5] = [u32::MAX - 2_500, u32::MAX - 1_490, u32::MAX - 480, 520, 1_540];
/// let counts: [u16; 5] = [2000, 2010, 2025, 2045, 2070];
/// let mut stream = TimedGradientStream::<f64, u32>::new(EdgeOrder::First);
/// let mut out = Vec::new();
/// for (&f, &t) in counts.iter().zip(&ticks) {
///     for frame in &stream.push([f], t) {
///         out.push(frame[0]);
///     }
/// }
/// out.push(stream.finish()?[0]);
///
/// let mut batch = [0.0; 5];
/// gradient_1d(&counts, &mut batch, AxisSpacing::Ticks32(&ticks), EdgeOrder::First)?;
/// assert_eq!(out, batch);
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TimedGradientStream<F: Real, X: Timestamp<F>, const C: usize = 1> {
    engine: Engine<F, Stamped<X>, C>,
}

impl<F: Real, X: Timestamp<F>, const C: usize> TimedGradientStream<F, X, C> {
    /// A stream with edges of `edge_order`.
    ///
    /// `C = 0` does not compile.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, TimedGradientStream};
    /// // Three channels stamped by a free-running 32-bit timer.
    /// let stream = TimedGradientStream::<f32, u32, 3>::new(EdgeOrder::First);
    /// assert_eq!(core::mem::size_of_val(&stream), 52);
    /// ```
    pub fn new(edge_order: EdgeOrder) -> Self {
        Self {
            engine: Engine::new(Stamped::default(), edge_order),
        }
    }

    /// The edge order.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, TimedGradientStream};
    /// let stream = TimedGradientStream::<f64, f64>::new(EdgeOrder::Second);
    /// assert_eq!(stream.edge_order(), EdgeOrder::Second);
    /// ```
    pub fn edge_order(&self) -> EdgeOrder {
        self.engine.edge_order()
    }

    /// The most values a block of `input_len` values may write: `input_len + C`, the room
    /// [`push_block`](Self::push_block) requires.
    ///
    /// ```
    /// use numgrad::TimedGradientStream;
    /// assert_eq!(TimedGradientStream::<f32, u32, 3>::max_output_len(96), 99);
    /// ```
    pub const fn max_output_len(input_len: usize) -> usize {
        input_len.saturating_add(C)
    }

    /// Pushes one frame (one sample per channel) taken at time `t`; returns the gradient
    /// frames it determined.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, TimedGradientStream};
    /// // Coordinates in seconds, 0.5 s apart.
    /// let mut stream = TimedGradientStream::<f64, f64>::new(EdgeOrder::First);
    /// assert!(stream.push([3.0], 0.0).is_empty());
    /// assert_eq!(stream.push([4.0], 0.5).as_slice(), [[2.0]]);
    /// assert_eq!(stream.finish()?, [2.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn push<T: Sample<F>>(&mut self, frame: [T; C], t: X) -> Emitted<F, C> {
        self.engine.push_frame(frame.map(Sample::to_real), t)
    }

    /// Pushes a block of interleaved frames (`input.len()` a multiple of `C`) with one
    /// timestamp per frame, writing the gradient values it determined to the front of `out`;
    /// returns how many it wrote (a multiple of `C`).
    ///
    /// An empty block with no timestamps (a DMA callback may deliver one) is a no-op: it
    /// returns `Ok(0)`, writes nothing and leaves the stream as it was, whatever the length of
    /// `out` (even empty).
    ///
    /// Errors, checked in this order before anything changes (stream and `out` untouched):
    /// [`PartialFrame`](GradientError::PartialFrame) if `input` is not whole frames;
    /// [`TimestampCount`](GradientError::TimestampCount) if `timestamps` does not hold one
    /// per frame (an empty block with timestamps included);
    /// [`OutputTooSmall`](GradientError::OutputTooSmall) if `input` is not empty and `out` has
    /// room for fewer than `input.len() + C` values.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientError, TimedGradientStream};
    /// let mut stream = TimedGradientStream::<f64, u64>::new(EdgeOrder::First);
    /// let mut out = [0.0; 4];
    /// let n = stream.push_block(&[0.0, 10.0, 30.0], &[0, 10, 20], &mut out)?;
    /// assert_eq!(out[..n], [1.0, 1.5]);
    /// // One timestamp per frame, or the call changes nothing.
    /// assert_eq!(
    ///     stream.push_block(&[40.0], &[], &mut out),
    ///     Err(GradientError::TimestampCount { frames: 1, got: 0 })
    /// );
    /// assert_eq!(stream.finish()?, [2.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn push_block<T: Sample<F>>(
        &mut self,
        input: &[T],
        timestamps: &[X],
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        check_block::<C>(input.len(), Some(timestamps.len()), out.len())?;
        self.engine.push_block(input, timestamps, out)
    }

    /// Ends the series: returns the gradient of its last frame and resets the stream.
    ///
    /// Fails with [`AxisTooShort`](GradientError::AxisTooShort) (as `gradient_1d` would), the
    /// stream unchanged, if fewer than `edge_order + 1` frames were pushed.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientError, TimedGradientStream};
    /// let mut stream = TimedGradientStream::<f32, u32>::new(EdgeOrder::First);
    /// stream.push([5.0f32], 1000);
    /// assert_eq!(stream.finish(), Err(GradientError::AxisTooShort { axis: 0, len: 1, min: 2 }));
    /// stream.push([9.0f32], 1002);
    /// assert_eq!(stream.finish()?, [2.0]);
    /// # Ok::<(), numgrad::GradientError>(())
    /// ```
    pub fn finish(&mut self) -> Result<[F; C], GradientError> {
        self.engine.finish()
    }

    /// Forgets the series pushed so far; the next frame starts a new one.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, TimedGradientStream};
    /// let mut stream = TimedGradientStream::<f64, u32>::new(EdgeOrder::First);
    /// stream.push([100.0], 7);
    /// stream.reset(); // the next frame starts a new series
    /// stream.push([1.0], 0);
    /// assert_eq!(stream.push([2.0], 4).as_slice(), [[0.25]]);
    /// ```
    pub fn reset(&mut self) {
        self.engine.reset();
    }
}

// docs/stream.md's example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../docs/stream.md")]
struct StreamDocDoctests;
