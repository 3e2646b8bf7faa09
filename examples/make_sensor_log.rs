//! Writes `examples/sensor_log.csv`: a deterministic, real-looking log of a three-channel
//! temperature logger (heater plate, sample on the plate, ambient air), read by a 12-bit ADC
//! about ten times a second and stamped with a free-running 32-bit microsecond timer that wraps
//! around 15 s into the log. Timestamps jitter by a few milliseconds, and a few samples come
//! late (a busy bus). The ADC reads 50 counts per degree Celsius.
//!
//! Run: `cargo run --example make_sensor_log` (the committed CSV is its output).

use std::fmt::Write as _;

/// Rows in the log.
const ROWS: usize = 400;
/// Nominal sample period, µs.
const PERIOD_US: u32 = 100_000;
/// ADC counts per degree Celsius.
const COUNTS_PER_DEGREE: f64 = 50.0;

/// xorshift64*: a small deterministic generator, so the log is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// Temperatures (°C) of plate, sample and ambient at `t` seconds: the heater runs from 5 s to
/// 25 s; the sample follows the plate with a lag; the air warms slowly.
fn temperatures(t: f64) -> [f64; 3] {
    let heat = |t: f64, tau: f64| {
        let on = if t > 5.0 {
            1.0 - (-(t - 5.0) / tau).exp()
        } else {
            0.0
        };
        let off = if t > 25.0 {
            1.0 - (-(t - 25.0) / tau).exp()
        } else {
            0.0
        };
        on - off
    };
    let plate = 22.0 + 50.0 * heat(t, 6.0);
    let sample = 22.0 + 42.0 * heat(t - 1.5, 9.0);
    let ambient = 21.5 + 3.0 * heat(t - 3.0, 25.0) + 0.15 * (t * 0.7).sin();
    [plate, sample, ambient]
}

fn main() -> std::io::Result<()> {
    let mut rng = Rng(0x005e_ed0f_7e57_1095);
    // The timer reads 15 s before its wrap at the first row.
    let start: u32 = 0u32.wrapping_sub(15_000_000);
    let mut csv = String::from("tick_us,plate,sample,ambient\n");
    let mut due: u64 = 0;
    for row in 0..ROWS {
        // Jitter of up to ±3 ms; one sample in 37 is 4 to 9 ms late.
        let mut jitter = (rng.unit() * 3000.0) as i64;
        if row % 37 == 19 {
            jitter += 4000 + (rng.unit().abs() * 5000.0) as i64;
        }
        let at_us = (due as i64 + jitter).max(0) as u64;
        due += u64::from(PERIOD_US);
        let tick = start.wrapping_add(at_us as u32);
        let t = at_us as f64 * 1e-6;
        let counts = temperatures(t).map(|c| {
            // Half a count of noise, then the ADC's rounding.
            (c * COUNTS_PER_DEGREE + rng.unit() * 0.5)
                .round()
                .clamp(0.0, 4095.0) as u16
        });
        writeln!(csv, "{tick},{},{},{}", counts[0], counts[1], counts[2]).unwrap();
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sensor_log.csv");
    std::fs::write(path, csv)?;
    println!("wrote {ROWS} rows to {path}");
    Ok(())
}
