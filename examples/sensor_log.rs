//! Heating rates from a temperature logger's CSV (`examples/sensor_log.csv`): three channels of
//! 12-bit ADC counts stamped by a free-running 32-bit microsecond timer that wraps around
//! mid-log, with jittered and late samples. The log is fed to a streaming gradient in blocks of
//! 16 frames, as a firmware loop would get them from DMA; the result is checked bit for bit
//! against the batch gradient of each whole channel, printed as a table, and plotted to
//! `docs/sensor_rate.svg`.
//!
//! Run: `cargo run --release --example sensor_log`

use std::fmt::Write as _;

use numgrad::{AxisSpacing, EdgeOrder, GradientError, TimedGradientStream, gradient_1d};

/// Channels in the log, in column order.
const NAMES: [&str; 3] = ["plate", "sample", "ambient"];
/// ADC counts per degree Celsius (see `make_sensor_log.rs`).
const COUNTS_PER_DEGREE: f64 = 50.0;
/// Frames per DMA half-buffer.
const BLOCK_FRAMES: usize = 16;

fn main() -> Result<(), GradientError> {
    let csv = include_str!("sensor_log.csv");
    let (ticks, counts) = parse(csv);
    let frames = ticks.len();

    // Streaming, a block of 16 frames at a time, into counts per tick (µs).
    let mut stream = TimedGradientStream::<f32, u32, 3>::new(EdgeOrder::Second);
    let mut rates: Vec<f32> = Vec::with_capacity(frames * 3);
    let mut room = [0.0f32; BLOCK_FRAMES * 3 + 3];
    for (block, stamps) in counts
        .chunks(BLOCK_FRAMES * 3)
        .zip(ticks.chunks(BLOCK_FRAMES))
    {
        let n = stream.push_block(block, stamps, &mut room)?;
        rates.extend_from_slice(&room[..n]);
    }
    rates.extend_from_slice(&stream.finish()?);

    // The batch gradient of each whole channel: the same bits.
    for c in 0..3 {
        let channel: Vec<u16> = counts.iter().skip(c).step_by(3).copied().collect();
        let mut batch = vec![0.0f32; frames];
        gradient_1d(
            &channel,
            &mut batch,
            AxisSpacing::Ticks32(&ticks),
            EdgeOrder::Second,
        )?;
        let streamed = rates.iter().skip(c).step_by(3);
        assert!(
            streamed
                .zip(&batch)
                .all(|(s, b)| s.to_bits() == b.to_bits()),
            "stream and batch differ on channel {c}"
        );
    }

    // Seconds since the first row (wrapping subtraction: the timer wraps mid-log).
    let seconds: Vec<f64> = ticks
        .iter()
        .map(|&t| f64::from(t.wrapping_sub(ticks[0])) * 1e-6)
        .collect();
    let wrap = ticks.windows(2).position(|w| w[1] < w[0]).map(|i| i + 1);
    let celsius = |k: usize| f64::from(counts[k]) / COUNTS_PER_DEGREE;
    // counts per µs -> °C per s.
    let per_second = |k: usize| f64::from(rates[k]) * 1e6 / COUNTS_PER_DEGREE;

    println!("{frames} frames, 3 channels; stream == batch, bit for bit, on every channel");
    if let Some(w) = wrap {
        println!("timer wraps between rows {} and {w}", w - 1);
    }
    println!(
        "{:>4} {:>10} {:>7}  {:>22}  {:>22}  {:>22}",
        "row", "tick [us]", "t [s]", "plate °C  °C/s", "sample °C  °C/s", "ambient °C  °C/s"
    );
    for i in (0..frames).filter(|&i| i % 20 == 0 || Some(i) == wrap || i + 1 == frames) {
        print!("{i:>4} {:>10} {:>7.3}", ticks[i], seconds[i]);
        for c in 0..3 {
            print!(
                "  {:>12.2} {:>9.3}",
                celsius(i * 3 + c),
                per_second(i * 3 + c)
            );
        }
        println!(
            "{}",
            if Some(i) == wrap {
                "  <- timer wrapped"
            } else {
                ""
            }
        );
    }

    let temps: Vec<Vec<f64>> = (0..3)
        .map(|c| (0..frames).map(|i| celsius(i * 3 + c)).collect())
        .collect();
    let slopes: Vec<Vec<f64>> = (0..3)
        .map(|c| (0..frames).map(|i| per_second(i * 3 + c)).collect())
        .collect();
    let svg = plot(&seconds, &temps, &slopes, wrap.map(|w| seconds[w]));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/sensor_rate.svg");
    std::fs::write(path, svg).expect("write docs/sensor_rate.svg");
    println!("plot written to {path}");
    Ok(())
}

