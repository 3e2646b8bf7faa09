//! Fuzz target for the streaming and in-place APIs: a series of 1 to 16 interleaved channels
//! (f64, f32, or i16/u16/i32 samples), a spacing mode (uniform, float timestamps, u32 or u64
//! timer ticks from any start, so wraps happen), an edge order, and a cutting of the series
//! into blocks and single frames. Everything the stream emits, then `finish`, must equal the
//! batch `gradient_1d` of each channel bit for bit (NaN as NaN), or fail with the same error;
//! each call writes whole frames, at most `len + C` values and nothing past what it reports;
//! refused calls (partial frame, missing timestamp, output too small) change nothing. For one
//! channel, `gradient_1d_in_place` must equal `gradient_1d` too.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use numgrad::{
    AxisSpacing, EdgeOrder, Emitted, GradientError, GradientStream, Real, Sample,
    TimedGradientStream, Timestamp, gradient_1d, gradient_1d_in_place,
};
use numgrad_fuzz::support::{Float, Timed, Under, Uni, compare_with_batch, same, specials_and};

#[derive(Debug)]
enum Clock {
    Uniform(f64),
    Coordinates(Vec<f64>),
    Ticks32(Vec<u32>),
    Ticks64(Vec<u64>),
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    F64,
    F32,
    I16ToF32,
    U16ToF64,
    I32ToF32,
}

#[derive(Debug)]
struct Case {
    channels: usize,
    edge: EdgeOrder,
    kind: Kind,
    /// `frames * channels` values.
    values: Vec<f64>,
    clock: Clock,
    /// Frames per call, cycled; 0 means one frame through `push`, 255 a refused call first.
    cuts: Vec<u8>,
}

/// A float that decides bits: small integers, specials, or any bit pattern.
fn value(u: &mut Unstructured<'_>) -> arbitrary::Result<f64> {
    Ok(match u.int_in_range(0u8..=7)? {
        0..=2 => f64::from(i8::arbitrary(u)?),
        3 => *u.choose(&specials_and(&[1e308]))?,
        4 => f64::from(u16::arbitrary(u)?) / 64.0,
        _ => f64::from_bits(u64::arbitrary(u)?),
    })
}

impl<'a> Arbitrary<'a> for Case {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let channels = u.int_in_range(1usize..=16)?;
        let frames = u.int_in_range(0usize..=300)?;
        let edge = if bool::arbitrary(u)? {
            EdgeOrder::First
        } else {
            EdgeOrder::Second
        };
        let kind = *u.choose(&[
            Kind::F64,
            Kind::F32,
            Kind::I16ToF32,
            Kind::U16ToF64,
            Kind::I32ToF32,
        ])?;
        let mut values = Vec::with_capacity(frames * channels);
        for _ in 0..frames * channels {
            values.push(value(u)?);
        }
        let clock = match u.int_in_range(0u8..=3)? {
            0 => Clock::Uniform(value(u)?),
            1 => {
                let mut t = value(u)?;
                let mut x = Vec::with_capacity(frames);
                for _ in 0..frames {
                    x.push(t);
                    t += if bool::arbitrary(u)? { 0.25 } else { value(u)? };
                }
                Clock::Coordinates(x)
            }
            2 => {
                let mut t = u32::arbitrary(u)?;
                let mut x = Vec::with_capacity(frames);
                for _ in 0..frames {
                    x.push(t);
                    t = t.wrapping_add(u32::from(u16::arbitrary(u)?));
                }
                Clock::Ticks32(x)
            }
            _ => {
                let mut t = u64::arbitrary(u)?;
                let mut x = Vec::with_capacity(frames);
                for _ in 0..frames {
                    x.push(t);
                    t = t.wrapping_add(u64::arbitrary(u)? >> u.int_in_range(0u32..=63)?);
                }
                Clock::Ticks64(x)
            }
        };
        let mut cuts = Vec::<u8>::arbitrary(u)?;
        if cuts.is_empty() {
            cuts.push(64);
        }
        Ok(Case {
            channels,
            edge,
            kind,
            values,
            clock,
            cuts,
        })
    }
}

