//! The one place that decides, at run time, whether kernels may use AVX2.
//!
//! `wide` fixes its lanes at compile time, so a default x86_64 build computes on SSE2 lanes even
//! on a CPU with AVX2. The interior sweeps that are bound by arithmetic rather than memory (the
//! three IEEE divisions per point of coordinate spacing, and series in cache) have a second
//! instantiation compiled for AVX2 (`kernels::sweep::sweep_avx2`), taken when the CPU has it.
//! Both compute every lane with the same correctly rounded instructions in the same order, so
//! the bits do not depend on the path; tests run both (see [`limit_isa`]).
//!
//! Detection uses `cpuid` and `xgetbv` from `core::arch` (no `std`), once, cached in an atomic.

use core::sync::atomic::{AtomicU8, Ordering};

/// The vector instruction sets the kernels may use.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// The compile-time lanes only (`wide`'s choice for the build's target features).
    Baseline,
    /// AVX2 sweeps where the CPU has AVX2 (x86_64 only; elsewhere the same as `Baseline`).
    Avx2,
}

const UNKNOWN: u8 = 0;
const BASELINE: u8 = 1;
const AVX2: u8 = 2;

/// The detected level (`UNKNOWN` until first asked).
static DETECTED: AtomicU8 = AtomicU8::new(UNKNOWN);
/// The highest level a caller allows (`AVX2`: no limit).
static LIMIT: AtomicU8 = AtomicU8::new(AVX2);

/// Caps the instruction sets the kernels may use, for tests and benchmarks that compare the
/// paths (`Isa::Avx2`, the default, means whatever the CPU has). Process-wide; results do not
/// depend on it, only speed does.
#[doc(hidden)]
pub fn limit_isa(isa: Isa) {
    let level = match isa {
        Isa::Baseline => BASELINE,
        Isa::Avx2 => AVX2,
    };
    LIMIT.store(level, Ordering::Relaxed);
}

/// The instruction set the kernels use now: the CPU's, capped by [`limit_isa`].
#[doc(hidden)]
pub fn active_isa() -> Isa {
    if avx2() { Isa::Avx2 } else { Isa::Baseline }
}

/// Whether the AVX2 sweeps may run: the CPU and the OS support AVX2 and no limit forbids it.
#[inline]
pub(crate) fn avx2() -> bool {
    let mut level = DETECTED.load(Ordering::Relaxed);
    if level == UNKNOWN {
        level = if detect_avx2() { AVX2 } else { BASELINE };
        DETECTED.store(level, Ordering::Relaxed);
    }
    level == AVX2 && LIMIT.load(Ordering::Relaxed) == AVX2
}

/// AVX2 in the CPU (`cpuid`) and the YMM state saved by the OS (`xgetbv`).
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[allow(unused_unsafe)] // `cpuid` is safe in newer Rust, unsafe at our MSRV
fn detect_avx2() -> bool {
    use core::arch::x86_64::{__cpuid, __cpuid_count};
    // Built with AVX2 already: `wide`'s lanes are AVX2, nothing to add.
    if cfg!(target_feature = "avx2") {
        return false;
    }
    // SAFETY: `cpuid` exists on every x86_64 CPU; leaf 0 gives the highest leaf.
    let max_leaf = unsafe { __cpuid(0) }.eax;
    if max_leaf < 7 {
        return false;
    }
    // SAFETY: leaf 1 is below the highest leaf.
    let ecx1 = unsafe { __cpuid(1) }.ecx;
    let (osxsave, avx) = (ecx1 & (1 << 27) != 0, ecx1 & (1 << 28) != 0);
    if !(osxsave && avx) {
        return false;
    }
    // XMM (bit 1) and YMM (bit 2) state enabled by the OS.
    // SAFETY: OSXSAVE is set, so `xgetbv` is available and enabled.
    let xcr0 = unsafe { xcr0() };
    if xcr0 & 0b110 != 0b110 {
        return false;
    }
    // SAFETY: leaf 7 is at most the highest leaf.
    let ebx7 = unsafe { __cpuid_count(7, 0) }.ebx;
    ebx7 & (1 << 5) != 0
}

/// The OS's enabled-state register XCR0.
///
/// # Safety
/// The CPU reports OSXSAVE.
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[target_feature(enable = "xsave")]
#[allow(unused_unsafe)] // safe inside `xsave` code in newer Rust
unsafe fn xcr0() -> u64 {
    // SAFETY: the caller guarantees OSXSAVE, which is what `xgetbv` needs.
    unsafe { core::arch::x86_64::_xgetbv(0) }
}

/// No AVX2 path off x86_64, nor under Miri (which cannot run `cpuid`).
#[cfg(not(all(target_arch = "x86_64", not(miri))))]
fn detect_avx2() -> bool {
    false
}
