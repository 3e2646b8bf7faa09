//! `gradient_1d` on `f32` samples into `f32`, every spacing, both edge orders: the code a
//! firmware needs for the 1-D path alone. Links only if that path has no panic.
#![no_std]
#![no_main]

use numgrad::{AxisSpacing, EdgeOrder, GradientError};
use numgrad_probe::{BUF, Volatile, prefix, prefix_mut, samples, sink, sink_floats};

/// The entry point behind a call that is never inlined, so its stack can be read from the call
/// graph.
#[inline(never)]
fn gradient_1d(
    input: &[f32],
    output: &mut [f32],
    spacing: AxisSpacing<'_, f32>,
    edge_order: EdgeOrder,
) -> Result<(), GradientError> {
    numgrad::gradient_1d(input, output, spacing, edge_order)
}

/// Entry point: a real part's reset handler would jump here.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut v = Volatile::new();
    loop {
        let input: [f32; BUF] = samples(&mut v);
        let x: [f32; BUF] = samples(&mut v);
        let t32: [u32; BUF] = samples(&mut v);
        let t64: [u64; BUF] = samples(&mut v);
        let mut out = [0.0f32; BUF];
        let spacing = match v.below(5) {
            0 => AxisSpacing::Uniform(v.float() as f32),
            1 => AxisSpacing::Coordinates(prefix(&mut v, &x)),
            2 => AxisSpacing::UnreducedCoordinates(prefix(&mut v, &x)),
            3 => AxisSpacing::Ticks32(prefix(&mut v, &t32)),
            _ => AxisSpacing::Ticks64(prefix(&mut v, &t64)),
        };
        let edge = if v.below(2) == 0 {
            EdgeOrder::First
        } else {
            EdgeOrder::Second
        };
        let input = prefix(&mut v, &input);
        let output = prefix_mut(&mut v, &mut out);
        let r = gradient_1d(input, output, spacing, edge);
        sink(u64::from(r.is_ok()));
        sink_floats(&out);
    }
}
