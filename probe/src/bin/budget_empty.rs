//! An empty cortex-m-rt program: the baseline the budgets are measured against (vector table,
//! reset handler, runtime initialisation).
#![no_std]
#![no_main]

use numgrad_probe as _;

#[cortex_m_rt::entry]
#[allow(clippy::empty_loop)] // Nothing at all: the baseline.
fn main() -> ! {
    loop {}
}
