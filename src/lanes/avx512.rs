//! 512-bit AVX-512F lanes for the run-time AVX-512 sweeps (see `crate::isa`): the same four
//! operations and sign-flip negation as every other lane type, each one correctly rounded
//! instruction per lane, never fused. The sweeps bound by the divider use them (three divisions
//! per point): measured on an AMD Zen 5, a 512-bit `vdivpd` divides 1.8× as many `f64` per
//! second as a 256-bit one (0.15 vs 0.27 ns per element); and so do the sweeps that store around the
//! caches, whose 64-byte non-temporal stores each write a whole cache line.
//!
//! On Intel's CPUs a 512-bit `vdivpd` issues every 16 cycles, and a line of coordinates, three
//! divisions per point, runs at the divider's pace; there the `f64` lanes take the first
//! weight's quotient from the FMA units instead ([`fma_quotient`]), verified exact lane by
//! lane, and the divider takes the other two: that keeps both busy (a second quotient from the
//! FMA units is slower, their two ports full). The token says which (`Avx512::fma_quotient`).
//!
//! Every constructor takes an `isa::Avx512` token, which only detection makes: a value of these
//! types exists only on a CPU with AVX-512F, the invariant the `// SAFETY:` comments below name
//! ("the token was shown"). Every method is `#[inline(always)]` so that it compiles into the
//! `#[target_feature(enable = "avx512f")]` sweep that uses it (`kernels::sweep`).

use core::arch::x86_64::{
    __m256, __m256d, __m512, __m512d, __mmask8, _CMP_GE_OQ, _CMP_LT_OQ, _mm256_castps_pd,
    _mm512_abs_pd, _mm512_add_pd, _mm512_add_ps, _mm512_alignr_epi32, _mm512_alignr_epi64,
    _mm512_and_si512, _mm512_castpd_ps, _mm512_castpd_si512, _mm512_castpd256_pd512,
    _mm512_castps_si512, _mm512_castsi512_pd, _mm512_castsi512_ps, _mm512_cmp_pd_mask,
    _mm512_div_pd, _mm512_div_ps, _mm512_fmadd_pd, _mm512_fnmadd_pd, _mm512_insertf64x4,
    _mm512_load_pd, _mm512_load_ps, _mm512_loadu_pd, _mm512_loadu_ps, _mm512_mask_cmp_pd_mask,
    _mm512_mul_pd, _mm512_mul_ps, _mm512_rcp14_pd, _mm512_set1_epi32, _mm512_set1_epi64,
    _mm512_set1_pd, _mm512_set1_ps, _mm512_storeu_pd, _mm512_storeu_ps, _mm512_stream_pd,
    _mm512_stream_ps, _mm512_sub_epi64, _mm512_sub_pd, _mm512_sub_ps, _mm512_xor_si512,
};

use super::{Convert, Lanes, Step};
use crate::isa::Avx512;

/// Two 256-bit halves (as `f64` bits) into one 512-bit vector.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn join(lo: __m256d, hi: __m256d) -> __m512d {
    // SAFETY: the caller's contract.
    unsafe { _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(lo), hi) }
}

/// `x` with its sign bits flipped, as scalar `-x` (not `0 - x`, which differs at zero).
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn neg_f64(x: __m512d) -> __m512d {
    // SAFETY: the caller's contract (`_mm512_xor_pd` would need AVX-512DQ).
    unsafe {
        _mm512_castsi512_pd(_mm512_xor_si512(
            _mm512_castpd_si512(x),
            _mm512_set1_epi64(i64::MIN),
        ))
    }
}

/// [`neg_f64`] for `f32` lanes.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn neg_f32(x: __m512) -> __m512 {
    // SAFETY: the caller's contract.
    unsafe {
        _mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(x),
            _mm512_set1_epi32(i32::MIN),
        ))
    }
}

/// Two 256-bit halves of `f32` into one 512-bit vector, moved as `f64` bits
/// (`_mm512_insertf32x8` would need AVX-512DQ).
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn join_ps(lo: __m256, hi: __m256) -> __m512 {
    // SAFETY: the caller's contract.
    unsafe { _mm512_castpd_ps(join(_mm256_castps_pd(lo), _mm256_castps_pd(hi))) }
}

