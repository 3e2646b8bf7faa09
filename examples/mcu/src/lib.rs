//! What every firmware of this workspace shares: the panic handler (prints through
//! semihosting, then exits with failure so QEMU's exit code says so), the exit call, and the
//! stack measurement by painting.
//!
//! Stack painting: [`paint_stack`] fills the free stack (from the end of `.bss`/`.uninit`, the
//! cortex-m-rt symbol `__sheap`, up to the current stack pointer) with a pattern; after the work,
//! [`stack_used`] finds the lowest word that no longer holds it. Everything above that word,
//! up to the top of RAM (`_stack_start`), was used at some point: the high-water mark, exact to
//! the word, for the run that happened (not a static bound).
#![no_std]

use core::panic::PanicInfo;
use core::ptr::{addr_of, read_volatile};

use cortex_m_semihosting::{debug, hprintln};

/// The word the free stack is filled with (unlikely as data or as an address).
const PAINT: u32 = 0xCA5C_ADE5;

unsafe extern "C" {
    /// Top of the stack (cortex-m-rt: the end of RAM); the stack grows down from here.
    static _stack_start: u32;
    /// First word after `.bss` and `.uninit` (cortex-m-rt): the lowest the stack may reach.
    static __sheap: u32;
}

/// Fills the free stack, from `__sheap` up to this function's stack pointer, with [`PAINT`].
///
/// Call it first thing in `main`; whatever runs afterwards below this point leaves its mark.
#[inline(never)]
pub fn paint_stack() {
    let start = addr_of!(__sheap) as u32;
    // SAFETY: writes only words in [__sheap, sp): the free stack below this function's frame,
    // which nothing uses yet (no interrupts are enabled, and the loop keeps everything in the
    // registers it names). Thumb-1 encodings only (r0-r2, `adds #imm8`), so it runs on the
    // Cortex-M0 too.
    unsafe {
        core::arch::asm!(
            "mov r1, sp",
            "2:",
            "cmp r0, r1",
            "bhs 3f",
            "str r2, [r0]",
            "adds r0, #4",
            "b 2b",
            "3:",
            inout("r0") start => _,
            out("r1") _,
            in("r2") PAINT,
            options(nostack),
        );
    }
}

/// The most stack used since [`paint_stack`], in bytes: from the top of RAM down to the lowest
/// word that no longer holds the paint.
pub fn stack_used() -> u32 {
    let top = addr_of!(_stack_start) as u32;
    let mut p = addr_of!(__sheap) as u32;
    while p < top {
        // SAFETY: `p` is a word-aligned address in RAM between `__sheap` and the top of the
        // stack (both 4-aligned, asserted by cortex-m-rt's linker script).
        if unsafe { read_volatile(p as *const u32) } != PAINT {
            break;
        }
        p += 4;
    }
    top - p
}

/// Ends the program under QEMU: exit code 0 if `ok`, 1 otherwise (semihosting `SYS_EXIT`).
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // A debugger may resume after the exit request: park the core.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(false)
}
