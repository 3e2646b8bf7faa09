//! The state of a stream: the last three frames and their stamps, and the state machine that
//! decides which outputs a new frame determines.

use super::clock::Clock;
use crate::GradientError;
use crate::element::{Real, Sample};
use crate::options::EdgeOrder;

/// The gradient frames one pushed frame determined: none, one, or (the frame that completes
/// the first point of a second-order stream) two. Frames are in series order.
///
/// ```
/// use numgrad::{EdgeOrder, GradientStream};
/// // A second-order stream needs three frames, which then settle the first two points.
/// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::Second);
/// assert!(stream.push([1.0]).is_empty());
/// assert!(stream.push([2.0]).is_empty());
/// assert_eq!(stream.push([4.0]).as_slice(), [[0.5], [1.5]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Emitted<F, const C: usize> {
    frames: [[F; C]; 2],
    len: u8,
}

impl<F: Real, const C: usize> Emitted<F, C> {
    fn none() -> Self {
        Self {
            frames: [[F::zero(); C]; 2],
            len: 0,
        }
    }

    fn put(&mut self, frame: [F; C]) {
        if let Some(slot) = self.frames.get_mut(usize::from(self.len)) {
            *slot = frame;
            self.len += 1;
        }
    }
}

impl<F, const C: usize> Emitted<F, C> {
    /// The emitted gradient frames, in series order: one value per channel each.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let mut stream = GradientStream::<f64, 2>::new(1.0, EdgeOrder::First);
    /// stream.push([1.0, 10.0]);
    /// assert_eq!(stream.push([2.0, 30.0]).as_slice(), [[1.0, 20.0]]);
    /// ```
    pub fn as_slice(&self) -> &[[F; C]] {
        self.frames.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Number of emitted frames (0, 1 or 2).
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::Second);
    /// let lens: Vec<usize> = [1.0, 2.0, 4.0, 7.0].iter().map(|&v| stream.push([v]).len()).collect();
    /// assert_eq!(lens, [0, 0, 2, 1]);
    /// ```
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the pushed frame determined no output yet.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, GradientStream};
    /// let mut stream = GradientStream::<f64>::new(1.0, EdgeOrder::First);
    /// assert!(stream.push([1.0]).is_empty()); // one frame settles nothing
    /// assert!(!stream.push([2.0]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<'a, F, const C: usize> IntoIterator for &'a Emitted<F, C> {
    type Item = &'a [F; C];
    type IntoIter = core::slice::Iter<'a, [F; C]>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// A stream of `C`-channel frames spaced by the clock `K`.
#[derive(Clone, Debug)]
pub(crate) struct Engine<F: Real, K: Clock<F>, const C: usize> {
    clock: K,
    /// The last three frames, oldest first; the newest `seen` of them are valid.
    frames: [[F; C]; 3],
    /// Their stamps.
    stamps: [K::Stamp; 3],
    /// Frames pushed since the start of the series, counted up to 3: all the state machine
    /// needs, so a stream runs forever without a counter to overflow.
    seen: u8,
    edge_order: EdgeOrder,
}

impl<F: Real, K: Clock<F>, const C: usize> Engine<F, K, C> {
    pub(crate) fn new(clock: K, edge_order: EdgeOrder) -> Self {
        const { assert!(C > 0, "a stream has at least one channel") };
        Self {
            clock,
            frames: [[F::zero(); C]; 3],
            stamps: [K::Stamp::default(); 3],
            seen: 0,
            edge_order,
        }
    }

    pub(crate) fn clock(&self) -> &K {
        &self.clock
    }

    pub(crate) fn edge_order(&self) -> EdgeOrder {
        self.edge_order
    }

    /// Frames pushed since the start of the series, counted up to 3.
    pub(crate) fn seen(&self) -> usize {
        usize::from(self.seen)
    }

    /// Forgets the series: the next frame starts a new one.
    pub(crate) fn reset(&mut self) {
        self.seen = 0;
    }

    /// Appends a frame to the history without emitting anything.
    #[inline]
    fn shift(&mut self, frame: [F; C], stamp: K::Stamp) {
        let [_, f1, f2] = self.frames;
        self.frames = [f1, f2, frame];
        let [_, t1, t2] = self.stamps;
        self.stamps = [t1, t2, stamp];
        self.seen = self.seen.saturating_add(1).min(3);
    }