/// A timed stream that, before each block of whole frames, is first offered the block with
/// one timestamp short, which it must refuse (a partial frame is refused before the timestamps
/// are looked at, so only whole frames get this call).
struct Refusing<F: Real, X: Timestamp<F>, const C: usize>(Timed<F, X, C>);

impl<F: Float, X: Timestamp<F>, T: Sample<F>, const C: usize> Under<F, T, C> for Refusing<F, X, C> {
    fn block(
        &mut self,
        input: &[T],
        frames: std::ops::Range<usize>,
        out: &mut [F],
    ) -> Result<usize, GradientError> {
        let Timed(stream, stamps) = &mut self.0;
        if !frames.is_empty() && input.len() == frames.len() * C {
            let short = &stamps[frames.start..frames.end - 1];
            let got = stream.push_block(input, short, out);
            assert_eq!(
                got,
                Err(GradientError::TimestampCount {
                    frames: frames.len(),
                    got: frames.len() - 1
                })
            );
        }
        self.0.block(input, frames, out)
    }
    fn frame(&mut self, frame: [T; C], j: usize) -> Emitted<F, C> {
        self.0.frame(frame, j)
    }
    fn finish(&mut self) -> Result<[F; C], GradientError> {
        Under::<F, T, C>::finish(&mut self.0)
    }
}

fn stream_series<F: Float, T: Sample<F>, const C: usize>(
    s: &mut impl Under<F, T, C>,
    series: &[T],
    cuts: &[u8],
    edge: EdgeOrder,
) -> Result<Vec<F>, GradientError> {
    let frames = series.len() / C;
    let sentinel = F::of(-7.25e37);
    let mut out = Vec::new();
    let (mut at, mut k) = (0, 0);
    while at < frames {
        let cut = cuts[k % cuts.len()];
        k += 1;
        if cut == 0 {
            let frame: [T; C] = std::array::from_fn(|c| series[at * C + c]);
            for f in &s.frame(frame, at) {
                out.extend_from_slice(f);
            }
            at += 1;
        } else {
            let len = usize::from(cut).min(frames - at);
            let input = &series[at * C..(at + len) * C];
            let mut room = vec![sentinel; len * C + C + 2];
            if cut == 255 {
                // Refused calls change nothing: too little room, then a partial frame.
                let short = len * C + C - 1;
                let got = s.block(input, at..at + len, &mut room[..short]);
                assert_eq!(
                    got,
                    Err(GradientError::OutputTooSmall {
                        needed: short + 1,
                        got: short
                    })
                );
                if C > 1 {
                    let got = s.block(&input[..input.len() - 1], at..at + len, &mut room);
                    assert!(matches!(got, Err(GradientError::PartialFrame { .. })));
                }
                assert!(room.iter().all(|&v| same(v, sentinel)));
            }
            let w = s
                .block(input, at..at + len, &mut room)
                .expect("a valid block");
            assert!(w % C == 0 && w <= len * C + C);
            assert!(room[w..].iter().all(|&v| same(v, sentinel)));
            out.extend_from_slice(&room[..w]);
            at += len;
        }
        let due = if at >= edge.min_len() { at - 1 } else { 0 };
        assert_eq!(out.len(), due * C, "outputs after {at} frames");
    }
    s.finish().map(|last| {
        out.extend_from_slice(&last);
        out
    })
}

