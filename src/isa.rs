//! The one place that decides which vector instructions a call may use, and the proof of it.
//!
//! `wide` fixes its lanes at compile time, so a default x86_64 build computes on SSE2 lanes even
//! on a newer CPU. The interior sweeps have a second instantiation compiled for AVX2, taken when
//! the CPU has it, and a third one for AVX-512F. Where 512-bit lanes run at the core's full
//! clock (the CPUs with AVX512-VBMI2: Intel's since Ice Lake, AMD's since Zen 4), every sweep of
//! at least one 512-bit vector takes them. Where they lower the clock for some milliseconds
//! (Skylake-SP, Cascade Lake: AVX-512F without VBMI2), which a small call would impose on
//! the code around it, only the sweeps where they gain most do: those of uneven spacing, whose
//! three IEEE divisions per point make the divider the limit, and those that store around the
//! caches (whose 512-bit stores write whole cache lines). Every path computes each lane with
//! the same correctly rounded instructions in the same order, so the bits do not depend on the
//! path.
//!
//! A call picks its [`Path`] once, at its entry ([`Path::detect`]), and hands it down to the
//! sweeps. The run-time lane types can only be built with a token of this module ([`Avx2`],
//! [`Avx512`]): a proof (of a byte at most) that only detection creates, so code that would
//! run those instructions on a CPU without them does not compile. Detection is the
//! `cpufeatures` crate (`cpuid` and `xgetbv`, `no_std`; it reports nothing under Miri, which
//! cannot run `cpuid`), its answer cached in one atomic.
//!
//! The AVX-512F proof also carries whether the call is tuned for Intel's cores, which decides
//! how the 512-bit `f64` lanes take the first interior weight's quotient by coordinates
//! ([`Avx512::fma_quotient`]): from the divider, or from the FMA units verified exact
//! (`lanes::avx512`). Intel's cores issue a 512-bit `vdivpd` every 16 cycles, the limit of a
//! line of coordinates (three divisions per point); AMD's divide faster than the FMA quotient
//! can (measured in `docs/performance.md`), so they keep the divider; AVX2 lanes keep it on
//! every CPU (the FMA quotient gained nothing from memory there).
//!
//! One fact of the CPU's caches is read here too, beside the other `cpuid` queries: the size of
//! its L2 ([`l2_bytes`]), by which the fused pass sizes a part's chunks (`pass`). It tunes, it
//! never chooses instructions, and no result depends on it.

/// Proof that the CPU runs AVX2 and the OS saves its registers. Zero-sized; only
/// [`Path::detect`] makes one.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2(());

/// Proof that the CPU runs AVX-512F and AVX2 and the OS saves their registers, and whether the
/// call is tuned for Intel's cores. Only [`Path::detect`] makes one.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx512 {
    intel: bool,
}

#[cfg(target_arch = "x86_64")]
impl Avx512 {
    /// AVX-512F CPUs with AVX2 are the only ones this token is made for.
    #[inline(always)]
    pub(crate) fn avx2(self) -> Avx2 {
        Avx2(())
    }

    /// Whether the `f64` lanes take the first interior weight by coordinates from the FMA
    /// units (verified, the divider where not), rather than from the divider: with Intel's
    /// tuning.
    #[inline(always)]
    pub(crate) fn fma_quotient(self) -> bool {
        self.intel
    }

    /// This proof under a test's `cap`: Intel's tuning at the top cap only (tests compare both
    /// tunings on any AVX-512F CPU).
    fn capped(self, cap: Isa) -> Self {
        Self {
            intel: cap == Isa::Avx512Fma,
        }
    }
}