/// The lanes where `q` is shown to be `n / d` correctly rounded.
///
/// With `r = n - d*q` (one FMA, one rounding) and `h = |d| * 2^(e-53)`, `e` the exponent of the
/// double just below `|q|`, a lane is accepted only when `|r| < h` and `2^-1021 <= h < inf`:
///
/// - `h` is exact: `2^e * 2^-53` is a power of two (or 0, for `e = -1022`), and its product by
///   `|d|` (53 bits at most) is exact when it is normal, which `h >= 2^-1021` guarantees.
/// - Rounding to nearest is monotone and `h` is a double, so `|n - d*q| >= h` would give
///   `|r| >= h`: hence `|n/d - q| < 2^(e-53)` exactly.
/// - If `q` is not a power of two, `e` is its own exponent and `2^(e-53)` half its ulp: `q` is
///   nearer `n/d` than both neighbours, the correctly rounded quotient (strictly: no tie). If
///   `q` is a power of two, `e` is one less, and the bound is half the ulp below it, the nearer
///   neighbour's distance.
/// - Every other case is rejected: `q = ±0` gives `h = inf` or NaN (the double "below" 0 has
///   an exponent of all ones), a subnormal `q` or `d = 0` gives `h = 0`, a non-finite `n`, `d`
///   or `q` a NaN or infinite `r` or `h`.
///
/// So the bits never depend on the estimate that made `q`. `tests/suite/fma_quotient.rs` holds this
/// to the hardware's division on operands of every class (billions of them by hand).
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn verified(n: __m512d, d: __m512d, q: __m512d) -> __mmask8 {
    // SAFETY: the caller's contract.
    unsafe {
        let r = _mm512_fnmadd_pd(d, q, n);
        let below = _mm512_sub_epi64(_mm512_castpd_si512(q), _mm512_set1_epi64(1));
        let exponent = _mm512_and_si512(below, _mm512_set1_epi64(0x7ff0 << 48));
        let h = _mm512_mul_pd(
            _mm512_mul_pd(
                _mm512_castsi512_pd(exponent),
                _mm512_set1_pd(TWO_TO_MINUS_53),
            ),
            _mm512_abs_pd(d),
        );
        let normal = _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(
            _mm512_cmp_pd_mask::<_CMP_GE_OQ>(h, _mm512_set1_pd(TWO_TO_MINUS_1021)),
            h,
            _mm512_set1_pd(f64::INFINITY),
        );
        _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(normal, _mm512_abs_pd(r), h)
    }
}

const TWO_TO_MINUS_53: f64 = 1.0 / (1u64 << 53) as f64;
const TWO_TO_MINUS_1021: f64 = f64::MIN_POSITIVE * 2.0;

/// `n / d` from the FMA units: a 14-bit reciprocal estimate (`vrcp14pd`), two Newton steps,
/// `q0 = n*y` corrected once, `q = q0 + (n - d*q0)*y`; and the lanes where [`verified`]
/// shows `q` to be the correctly rounded quotient. Whatever the estimate, an accepted lane has
/// the divider's bits.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn fma_quotient(n: __m512d, d: __m512d) -> (__m512d, __mmask8) {
    // SAFETY: the caller's contract.
    unsafe {
        let one = _mm512_set1_pd(1.0);
        let y0 = _mm512_rcp14_pd(d);
        let y1 = _mm512_fmadd_pd(y0, _mm512_fnmadd_pd(d, y0, one), y0);
        let y = _mm512_fmadd_pd(y1, _mm512_fnmadd_pd(d, y1, one), y1);
        let q0 = _mm512_mul_pd(n, y);
        let q = _mm512_fmadd_pd(_mm512_fnmadd_pd(d, q0, n), y, q0);
        (q, verified(n, d, q))
    }
}

