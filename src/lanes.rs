//! One small lane trait over the plain scalar, `wide`'s vectors and the run-time AVX2 and
//! AVX-512F vectors, so that each stencil is written once (in `stencil.rs`) and runs unchanged
//! on 1 lane or on 4 to 16 (`f64`: 1, 4, 4, 8; `f32`: 1, 8, 8, 16 for scalar, `wide`, AVX2,
//! AVX-512F); and how samples of every type are converted into those lanes (`convert`).
//!
//! Only IEEE add, sub, mul, div and sign-flip negation are used: each is implemented lane-wise
//! with the correctly rounded instruction (or plain scalar code without SIMD), never fused, so a
//! lane computes exactly what the scalar path computes.
//!
//! This module is below `element`: it knows `f32` and `f64` and the sample types concretely, and
//! the public traits `Real` and `Sample` are built on its [`Vectors`] and [`Convert`].

use core::fmt::Debug;
use core::ops::{Add, Div, Mul, Neg, Sub};

mod convert;
#[cfg(target_arch = "x86_64")]
mod transpose;
mod widen;

pub use convert::Convert;

/// A run-time lane type (`lanes::avx2`, `lanes::avx512`): the four IEEE operations and
/// sign-flip negation (one intrinsic each, `$neg` a function flipping the sign bits) and the
/// `Lanes` impl; loading samples is the type's own `load_samples` (the widths differ there).
/// Every constructor takes the type's `$token` (`isa::Avx2`, `isa::Avx512`), which only
/// detection makes, so a value of such a type exists only on a CPU that has its instructions:
/// the invariant behind every `unsafe` below ("the token was shown"). After a `;`, further
/// `Lanes` methods of this type (those its lanes do otherwise than the trait's defaults).
#[cfg(target_arch = "x86_64")]
macro_rules! intrinsic_lanes {
    ($name:ident($v:ty) => $f:ty, $n:literal, $token:ty, align $align:literal: $add:ident, $sub:ident,
     $mul:ident, $div:ident, $neg:ident, $set1:ident, $loadu:ident, $storeu:ident,
     $nt:ident $(; $($methods:tt)*)?) => {
        impl core::ops::Add for $name {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                // SAFETY: the token was shown (see above).
                Self(unsafe { $add(self.0, rhs.0) })
            }
        }

        impl core::ops::Sub for $name {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $sub(self.0, rhs.0) })
            }
        }

        impl core::ops::Mul for $name {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $mul(self.0, rhs.0) })
            }
        }

        impl core::ops::Div for $name {
            type Output = Self;
            #[inline(always)]
            fn div(self, rhs: Self) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $div(self.0, rhs.0) })
            }
        }

        impl core::ops::Neg for $name {
            type Output = Self;
            /// Flips the sign bits, as scalar `-x` does (not `0 - x`, which differs at zero).
            #[inline(always)]
            fn neg(self) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $neg(self.0) })
            }
        }

        impl $crate::lanes::Lanes for $name {
            type Elem = $f;
            type Token = $token;
            const N: usize = $n;
            /// One non-temporal store of the whole vector.
            const NT_ALIGN: usize = $align;

            #[inline(always)]
            fn splat(_: $token, x: $f) -> Self {
                // SAFETY: the token was shown.
                Self(unsafe { $set1(x) })
            }

            #[inline(always)]
            fn from_fn(_: $token, f: impl FnMut(usize) -> $f) -> Self {
                let lanes: [$f; $n] = core::array::from_fn(f);
                // SAFETY: the token was shown; the array holds the N lanes.
                Self(unsafe { $loadu(lanes.as_ptr()) })
            }

            #[inline(always)]
            unsafe fn load<T: $crate::lanes::Convert<$f>, S: $crate::lanes::Step>(
                token: $token,
                p: *const T,
                s: S,
            ) -> Self {
                // SAFETY: the caller's contract is `load_samples`' own.
                unsafe { Self::load_samples(token, p, s) }
            }

            #[inline(always)]
            unsafe fn store<S: $crate::lanes::Step>(self, p: *mut $f, s: S) {
                if S::UNIT {
                    // SAFETY: the token was shown; the caller guarantees the N consecutive
                    // elements at `p` are writable (no alignment needed).
                    unsafe { $storeu(p, self.0) }
                } else {
                    let mut lanes = [<$f>::default(); $n];
                    // SAFETY: the token was shown; the array holds the N lanes.
                    unsafe { $storeu(lanes.as_mut_ptr(), self.0) };
                    for (k, v) in lanes.into_iter().enumerate() {
                        // SAFETY: the caller guarantees `p + k*s` is writable for k < N.
                        unsafe { p.offset(k as isize * s.get()).write(v) }
                    }
                }
            }

            #[inline(always)]
            unsafe fn store_nt(self, p: *mut $f) {
                // SAFETY: the token was shown; the caller guarantees `p` aligned to
                // `NT_ALIGN` (the vector's size) and the N elements writable.
                unsafe { $nt(p, self.0) }
            }

            $($($methods)*)?
        }
    };
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;
#[cfg(target_arch = "x86_64")]
mod deinterleave;