/// Whether this CPU is Intel's (`cpuid` leaf 0 says "GenuineIntel"): its 512-bit divider is
/// slower than the FMA quotient.
#[cfg(target_arch = "x86_64")]
fn intel() -> bool {
    // SAFETY: `cpuid` leaf 0 exists on every x86-64 CPU (the intrinsic is safe on newer Rust,
    // hence the allowance); only asked after AVX-512F was detected, so never under Miri.
    #[allow(unused_unsafe)]
    let id = unsafe { core::arch::x86_64::__cpuid(0) };
    // "Genu" "ineI" "ntel" in EBX, EDX, ECX.
    (id.ebx, id.edx, id.ecx) == (0x756e_6547, 0x4965_6e69, 0x6c65_746e)
}

/// The L2 cache of one core, in bytes, as `cpuid` reports it (leaf 0x8000_0006, ECX bits
/// 31-16, in KiB: AMD's and Intel's CPUs alike), if it does. `None` off x86_64 and under Miri
/// (which cannot run `cpuid`). A tuning fact (how much input one chunk of a pass keeps between
/// its axes), never a path's. Asked anew each time: its one caller asks once per call of more
/// than 3 MiB a plane, where two `cpuid`s are nothing.
#[cfg(target_pointer_width = "64")]
pub(crate) fn l2_bytes() -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        use core::arch::x86_64::__cpuid;
        // SAFETY: leaf 0x8000_0000 exists on every x86-64 CPU, and says whether leaf
        // 0x8000_0006 does (the intrinsic is safe on newer Rust, hence the allowance).
        #[allow(unused_unsafe)]
        let kib = unsafe {
            if __cpuid(0x8000_0000).eax >= 0x8000_0006 {
                __cpuid(0x8000_0006).ecx >> 16
            } else {
                0
            }
        };
        return (kib > 0).then(|| (kib as usize).saturating_mul(1024));
    }
    #[allow(unreachable_code)]
    None
}

/// Proof that the CPU converts between f16 and f32 in vector registers (F16C, with the AVX
/// registers it uses). Zero-sized; only [`F16c::detect`] makes one. Every x86-64 CPU with AVX2
/// has it, but it is its own feature bit, detected on its own.
#[cfg(all(target_arch = "x86_64", feature = "half"))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct F16c(());

#[cfg(all(target_arch = "x86_64", feature = "half"))]
impl F16c {
    /// The proof, if this CPU has F16C and the OS saves the AVX registers it uses (detected
    /// once per process, then an atomic load; never under Miri, which cannot run `cpuid`).
    #[inline]
    pub(crate) fn detect() -> Option<Self> {
        use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
        // 0: not yet asked; 1: no; 2: yes. `cpufeatures` has no F16C: AVX (with the OS's
        // `xgetbv` check) from it, the F16C bit (leaf 1, ECX bit 29) from `cpuid` here.
        static F16C: AtomicU8 = AtomicU8::new(0);
        if cfg!(miri) {
            return None;
        }
        let known = match F16C.load(Relaxed) {
            0 => {
                // SAFETY: `cpuid` leaf 1 exists on every x86-64 CPU (the intrinsic is safe on
                // newer Rust, hence the allowance).
                #[allow(unused_unsafe)]
                let ecx = unsafe { core::arch::x86_64::__cpuid(1) }.ecx;
                let has = cpu_avx::get() && ecx & (1 << 29) != 0;
                F16C.store(1 + u8::from(has), Relaxed);
                has
            }
            v => v == 2,
        };
        known.then_some(Self(()))
    }
}

#[cfg(all(target_arch = "x86_64", feature = "half"))]
cpufeatures::new!(cpu_avx, "avx");
#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpu_avx2, "avx2");
#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpu_avx512, "avx512f", "avx2");
// VBMI2 is not used: it marks the CPUs whose 512-bit lanes keep the clock (see above).
#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpu_avx512_full_clock, "avx512f", "avx2", "avx512vbmi2");

