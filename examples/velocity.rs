//! Velocity and acceleration of a cart from a position log sampled at 50 Hz, with a few
//! samples whose timestamps jittered: the first derivative on coordinates, the second by
//! differentiating again. Prints a table and a small text plot.
//!
//! Run: `cargo run --release --example velocity`

use numgrad::{AxisSpacing, EdgeOrder, GradientError, gradient_1d};

fn main() -> Result<(), GradientError> {
    // Timestamps in seconds: 50 Hz with a little jitter, as a real logger produces.
    let t: Vec<f64> = (0..40)
        .map(|i| i as f64 * 0.02 + if i % 7 == 3 { 0.0015 } else { 0.0 })
        .collect();
    // Position in metres: accelerating, then braking.
    let x: Vec<f64> = t
        .iter()
        .map(|&t| {
            if t < 0.5 {
                2.0 * t * t
            } else {
                0.5 + 2.0 * (t - 0.5) - 3.0 * (t - 0.5).powi(2)
            }
        })
        .collect();

    let mut v = vec![0.0; x.len()];
    gradient_1d(&x, &mut v, AxisSpacing::Coordinates(&t), EdgeOrder::Second)?;
    let mut a = vec![0.0; x.len()];
    gradient_1d(&v, &mut a, AxisSpacing::Coordinates(&t), EdgeOrder::Second)?;

    println!(
        "{:>7} {:>9} {:>9} {:>9}  velocity",
        "t [s]", "x [m]", "v [m/s]", "a [m/s2]"
    );
    for i in 0..x.len() {
        let bar = "#".repeat((v[i] * 20.0).max(0.0).round() as usize);
        println!("{:7.4} {:9.5} {:9.5} {:9.3}  {bar}", t[i], x[i], v[i], a[i]);
    }
    Ok(())
}
