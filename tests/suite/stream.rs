//! The streaming and in-place APIs against the batch API, bit for bit: random series, random
//! block cuts (sizes 1, 2, 3, 7, 64 and random, single frames through `push`), random timer
//! wraps, 1 to 16 interleaved channels, both edge orders, every spacing mode, float and
//! integer samples. Also: outputs come out as soon as they are determined, nothing is written
//! past what a call reports, and every error leaves the stream and the output untouched.

use crate::support;

use numgrad::{
    AxisSpacing, EdgeOrder, GradientError, GradientStream, Sample, TimedGradientStream,
    gradient_1d, gradient_1d_in_place,
};
use proptest::prelude::*;
use support::{Float, Timed, Under, Uni, compare_with_batch, same};

/// A value no gradient below produces, to see which outputs a call wrote.
trait Untouched: Float {
    const UNTOUCHED: Self;
}

impl Untouched for f64 {
    const UNTOUCHED: Self = -7.25e301;
}

impl Untouched for f32 {
    const UNTOUCHED: Self = -7.25e37;
}

// ---------------------------------------------------------------------------------------------
// Strategies

/// Values biased toward the ones that decide bits: zeros of both signs, infinities, NaN,
/// subnormals, huge values, integers, and ordinary ones.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -100.0..100.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::NAN),
        1 => Just(5e-324),
        1 => Just(1.7e308),
        2 => (-1000i32..1000).prop_map(f64::from),
    ]
}

/// A uniform spacing: ordinary, power of two (the multiply shortcut), or special.
fn spacing() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.001..10.0f64,
        2 => prop::sample::select(vec![0.25, 0.5, 1.0, 2.0, -4.0, 1024.0]),
        1 => prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NAN, 1e-310]),
    ]
}

/// A step between float timestamps: jittered, exactly repeated, or special.
fn coordinate_step() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.009..0.011f64,
        3 => Just(0.25),
        1 => -1.0..1.0f64,
        1 => prop::sample::select(vec![0.0, f64::NAN, 1e-300]),
    ]
}

#[derive(Clone, Debug)]
enum Clock {
    Uniform(f64),
    Coordinates(Vec<f64>),
    Ticks32(Vec<u32>),
    Ticks64(Vec<u64>),
}

/// A spacing mode with `frames` timestamps; timers start anywhere, often just before a wrap.
fn clock(frames: usize) -> impl Strategy<Value = Clock> {
    let steps32 = prop::collection::vec(
        prop_oneof![8 => 900..1100u32, 1 => Just(0u32), 1 => any::<u32>()],
        frames,
    );
    let steps64 = prop::collection::vec(
        prop_oneof![8 => 900..1100u64, 1 => Just(0u64), 1 => any::<u64>()],
        frames,
    );
    prop_oneof![
        spacing().prop_map(Clock::Uniform),
        (
            -1e3..1e3f64,
            prop::collection::vec(coordinate_step(), frames)
        )
            .prop_map(|(start, steps)| {
                let mut t = start;
                Clock::Coordinates(
                    steps
                        .iter()
                        .map(|s| {
                            let here = t;
                            t += s;
                            here
                        })
                        .collect(),
                )
            }),
        (
            prop_oneof![any::<u32>(), (u32::MAX - 5000)..=u32::MAX],
            steps32
        )
            .prop_map(|(start, steps)| {
                let mut t = start;
                Clock::Ticks32(
                    steps
                        .iter()
                        .map(|&s| {
                            let here = t;
                            t = t.wrapping_add(s);
                            here
                        })
                        .collect(),
                )
            }),
        (
            prop_oneof![any::<u64>(), (u64::MAX - 5000)..=u64::MAX],
            steps64
        )
            .prop_map(|(start, steps)| {
                let mut t = start;
                Clock::Ticks64(
                    steps
                        .iter()
                        .map(|&s| {
                            let here = t;
                            t = t.wrapping_add(s);
                            here
                        })
                        .collect(),
                )
            }),
    ]
}

/// How many frames the next call takes, and whether a single frame goes through `push`.
#[derive(Clone, Copy, Debug)]
struct Cut {
    frames: usize,
    single: bool,
}

fn cuts() -> impl Strategy<Value = Vec<Cut>> {
    let size = prop_oneof![
        3 => prop::sample::select(vec![1usize, 2, 3, 7, 64]),
        2 => 1..100usize,
    ];
    prop::collection::vec(
        (size, any::<bool>()).prop_map(|(frames, single)| Cut { frames, single }),
        1..6,
    )
}