/// A stride along a line: the unit stride known at compile time, or any stride in elements.
pub trait Step: Copy {
    /// Whether this is the compile-time unit stride (contiguous loads and stores).
    const UNIT: bool;
    /// Whether loads may read the elements between lanes (stride-2 lanes as two contiguous
    /// loads): not for views from raw pointers, whose gaps may belong to someone else.
    const GAPS: bool = true;
    /// The stride in elements.
    fn get(self) -> isize;
}

/// The compile-time unit stride.
#[derive(Clone, Copy, Debug)]
pub struct Unit;

impl Step for Unit {
    const UNIT: bool = true;
    #[inline(always)]
    fn get(self) -> isize {
        1
    }
}

impl Step for isize {
    const UNIT: bool = false;
    #[inline(always)]
    fn get(self) -> isize {
        self
    }
}

/// A run-time stride whose lanes are read one element at a time, never the elements between
/// them (the input of a view from a raw pointer). Only x86_64 reads between lanes otherwise.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub struct Apart(pub isize);

#[cfg(target_arch = "x86_64")]
impl Step for Apart {
    const UNIT: bool = false;
    const GAPS: bool = false;
    #[inline(always)]
    fn get(self) -> isize {
        self.0
    }
}

/// The arithmetic numpy's formulas use, and nothing else: IEEE add, sub, mul, div and sign-flip
/// negation, each correctly rounded. Lanes of every width have it, and so does every
/// [`Precision`](crate::Precision) (`f16` among them, which has no lanes).
pub trait Arith:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
}

impl<T> Arith for T where
    T: Copy
        + Add<Output = T>
        + Sub<Output = T>
        + Mul<Output = T>
        + Div<Output = T>
        + Neg<Output = T>
{
}

/// The float types the lanes are made of (`f32`, `f64`), with their vector types.
pub trait Vectors:
    num_traits::Float + Default + Debug + Send + Sync + Lanes<Elem = Self, Token = ()>
{
    /// `wide`'s vector of this type: the compile-time lanes (SSE2 on a default x86_64 build).
    type Wide: Lanes<Elem = Self, Token = ()>;
    /// 256-bit AVX lanes, for the sweeps taken when the CPU has AVX2.
    #[cfg(target_arch = "x86_64")]
    type Avx2: Lanes<Elem = Self, Token = crate::isa::Avx2>;
    /// 512-bit AVX-512F lanes, for the sweeps taken when the CPU has AVX-512F (see `isa`: every
    /// sweep, or the dividing and the non-temporal ones only).
    #[cfg(target_arch = "x86_64")]
    type Avx512: Lanes<Elem = Self, Token = crate::isa::Avx512>;
}

impl Vectors for f64 {
    type Wide = wide::f64x4;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F64x4;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F64x8;
}

impl Vectors for f32 {
    type Wide = wide::f32x8;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F32x8;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F32x16;
}

/// `N` values of one float type, operated on lane by lane.
///
/// Values are made only by the constructors, each of which takes the type's [`Token`]
/// (`Lanes::Token`): `()` for the scalar and `wide` lanes, which run on every CPU of the target,
/// and a proof from `isa` for the run-time lanes. The operators need no token: a value exists
/// only where one was shown.
///
/// [`Token`]: Lanes::Token
pub trait Lanes: Arith {
    /// The lane type.
    type Elem: Vectors;
    /// What proves that this CPU runs these lanes' instructions.
    type Token: Copy;
    /// Number of lanes.
    const N: usize;

    /// All lanes equal to `x`.
    fn splat(token: Self::Token, x: Self::Elem) -> Self;

    /// Lane `k` equal to `f(k)`.
    fn from_fn(token: Self::Token, f: impl FnMut(usize) -> Self::Elem) -> Self;