    /// Pushes one frame; returns the outputs it determined.
    ///
    /// Frame `k` of the series (from 0) determines the output of frame `k - 1` (interior, or
    /// the first point of a first-order stream at `k = 1`); a second-order stream's frame 2
    /// determines outputs 0 and 1; frames 0 (and 1 for second order) determine nothing.
    pub(crate) fn push_frame(&mut self, frame: [F; C], t: K::Stamp) -> Emitted<F, C> {
        let mut emitted = Emitted::none();
        let [_, f1, f2] = &self.frames;
        let [_, t1, t2] = self.stamps;
        let (f, ts) = ([f1, f2, &frame], [t1, t2, t]);
        match (self.edge_order, self.seen) {
            (_, 0) | (EdgeOrder::Second, 1) => {}
            (EdgeOrder::First, 1) => emitted.put(self.clock.first_order_edge(f2, &frame, t2, t)),
            (EdgeOrder::Second, 2) => {
                let first = self.clock.weighted_edge(self.clock.first_weights(ts), f);
                emitted.put(first);
                emitted.put(self.clock.interior(f, ts));
            }
            _ => emitted.put(self.clock.interior(f, ts)),
        }
        self.shift(frame, t);
        emitted
    }

    /// The output of the last frame; resets the stream. Fails, changing nothing, if the series
    /// is shorter than `edge_order + 1` frames.
    pub(crate) fn finish(&mut self) -> Result<[F; C], GradientError> {
        let min = self.edge_order.min_len();
        if self.seen() < min {
            return Err(GradientError::AxisTooShort {
                axis: 0,
                len: self.seen(),
                min,
            });
        }
        let [f0, f1, f2] = &self.frames;
        let [t0, t1, t2] = self.stamps;
        let last = match self.edge_order {
            EdgeOrder::First => self.clock.first_order_edge(f1, f2, t1, t2),
            EdgeOrder::Second => self
                .clock
                .weighted_edge(self.clock.last_weights([t0, t1, t2]), [f0, f1, f2]),
        };
        self.reset();
        Ok(last)
    }

    /// Pushes a block of interleaved frames stamped `stamps`, writing the outputs it determined
    /// to the front of `out`; returns how many values were written (a multiple of `C`, at most
    /// `input.len() + C`).
    ///
    /// The caller has run [`check_block`]: `input` is whole frames, `stamps` has one per frame,
    /// and `out` has room for `input.len() + C` values.
    pub(crate) fn push_block<T: Sample<F>>(
        &mut self,
        input: &[T],
        stamps: K::Stamps<'_>,
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        let m = input.len() / C;
        let mut w = 0;
        let mut put = |out: &mut [F], frame: &[F; C]| {
            // Not `copy_from_slice`: its length check stays a panic path at opt-level `z`.
            if let Some(slot) = out.get_mut(w..).and_then(<[F]>::first_chunk_mut::<C>) {
                *slot = *frame;
            }
            w += C;
        };
        // Scalar head: frames whose outputs need the history, or that start the series.
        let mut j = 0;
        while j < m && (self.seen() < self.edge_order.min_len() || j < 2) {
            let emitted = self.push_frame(frame_at(input, j), K::stamp(stamps, j));
            for frame in &emitted {
                put(out, frame);
            }
            j += 1;
        }
        if j < m {
            // Steady state from frame j - 1 on: each frame's output is interior and reads
            // only frames of this block (j >= 2), up to frame m - 2.
            let count = (m - j) * C;
            if let Some(slot) = out.get_mut(w..w + count) {
                self.clock.block::<T, C>(input, stamps, j - 1, m - 1, slot);
            }
            w += count;
            for k in j.max(m.saturating_sub(3))..m {
                self.shift(frame_at(input, k), K::stamp(stamps, k));
            }
        }
        Ok(w)
    }
}

/// Checks, in this order, a block of `len` values for a stream of `C` channels: whole frames;
/// one timestamp per frame (when the stream is timed: `stamps` is their count); unless the
/// block is empty (a no-op, which needs no room), an output of `out_len` values with room for
/// `len + C`. Returns the number of frames.
pub(crate) fn check_block<const C: usize>(
    len: usize,
    stamps: Option<usize>,
    out_len: usize,
) -> Result<usize, GradientError> {
    if !len.is_multiple_of(C) {
        return Err(GradientError::PartialFrame { len, channels: C });
    }
    let frames = len / C;
    if let Some(got) = stamps
        && got != frames
    {
        return Err(GradientError::TimestampCount { frames, got });
    }
    let needed = len.saturating_add(C);
    if frames > 0 && out_len < needed {
        return Err(GradientError::OutputTooSmall {
            needed,
            got: out_len,
        });
    }
    Ok(frames)
}

/// Frame `j` of an interleaved block, in `F`.
#[inline]
fn frame_at<T: Sample<F>, F: Real, const C: usize>(input: &[T], j: usize) -> [F; C] {
    let frame = input.get(j * C..).unwrap_or(&[]);
    core::array::from_fn(|c| frame.get(c).map_or_else(F::nan, |v| v.to_real()))
}
