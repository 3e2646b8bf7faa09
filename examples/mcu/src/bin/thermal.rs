//! The strongest edge in a thermal-camera frame, on the microcontroller.
//!
//! # The sensor
//!
//! An MLX90640 is a 32×24 thermopile array. Once its driver has applied the calibration, a
//! frame is 768 temperatures, row after row: 24 rows of 32 pixels, pixel (row `r`, column `c`)
//! at index `r * 32 + c`, row 0 at the top of the image. Here they are `i16` in centi-degrees
//! Celsius (2200 = 22.00 °C), a common way to keep a frame in 1.5 KiB of RAM.
//!
//! The frame below is synthetic but shaped like a real one: a room at about 22 °C with a slight
//! vertical gradient, a warm blob at about 34 °C (a hand or a face in front of the sensor) with
//! a soft rim, and a little deterministic pixel noise. It sits in a static, and is read with
//! volatile loads as a driver would copy it out of its I²C buffer, so nothing is
//! constant-folded.
//!
//! # What is computed
//!
//! One call of the N-d [`gradient`] over both axes of the 24×32 view, as
//! `numpy.gradient(frame)` would (unit spacing: one pixel; first-order edges; `f32` outputs):
//! `gy` along the rows (axis 0, downwards) and `gx` along the columns (axis 1, rightwards), in
//! centi-degrees per pixel, central differences inside, one-sided ones on the border. The
//! strongest edge is the pixel with the largest squared magnitude `gx² + gy²`; the program
//! prints its position and magnitude through semihosting. For degrees per pixel, divide by 100,
//! or pass `Spacing::Uniform(100.0)` to get them straight from the call.
//!
//! Cargo: `numgrad = { version = "0.1", features = ["compact"] }`
//! (`compact` builds the N-d `gradient` from one small kernel, for parts with little flash).
//! The buffers (the frame and the two gradients, 7.5 KiB) are on the stack here, so the stack
//! high-water mark printed at the end includes them.
#![no_std]
#![no_main]

use core::fmt;
use core::ptr::{addr_of, read_volatile};

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use numgrad::{EdgeOrder, Options, StridedView, StridedViewMut, gradient};
use numgrad_mcu::{exit, paint_stack, stack_used};

/// Pixels per row.
const COLS: usize = 32;
/// Rows per frame.
const ROWS: usize = 24;
/// Pixels per frame.
const PIXELS: usize = COLS * ROWS;

/// The last frame the driver delivered, in centi-degrees Celsius, row-major.
static FRAME: [i16; PIXELS] = synthetic_frame();

/// A plausible frame: background, warm blob with a two-pixel rim, noise of ±0.16 °C.
const fn synthetic_frame() -> [i16; PIXELS] {
    // Blob centre (in quarter pixels, so it falls between pixels) and radii (in pixels).
    const CY4: i32 = 45; // row 11.25
    const CX4: i32 = 78; // column 19.5
    const CORE: i32 = 4;
    const RIM: i32 = 2;
    let mut frame = [0i16; PIXELS];
    let mut seed: u32 = 0x1234_5678;
    let mut i = 0;
    while i < PIXELS {
        let (r, c) = ((i / COLS) as i32, (i % COLS) as i32);
        // The room: 22.00 °C at the top, 21.40 °C at the bottom (warm air rises).
        let room = 2200 - r * 60 / (ROWS as i32 - 1);
        // Distance to the centre in quarter pixels, then the blob's share: all inside the
        // core, fading linearly across the rim, none outside.
        let (dy, dx) = (4 * r - CY4, 4 * c - CX4);
        let d4 = isqrt(dy * dy + dx * dx);
        let blob = if d4 <= 4 * CORE {
            1200
        } else if d4 >= 4 * (CORE + RIM) {
            0
        } else {
            1200 * (4 * (CORE + RIM) - d4) / (4 * RIM)
        };
        // xorshift32: deterministic noise in -16..=15 centi-degrees.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 32) as i32 - 16;
        frame[i] = (room + blob + noise) as i16;
        i += 1;
    }
    frame
}

/// The integer square root (floor), by bisection.
const fn isqrt(v: i32) -> i32 {
    let (mut lo, mut hi) = (0, 1 << 16);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if mid * mid <= v { lo = mid } else { hi = mid }
    }
    lo
}

/// A value in hundredths, printed as a decimal (`-448` as `-4.48`).
struct Centi(i32);

impl fmt::Display for Centi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[entry]
fn main() -> ! {
    paint_stack();

    // Copy the frame out of the driver's buffer.
    let mut frame = [0i16; PIXELS];
    let src = addr_of!(FRAME).cast::<i16>();
    for (k, t) in frame.iter_mut().enumerate() {
        // SAFETY: `k < PIXELS`, inside the static frame.
        *t = unsafe { read_volatile(src.add(k)) };
    }

    // d/drow and d/dcolumn of the 24×32 frame, centi-degrees per pixel.
    let shape = [ROWS, COLS];
    let (mut gy, mut gx) = ([0.0f32; PIXELS], [0.0f32; PIXELS]);
    let result = match (
        StridedView::contiguous(&frame, &shape),
        StridedViewMut::contiguous(&mut gy, &shape),
        StridedViewMut::contiguous(&mut gx, &shape),
    ) {
        (Ok(input), Ok(gy), Ok(gx)) => gradient(
            &input,
            &mut [gy, gx],
            &Options::new().edge_order(EdgeOrder::First),
        ),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    if let Err(e) = result {
        hprintln!("gradient failed: {}", e);
        exit(false);
    }

    // The strongest edge: largest gx² + gy².
    let (mut best, mut best_sq) = (0, -1.0f32);
    for (k, (&y, &x)) in gy.iter().zip(&gx).enumerate() {
        let sq = x * x + y * y;
        if sq > best_sq {
            (best, best_sq) = (k, sq);
        }
    }
    let (row, col) = (best / COLS, best % COLS);
    // Hundredths are all the sensor resolves (and print without float formatting).
    let magnitude = libm::sqrtf(best_sq) as i32;
    hprintln!(
        "thermal {}x{}: strongest edge at row {}, column {} ({} °C): {} °C/pixel (gx {}, gy {})",
        ROWS,
        COLS,
        row,
        col,
        Centi(frame[best].into()),
        Centi(magnitude),
        Centi(gx[best] as i32),
        Centi(gy[best] as i32)
    );
    hprintln!("stack used: {} bytes", stack_used());
    // The blob's rim is 12 °C over two pixels: anything much flatter means a wrong result.
    exit(magnitude > 300)
}