    /// Reads `N` samples at `p`, `p + s`, … `p + (N-1)s` and converts each to `Elem`.
    ///
    /// # Safety
    /// Every one of those `N` elements must be valid for reads, and so must every element
    /// between the first and the last (a stride of 2 is read as two contiguous loads).
    unsafe fn load<T: Convert<Self::Elem>, S: Step>(token: Self::Token, p: *const T, s: S) -> Self;

    /// The lanes of a three-point stencil at `p` (unit stride): the `N` samples from `p - 1`,
    /// from `p` and from `p + 1`, converted.
    ///
    /// # Safety
    /// The `N + 2` samples from `p - 1` must be valid for reads; with `margin`, so must the `N`
    /// before `p` and the `2N` from `p` (lanes that read whole aligned vectors read those).
    #[inline(always)]
    unsafe fn load_around<T: Convert<Self::Elem>>(
        token: Self::Token,
        p: *const T,
        margin: bool,
    ) -> [Self; 3] {
        let _ = margin;
        // SAFETY: the caller's contract.
        unsafe { three_loads(token, p, Unit) }
    }

    /// `n / d` lane by lane, correctly rounded: the bits of `/`. A lane type may take it from
    /// other units than the divider where they are faster on the CPU its token was made for
    /// (`lanes::avx512`'s `f64` lanes on Intel's CPUs).
    #[inline(always)]
    fn quotient(token: Self::Token, n: Self, d: Self) -> Self {
        let _ = token;
        n / d
    }

    /// Whether [`neighbours`](Self::neighbours) shifts the neighbours in from aligned vectors
    /// (worth aligning a sweep's loads for); otherwise it loads them unaligned.
    const SHIFTS_NEIGHBOURS: bool = false;

    /// The lanes of the `N` samples from `p - 1` and from `p + 1`, samples of the lanes' own
    /// type: two unaligned loads, or (where [`SHIFTS_NEIGHBOURS`](Self::SHIFTS_NEIGHBOURS)) the
    /// aligned vectors around `p` with the neighbours shifted in. The same samples either way.
    ///
    /// # Safety
    /// `p` is aligned to the vector (`N` elements), and the `N` samples before `p` and the `2N`
    /// from `p` are valid for reads.
    #[inline(always)]
    unsafe fn neighbours(token: Self::Token, p: *const Self::Elem) -> [Self; 2]
    where
        Self::Elem: Convert<Self::Elem>,
    {
        // SAFETY: `p - 1 .. p + N + 1` lies within the readable `p - N .. p + 2N`.
        unsafe {
            [
                Self::load(token, p.wrapping_sub(1), Unit),
                Self::load(token, p.wrapping_add(1), Unit),
            ]
        }
    }

    /// Writes the lanes to `p`, `p + s`, … `p + (N-1)s`.
    ///
    /// # Safety
    /// Every one of those `N` elements must be valid for writes.
    unsafe fn store<S: Step>(self, p: *mut Self::Elem, s: S);

    /// Alignment, in bytes, that [`store_nt`](Self::store_nt) needs for `N > 1`.
    const NT_ALIGN: usize;

    /// Writes the lanes to the `N` consecutive elements at `p` with non-temporal stores where
    /// the target has them (x86_64), bypassing the caches: for outputs larger than the caches
    /// this avoids reading each destination line before writing it. Elsewhere an ordinary
    /// store. Follow a run of these with [`nt_fence`].
    ///
    /// # Safety
    /// The `N` elements at `p` must be valid for writes, and `p` aligned to
    /// [`NT_ALIGN`](Self::NT_ALIGN) when `N > 1` (a single lane needs only the element's own
    /// alignment).
    unsafe fn store_nt(self, p: *mut Self::Elem);
}

/// [`Lanes::quotient`] with the lanes' token, as a `stencil::QuotientBy`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct QuotientOn<T>(pub(crate) T);

impl<L: Lanes> crate::stencil::QuotientBy<L> for QuotientOn<L::Token> {
    #[inline(always)]
    fn of(self, n: L, d: L) -> L {
        L::quotient(self.0, n, d)
    }
}