/// The vector path of one call: which sweeps it may enter, with the proof for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    /// The compile-time lanes only (`wide`'s choice for the build's target features).
    Baseline,
    /// AVX2 sweeps.
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2),
    /// AVX2 sweeps, and AVX-512F sweeps for the dividing formulas (uneven spacing) and the
    /// non-temporal stores: CPUs whose 512-bit lanes lower the clock.
    #[cfg(target_arch = "x86_64")]
    Avx512Partial(Avx512),
    /// AVX-512F sweeps wherever a 512-bit vector fits, AVX2 ones for shorter sweeps: CPUs
    /// whose 512-bit lanes run at full clock.
    #[cfg(target_arch = "x86_64")]
    Avx512(Avx512),
}

impl Path {
    /// The fastest path this CPU offers (detected once per process, then one atomic load: a
    /// small call pays for its detection too).
    #[inline]
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
            // 0: not yet asked; else `ask`'s code.
            static DETECTED: AtomicU8 = AtomicU8::new(0);
            let code = match DETECTED.load(Relaxed) {
                0 => {
                    let code = Self::ask();
                    DETECTED.store(code, Relaxed);
                    code
                }
                code => code,
            };
            let token = Avx512 {
                intel: code & 8 != 0,
            };
            return match code & 7 {
                4 => Self::Avx512(token),
                3 => Self::Avx512Partial(token),
                2 => Self::Avx2(Avx2(())),
                _ => Self::Baseline,
            };
        }
        #[allow(unreachable_code)]
        Self::Baseline
    }

    /// The CPU's path as `Path::detect` caches it: 1 to 4 for the baseline, AVX2, partial and
    /// full AVX-512, plus 8 for Intel's tuning of the 512-bit lanes.
    #[cfg(target_arch = "x86_64")]
    #[cold]
    fn ask() -> u8 {
        let tuned = |code: u8| code + 8 * u8::from(intel());
        if cpu_avx512_full_clock::get() {
            tuned(4)
        } else if cpu_avx512::get() {
            tuned(3)
        } else if cpu_avx2::get() {
            2
        } else {
            1
        }
    }

    /// The AVX2 proof, on the AVX2 and AVX-512 paths.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn avx2(self) -> Option<Avx2> {
        match self {
            Self::Baseline => None,
            Self::Avx2(t) => Some(t),
            Self::Avx512Partial(t) | Self::Avx512(t) => Some(t.avx2()),
        }
    }

    /// The AVX-512F proof for a sweep of 512-bit vectors: on the full AVX-512 path, for any;
    /// on the partial one, for the sweeps where they gain most (`wide`: a dividing formula or
    /// non-temporal stores).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn avx512(self, wide: bool) -> Option<Avx512> {
        match self {
            Self::Avx512(t) => Some(t),
            Self::Avx512Partial(t) if wide => Some(t),
            _ => None,
        }
    }

    /// The caps of [`Isa::ALL`] under which this path runs different code, in increasing order:
    /// each cap whose capped path differs from every lower cap's (see `testing::distinct_caps`).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn distinct_caps(self) -> impl Iterator<Item = Isa> {
        Isa::ALL
            .into_iter()
            .enumerate()
            .filter_map(move |(k, cap)| {
                let path = self.capped(cap);
                let new = Isa::ALL[..k]
                    .iter()
                    .all(|&lower| self.capped(lower) != path);
                new.then_some(cap)
            })
    }

    /// This path, using nothing above `cap` (tests and benchmarks compare the paths). On
    /// 512-bit lanes Intel's tuning is the top of the order: every lower AVX-512 cap takes the
    /// divider, and [`Isa::Avx512Fma`] forces the tuning on any AVX-512F CPU, so that both are
    /// tested wherever there are 512-bit lanes. The AVX2 cap is the path the CPU would take
    /// without AVX-512.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn capped(self, cap: Isa) -> Self {
        match (self, cap) {
            (_, Isa::Baseline) => Self::Baseline,
            #[cfg(target_arch = "x86_64")]
            (Self::Avx512(t) | Self::Avx512Partial(t), Isa::Avx2) => Self::Avx2(t.avx2()),
            #[cfg(target_arch = "x86_64")]
            (Self::Avx512(t) | Self::Avx512Partial(t), Isa::Avx512Partial) => {
                Self::Avx512Partial(t.capped(cap))
            }
            #[cfg(target_arch = "x86_64")]
            (Self::Avx512(t), _) => Self::Avx512(t.capped(cap)),
            #[cfg(target_arch = "x86_64")]
            (Self::Avx512Partial(t), _) => Self::Avx512Partial(t.capped(cap)),
            (path, _) => path,
        }
    }

    /// The instruction set this path uses.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn isa(self) -> Isa {
        match self {
            Self::Baseline => Isa::Baseline,
            #[cfg(target_arch = "x86_64")]
            Self::Avx2(_) => Isa::Avx2,
            #[cfg(target_arch = "x86_64")]
            Self::Avx512Partial(t) | Self::Avx512(t) if t.intel => Isa::Avx512Fma,
            #[cfg(target_arch = "x86_64")]
            Self::Avx512Partial(_) => Isa::Avx512Partial,
            #[cfg(target_arch = "x86_64")]
            Self::Avx512(_) => Isa::Avx512,
        }
    }
}

