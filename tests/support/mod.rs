//! Tools the tests and the fuzz targets share, written once: bit equality, the pool of special
//! floats, the `f64` -> float conversion of generated values, the element positions of a
//! strided view, output views from raw pointers, and one interface over the two stream types.
//!
//! Included as a module (`mod support;` in `tests/`, `#[path = "../../tests/support/mod.rs"]`
//! from `fuzz/`); each user takes only what it needs.
#![allow(dead_code)]

use std::mem::MaybeUninit;
use std::ops::Range;

use numgrad::{
    AxisSpacing, EdgeOrder, Emitted, GradientError, GradientStream, Real, Sample, StridedViewMut,
    TimedGradientStream, Timestamp, gradient_1d,
};

/// Bit equality for either float type: equal non-NaN values of the same sign have equal bits,
/// and any NaN matches any NaN (IEEE does not specify which payload an operation returns).
pub fn same<F: numgrad::Precision>(x: F, y: F) -> bool {
    (x == y && x.is_sign_negative() == y.is_sign_negative()) || (x.is_nan() && y.is_nan())
}

/// The values that decide bits, in this order in every pool built on them: zeros of both
/// signs, infinities, NaN, the smallest subnormal.
pub const SPECIALS: [f64; 6] = [
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324,
];

/// A pool of [`SPECIALS`] followed by `more` (a user's own huge, tiny or ordinary values).
pub fn specials_and(more: &[f64]) -> Vec<f64> {
    SPECIALS.iter().chain(more).copied().collect()
}

/// The float types, built from the `f64` values the generators produce (`f32` rounds to
/// nearest, as numpy's `astype(np.float32)`).
pub trait Float: Real {
    /// `x` in this type.
    fn of(x: f64) -> Self;
}

impl Float for f64 {
    fn of(x: f64) -> Self {
        x
    }
}

impl Float for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
}

/// One output view from a raw pointer over each buffer, of `shape` and `strides`: the elements
/// it reaches are written only through it, the others (uninitialised, say) never touched.
///
/// # Safety
/// Every element the layout reaches, from each buffer's start, lies inside that buffer.
pub unsafe fn raw_outputs<'a, O>(
    buffers: &'a mut [Vec<MaybeUninit<O>>],
    shape: &'a [usize],
    strides: &'a [isize],
) -> Vec<StridedViewMut<'a, O>> {
    buffers
        .iter_mut()
        .map(|b| {
            // SAFETY: the caller's contract; each buffer is borrowed mutably for `'a`, so
            // nothing else reaches it while its view lives.
            unsafe { StridedViewMut::from_raw_parts(b.as_mut_ptr().cast(), shape, strides) }
                .expect("a valid output layout")
        })
        .collect()
}

/// Element positions a view reaches, in C order of its indices.
pub fn positions(offset: usize, shape: &[usize], strides: &[isize]) -> Vec<usize> {
    let count: usize = shape.iter().product();
    let mut out = Vec::with_capacity(count);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..count {
        let at = offset as isize
            + idx
                .iter()
                .zip(strides)
                .map(|(&i, &s)| i as isize * s)
                .sum::<isize>();
        out.push(usize::try_from(at).unwrap());
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

/// The stream under test, whatever its spacing: `frames` are the indices of the frames in
/// `input` (a timed stream takes their timestamps), `j` the index of a single frame.
pub trait Under<F: Float, T, const C: usize> {
    fn block(
        &mut self,
        input: &[T],
        frames: Range<usize>,
        out: &mut [F],
    ) -> Result<usize, GradientError>;
    fn frame(&mut self, frame: [T; C], j: usize) -> Emitted<F, C>;
    fn finish(&mut self) -> Result<[F; C], GradientError>;
}

/// A uniformly spaced stream.
pub struct Uni<F: Real, const C: usize>(pub GradientStream<F, C>);

impl<F: Float, T: Sample<F>, const C: usize> Under<F, T, C> for Uni<F, C> {
    fn block(
        &mut self,
        input: &[T],
        _: Range<usize>,
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        self.0.push_block(input, out)
    }
    fn frame(&mut self, frame: [T; C], _: usize) -> Emitted<F, C> {
        self.0.push(frame)
    }
    fn finish(&mut self) -> Result<[F; C], GradientError> {
        self.0.finish()
    }
}

/// A timed stream and the timestamps of the whole series.
pub struct Timed<F: Real, X: Timestamp<F>, const C: usize>(
    pub TimedGradientStream<F, X, C>,
    pub Vec<X>,
);

impl<F: Float, X: Timestamp<F>, T: Sample<F>, const C: usize> Under<F, T, C> for Timed<F, X, C> {
    fn block(
        &mut self,
        input: &[T],
        frames: Range<usize>,
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        self.0.push_block(input, &self.1[frames], out)
    }
    fn frame(&mut self, frame: [T; C], j: usize) -> Emitted<F, C> {
        self.0.push(frame, self.1[j])
    }
    fn finish(&mut self) -> Result<[F; C], GradientError> {
        self.0.finish()
    }
}

/// Checks what a stream of `C` channels emitted for `series` (everything it emitted, then
/// `finish`'s frame; or `finish`'s error) against the batch gradient of each channel: the
/// same bits (any NaN matching any NaN) and as many values, or the same error. Returns the
/// first difference.
pub fn compare_with_batch<F: Real, T: Sample<F>, const C: usize>(
    streamed: &Result<Vec<F>, GradientError>,
    series: &[T],
    spacing: AxisSpacing<'_, F>,
    edge: EdgeOrder,
) -> Result<(), String> {
    let frames = series.len() / C;
    for c in 0..C {
        let channel: Vec<T> = series.iter().skip(c).step_by(C).copied().collect();
        let mut batch = vec![F::zero(); frames];
        let expected = gradient_1d(&channel, &mut batch, spacing, edge);
        match (streamed, expected) {
            (Ok(out), Ok(())) => {
                if out.len() != frames * C {
                    return Err(format!(
                        "{} values streamed, {} expected",
                        out.len(),
                        frames * C
                    ));
                }
                for (j, &b) in batch.iter().enumerate() {
                    let s = out[j * C + c];
                    if !same(s, b) {
                        return Err(format!("channel {c} frame {j}: stream {s:?}, batch {b:?}"));
                    }
                }
            }
            (Err(e), Err(b)) if *e == b => {}
            (s, b) => return Err(format!("stream {:?}, batch {b:?}", s.as_ref().err())),
        }
    }
    Ok(())
}