/// The lanes of a three-point stencil at `p` along stride `s` as three loads (each lane type's
/// own): the `N` samples from `p - s`, from `p` and from `p + s` ([`Lanes::load_around`] at
/// unit stride).
///
/// # Safety
/// Those samples are valid for reads, as [`Lanes::load`] requires them at stride `s`.
#[inline(always)]
pub(crate) unsafe fn three_loads<L: Lanes, T: Convert<L::Elem>, S: Step>(
    token: L::Token,
    p: *const T,
    s: S,
) -> [L; 3] {
    let around = [p.wrapping_offset(-s.get()), p, p.wrapping_offset(s.get())];
    // SAFETY: the caller's contract: the loads at `p - s`, `p`, `p + s` read those samples.
    unsafe { loads_at(token, around, s) }
}

/// [`Lanes::load`] at each of three places, stride `s` within each: the one way a kernel
/// loads three vectors. Written out, not with `array::map`: a closure that `map` does not
/// inline is compiled without the sweep's target features, and then so are the lanes'
/// intrinsics inlined into it, each called out of line once per vector (`.ci/inlined.sh`).
///
/// # Safety
/// Each load's samples are valid for reads, as [`Lanes::load`] requires them.
#[inline(always)]
pub(crate) unsafe fn loads_at<L: Lanes, T: Convert<L::Elem>, S: Step>(
    token: L::Token,
    [a, b, c]: [*const T; 3],
    s: S,
) -> [L; 3] {
    // SAFETY: the caller's contract.
    unsafe {
        [
            L::load(token, a, s),
            L::load(token, b, s),
            L::load(token, c, s),
        ]
    }
}

/// Bytes of a cache line, which a 512-bit vector fills: the step of the read-ahead hints, and
/// the unit the kernels place their outputs' parts and their weights on, so that non-temporal
/// stores write whole lines and loads beside them start one.
pub(crate) const CACHE_LINE: usize = 64;

/// Elements of `T` from `p` to where the next cache line starts (0 where one starts at `p`):
/// how far a walk moves its cut so that the stores from there fill whole lines. `p` is
/// aligned to `T`, as every view's elements are.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) fn to_cache_line<T>(p: *const T) -> usize {
    (CACHE_LINE - p.addr() % CACHE_LINE) % CACHE_LINE / size_of::<T>()
}

/// Orders earlier non-temporal stores before any later store (a no-op without them).
#[inline]
pub fn nt_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline.
    unsafe {
        core::arch::x86_64::_mm_sfence()
    };
}

/// Asks for the `len` contiguous elements at `p` to be brought into the L2 cache (the T1
/// hint): a hint, which never faults whatever the address (a no-op off x86_64).
///
/// L2, not L1: every caller asks for data it reads a while later (a block ahead, rows ahead)
/// while it streams other data through L1, and lines brought into L1 that early push out the
/// ones in use; the core's own L1 prefetcher takes them from L2 as the loads reach them.
/// Measured on an AMD Zen 4 (EPYC family 25 model 17), T1 against T0 interleaved in one
/// process, medians over 11 rounds of the per-round ratio (AVX2 lanes / AVX-512 lanes): a
/// step-2 view 0.74 / 0.70, an F-order array into C-order outputs 0.81 / 0.79, a transposed
/// view into C-order outputs 0.73 / 0.84, 150x200x2500 by coordinates along axis 0 0.75 /
/// 0.88, on axes (2, 0) 1.03 / 0.97; rows that issue no hint 0.99-1.02. On a Zen 5, T1 for
/// the tiles and the coordinate lines alone had measured no change (`docs/performance.md`,
/// fifth pass); the step-2 and weighted rows' hints were T0 there, and are not re-measured.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        let line = (CACHE_LINE / size_of::<T>().max(1)).max(1);
        for k in (0..len).step_by(line) {
            // SAFETY: SSE is part of the x86_64 baseline; a prefetch reads nothing the program
            // sees and never faults, so any address (computed with wrapping arithmetic) will do.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(p.wrapping_add(k).cast::<i8>()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, len);
}