/// Timestamps and interleaved counts from the CSV (header, then `tick,plate,sample,ambient`).
fn parse(csv: &str) -> (Vec<u32>, Vec<u16>) {
    let mut ticks = Vec::new();
    let mut counts = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split(',').map(str::trim);
        let tick = fields.next().and_then(|f| f.parse().ok());
        ticks.push(tick.expect("a tick per row"));
        for _ in 0..3 {
            let v = fields.next().and_then(|f| f.parse().ok());
            counts.push(v.expect("three counts per row"));
        }
    }
    (ticks, counts)
}

const COLORS: [&str; 3] = ["#d6452b", "#2b6cd6", "#3a9e4a"];
const WIDTH: f64 = 900.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 760.0;

/// Two stacked panels (temperature, rate) sharing the time axis, written by hand.
fn plot(t: &[f64], temps: &[Vec<f64>], rates: &[Vec<f64>], wrap: Option<f64>) -> String {
    let t_max = t.last().copied().unwrap_or(1.0).ceil();
    let mut svg = String::new();
    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="600" viewBox="0 0 {WIDTH} 600" font-family="sans-serif" font-size="12">"#
    )
    .unwrap();
    svg.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    writeln!(
        svg,
        r#"<text x="{}" y="24" font-size="15" text-anchor="middle">Temperature logger: streamed gradient (3 channels, u32 µs timer, jittered)</text>"#,
        (LEFT + RIGHT) / 2.0
    )
    .unwrap();
    let panels = [
        ("temperature [°C]", temps, 45.0, 265.0),
        ("rate [°C/s]", rates, 320.0, 540.0),
    ];
    for (label, series, top, bottom) in panels {
        let (lo, hi) = nice_range(series);
        let x = |s: f64| LEFT + (RIGHT - LEFT) * s / t_max;
        let y = |v: f64| bottom - (bottom - top) * (v - lo) / (hi - lo);
        // Grid and y ticks.
        let step = tick_step(hi - lo);
        let mut v = (lo / step).ceil() * step;
        while v <= hi + 1e-9 {
            let yv = y(v);
            writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{yv:.1}" x2="{RIGHT}" y2="{yv:.1}" stroke="#e4e4e4"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                LEFT - 6.0,
                yv + 4.0,
                fmt_tick(v, step)
            )
            .unwrap();
            v += step;
        }
        // x ticks every 5 s.
        let mut s = 0.0;
        while s <= t_max + 1e-9 {
            let xs = x(s);
            writeln!(
                svg,
                r##"<line x1="{xs:.1}" y1="{top}" x2="{xs:.1}" y2="{bottom}" stroke="#f0f0f0"/><text x="{xs:.1}" y="{:.1}" text-anchor="middle">{s}</text>"##,
                bottom + 16.0
            )
            .unwrap();
            s += 5.0;
        }
        writeln!(
            svg,
            r##"<rect x="{LEFT}" y="{top}" width="{}" height="{}" fill="none" stroke="#555"/>"##,
            RIGHT - LEFT,
            bottom - top
        )
        .unwrap();
        writeln!(
            svg,
            r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">{label}</text>"#,
            (top + bottom) / 2.0
        )
        .unwrap();
        if let Some(w) = wrap {
            let xw = x(w);
            writeln!(
                svg,
                r##"<line x1="{xw:.1}" y1="{top}" x2="{xw:.1}" y2="{bottom}" stroke="#888" stroke-dasharray="5 4"/><text x="{:.1}" y="{:.1}" fill="#666">timer wraps</text>"##,
                xw + 4.0,
                top + 14.0
            )
            .unwrap();
        }
        for (c, values) in series.iter().enumerate() {
            let mut points = String::new();
            for (&s, &v) in t.iter().zip(values) {
                write!(points, "{:.1},{:.1} ", x(s), y(v)).unwrap();
            }
            writeln!(
                svg,
                r#"<polyline fill="none" stroke="{}" stroke-width="1.4" points="{}"/>"#,
                COLORS[c],
                points.trim_end()
            )
            .unwrap();
        }
    }
    writeln!(
        svg,
        r#"<text x="{}" y="580" text-anchor="middle">time since first sample [s]</text>"#,
        (LEFT + RIGHT) / 2.0
    )
    .unwrap();
    for (c, name) in NAMES.iter().enumerate() {
        let yl = 70.0 + 22.0 * c as f64;
        writeln!(
            svg,
            r#"<line x1="780" y1="{yl}" x2="805" y2="{yl}" stroke="{}" stroke-width="3"/><text x="812" y="{:.1}">{name}</text>"#,
            COLORS[c],
            yl + 4.0
        )
        .unwrap();
    }
    svg.push_str("</svg>\n");
    svg
}

/// The range of all series, widened a little and to whole ticks.
fn nice_range(series: &[Vec<f64>]) -> (f64, f64) {
    let all = series.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let step = tick_step(hi - lo);
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// A round tick step giving about 5 to 10 ticks over `span`.
fn tick_step(span: f64) -> f64 {
    let raw = span.max(1e-9) / 6.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let unit = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|&m| m * magnitude >= raw)
        .unwrap_or(10.0);
    unit * magnitude
}

fn fmt_tick(v: f64, step: f64) -> String {
    if step >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