/// `n / d` with the divider's bits: the FMA quotient where the token says so and every lane is
/// verified, else `vdivpd`.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn quotient_f64(token: Avx512, n: __m512d, d: __m512d) -> __m512d {
    // SAFETY: the caller's contract.
    unsafe {
        if token.fma_quotient() {
            let (q, exact) = fma_quotient(n, d);
            if exact == 0xff {
                return q;
            }
        }
        _mm512_div_pd(n, d)
    }
}

/// `f32` lanes divide: `vdivps` is not their limit.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn quotient_f32(_: Avx512, n: __m512, d: __m512) -> __m512 {
    // SAFETY: the caller's contract.
    unsafe { _mm512_div_ps(n, d) }
}

/// [`fma_quotient`] on eight lanes held in arrays, for `testing`: the quotients, the lanes
/// verified, and the lanes where [`verified`] accepts `offered` as `n / d`; `None` without
/// AVX-512F.
#[cfg(feature = "testing")]
pub(crate) fn fma_quotient_of(
    n: [f64; 8],
    d: [f64; 8],
    offered: [f64; 8],
) -> Option<([f64; 8], [bool; 8], [bool; 8])> {
    #[target_feature(enable = "avx512f")]
    fn lanes(n: [f64; 8], d: [f64; 8], offered: [f64; 8]) -> ([f64; 8], [bool; 8], [bool; 8]) {
        let load = |v: [f64; 8]| {
            // SAFETY: AVX-512F (this function's feature); the array holds eight lanes.
            unsafe { _mm512_loadu_pd(v.as_ptr()) }
        };
        let bools = |mask: __mmask8| core::array::from_fn(|k| mask & (1 << k) != 0);
        let (n, d) = (load(n), load(d));
        // SAFETY: AVX-512F, as above.
        let ((v, exact), accepted) = unsafe { (fma_quotient(n, d), verified(n, d, load(offered))) };
        let mut q = [0.0; 8];
        // SAFETY: AVX-512F, as above; the array holds eight lanes.
        unsafe { _mm512_storeu_pd(q.as_mut_ptr(), v) };
        (q, bools(exact), bools(accepted))
    }
    crate::isa::Path::detect().avx512(true)?;
    // SAFETY: detection found AVX-512F.
    Some(unsafe { lanes(n, d, offered) })
}

/// The lanes of the samples from `p - 1` and from `p + 1`, shifted in (`valign`) from the
/// vectors `before`, `at` and `after` of the samples from `p - N`, `p` and `p + N`.
macro_rules! neighbours {
    ($($name:ident($v:ty): $alignr:ident, $to:ident, $from:ident, $last:literal;)*) => {$(
        /// The neighbours of `at` from `before` and `after` (see the macro).
        ///
        /// # Safety
        /// The CPU supports AVX-512F.
        #[inline(always)]
        unsafe fn $name(before: $v, at: $v, after: $v) -> [$v; 2] {
            // SAFETY: the caller's contract.
            unsafe {
                [
                    $from($alignr::<$last>($to(at), $to(before))),
                    $from($alignr::<1>($to(after), $to(at))),
                ]
            }
        }
    )*};
}

neighbours! {
    neighbours_f64(__m512d): _mm512_alignr_epi64, _mm512_castpd_si512, _mm512_castsi512_pd, 7;
    neighbours_f32(__m512): _mm512_alignr_epi32, _mm512_castps_si512, _mm512_castsi512_ps, 15;
}