/// The vector instruction sets, in increasing order: what a test asks a call to use at most
/// (see `testing`), and what a call used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub enum Isa {
    /// The compile-time lanes only.
    Baseline,
    /// AVX2 sweeps where the CPU has AVX2 (x86_64 only; elsewhere the same as `Baseline`).
    Avx2,
    /// AVX2 sweeps, and AVX-512F sweeps for uneven spacing and non-temporal stores (outputs of
    /// 16 MiB or more), where the CPU has AVX-512F: what a CPU whose 512-bit lanes lower the
    /// clock runs.
    Avx512Partial,
    /// AVX-512F sweeps wherever a 512-bit vector fits, where the CPU's 512-bit lanes run at full
    /// clock (AVX512-VBMI2); elsewhere the same as `Avx512Partial`. Every quotient from the
    /// divider: what AMD's CPUs run.
    Avx512,
    /// The AVX-512F sweeps of `Avx512` (or `Avx512Partial` where the lanes lower the clock),
    /// tuned for Intel's cores: the first interior weight by coordinates on `f64` lanes taken
    /// from the FMA units, verified exact (the divider where not). What Intel's CPUs run;
    /// forced on any CPU with AVX-512F, so that it is tested there too.
    Avx512Fma,
}

impl Isa {
    /// Every cap, in increasing order: the one list the tests, the fuzz targets and the report
    /// run through.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub const ALL: [Isa; 5] = [
        Isa::Baseline,
        Isa::Avx2,
        Isa::Avx512Partial,
        Isa::Avx512,
        Isa::Avx512Fma,
    ];
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// Which sweeps take 512-bit lanes on each path, and what each cap leaves of a path (the
    /// tokens are made here without the CPU's word: nothing runs on them).
    #[test]
    fn each_path_takes_the_512_bit_lanes_it_should() {
        let token = |intel| Avx512 { intel };
        let (full, partial) = (
            Path::Avx512(token(false)),
            Path::Avx512Partial(token(false)),
        );
        let avx2 = Path::Avx2(Avx2(()));
        for wide in [false, true] {
            assert!(full.avx512(wide).is_some(), "full, wide {wide}");
            assert_eq!(partial.avx512(wide).is_some(), wide, "partial, wide {wide}");
            assert!(avx2.avx512(wide).is_none() && Path::Baseline.avx512(wide).is_none());
        }
        let expect = |path: Path| Isa::ALL.map(|cap| path.capped(cap).isa());
        use Isa::{Avx2 as A2, Avx512 as A5, Avx512Fma as F5, Avx512Partial as P5, Baseline as B};
        // Whatever detection chose for the quotient: only the top cap takes the FMA units.
        for fma in [false, true] {
            assert_eq!(expect(Path::Avx512(token(fma))), [B, A2, P5, A5, F5]);
            assert_eq!(expect(Path::Avx512Partial(token(fma))), [B, A2, P5, P5, F5]);
        }
        assert_eq!(expect(avx2), [B, A2, A2, A2, A2]);
        assert_eq!(expect(Path::Baseline), [B; 5]);
        // The cap decides the quotient, whatever detection chose.
        for detected in [false, true] {
            for (path, cap, fma) in [
                (Path::Avx512(token(detected)), Isa::Avx512Partial, false),
                (Path::Avx512(token(detected)), Isa::Avx512Fma, true),
                (Path::Avx512(token(detected)), Isa::Avx512, false),
                (Path::Avx512Partial(token(detected)), Isa::Avx512Fma, true),
            ] {
                let capped = path.capped(cap);
                let t = capped.avx512(true).expect("512-bit lanes");
                assert_eq!(t.fma_quotient(), fma, "{path:?} capped at {cap:?}");
            }
            // An AVX-512 CPU capped at AVX2 takes the path it would without AVX-512.
            for path in [
                Path::Avx512(token(detected)),
                Path::Avx512Partial(token(detected)),
            ] {
                assert_eq!(path.capped(Isa::Avx2), avx2, "{path:?}");
            }
        }
    }

    /// The caps that run different code: a cap the CPU lacks repeats a lower one's path, but
    /// each quotient is its own.
    #[test]
    fn distinct_caps_leave_out_only_repeated_paths() {
        use Isa::{Avx2 as A2, Avx512 as A5, Avx512Fma as F5, Avx512Partial as P5, Baseline as B};
        let same = |path: Path, caps: &[Isa]| {
            assert!(
                path.distinct_caps().eq(caps.iter().copied()),
                "{path:?}: {caps:?}"
            );
        };
        for intel in [false, true] {
            let token = Avx512 { intel };
            same(Path::Avx512(token), &[B, A2, P5, A5, F5]);
            same(Path::Avx512Partial(token), &[B, A2, P5, F5]);
        }
        same(Path::Avx2(Avx2(())), &[B, A2]);
        same(Path::Baseline, &[B]);
    }

    /// A line that divides for its own weights stores around the caches on 512-bit lanes only
    /// (`kernels::line_nt`); an evenly spaced one on every path.
    #[test]
    fn a_dividing_line_bypasses_the_caches_on_512_bit_lanes_only() {
        use crate::kernels::line_nt;
        let dividing_line_nt = |path| line_nt(path, false);
        let token = Avx512 { intel: false };
        let (full, partial) = (Path::Avx512(token), Path::Avx512Partial(token));
        let avx2 = Path::Avx2(Avx2(()));
        for path in [full, partial, avx2, Path::Baseline] {
            assert!(line_nt(path, true), "{path:?}");
        }
        assert!(dividing_line_nt(full) && dividing_line_nt(partial));
        assert!(!dividing_line_nt(avx2) && !dividing_line_nt(Path::Baseline));
        for cap in [Isa::Baseline, Isa::Avx2] {
            assert!(!dividing_line_nt(full.capped(cap)), "{cap:?}");
        }
    }

    /// Every x86-64 CPU these tests run on reports its L2 (a CPU without leaf 0x8000_0006
    /// would leave the pass's part chunks at their default, not wrong): a size an L2 has, the
    /// same each time it is asked.
    #[test]
    #[cfg(not(miri))]
    fn the_l2_is_reported_in_kib() {
        let l2 = l2_bytes().expect("leaf 0x8000_0006 reports the L2");
        assert!(
            (64 << 10..=64 << 20).contains(&l2) && l2.is_multiple_of(1024),
            "{l2}"
        );
        assert_eq!(l2_bytes(), Some(l2));
    }
}
