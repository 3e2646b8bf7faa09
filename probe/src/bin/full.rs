//! Every no_std entry point of numgrad (see `api.rs`) with `f32`, `f64` and integer samples
//! (eight sample/float pairs), and `gradient_values` with timedelta64, datetime64, complex and
//! float16 samples. Links only if none of it can panic.
#![no_std]
#![no_main]

use half::f16;
use num_complex::Complex;
use numgrad::{Datetime64, Timedelta64};
use numgrad_probe::Volatile;
use numgrad_probe::api::{exercise, exercise_values};

/// Entry point: a real part's reset handler would jump here.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut v = Volatile::new();
    loop {
        match v.below(13) {
            0 => exercise::<f32, f32>(&mut v),
            1 => exercise::<f64, f64>(&mut v),
            2 => exercise::<i16, f32>(&mut v),
            3 => exercise::<u8, f64>(&mut v),
            4 => exercise::<i32, f64>(&mut v),
            5 => exercise::<u16, f32>(&mut v),
            6 => exercise::<u64, f32>(&mut v),
            7 => exercise::<i64, f64>(&mut v),
            8 => exercise_values::<Timedelta64, f64>(&mut v),
            9 => exercise_values::<Datetime64, f64>(&mut v),
            10 => exercise_values::<Complex<f32>, f32>(&mut v),
            11 => exercise_values::<Complex<f64>, f64>(&mut v),
            _ => exercise_values::<f16, f16>(&mut v),
        }
        #[cfg(feature = "stream")]
        stream::exercise(&mut v);
    }
}

/// The streaming API and the in-place 1-D gradient (feature `stream`).
#[cfg(feature = "stream")]
mod stream {
    use numgrad::{GradientStream, TimedGradientStream, gradient_1d_in_place};
    use numgrad_probe::{Volatile, prefix, prefix_mut, samples, sink, sink_floats};

    pub fn exercise(v: &mut Volatile) {
        let block: [i16; 48] = samples(v);
        let ticks: [u32; 16] = samples(v);
        let mut room = [0.0f32; 51];
        let edge = numgrad_probe::api::edge_order(v);
        let mut s = GradientStream::<f32, 3>::new(v.float() as f32, edge);
        let e = s.push([v.word() as i16, v.word() as i16, v.word() as i16]);
        for frame in &e {
            sink_floats(frame);
        }
        let r = s.push_block(prefix(v, &block), prefix_mut(v, &mut room));
        sink(r.unwrap_or(0) as u64);
        if let Ok(last) = s.finish() {
            sink_floats(&last);
        }
        let mut t = TimedGradientStream::<f32, u32, 3>::new(edge);
        let r = t.push_block(
            prefix(v, &block),
            prefix(v, &ticks),
            prefix_mut(v, &mut room),
        );
        sink(r.unwrap_or(0) as u64);
        if let Ok(last) = t.finish() {
            sink_floats(&last);
        }
        sink_floats(&room);
        let mut series: [f32; 40] = samples(v);
        let r = gradient_1d_in_place(
            prefix_mut(v, &mut series),
            numgrad::AxisSpacing::Uniform(0.5),
            edge,
        );
        sink(u64::from(r.is_ok()));
        sink_floats(&series);
    }
}
