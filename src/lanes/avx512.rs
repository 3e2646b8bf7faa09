//! 512-bit AVX-512F lanes for the run-time AVX-512 sweeps (see `crate::isa`): the same four
//! operations and sign-flip negation as every other lane type, each one correctly rounded
//! instruction per lane, never fused. The sweeps bound by the divider use them (three divisions
//! per point): measured here, a 512-bit `vdivpd` divides 1.8× as many `f64` per second as a
//! 256-bit one (0.15 vs 0.27 ns per element); and so do the sweeps that store around the
//! caches, whose 64-byte non-temporal stores each write a whole cache line.
//!
//! Every constructor takes an `isa::Avx512` token, which only detection makes: a value of these
//! types exists only on a CPU with AVX-512F, the invariant the `// SAFETY:` comments below name
//! ("the token was shown"). Every method is `#[inline(always)]` so that it compiles into the
//! `#[target_feature(enable = "avx512f")]` sweep that uses it (`kernels::sweep`).

use core::arch::x86_64::{
    __m256, __m256d, __m512, __m512d, _mm256_castps_pd, _mm512_add_pd, _mm512_add_ps,
    _mm512_castpd_ps, _mm512_castpd_si512, _mm512_castpd256_pd512, _mm512_castps_si512,
    _mm512_castsi512_pd, _mm512_castsi512_ps, _mm512_div_pd, _mm512_div_ps, _mm512_insertf64x4,
    _mm512_loadu_pd, _mm512_loadu_ps, _mm512_mul_pd, _mm512_mul_ps, _mm512_set1_epi32,
    _mm512_set1_epi64, _mm512_set1_pd, _mm512_set1_ps, _mm512_storeu_pd, _mm512_storeu_ps,
    _mm512_stream_pd, _mm512_stream_ps, _mm512_sub_pd, _mm512_sub_ps, _mm512_xor_si512,
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

/// Two `wide::f64x4` (the sample type's own conversion of 4 consecutive samples each) as one
/// vector of 8.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn join_f64(lo: wide::f64x4, hi: wide::f64x4) -> __m512d {
    use core::mem::transmute;
    // SAFETY: the caller's contract; `wide::f64x4` is 4 plain `f64` (any bits valid).
    unsafe {
        join(
            transmute::<wide::f64x4, __m256d>(lo),
            transmute::<wide::f64x4, __m256d>(hi),
        )
    }
}

/// Two `wide::f32x8` as one vector of 16.
///
/// # Safety
/// The CPU supports AVX-512F.
#[inline(always)]
unsafe fn join_f32(lo: wide::f32x8, hi: wide::f32x8) -> __m512 {
    use core::mem::transmute;
    // SAFETY: the caller's contract; `wide::f32x8` is 8 plain `f32` (any bits valid), moved
    // as `f64` bits (`_mm512_insertf32x8` would need AVX-512DQ).
    unsafe {
        let (lo, hi) = (
            transmute::<wide::f32x8, __m256>(lo),
            transmute::<wide::f32x8, __m256>(hi),
        );
        _mm512_castpd_ps(join(_mm256_castps_pd(lo), _mm256_castps_pd(hi)))
    }
}

/// Stride-2 lanes of `wide::f64x4` by the AVX2 shuffle of [`deinterleave`](super::deinterleave)
/// (a build without AVX2 would otherwise shuffle `wide`'s halves with SSE2).
///
/// # Safety
/// The CPU supports AVX2 (every CPU an AVX-512F token is made for does).
#[inline(always)]
unsafe fn even_f64(a: wide::f64x4, b: wide::f64x4) -> wide::f64x4 {
    use core::mem::transmute;
    // SAFETY: the caller's contract; `wide::f64x4` is 4 plain `f64` (any bits valid).
    unsafe {
        transmute::<__m256d, wide::f64x4>(super::deinterleave::avx_f64(
            transmute::<wide::f64x4, __m256d>(a),
            transmute::<wide::f64x4, __m256d>(b),
        ))
    }
}

/// [`even_f64`] for `f32` lanes.
///
/// # Safety
/// The CPU supports AVX2.
#[inline(always)]
unsafe fn even_f32(a: wide::f32x8, b: wide::f32x8) -> wide::f32x8 {
    use core::mem::transmute;
    // SAFETY: the caller's contract; `wide::f32x8` is 8 plain `f32` (any bits valid).
    unsafe {
        transmute::<__m256, wide::f32x8>(super::deinterleave::avx_f32(
            transmute::<wide::f32x8, __m256>(a),
            transmute::<wide::f32x8, __m256>(b),
        ))
    }
}

macro_rules! avx512_lanes {
    ($($name:ident($v:ty) => $f:ty, $n:literal, [$add:ident, $sub:ident, $mul:ident,
       $div:ident, $neg:ident, $set1:ident, $loadu:ident, $storeu:ident, $stream:ident,
       $join:ident, $even:ident];)*) => {$(
        /// AVX-512 lanes of one float type (see the module's documentation for where they
        /// live).
        #[derive(Clone, Copy, Debug)]
        pub struct $name($v);

        // 64-byte non-temporal stores: a whole cache line each.
        intrinsic_lanes!($name($v) => $f, $n, Avx512, align 64: $add, $sub, $mul, $div, $neg, $set1,
            $loadu, $storeu, $stream);

        impl $name {
            /// `Lanes::load`: the sample type's own conversion, twice (`wide`'s lanes are half
            /// as many), joined; stride 2 as two halves of the AVX2 shuffle's (a `[::2]` view
            /// whose outputs are stored non-temporally); other strides gathered.
            ///
            /// # Safety
            /// `Lanes::load`'s contract.
            #[inline(always)]
            unsafe fn load_samples<T: Convert<$f>, S: Step>(
                token: Avx512,
                p: *const T,
                s: S,
            ) -> Self {
                if S::UNIT {
                    // SAFETY: the caller guarantees the N consecutive elements at `p`.
                    let (lo, hi) = unsafe { (T::load_wide(p), T::load_wide(p.add($n / 2))) };
                    // SAFETY: the token was shown.
                    Self(unsafe { $join(lo, hi) })
                } else if S::GAPS && s.get() == 2 {
                    const HALF: usize = $n / 2;
                    // SAFETY: the caller guarantees `p[0 ..= 2(N-1)]` readable (the elements
                    // between the lanes too): the half at `q = p` reads `q[0 .. HALF]` and
                    // `q[HALF-1 .. 2 HALF-1]`, the half at `q = p + N` the same, up to
                    // `p[2N-2]`; the token was shown (AVX2 with it).
                    let half = |q: *const T| unsafe {
                        $even(T::load_wide(q), T::load_wide(q.add(HALF - 1)))
                    };
                    // SAFETY: the token was shown.
                    Self(unsafe { $join(half(p), half(p.add($n))) })
                } else {
                    // SAFETY: the caller guarantees `p + k*s` is readable for k < N.
                    Self::from_fn(token, |k| unsafe { p.offset(k as isize * s.get()).read() }.convert())
                }
            }
        }
    )*};
}

avx512_lanes! {
    F64x8(__m512d) => f64, 8, [_mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_div_pd,
        neg_f64, _mm512_set1_pd, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_stream_pd,
        join_f64, even_f64];
    F32x16(__m512) => f32, 16, [_mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps,
        neg_f32, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_stream_ps,
        join_f32, even_f32];
}
