//! An empty cortex-m-rt program with this workspace's runtime (panic handler, semihosting
//! exit) and release profile: the baseline for code size, "whole program minus this".
#![no_std]
#![no_main]

use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    numgrad_mcu::exit(true)
}
