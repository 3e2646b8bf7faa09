//! `gradient` of `i16` samples into `f32` (a thermal camera's frames) through the compact
//! kernel, everything unknown, in a cortex-m-rt program. Links only if that path has no panic.
#![no_std]
#![no_main]

use numgrad_probe::{Volatile, budget};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut v = Volatile::new();
    loop {
        budget::gradient_nd::<i16, f32>(&mut v);
    }
}
