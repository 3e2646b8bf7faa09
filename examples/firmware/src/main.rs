//! A firmware loop on a Cortex-M4F: a 3-axis sensor and its timer-stamped frames arrive by
//! DMA into a double buffer; each half-buffer is differentiated as soon as the DMA controller
//! hands it over, and the rates go out through a transmit buffer. No heap, no runtime crate:
//! `_start` is the entry point and the panic handler parks the core.
//!
//! The "peripherals" are plain statics read and written with volatile accesses, so the
//! example links and its code size is that of a real loop (nothing is constant-folded away).
//!
//! Build: `bash .ci/stream.sh` (or `cargo build --release --target thumbv7em-none-eabihf`
//! here).
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::ptr::{read_volatile, write_volatile};

use numgrad::{EdgeOrder, TimedGradientStream};

/// Axes of the sensor, interleaved `x y z x y z …` in the DMA buffer.
const AXES: usize = 3;
/// Frames per DMA half-buffer.
const FRAMES: usize = 32;
/// Values per half-buffer.
const HALF: usize = FRAMES * AXES;
/// The room a half-buffer's outputs need: `HALF + AXES` (one frame more than it holds, for the
/// block in which a second-order stream completes its first point).
const ROOM: usize = Stream::max_output_len(HALF);

type Stream = TimedGradientStream<f32, u32, AXES>;

/// The DMA double buffer of raw `i16` counts, and the capture timer (a free-running 32-bit
/// microsecond counter) latched with each frame.
static mut DMA_SAMPLES: [i16; 2 * HALF] = [0; 2 * HALF];
static mut DMA_TICKS: [u32; 2 * FRAMES] = [0; 2 * FRAMES];
/// DMA status: bit 0 = first half ready, bit 1 = second half ready, bit 2 = end of series.
static mut DMA_STATUS: u32 = 0;
/// Rates in counts per microsecond, to the host: one half-buffer of results (plus the frame
/// the stream may add) and how many values are valid.
static mut TX_RATES: [f32; ROOM] = [0.0; ROOM];
static mut TX_LEN: u32 = 0;

/// Entry point (no runtime crate: the reset handler of a real part jumps here).
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut stream = Stream::new(EdgeOrder::Second);
    let mut rates = [0.0f32; ROOM];
    loop {
        // SAFETY: single-threaded; the status register is only read here.
        let status = unsafe { read_volatile(&raw const DMA_STATUS) };
        for half in 0..2 {
            if status & (1 << half) == 0 {
                continue;
            }
            let (samples, ticks) = take_half(half);
            // Whole frames, one tick per frame, room for ROOM values: cannot fail.
            let n = stream.push_block(&samples, &ticks, &mut rates).unwrap_or(0);
            send(&rates[..n]);
        }
        if status & 0b100 != 0 {
            // End of series: the last frame's rate (an error if it was too short: drop it).
            if let Ok(last) = stream.finish() {
                send(&last);
            }
            stream.reset();
        }
    }
}

/// Copies half `half` of the DMA buffers out before the controller overwrites it.
fn take_half(half: usize) -> ([i16; HALF], [u32; FRAMES]) {
    let mut samples = [0i16; HALF];
    let mut ticks = [0u32; FRAMES];
    let base = (&raw const DMA_SAMPLES).cast::<i16>();
    let tbase = (&raw const DMA_TICKS).cast::<u32>();
    for (k, s) in samples.iter_mut().enumerate() {
        // SAFETY: `half * HALF + k < 2 * HALF`, inside the static buffer.
        *s = unsafe { read_volatile(base.add(half * HALF + k)) };
    }
    for (k, t) in ticks.iter_mut().enumerate() {
        // SAFETY: `half * FRAMES + k < 2 * FRAMES`, inside the static buffer.
        *t = unsafe { read_volatile(tbase.add(half * FRAMES + k)) };
    }
    (samples, ticks)
}

/// Hands rates to the transmitter.
fn send(rates: &[f32]) {
    let base = (&raw mut TX_RATES).cast::<f32>();
    for (k, &r) in rates.iter().take(ROOM).enumerate() {
        // SAFETY: `k < ROOM`, inside the static buffer.
        unsafe { write_volatile(base.add(k), r) };
    }
    // SAFETY: single-threaded; a plain volatile store.
    unsafe { write_volatile(&raw mut TX_LEN, rates.len() as u32) };
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
