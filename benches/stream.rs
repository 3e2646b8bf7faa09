//! The streaming block path against the batch path on the same 1e5-sample series, with a
//! memcpy of the output's bytes as the floor, in one run.
//!
//! Run: `cargo bench --bench stream` (figures in docs/stream.md).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientStream, Options, StridedView, StridedViewMut,
    TimedGradientStream, gradient, gradient_1d, gradient_1d_in_place,
};

const N: usize = 100_000;
/// A DMA half-buffer: the block size a firmware loop hands the stream.
const BLOCK: usize = 256;

fn series_f64() -> Vec<f64> {
    (0..N).map(|i| (i as f64 * 0.001).sin() * 100.0).collect()
}

fn series_i16() -> Vec<i16> {
    (0..N)
        .map(|i| ((i as f64 * 0.001).sin() * 12_000.0) as i16)
        .collect()
}

/// A 1 MHz timer sampled at about 1 kHz with jitter, wrapping a third of the way in.
fn ticks(frames: usize) -> Vec<u32> {
    let mut t = u32::MAX - 33_000_000;
    (0..frames)
        .map(|i| {
            let here = t;
            t = t.wrapping_add(1000 + (i as u32 * 7919) % 41);
            here
        })
        .collect()
}

fn uniform_f64(c: &mut Criterion) {
    let x = series_f64();
    let mut out = vec![0.0f64; N + BLOCK + 1];
    let mut g = c.benchmark_group("uniform f64, 1 channel, 1e5 samples");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("memcpy", |b| {
        b.iter(|| out[..N].copy_from_slice(black_box(&x)));
    });
    g.bench_function("batch gradient_1d", |b| {
        b.iter(|| {
            gradient_1d(
                black_box(&x),
                &mut out[..N],
                AxisSpacing::Uniform(0.01),
                EdgeOrder::Second,
            )
            .unwrap()
        });
    });
    for block in [64, BLOCK, 1024] {
        g.bench_with_input(
            BenchmarkId::new("stream push_block", block),
            &block,
            |b, &block| {
                b.iter(|| {
                    let mut s = GradientStream::<f64>::new(0.01, EdgeOrder::Second);
                    let mut w = 0;
                    for chunk in black_box(&x).chunks(block) {
                        w += s.push_block(chunk, &mut out[w..]).unwrap();
                    }
                    out[w] = s.finish().unwrap()[0];
                });
            },
        );
    }
    g.bench_function("stream push (one sample at a time)", |b| {
        b.iter(|| {
            let mut s = GradientStream::<f64>::new(0.01, EdgeOrder::Second);
            let mut w = 0;
            for &v in black_box(&x) {
                for f in &s.push([v]) {
                    out[w] = f[0];
                    w += 1;
                }
            }
            out[w] = s.finish().unwrap()[0];
        });
    });
    let mut buffer = x.clone();
    g.bench_function("in place (copy in, then gradient_1d_in_place)", |b| {
        b.iter(|| {
            buffer.copy_from_slice(black_box(&x));
            gradient_1d_in_place(&mut buffer, AxisSpacing::Uniform(0.01), EdgeOrder::Second)
                .unwrap()
        });
    });
    g.finish();
}

fn ticks_i16_f32(c: &mut Criterion) {
    let x = series_i16();
    let t = ticks(N);
    let mut out = vec![0.0f32; N + BLOCK + 1];
    let mut g = c.benchmark_group("i16 ADC -> f32, u32 timer ticks, 1 channel, 1e5 samples");
    g.throughput(Throughput::Elements(N as u64));
    let mut dst = vec![0i16; N];
    g.bench_function("memcpy (i16)", |b| {
        b.iter(|| dst.copy_from_slice(black_box(&x)));
    });
    g.bench_function("batch gradient_1d (Ticks32)", |b| {
        b.iter(|| {
            gradient_1d(
                black_box(&x),
                &mut out[..N],
                AxisSpacing::Ticks32(&t),
                EdgeOrder::Second,
            )
            .unwrap()
        });
    });
    g.bench_function(BenchmarkId::new("stream push_block", BLOCK), |b| {
        b.iter(|| {
            let mut s = TimedGradientStream::<f32, u32>::new(EdgeOrder::Second);
            let mut w = 0;
            for (block, ts) in black_box(&x).chunks(BLOCK).zip(t.chunks(BLOCK)) {
                w += s.push_block(block, ts, &mut out[w..]).unwrap();
            }
            out[w] = s.finish().unwrap()[0];
        });
    });
    g.finish();
}

fn imu_3ch(c: &mut Criterion) {
    // 3 interleaved channels, 1e5 samples in all.
    let frames = N / 3;
    let x: Vec<i16> = series_i16()[..frames * 3].to_vec();
    let t = ticks(frames);
    let mut out = vec![0.0f32; frames * 3 + BLOCK + 3];
    let mut g = c.benchmark_group("IMU: 3 interleaved i16 channels -> f32, 1e5 samples");
    g.throughput(Throughput::Elements((frames * 3) as u64));
    let shape = [frames, 3];
    g.bench_function("batch gradient (axis 0 of [n, 3], uniform)", |b| {
        let input = StridedView::contiguous(&x, &shape).unwrap();
        b.iter(|| {
            let mut view = StridedViewMut::contiguous(&mut out[..frames * 3], &shape).unwrap();
            let opts = Options::new()
                .axes(Axes::One(0))
                .spacing(numgrad::Spacing::Uniform(0.001f32));
            gradient(black_box(&input), std::slice::from_mut(&mut view), &opts).unwrap()
        });
    });
    g.bench_function(
        BenchmarkId::new("stream push_block, uniform", BLOCK - 1),
        |b| {
            b.iter(|| {
                let mut s = GradientStream::<f32, 3>::new(0.001, EdgeOrder::Second);
                let mut w = 0;
                for block in black_box(&x).chunks(BLOCK - 1) {
                    w += s.push_block(block, &mut out[w..]).unwrap();
                }
                let last = s.finish().unwrap();
                out[w..w + 3].copy_from_slice(&last);
            });
        },
    );
    g.bench_function(
        BenchmarkId::new("stream push_block, u32 ticks", BLOCK - 1),
        |b| {
            b.iter(|| {
                let mut s = TimedGradientStream::<f32, u32, 3>::new(EdgeOrder::Second);
                let mut w = 0;
                for (block, ts) in black_box(&x)
                    .chunks(BLOCK - 1)
                    .zip(t.chunks((BLOCK - 1) / 3))
                {
                    w += s.push_block(block, ts, &mut out[w..]).unwrap();
                }
                let last = s.finish().unwrap();
                out[w..w + 3].copy_from_slice(&last);
            });
        },
    );
    g.bench_function(
        "batch gradient_1d per channel (Ticks32, deinterleaved copy)",
        |b| {
            let channels: Vec<Vec<i16>> = (0..3)
                .map(|c| x.iter().skip(c).step_by(3).copied().collect())
                .collect();
            let mut outs = vec![vec![0.0f32; frames]; 3];
            b.iter(|| {
                for (ch, o) in channels.iter().zip(outs.iter_mut()) {
                    gradient_1d(
                        black_box(ch),
                        o,
                        AxisSpacing::Ticks32(&t),
                        EdgeOrder::Second,
                    )
                    .unwrap();
                }
            });
        },
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30);
    targets = uniform_f64, ticks_i16_f32, imu_3ch
}
criterion_main!(benches);