macro_rules! scalar_lanes {
    ($($f:ty => $nti:ident),*) => {$(
        impl Lanes for $f {
            type Elem = $f;
            type Token = ();
            const N: usize = 1;
            const NT_ALIGN: usize = core::mem::align_of::<$f>();

            #[inline(always)]
            fn splat((): (), x: $f) -> Self {
                x
            }

            #[inline(always)]
            fn from_fn((): (), mut f: impl FnMut(usize) -> $f) -> Self {
                f(0)
            }

            #[inline(always)]
            unsafe fn load<T: Convert<$f>, S: Step>((): (), p: *const T, _s: S) -> Self {
                // SAFETY: the caller guarantees `p` is valid for reads.
                unsafe { p.read() }.convert()
            }

            #[inline(always)]
            unsafe fn store<S: Step>(self, p: *mut $f, _s: S) {
                // SAFETY: the caller guarantees `p` is valid for writes.
                unsafe { p.write(self) }
            }

            #[inline(always)]
            unsafe fn store_nt(self, p: *mut $f) {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: SSE2 is part of the x86_64 baseline; the caller guarantees `p` is
                // valid for writes, and a float's natural alignment is its integer twin's.
                unsafe {
                    core::arch::x86_64::$nti(p.cast(), self.to_bits() as _)
                };
                #[cfg(not(target_arch = "x86_64"))]
                // SAFETY: the caller guarantees `p` is valid for writes.
                unsafe {
                    p.write(self)
                };
            }
        }
    )*};
}

scalar_lanes!(f32 => _mm_stream_si32, f64 => _mm_stream_si64);

macro_rules! vector_lanes {
    ($($v:ty => $f:ty, $n:literal, $half:literal, $nt:ident, $loadu:ident, $even:ident;)*) => {$(
        impl Lanes for $v {
            type Elem = $f;
            type Token = ();
            const N: usize = $n;
            /// SSE2 non-temporal stores, 16 bytes each.
            const NT_ALIGN: usize = 16;

            #[inline(always)]
            fn splat((): (), x: $f) -> Self {
                <$v>::splat(x)
            }

            #[inline(always)]
            fn from_fn((): (), f: impl FnMut(usize) -> $f) -> Self {
                <$v>::new(core::array::from_fn(f))
            }

            #[inline(always)]
            unsafe fn load<T: Convert<$f>, S: Step>((): (), p: *const T, s: S) -> Self {
                if S::UNIT {
                    // SAFETY: the caller guarantees the N consecutive elements at `p` are
                    // readable.
                    return unsafe { T::load_wide(p) };
                }
                #[cfg(target_arch = "x86_64")]
                if S::GAPS && s.get() == 2 {
                    // SAFETY: the caller guarantees `p[0 ..= 2(N-1)]` readable (the elements
                    // between the lanes too); the loads read `p[0 .. N]` and `p[N-1 .. 2N-1]`.
                    let (a, b) = unsafe { (T::load_wide(p), T::load_wide(p.add($n - 1))) };
                    return deinterleave::$even(a, b);
                }
                // SAFETY: the caller guarantees `p + k*s` is readable for k < N.
                Self::from_fn((), |k| unsafe { p.offset(k as isize * s.get()).read() }.convert())
            }

            #[inline(always)]
            unsafe fn store<S: Step>(self, p: *mut $f, s: S) {
                let lanes = self.to_array();
                if S::UNIT {
                    // SAFETY: the caller guarantees the N consecutive elements at `p` are
                    // writable; `write_unaligned` needs no alignment.
                    unsafe { p.cast::<[$f; $n]>().write_unaligned(lanes) }
                } else {
                    for (k, v) in lanes.into_iter().enumerate() {
                        // SAFETY: the caller guarantees `p + k*s` is writable for k < N.
                        unsafe { p.offset(k as isize * s.get()).write(v) }
                    }
                }
            }

            #[inline(always)]
            unsafe fn store_nt(self, p: *mut $f) {
                let lanes = self.to_array();
                #[cfg(target_arch = "x86_64")]
                for k in (0..$n).step_by($half) {
                    use core::arch::x86_64::{$loadu, $nt};
                    // SAFETY: SSE2 is part of the x86_64 baseline; `lanes[k..k + half]` is in
                    // the array; the caller guarantees `p` is 16-byte aligned and the N
                    // elements writable, and `k` elements of 4 or 8 bytes keep the alignment.
                    unsafe { $nt(p.add(k), $loadu(lanes.as_ptr().add(k))) };
                }
                #[cfg(not(target_arch = "x86_64"))]
                // SAFETY: the caller guarantees the N elements at `p` are writable.
                unsafe {
                    p.cast::<[$f; $n]>().write_unaligned(lanes)
                };
            }
        }
    )*};
}

vector_lanes! {
    wide::f64x4 => f64, 4, 2, _mm_stream_pd, _mm_loadu_pd, wide_f64;
    wide::f32x8 => f32, 8, 4, _mm_stream_ps, _mm_loadu_ps, wide_f32;
}
