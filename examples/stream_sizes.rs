//! RAM of a stream's state (`size_of`), for a few sensors: the whole state lives in the stream
//! value (three frames, three timestamps, the edge order and a counter up to 3), so this is
//! all a firmware loop needs besides its own block buffers.
//!
//! Run: `cargo run --example stream_sizes` (table in docs/stream.md).

use std::mem::size_of;

use numgrad::{GradientStream, TimedGradientStream};

fn row(what: &str, channels: usize, bytes: usize) {
    println!(
        "| {what:<48} | {channels:>2} | {bytes:>5} | {:>7.1} |",
        bytes as f64 / channels as f64
    );
}

fn main() {
    println!("| stream | channels | bytes | bytes per channel |");
    println!("| --- | ---: | ---: | ---: |");
    row(
        "GradientStream<f32, 1> (uniform)",
        1,
        size_of::<GradientStream<f32, 1>>(),
    );
    row(
        "GradientStream<f32, 3>",
        3,
        size_of::<GradientStream<f32, 3>>(),
    );
    row(
        "GradientStream<f32, 16>",
        16,
        size_of::<GradientStream<f32, 16>>(),
    );
    row(
        "GradientStream<f64, 1>",
        1,
        size_of::<GradientStream<f64, 1>>(),
    );
    row(
        "TimedGradientStream<f32, u32, 1> (timer ticks)",
        1,
        size_of::<TimedGradientStream<f32, u32, 1>>(),
    );
    row(
        "TimedGradientStream<f32, u32, 3>",
        3,
        size_of::<TimedGradientStream<f32, u32, 3>>(),
    );
    row(
        "TimedGradientStream<f32, u32, 16>",
        16,
        size_of::<TimedGradientStream<f32, u32, 16>>(),
    );
    row(
        "TimedGradientStream<f32, u64, 3>",
        3,
        size_of::<TimedGradientStream<f32, u64, 3>>(),
    );
    row(
        "TimedGradientStream<f32, f32, 3> (float times)",
        3,
        size_of::<TimedGradientStream<f32, f32, 3>>(),
    );
    row(
        "TimedGradientStream<f64, f64, 1>",
        1,
        size_of::<TimedGradientStream<f64, f64, 1>>(),
    );
}
