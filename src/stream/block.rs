//! The block path: the interior gradients of a whole block of interleaved frames at once, on
//! `wide` lanes with a scalar tail, with numpy's formulas from `stencil.rs`.
//!
//! Every loop walks slices cut to the exact lengths it needs (`chunks_exact`, `get`), so the
//! only `unsafe` is the lane load and store of a chunk whose length was just checked. The
//! chunks of several slices are taken in step by hand, not zipped: at opt-level `z` the `zip`
//! of two `chunks_exact` stays a function of its own, which divides a length by a chunk size
//! it no longer sees is not zero, and so keeps a panic path. Each loop does it itself: one
//! generic iterator over an array of slices in step (`[&[T]; K]`) took 1.9x the time of these
//! loops on three interleaved channels with timer ticks (rows of three values, one per frame;
//! the other rows of `benches/stream.rs` equal; Intel Xeon family 6 model 207).

use crate::element::{Real, Sample};
use crate::lanes::{Lanes, Unit};
use crate::spacing::{Timestamp, window_lane_steps};
use crate::stencil::{Divide, Divisor, WithDivide, interior_weights, weighted};

/// The lanes of the first `L::N` samples of `chunk` (NaN lanes if it is shorter, which the
/// callers never let happen).
#[inline(always)]
fn load<L: Lanes<Elem: Real, Token = ()>, T: Sample<L::Elem>>(chunk: &[T]) -> L {
    if chunk.len() < L::N {
        return L::splat((), num_traits::Float::nan());
    }
    // SAFETY: `chunk` holds at least `L::N` consecutive samples.
    unsafe { L::load((), chunk.as_ptr(), Unit) }
}

/// Writes `v` to the first `L::N` elements of `chunk` (nothing if it is shorter, which the
/// callers never let happen).
#[inline(always)]
fn store<L: Lanes>(v: L, chunk: &mut [L::Elem]) {
    if chunk.len() >= L::N {
        // SAFETY: `chunk` holds at least `L::N` consecutive elements.
        unsafe { v.store(chunk.as_mut_ptr(), Unit) }
    }
}

/// `s[from..]`, or nothing.
#[inline(always)]
fn tail<T>(s: &[T], from: usize) -> &[T] {
    s.get(from..).unwrap_or(&[])
}

/// Uniform interior: value `v` of the output is `(plus[v] - minus[v]) / (2 h)`, where the
/// whole run of frames `from .. to` is one flat run of values: in an interleaved block the
/// value `C` places earlier or later is the same channel one frame earlier or later. So the
/// lanes run across channels and frames alike, whatever `C` is.
pub(super) fn fixed_step<T: Sample<F>, F: Real, const C: usize>(
    input: &[T],
    from: usize,
    to: usize,
    central: Divisor<F>,
    out: &mut [F],
) {
    if from == 0 || to <= from {
        return;
    }
    let len = (to - from) * C;
    let run = |first: usize| input.get(first * C..).and_then(|s| s.get(..len));
    let (Some(minus), Some(plus), Some(out)) = (run(from - 1), run(from + 1), out.get_mut(..len))
    else {
        return;
    };
    central.apply(Run { minus, plus, out });
}

/// `out[v] = (plus[v] - minus[v]) / d` on lanes, then the scalar tail, with the divisor's
/// [`Divide`].
struct Run<'a, T, F> {
    minus: &'a [T],
    plus: &'a [T],
    out: &'a mut [F],
}

impl<T: Sample<F>, F: Real> WithDivide<F> for Run<'_, T, F> {
    type Output = ();

    #[inline(always)]
    fn run<D: Divide<F>>(self, d: D) {
        let Self { minus, plus, out } = self;
        let done = differences::<F::Wide, T, D>(minus, plus, out, d);
        let out = out.get_mut(done..).unwrap_or(&mut []);
        differences::<F, T, D>(tail(minus, done), tail(plus, done), out, d);
    }
}

/// `out[v] = (plus[v] - minus[v]) / d` (numpy's `(f[i+1] - f[i-1]) / (2. * dx)`) for whole
/// chunks of `L::N`; returns how many were done.
#[inline(always)]
fn differences<L: Lanes<Elem: Real, Token = ()>, T: Sample<L::Elem>, D: Divide<L::Elem>>(
    minus: &[T],
    plus: &[T],
    out: &mut [L::Elem],
    d: D,
) -> usize {
    let mut done = 0;
    // One length for the three first: without it the lanes over three interleaved channels
    // took 1.3x the time (`benches/stream.rs`), though the callers' slices are equally long.
    let n = out.len().min(minus.len()).min(plus.len());
    let (Some(out), Some(minus), Some(plus)) = (out.get_mut(..n), minus.get(..n), plus.get(..n))
    else {
        return 0;
    };
    let (mut minus, mut plus) = (minus.chunks_exact(L::N), plus.chunks_exact(L::N));
    for o in out.chunks_exact_mut(L::N) {
        let (Some(m), Some(p)) = (minus.next(), plus.next()) else {
            break;
        };
        store(d.divide((), load::<L, T>(p) - load::<L, T>(m)), o);
        done += L::N;
    }
    done
}