#[derive(Clone, Debug)]
struct Case {
    channels: usize,
    edge: EdgeOrder,
    /// `frames * channels` values, interleaved.
    values: Vec<f64>,
    /// The same count of integer samples (cast to each integer type).
    ints: Vec<i32>,
    clock: Clock,
    cuts: Vec<Cut>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        1..=16usize,
        prop_oneof![0..6usize, 0..200usize],
        prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)],
    )
        .prop_flat_map(|(channels, frames, edge)| {
            (
                Just(channels),
                Just(edge),
                prop::collection::vec(value(), frames * channels),
                prop::collection::vec(any::<i32>(), frames * channels),
                clock(frames),
                cuts(),
            )
        })
        .prop_map(|(channels, edge, values, ints, clock, cuts)| Case {
            channels,
            edge,
            values,
            ints,
            clock,
            cuts,
        })
}

/// Outputs a stream has emitted once `k` frames of the series were pushed.
fn emitted_after(k: usize, edge: EdgeOrder) -> usize {
    if k >= edge.min_len() { k - 1 } else { 0 }
}

/// Streams `series` cut by `cuts` (cycled); returns everything emitted followed by `finish`'s
/// frame, or `finish`'s error. Checks along the way that each call wrote a whole number of
/// frames, at most `len + C` values, nothing past what it reported, and that the outputs so far
/// are exactly those the frames so far determine.
fn stream_series<F: Untouched, T: Sample<F>, const C: usize>(
    stream: &mut impl Under<F, T, C>,
    series: &[T],
    cuts: &[Cut],
    edge: EdgeOrder,
) -> Result<Result<Vec<F>, GradientError>, TestCaseError> {
    let frames = series.len() / C;
    let mut out = Vec::new();
    let (mut at, mut k) = (0, 0);
    while at < frames {
        let cut = cuts[k % cuts.len()];
        k += 1;
        let len = cut.frames.min(frames - at);
        if cut.single && len == 1 {
            let frame: [T; C] = std::array::from_fn(|c| series[at * C + c]);
            let emitted = stream.frame(frame, at);
            prop_assert!(emitted.len() <= 2);
            for f in &emitted {
                out.extend_from_slice(f);
            }
        } else {
            let input = &series[at * C..(at + len) * C];
            let mut room = vec![F::UNTOUCHED; len * C + C + 3];
            let w = stream
                .block(input, at..at + len, &mut room)
                .map_err(|e| TestCaseError::fail(format!("push_block: {e}")))?;
            prop_assert!(w % C == 0 && w <= len * C + C, "wrote {w}");
            prop_assert!(
                room[w..].iter().all(|v| v.to_bits_eq(F::UNTOUCHED)),
                "wrote past the reported count"
            );
            out.extend_from_slice(&room[..w]);
        }
        at += len;
        prop_assert_eq!(
            out.len(),
            C * emitted_after(at, edge),
            "after {} frames",
            at
        );
    }
    Ok(stream.finish().map(|last| {
        out.extend_from_slice(&last);
        out
    }))
}

trait BitsEq {
    fn to_bits_eq(self, other: Self) -> bool;
}

impl<F: Float> BitsEq for F {
    fn to_bits_eq(self, other: Self) -> bool {
        self == other && self.is_sign_negative() == other.is_sign_negative()
    }
}

/// The stream of `case` with samples `series` (in `T`) against `gradient_1d` of each channel.
fn check<F: Untouched, T: Sample<F>, const C: usize>(
    case: &Case,
    series: &[T],
) -> Result<(), TestCaseError> {
    let edge = case.edge;
    let coordinates: Vec<F>;
    let (streamed, spacing) = match &case.clock {
        Clock::Uniform(h) => {
            let h = F::of(*h);
            let mut s = Uni(GradientStream::<F, C>::new(h, edge));
            (
                stream_series(&mut s, series, &case.cuts, edge)?,
                AxisSpacing::Uniform(h),
            )
        }
        Clock::Coordinates(t) => {
            coordinates = t.iter().map(|&x| F::of(x)).collect();
            let mut s = Timed(
                TimedGradientStream::<F, F, C>::new(edge),
                coordinates.clone(),
            );
            (
                stream_series(&mut s, series, &case.cuts, edge)?,
                AxisSpacing::UnreducedCoordinates(&coordinates),
            )
        }
        Clock::Ticks32(t) => {
            let mut s = Timed(TimedGradientStream::<F, u32, C>::new(edge), t.clone());
            (
                stream_series(&mut s, series, &case.cuts, edge)?,
                AxisSpacing::Ticks32(t),
            )
        }
        Clock::Ticks64(t) => {
            let mut s = Timed(TimedGradientStream::<F, u64, C>::new(edge), t.clone());
            (
                stream_series(&mut s, series, &case.cuts, edge)?,
                AxisSpacing::Ticks64(t),
            )
        }
    };
    compare_with_batch::<F, T, C>(&streamed, series, spacing, edge).map_err(TestCaseError::fail)?;
    Ok(())
}

