//! The one place that decides, at run time, which vector instructions the kernels may use.
//!
//! `wide` fixes its lanes at compile time, so a default x86_64 build computes on SSE2 lanes even
//! on a newer CPU. The interior sweeps have a second instantiation compiled for AVX2
//! (`kernels::sweep::sweep_avx2`), taken when the CPU has it, and the sweeps of uneven spacing,
//! whose three IEEE divisions per point make the divider the limit, a third one for AVX-512F
//! (`sweep_avx512`). Every path computes each lane with the same correctly rounded instructions
//! in the same order, so the bits do not depend on the path; tests run all of them (see
//! [`limit_isa`]).
//!
//! Detection uses `cpuid` and `xgetbv` from `core::arch` (no `std`), once, cached in an atomic.

use core::sync::atomic::{AtomicU8, Ordering};

/// The vector instruction sets the kernels may use, in increasing order.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// The compile-time lanes only (`wide`'s choice for the build's target features).
    Baseline,
    /// AVX2 sweeps where the CPU has AVX2 (x86_64 only; elsewhere the same as `Baseline`).
    Avx2,
    /// AVX2 sweeps, and AVX-512F sweeps for uneven spacing, where the CPU has AVX-512F.
    Avx512,
}

const UNKNOWN: u8 = 0;

/// The level of each instruction set (0 is "not detected yet").
const fn level(isa: Isa) -> u8 {
    match isa {
        Isa::Baseline => 1,
        Isa::Avx2 => 2,
        Isa::Avx512 => 3,
    }
}

/// The detected level (`UNKNOWN` until first asked).
static DETECTED: AtomicU8 = AtomicU8::new(UNKNOWN);
/// The highest level a caller allows (the highest there is: no limit).
static LIMIT: AtomicU8 = AtomicU8::new(level(Isa::Avx512));

/// Caps the instruction sets the kernels may use, for tests and benchmarks that compare the
/// paths (`Isa::Avx512`, the default, means whatever the CPU has). Process-wide; results do
/// not depend on it, only speed does.
#[doc(hidden)]
pub fn limit_isa(isa: Isa) {
    LIMIT.store(level(isa), Ordering::Relaxed);
}

/// The instruction set the kernels use now: the CPU's, capped by [`limit_isa`].
#[doc(hidden)]
pub fn active_isa() -> Isa {
    match allowed() {
        l if l >= level(Isa::Avx512) => Isa::Avx512,
        l if l >= level(Isa::Avx2) => Isa::Avx2,
        _ => Isa::Baseline,
    }
}

/// Whether the AVX2 sweeps may run: the CPU and the OS support AVX2 and no limit forbids it.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn avx2() -> bool {
    allowed() >= level(Isa::Avx2)
}

/// Whether the AVX-512F sweeps may run.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn avx512() -> bool {
    allowed() >= level(Isa::Avx512)
}

/// The detected level, capped by the limit.
#[inline]
fn allowed() -> u8 {
    let mut detected = DETECTED.load(Ordering::Relaxed);
    if detected == UNKNOWN {
        detected = level(detect());
        DETECTED.store(detected, Ordering::Relaxed);
    }
    detected.min(LIMIT.load(Ordering::Relaxed))
}

/// What the CPU (`cpuid`) has and the OS saves the state of (`xgetbv`).
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[allow(unused_unsafe)] // `cpuid` is safe in newer Rust, unsafe at our MSRV
fn detect() -> Isa {
    use core::arch::x86_64::{__cpuid, __cpuid_count};
    // SAFETY: `cpuid` exists on every x86_64 CPU; leaf 0 gives the highest leaf.
    let max_leaf = unsafe { __cpuid(0) }.eax;
    if max_leaf < 7 {
        return Isa::Baseline;
    }
    // SAFETY: leaf 1 is below the highest leaf.
    let ecx1 = unsafe { __cpuid(1) }.ecx;
    let (osxsave, avx) = (ecx1 & (1 << 27) != 0, ecx1 & (1 << 28) != 0);
    if !(osxsave && avx) {
        return Isa::Baseline;
    }
    // SAFETY: OSXSAVE is set, so `xgetbv` is available and enabled.
    let xcr0 = unsafe { xcr0() };
    // SAFETY: leaf 7 is at most the highest leaf.
    let ebx7 = unsafe { __cpuid_count(7, 0) }.ebx;
    // XMM (bit 1) and YMM (bit 2) state; for AVX-512 also the opmask and ZMM state (5–7).
    let (ymm, zmm) = (xcr0 & 0b110 == 0b110, xcr0 & 0b1110_0110 == 0b1110_0110);
    let (has_avx2, has_avx512f) = (ebx7 & (1 << 5) != 0, ebx7 & (1 << 16) != 0);
    match (ymm && has_avx2, zmm && has_avx2 && has_avx512f) {
        (_, true) => Isa::Avx512,
        (true, false) => Isa::Avx2,
        _ => Isa::Baseline,
    }
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

/// Only the compile-time lanes off x86_64, and under Miri (which cannot run `cpuid`).
#[cfg(not(all(target_arch = "x86_64", not(miri))))]
fn detect() -> Isa {
    Isa::Baseline
}
