//! 256-bit AVX lanes for the run-time AVX2 sweeps (see `crate::isa`): the same four operations
//! and sign-flip negation as every other lane type, each one correctly rounded instruction per
//! lane, never fused.
//!
//! Every constructor takes an `isa::Avx2` token, which only detection makes: a value of these
//! types exists only on a CPU with AVX2, the invariant the `// SAFETY:` comments below name
//! ("the token was shown"). Every method is `#[inline(always)]` so that it compiles into the
//! `#[target_feature(enable = "avx2")]` sweep that uses it (`kernels::sweep`).

use core::arch::x86_64::{
    __m256, __m256d, _mm256_add_pd, _mm256_add_ps, _mm256_div_pd, _mm256_div_ps, _mm256_loadu_pd,
    _mm256_loadu_ps, _mm256_mul_pd, _mm256_mul_ps, _mm256_set1_pd, _mm256_set1_ps,
    _mm256_storeu_pd, _mm256_storeu_ps, _mm256_stream_pd, _mm256_stream_ps, _mm256_sub_pd,
    _mm256_sub_ps, _mm256_xor_pd, _mm256_xor_ps,
};

use super::deinterleave::{avx_f32, avx_f64};
use super::{Convert, Lanes, Step};
use crate::isa::Avx2;

/// `x` with its sign bits flipped.
///
/// # Safety
/// The CPU supports AVX.
#[inline(always)]
unsafe fn neg_pd(x: __m256d) -> __m256d {
    // SAFETY: the caller's contract.
    unsafe { _mm256_xor_pd(x, _mm256_set1_pd(-0.0)) }
}

/// [`neg_pd`] for `f32` lanes.
///
/// # Safety
/// The CPU supports AVX.
#[inline(always)]
unsafe fn neg_ps(x: __m256) -> __m256 {
    // SAFETY: the caller's contract.
    unsafe { _mm256_xor_ps(x, _mm256_set1_ps(-0.0)) }
}

macro_rules! avx_lanes {
    ($($name:ident($v:ty) => $f:ty, $n:literal, $wide:ty, [$add:ident, $sub:ident, $mul:ident,
       $div:ident, $neg:ident, $set1:ident, $loadu:ident, $storeu:ident,
       $stream:ident, $even:ident];)*) => {$(
        /// AVX lanes of one float type (see the module's documentation for where they live).
        #[derive(Clone, Copy, Debug)]
        // The vector is the `lanes` module's: the AVX-512 lanes are built from two of these.
        pub struct $name(pub(super) $v);

        // 32-byte non-temporal stores: measured here, a 2-D outer-axis stencil stored 1.5x the
        // memcpy bound with 16-byte stores and 1.2x with 32-byte ones.
        intrinsic_lanes!($name($v) => $f, $n, Avx2, align 32: $add, $sub, $mul, $div, $neg, $set1,
            $loadu, $storeu, $stream);

        impl $name {
            /// `Lanes::load`: the sample type's own conversion to `wide` lanes (the same N
            /// lanes, the same bits) reinterpreted, stride 2 as two such loads and a shuffle,
            /// other strides gathered.
            ///
            /// # Safety
            /// `Lanes::load`'s contract.
            #[inline(always)]
            unsafe fn load_samples<T: Convert<$f>, S: Step>(token: Avx2, p: *const T, s: S) -> Self {
                use core::mem::transmute;
                if S::UNIT {
                    // SAFETY: the caller guarantees the N consecutive elements at `p`.
                    let lanes: $wide = unsafe { T::load_wide(p) };
                    // SAFETY: both are N plain floats (any bits valid); the token was shown.
                    Self(unsafe { transmute::<$wide, $v>(lanes) })
                } else if S::GAPS && s.get() == 2 {
                    // SAFETY: the caller guarantees `p[0 ..= 2(N-1)]` readable (the elements
                    // between the lanes too); the loads read `p[0 .. N]` and `p[N-1 .. 2N-1]`.
                    let (a, b): ($wide, $wide) =
                        unsafe { (T::load_wide(p), T::load_wide(p.add($n - 1))) };
                    // SAFETY: both are N plain floats (any bits valid); the token was shown.
                    Self(unsafe { $even(transmute::<$wide, $v>(a), transmute::<$wide, $v>(b)) })
                } else {
                    // SAFETY: the caller guarantees `p + k*s` is readable for k < N.
                    Self::from_fn(token, |k| unsafe { p.offset(k as isize * s.get()).read() }.convert())
                }
            }
        }
    )*};
}

avx_lanes! {
    F64x4(__m256d) => f64, 4, wide::f64x4, [_mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd,
        _mm256_div_pd, neg_pd, _mm256_set1_pd, _mm256_loadu_pd, _mm256_storeu_pd,
        _mm256_stream_pd, avx_f64];
    F32x8(__m256) => f32, 8, wide::f32x8, [_mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps,
        _mm256_div_ps, neg_ps, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
        _mm256_stream_ps, avx_f32];
}