macro_rules! dispatch {
    ($channels:expr, $run:ident($($arg:expr),*)) => {
        match $channels {
            1 => $run::<1>($($arg),*),
            2 => $run::<2>($($arg),*),
            3 => $run::<3>($($arg),*),
            4 => $run::<4>($($arg),*),
            5 => $run::<5>($($arg),*),
            6 => $run::<6>($($arg),*),
            7 => $run::<7>($($arg),*),
            8 => $run::<8>($($arg),*),
            9 => $run::<9>($($arg),*),
            10 => $run::<10>($($arg),*),
            11 => $run::<11>($($arg),*),
            12 => $run::<12>($($arg),*),
            13 => $run::<13>($($arg),*),
            14 => $run::<14>($($arg),*),
            15 => $run::<15>($($arg),*),
            16 => $run::<16>($($arg),*),
            c => panic!("no instantiation for {c} channels"),
        }
    };
}

fn floats_f64<const C: usize>(case: &Case) -> Result<(), TestCaseError> {
    check::<f64, f64, C>(case, &case.values)
}

fn floats_f32<const C: usize>(case: &Case) -> Result<(), TestCaseError> {
    let series: Vec<f32> = case.values.iter().map(|&v| v as f32).collect();
    check::<f32, f32, C>(case, &series)
}