macro_rules! avx512_lanes {
    ($($name:ident($v:ty) => $f:ty, $n:literal, [$add:ident, $sub:ident, $mul:ident,
       $div:ident, $neg:ident, $set1:ident, $loadu:ident, $storeu:ident, $stream:ident,
       $join:ident, $half:ty, $load:ident, $neighbours:ident, $quotient:ident];)*) => {$(
        /// AVX-512 lanes of one float type (see the module's documentation for where they
        /// live).
        #[derive(Clone, Copy, Debug)]
        pub struct $name($v);

        // 64-byte non-temporal stores: a whole cache line each.
        intrinsic_lanes!($name($v) => $f, $n, Avx512, align 64: $add, $sub, $mul, $div, $neg, $set1,
            $loadu, $storeu, $stream;
            // Loaded unaligned, the two neighbours cross a cache line each; shifted in from
            // the aligned vectors before, at and after `p` (`valign`), no load crosses one. In
            // a sweep of two vectors a step, the aligned loads are shared: two per vector. The
            // same samples either way. `gradient_1d` on 1,000 `f64` in L1, a bare C loop on an
            // AMD Zen 4: 94 ns with these, 108 with the unaligned loads (memcpy 77). The
            // report's 150x200x2500 `f64` row by coordinates on axes (2, 0), five alternated
            // runs on an AMD Zen 5: 1.31-1.42x the bound (median 1.36x) with the unaligned
            // loads, 1.17-1.35x (1.25x) with these.
            const SHIFTS_NEIGHBOURS: bool = true;

            #[inline(always)]
            fn quotient(token: Avx512, n: Self, d: Self) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $quotient(token, n.0, d.0) })
            }

            #[inline(always)]
            unsafe fn neighbours(_: Avx512, p: *const $f) -> [Self; 2] {
                // SAFETY: the token was shown; `p` is aligned to the vector's 64 bytes, and
                // the `N` samples before `p` and the `2N` from it are readable (the caller's
                // contract).
                unsafe {
                    let (before, at, after) =
                        ($load(p.wrapping_sub($n)), $load(p), $load(p.wrapping_add($n)));
                    let [low, high] = $neighbours(before, at, after);
                    [Self(low), Self(high)]
                }
            }

            // Samples of the lanes' own type at a whole vector (`p` aligned to 64 bytes), with
            // the margin readable: the neighbours as `neighbours` gives them.
            #[inline(always)]
            unsafe fn load_around<T: Convert<$f>>(
                token: Avx512,
                p: *const T,
                margin: bool,
            ) -> [Self; 3] {
                if T::IS_REAL && margin && p.addr().is_multiple_of(64) {
                    let p = p.cast::<$f>();
                    // SAFETY: the token was shown; `T` is `$f` (`IS_REAL`), `p` is aligned to
                    // the vector's 64 bytes (checked), and with the margin the `N` samples
                    // before `p` and the `2N` from it are readable (the caller's contract).
                    unsafe {
                        let [low, high] = <Self as Lanes>::neighbours(token, p);
                        [low, Self($load(p)), high]
                    }
                } else {
                    // SAFETY: the caller's contract covers the three loads' samples.
                    unsafe { crate::lanes::three_loads(token, p, super::Unit) }
                }
            }
        );

        impl $name {
            /// `Lanes::load`: two halves loaded as the AVX2 lanes load them (the sample
            /// type's own conversion, a step-2 view by their shuffle, other strides gathered),
            /// joined.
            ///
            /// # Safety
            /// `Lanes::load`'s contract.
            #[inline(always)]
            unsafe fn load_samples<T: Convert<$f>, S: Step>(
                token: Avx512,
                p: *const T,
                s: S,
            ) -> Self {
                const HALF: usize = $n / 2;
                let avx2 = token.avx2();
                // SAFETY: the caller guarantees `p + k*s` readable for k < N (and, with gaps,
                // the elements between): the low half's are k < N/2, the high half's, from
                // `p + (N/2)s`, the others; an AVX-512F token comes with AVX2; the halves are
                // joined on AVX-512F (the token was shown).
                unsafe {
                    let lo = <$half as Lanes>::load(avx2, p, s);
                    let hi = <$half as Lanes>::load(avx2, p.offset(HALF as isize * s.get()), s);
                    Self($join(lo.0, hi.0))
                }
            }
        }
    )*};
}

avx512_lanes! {
    F64x8(__m512d) => f64, 8, [_mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_div_pd,
        neg_f64, _mm512_set1_pd, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_stream_pd,
        join, super::avx2::F64x4, _mm512_load_pd, neighbours_f64, quotient_f64];
    F32x16(__m512) => f32, 16, [_mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps,
        neg_f32, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_stream_ps,
        join_ps, super::avx2::F32x8, _mm512_load_ps, neighbours_f32, quotient_f32];
}