fn check<F: Float, T: Sample<F>, const C: usize>(case: &Case, series: &[T]) {
    let edge = case.edge;
    let coordinates: Vec<F>;
    let (streamed, spacing) = match &case.clock {
        Clock::Uniform(h) => {
            let h = F::of(*h);
            let mut s = Uni(GradientStream::<F, C>::new(h, edge));
            (
                stream_series(&mut s, series, &case.cuts, edge),
                AxisSpacing::Uniform(h),
            )
        }
        Clock::Coordinates(t) => {
            coordinates = t.iter().map(|&x| F::of(x)).collect();
            let mut s = Refusing(Timed(
                TimedGradientStream::<F, F, C>::new(edge),
                coordinates.clone(),
            ));
            (
                stream_series(&mut s, series, &case.cuts, edge),
                AxisSpacing::UnreducedCoordinates(&coordinates),
            )
        }
        Clock::Ticks32(t) => {
            let mut s = Refusing(Timed(
                TimedGradientStream::<F, u32, C>::new(edge),
                t.clone(),
            ));
            (
                stream_series(&mut s, series, &case.cuts, edge),
                AxisSpacing::Ticks32(t),
            )
        }
        Clock::Ticks64(t) => {
            let mut s = Refusing(Timed(
                TimedGradientStream::<F, u64, C>::new(edge),
                t.clone(),
            ));
            (
                stream_series(&mut s, series, &case.cuts, edge),
                AxisSpacing::Ticks64(t),
            )
        }
    };
    if let Err(difference) = compare_with_batch::<F, T, C>(&streamed, series, spacing, edge) {
        panic!("{difference}");
    }
}

/// In place, one channel of floats: the same bits as out of place.
fn in_place<F: Float>(case: &Case, series: &[F]) {
    let coordinates: Vec<F>;
    let spacing = match &case.clock {
        Clock::Uniform(h) => AxisSpacing::Uniform(F::of(*h)),
        Clock::Coordinates(t) => {
            coordinates = t.iter().map(|&x| F::of(x)).collect();
            AxisSpacing::Coordinates(&coordinates)
        }
        Clock::Ticks32(t) => AxisSpacing::Ticks32(t),
        Clock::Ticks64(t) => AxisSpacing::Ticks64(t),
    };
    let mut batch = vec![F::zero(); series.len()];
    let expected = gradient_1d(series, &mut batch, spacing, case.edge);
    let mut data = series.to_vec();
    assert_eq!(
        gradient_1d_in_place(&mut data, spacing, case.edge),
        expected
    );
    let reference = if expected.is_ok() { &batch[..] } else { series };
    assert!(data.iter().zip(reference).all(|(&a, &b)| same(a, b)));
}

fn run<const C: usize>(case: &Case) {
    let v = &case.values;
    match case.kind {
        Kind::F64 => {
            check::<f64, f64, C>(case, v);
            if C == 1 {
                in_place(case, v);
            }
        }
        Kind::F32 => {
            let s: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            check::<f32, f32, C>(case, &s);
            if C == 1 {
                in_place(case, &s);
            }
        }
        Kind::I16ToF32 => {
            check::<f32, i16, C>(case, &v.iter().map(|&x| x as i16).collect::<Vec<_>>())
        }
        Kind::U16ToF64 => {
            check::<f64, u16, C>(case, &v.iter().map(|&x| x as u16).collect::<Vec<_>>())
        }
        Kind::I32ToF32 => {
            check::<f32, i32, C>(case, &v.iter().map(|&x| x as i32).collect::<Vec<_>>())
        }
    }
}

fuzz_target!(|case: Case| {
    match case.channels {
        1 => run::<1>(&case),
        2 => run::<2>(&case),
        3 => run::<3>(&case),
        4 => run::<4>(&case),
        5 => run::<5>(&case),
        6 => run::<6>(&case),
        7 => run::<7>(&case),
        8 => run::<8>(&case),
        9 => run::<9>(&case),
        10 => run::<10>(&case),
        11 => run::<11>(&case),
        12 => run::<12>(&case),
        13 => run::<13>(&case),
        14 => run::<14>(&case),
        15 => run::<15>(&case),
        _ => run::<16>(&case),
    }
});