/// Interior with a timestamp per frame: numpy's non-uniform weights from the steps around each
/// frame, applied to that frame's neighbours on every channel.
///
/// One channel: lanes run across frames, weights computed lane by lane (as the batch kernel
/// does along a line). Several channels: weights computed lane by lane for a group of frames,
/// then applied frame by frame with lanes across the channels (scalar below a lane's width).
pub(super) fn stamped<T: Sample<F>, F: Real, X: Timestamp<F>, const C: usize>(
    input: &[T],
    stamps: &[X],
    from: usize,
    to: usize,
    out: &mut [F],
) {
    if from == 0 || to <= from {
        return;
    }
    if C == 1 {
        let (Some(f), Some(t), Some(out)) = (
            input.get(from - 1..to + 1),
            stamps.get(from - 1..to + 1),
            out.get_mut(..to - from),
        ) else {
            return;
        };
        let done = weighted_frames::<F::Wide, T, X>(f, t, out);
        let out = out.get_mut(done..).unwrap_or(&mut []);
        weighted_frames::<F, T, X>(tail(f, done), tail(t, done), out);
        return;
    }
    let frames = input.get((from - 1) * C..(to + 1) * C).unwrap_or(&[]);
    let steps = stamps.get(from - 1..to + 1).unwrap_or(&[]);
    let count = to - from;
    let lanes = <F::Wide as Lanes>::N;
    let mut i = 0;
    // Groups of `lanes` frames: weights lane by lane, then applied frame by frame.
    while i + lanes <= count {
        let (Some(t), Some(f), Some(o)) = (
            steps.get(i..i + lanes + 2),
            frames.get(i * C..(i + lanes + 2) * C),
            out.get_mut(i * C..(i + lanes) * C),
        ) else {
            return;
        };
        let Some([a, b, c]) = group_weights::<F::Wide, X>(t) else {
            break;
        };
        let rows = o.chunks_exact_mut(C).zip(f.windows(3 * C).step_by(C));
        for (((o, f), a), (b, c)) in rows.zip(a).zip(b.into_iter().zip(c)) {
            weighted_frame::<T, F, C>([a, b, c], f, o);
        }
        i += lanes;
    }
    // The rest, one frame at a time.
    while i < count {
        let (Some(&[t0, t1, t2]), Some(f), Some(o)) = (
            steps.get(i..i + 3),
            frames.get(i * C..(i + 3) * C),
            out.get_mut(i * C..(i + 1) * C),
        ) else {
            return;
        };
        let w = interior_weights(t0.step_to(t1), t1.step_to(t2));
        weighted_frame::<T, F, C>(w, f, o);
        i += 1;
    }
}

/// One frame's output `o` (`C` values) from the three frames `f` (`3 C` values) around it.
#[inline(always)]
fn weighted_frame<T: Sample<F>, F: Real, const C: usize>(w: [F; 3], f: &[T], o: &mut [F]) {
    let (Some(prev), Some(here), Some(next)) = (f.get(..C), f.get(C..2 * C), f.get(2 * C..3 * C))
    else {
        return;
    };
    let mut done = 0;
    if C >= <F::Wide as Lanes>::N {
        done = weighted_rows::<F::Wide, T>(w, [prev, here, next], o);
    }
    let o = o.get_mut(done..).unwrap_or(&mut []);
    weighted_rows::<F, T>(w, [prev, here, next].map(|r| tail(r, done)), o);
}

/// The most lanes of the `wide` types the block path runs on (`f32x8`).
const MAX_LANES: usize = 8;

/// numpy's interior weights of the `L::N` frames stamped `t[1 ..= L::N]` (`t` holds their
/// neighbours too), computed lane by lane: `[a, b, c]`, each one entry per frame.
#[inline(always)]
fn group_weights<L: Lanes<Elem: Real, Token = ()>, X: Timestamp<L::Elem>>(
    t: &[X],
) -> Option<[[L::Elem; MAX_LANES]; 3]> {
    if L::N > MAX_LANES {
        return None;
    }
    let (dx1, dx2) = window_lane_steps::<_, X, L>(t)?;
    let mut weights = [[num_traits::Zero::zero(); MAX_LANES]; 3];
    for (row, w) in weights.iter_mut().zip(interior_weights(dx1, dx2)) {
        store(w, row);
    }
    Some(weights)
}

/// `out[i]` from `f[i ..= i+2]` stamped `t[i ..= i+2]`, for whole chunks of `L::N` frames;
/// returns how many were done.
#[inline(always)]
fn weighted_frames<L: Lanes<Elem: Real, Token = ()>, T: Sample<L::Elem>, X: Timestamp<L::Elem>>(
    f: &[T],
    t: &[X],
    out: &mut [L::Elem],
) -> usize {
    let mut done = 0;
    let windows = f.windows(L::N + 2).step_by(L::N);
    let stamps = t.windows(L::N + 2).step_by(L::N);
    for ((o, fw), tw) in out.chunks_exact_mut(L::N).zip(windows).zip(stamps) {
        let Some((dx1, dx2)) = window_lane_steps::<_, X, L>(tw) else {
            break;
        };
        let v = weighted(
            interior_weights(dx1, dx2),
            [load(fw), load(tail(fw, 1)), load(tail(fw, 2))],
        );
        store(v, o);
        done += L::N;
    }
    done
}

/// `out[v] = weighted(w, [prev[v], here[v], next[v]])` for whole chunks of `L::N` channels;
/// returns how many were done.
#[inline(always)]
fn weighted_rows<L: Lanes<Elem: Real, Token = ()>, T: Sample<L::Elem>>(
    w: [L::Elem; 3],
    [prev, here, next]: [&[T]; 3],
    out: &mut [L::Elem],
) -> usize {
    let w = w.map(|w| L::splat((), w));
    let mut done = 0;
    let (mut prev, mut here) = (prev.chunks_exact(L::N), here.chunks_exact(L::N));
    let mut next = next.chunks_exact(L::N);
    for o in out.chunks_exact_mut(L::N) {
        let (Some(a), Some(b), Some(c)) = (prev.next(), here.next(), next.next()) else {
            break;
        };
        store(weighted(w, [load(a), load(b), load(c)]), o);
        done += L::N;
    }
    done
}