fn integers<const C: usize>(case: &Case) -> Result<(), TestCaseError> {
    let i16s: Vec<i16> = case.ints.iter().map(|&v| v as i16).collect();
    let u16s: Vec<u16> = case.ints.iter().map(|&v| v as u16).collect();
    check::<f32, i16, C>(case, &i16s)?;
    check::<f32, u16, C>(case, &u16s)?;
    check::<f32, i32, C>(case, &case.ints)?;
    check::<f64, i16, C>(case, &i16s)?;
    check::<f64, u16, C>(case, &u16s)?;
    check::<f64, i32, C>(case, &case.ints)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 400 } else { 3000 }))]

    #[test]
    fn f64_stream_equals_batch(case in case()) {
        dispatch!(case.channels, floats_f64(&case))?;
    }

    #[test]
    fn f32_stream_equals_batch(case in case()) {
        dispatch!(case.channels, floats_f32(&case))?;
    }

    #[test]
    fn integer_stream_equals_batch(case in case()) {
        dispatch!(case.channels, integers(&case))?;
    }

    #[test]
    fn in_place_equals_out_of_place(
        values in prop::collection::vec(value(), 0..300),
        edge in prop_oneof![Just(EdgeOrder::First), Just(EdgeOrder::Second)],
        mode in 0..5usize,
        h in spacing(),
        steps in prop::collection::vec(coordinate_step(), 300),
        ticks in prop::collection::vec(any::<u32>(), 300),
    ) {
        let n = values.len();
        let mut t = 0.0;
        let coordinates: Vec<f64> = steps[..n].iter().map(|s| { t += s; t }).collect();
        // Evenly spaced coordinates: numpy (and `gradient_1d`) reduce them to a uniform step.
        let even: Vec<f64> = (0..n).map(|i| 3.0 + 0.5 * i as f64).collect();
        let wide: Vec<u64> = ticks[..n].iter().map(|&t| u64::from(t) << 20).collect();
        let spacing = match mode {
            0 => AxisSpacing::Uniform(h),
            1 => AxisSpacing::Coordinates(&coordinates),
            2 => AxisSpacing::Coordinates(&even),
            3 => AxisSpacing::Ticks32(&ticks[..n]),
            _ => AxisSpacing::Ticks64(&wide),
        };
        let mut expected = vec![f64::UNTOUCHED; n];
        let batch = gradient_1d(&values, &mut expected, spacing, edge);
        let mut data = values.clone();
        let in_place = gradient_1d_in_place(&mut data, spacing, edge);
        prop_assert_eq!(in_place, batch);
        if batch.is_err() {
            // Untouched on error.
            prop_assert!(data.iter().zip(&values).all(|(a, b)| same(*a, *b)));
        } else {
            for (i, (a, b)) in data.iter().zip(&expected).enumerate() {
                prop_assert!(same(*a, *b), "point {}: in place {:?}, batch {:?}", i, a, b);
            }
        }
        // f32 too.
        let values32: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        let spacing32 = match mode {
            0 => AxisSpacing::Uniform(h as f32),
            3 => AxisSpacing::Ticks32(&ticks[..n]),
            _ => AxisSpacing::Ticks64(&wide),
        };
        let mut expected32 = vec![0.0f32; n];
        let batch32 = gradient_1d(&values32, &mut expected32, spacing32, edge);
        let mut data32 = values32.clone();
        prop_assert_eq!(gradient_1d_in_place(&mut data32, spacing32, edge), batch32);
        if batch32.is_ok() {
            prop_assert!(data32.iter().zip(&expected32).all(|(a, b)| same(*a, *b)));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors, bounds and reuse

/// A 3-channel u32-tick series with a wrap, and its batch gradient per channel.
fn imu() -> (Vec<i16>, Vec<u32>, [Vec<f32>; 3]) {
    let ticks: Vec<u32> = (0..40u32)
        .map(|i| (u32::MAX - 20_000).wrapping_add(i * 1000 + (i * 7919) % 37))
        .collect();
    let series: Vec<i16> = (0..120)
        .map(|k| ((k * k * 31) % 2000 - 1000) as i16)
        .collect();
    let batch = std::array::from_fn(|c| {
        let channel: Vec<i16> = series.iter().skip(c).step_by(3).copied().collect();
        let mut g = vec![0.0f32; 40];
        gradient_1d(
            &channel,
            &mut g,
            AxisSpacing::Ticks32(&ticks),
            EdgeOrder::Second,
        )
        .unwrap();
        g
    });
    (series, ticks, batch)
}

fn interleave(channels: &[Vec<f32>; 3]) -> Vec<f32> {
    (0..channels[0].len() * 3)
        .map(|k| channels[k % 3][k / 3])
        .collect()
}

#[test]
fn errors_change_nothing_and_the_series_goes_on() {
    let (series, ticks, batch) = imu();
    let mut s = TimedGradientStream::<f32, u32, 3>::new(EdgeOrder::Second);
    let mut out = Vec::new();
    let mut room = [f32::UNTOUCHED; 64];
    // A partial frame, a missing timestamp, too little room: each refused, nothing written.
    assert_eq!(
        s.push_block(&series[..8], &ticks[..3], &mut room),
        Err(GradientError::PartialFrame {
            len: 8,
            channels: 3
        })
    );
    assert_eq!(
        s.push_block(&series[..9], &ticks[..2], &mut room),
        Err(GradientError::TimestampCount { frames: 3, got: 2 })
    );
    assert_eq!(
        s.push_block(&series[..9], &ticks[..3], &mut room[..11]),
        Err(GradientError::OutputTooSmall {
            needed: 12,
            got: 11
        })
    );
    assert!(room.iter().all(|&v| v.to_bits_eq(f32::UNTOUCHED)));
    // Finishing too early is refused, and the series goes on.
    assert_eq!(s.push([series[0], series[1], series[2]], ticks[0]).len(), 0);
    assert_eq!(
        s.finish(),
        Err(GradientError::AxisTooShort {
            axis: 0,
            len: 1,
            min: 3
        })
    );
    for (frame, t) in series[3..].chunks(9).zip(ticks[1..].chunks(3)) {
        let w = s.push_block(frame, t, &mut room).unwrap();
        out.extend_from_slice(&room[..w]);
    }
    out.extend_from_slice(&s.finish().unwrap());
    assert_eq!(out, interleave(&batch));

    // After `finish` the stream starts a new series: the same one gives the same bits.
    let mut again = Vec::new();
    let w = s.push_block(&series, &ticks, &mut [0.0; 123]).unwrap();
    assert_eq!(w, 117);
    let mut room = vec![0.0; 123];
    s.reset();
    let w = s.push_block(&series, &ticks, &mut room).unwrap();
    again.extend_from_slice(&room[..w]);
    again.extend_from_slice(&s.finish().unwrap());
    assert_eq!(again, interleave(&batch));
}

#[test]
fn the_bound_is_reached_and_required() {
    // Second order: frames 0 and 1 alone emit nothing, then frame 2 emits two frames: one
    // frame of input, two of output. Every call needs room for `len + C`.
    let mut s = GradientStream::<f64, 2>::new(0.5, EdgeOrder::Second);
    assert_eq!(GradientStream::<f64, 2>::max_output_len(2), 4);
    let mut room = [0.0; 4];
    assert_eq!(s.push_block(&[1.0, 2.0], &mut room), Ok(0));
    assert_eq!(s.push_block(&[3.0, 5.0], &mut room), Ok(0));
    assert_eq!(
        s.push_block(&[9.0, 3.0], &mut room[..3]),
        Err(GradientError::OutputTooSmall { needed: 4, got: 3 })
    );
    assert_eq!(s.push_block(&[9.0, 3.0], &mut room), Ok(4));
    let last = s.finish().unwrap();
    let mut expected = [[0.0; 3]; 2];
    for (c, e) in expected.iter_mut().enumerate() {
        let channel = [[1.0, 3.0, 9.0], [2.0, 5.0, 3.0]][c];
        gradient_1d(&channel, e, AxisSpacing::Uniform(0.5), EdgeOrder::Second).unwrap();
    }
    assert_eq!(
        room,
        [
            expected[0][0],
            expected[1][0],
            expected[0][1],
            expected[1][1]
        ]
    );
    assert_eq!(last, [expected[0][2], expected[1][2]]);
}

#[test]
fn evenly_spaced_timestamps_follow_the_unreduced_formulas() {
    // numpy reduces these coordinates to h = 0.1 and runs its uniform formula; a timed stream
    // runs the non-uniform one (UnreducedCoordinates); a uniform stream with that h gives
    // numpy's (reduced) bits.
    let t: Vec<f64> = (0..50).map(|i| f64::from(i) * 0.125).collect();
    let f: Vec<f64> = t.iter().map(|&x| (3.0 * x).sin() * 7.3).collect();
    let mut reduced = vec![0.0; 50];
    let mut unreduced = vec![0.0; 50];
    gradient_1d(
        &f,
        &mut reduced,
        AxisSpacing::Coordinates(&t),
        EdgeOrder::Second,
    )
    .unwrap();
    let u = AxisSpacing::UnreducedCoordinates(&t);
    gradient_1d(&f, &mut unreduced, u, EdgeOrder::Second).unwrap();

    let mut timed = TimedGradientStream::<f64, f64>::new(EdgeOrder::Second);
    let mut uniform = GradientStream::<f64>::new(t[1] - t[0], EdgeOrder::Second);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (&x, &ti) in f.iter().zip(&t) {
        a.extend(timed.push([x], ti).as_slice().iter().map(|v| v[0]));
        b.extend(uniform.push([x]).as_slice().iter().map(|v| v[0]));
    }
    a.push(timed.finish().unwrap()[0]);
    b.push(uniform.finish().unwrap()[0]);
    assert_eq!(a, unreduced);
    assert_eq!(b, reduced);
    // The two formulas agree up to rounding only.
    for (x, y) in reduced.iter().zip(&unreduced) {
        assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{x} vs {y}");
    }
}

#[test]
fn in_place_is_refused_before_anything_is_written() {
    let mut data = [1.0f64, 2.0];
    let t = [0.0, 1.0, 2.0];
    assert_eq!(
        gradient_1d_in_place(&mut data, AxisSpacing::Coordinates(&t), EdgeOrder::First),
        Err(GradientError::CoordinateLength {
            axis: 0,
            expected: 2,
            got: 3
        })
    );
    assert_eq!(
        gradient_1d_in_place(&mut data, AxisSpacing::Uniform(1.0), EdgeOrder::Second),
        Err(GradientError::AxisTooShort {
            axis: 0,
            len: 2,
            min: 3
        })
    );
    assert_eq!(data, [1.0, 2.0]);
}

#[test]
fn state_is_three_frames_and_three_timestamps() {
    use std::mem::size_of;
    // Three frames of floats and three timestamps, plus a counter, the edge order and (uniform)
    // the step with its divisor: no buffer of the series, nothing that grows.
    fn bound<F, X, const C: usize>() -> usize {
        3 * C * size_of::<F>() + 3 * size_of::<X>() + 4 * size_of::<F>() + 8
    }
    assert!(size_of::<GradientStream<f32, 1>>() <= bound::<f32, (), 1>());
    assert!(size_of::<GradientStream<f64, 16>>() <= bound::<f64, (), 16>());
    assert!(size_of::<TimedGradientStream<f32, u32, 3>>() <= bound::<f32, u32, 3>());
    assert!(size_of::<TimedGradientStream<f32, u64, 16>>() <= bound::<f32, u64, 16>());
    assert!(size_of::<TimedGradientStream<f64, f64, 1>>() <= bound::<f64, f64, 1>());
}
