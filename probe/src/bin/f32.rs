//! Every no_std entry point of numgrad (see `api.rs`) on `f32` samples only: the code size of
//! the whole API for one element type. Links only if none of it can panic.
#![no_std]
#![no_main]

use numgrad_probe::Volatile;
use numgrad_probe::api::exercise;

/// Entry point: a real part's reset handler would jump here.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut v = Volatile::new();
    loop {
        exercise::<f32, f32>(&mut v);
    }
}
