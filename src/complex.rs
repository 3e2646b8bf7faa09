//! Complex samples (feature `complex`): numpy's complex arithmetic with a real spacing, which
//! numpy promotes to complex (`d + 0j`) before every product and division.

#[cfg(target_pointer_width = "64")]
use core::ops::Range;

use num_complex::Complex;

use crate::element::Real;
#[cfg(target_pointer_width = "64")]
use crate::isa::Path;
#[cfg(target_pointer_width = "64")]
use crate::kernels::BlockWeights;
#[cfg(target_pointer_width = "64")]
use crate::spacing::Steps;
use crate::value::{Products, Value, sealed::Sealed};
#[cfg(target_pointer_width = "64")]
use crate::value::{formula_weights, uneven_points};

impl<F: Real> Sealed for Complex<F> {}

/// `n / (d + 0j)` as numpy's complex division (`@TYPE@_divide`, numpy 2.4): Smith's method
/// with a reciprocal scale, so the real part is `(re + im*0) * (1/d)`, not `re / d`, plus
/// numpy's own branches for NaN and zero divisors. Written for any divisor `(dr, di)`, as the
/// loop is, and called with `di = +0`.
#[inline]
fn divide<F: Real>(n: Complex<F>, (dr, di): (F, F)) -> Complex<F> {
    let (re, im) = (n.re, n.im);
    let (dr_abs, di_abs) = (dr.abs(), di.abs());
    let (re_nan, im_nan) = (re.is_nan(), im.is_nan());
    let zero = F::zero();
    let inf_beside_nan = ((!re_nan && re.is_infinite()) || (!im_nan && im.is_infinite()))
        && (dr != zero || di != zero);
    if !dr.is_nan()
        && !di.is_nan()
        && (re_nan || im_nan)
        && (inf_beside_nan || (dr.is_infinite() && di.is_infinite()))
    {
        let nan = if re_nan { re } else { im };
        Complex::new(nan, nan)
    } else if dr_abs >= di_abs {
        if dr_abs == zero && di_abs == zero {
            if (re_nan && (im == zero || im_nan)) || (re == zero && im_nan) {
                Complex::new(if re_nan { re } else { im }, if im_nan { im } else { re })
            } else {
                Complex::new(re / dr_abs, im / di_abs)
            }
        } else {
            let rat = di / dr;
            let scl = F::one() / (dr + di * rat);
            Complex::new((re + im * rat) * scl, (im - re * rat) * scl)
        }
    } else {
        let rat = dr / di;
        let scl = F::one() / (di + dr * rat);
        Complex::new((re * rat + im) * scl, (im * rat - re) * scl)
    }
}

/// `(w + 0j) * f` as numpy's complex multiplication `(w*re - 0*im, w*im + 0*re)`: as its
/// scalar code computes it, or as its vectorized loop does on CPUs with FMA (every x86-64 CPU
/// with AVX2, aarch64), each component `w*x` and the other's `0*y` fused into one rounding.
/// The two differ only where `w*x` underflows to zero: fused, its zero keeps the exact
/// product's sign. No FMA instruction is needed to get the fused bits (see [`fused_zero`]),
/// so every target computes them alike.
fn scale<F: Real>(w: F, f: Complex<F>, products: Products) -> Complex<F> {
    let zero = F::zero();
    let (dr, di) = (zero * f.im, zero * f.re);
    match products {
        Products::Scalars => Complex::new(w * f.re - dr, w * f.im + di),
        Products::Arrays => Complex::new(fused_zero(w, f.re, -dr), fused_zero(w, f.im, di)),
    }
}

/// `w * x + c` with one rounding, for an addend `c` that is `±0` or NaN (`0 * y`): the rounded
/// product `p = w * x` plus `c`, except when `p` is a zero that the exact product is not (an
/// underflow), where the single rounding leaves `p` itself, sign and all (`c` being zero).
fn fused_zero<F: Real>(w: F, x: F, c: F) -> F {
    let zero = F::zero();
    let p = w * x;
    if p == zero && w != zero && x != zero && c == zero {
        p
    } else {
        p + c
    }
}

impl<F: Real> Value<F> for Complex<F> {
    type Out = Complex<F>;
    #[inline]
    fn missing() -> Self {
        Complex::new(F::nan(), F::nan())
    }
    #[inline]
    fn difference(plus: Self, minus: Self, divisor: F) -> Self {
        // Component-wise subtraction, then the division by `divisor + 0j`.
        let d = Complex::new(plus.re - minus.re, plus.im - minus.im);
        divide(d, (divisor, F::zero()))
    }
    #[inline]
    fn weighted([a, b, c]: [F; 3], [f0, f1, f2]: [Self; 3], products: Products) -> Self {
        let [p, q, r] = [(a, f0), (b, f1), (c, f2)].map(|(w, f)| scale(w, f, products));
        Complex::new((p.re + q.re) + r.re, (p.im + q.im) + r.im)
    }

    /// The weights are real, as for real samples: computed in lanes by the real kernels' block
    /// (`kernels::weights`, the same bits as the plan's stencils), a block at a time. (Not on
    /// 32-bit targets, whose builds leave that block out for flash.)
    #[cfg(target_pointer_width = "64")]
    #[inline]
    fn uneven_interior(
        x: &[F],
        points: Range<usize>,
        sample: impl Fn(usize) -> Self,
        mut write: impl FnMut(usize, Self),
    ) {
        let mut weights = BlockWeights::<F, COMPLEX_WEIGHT_BLOCK>::new();
        let path = Path::detect();
        let mut from = points.start;
        while from < points.end {
            let end = weights.compute(path, Steps::Coordinates(x), from, points.end, from);
            if end == from {
                // Not all interior points of `x` (never, for a validated call): one at a time.
                uneven_points(from..points.end, sample, write, formula_weights(x));
                return;
            }
            uneven_points(from..end, &sample, &mut write, |i| weights.at(i));
            from = end;
        }
    }
}

/// Points whose coordinate weights are computed together: 1.5 KiB of `f64` weights on the
/// stack, half the real kernels' block, so that `gradient_values` keeps a small stack.
#[cfg(target_pointer_width = "64")]
const COMPLEX_WEIGHT_BLOCK: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_by_a_real_scales_by_its_reciprocal() {
        // x / 0.7 and x * (1/0.7) differ in the last bit here; numpy gives the latter
        // (`np.complex128(x) / 0.7`).
        let x = 5.219248898251511f64;
        let q = divide(Complex::new(x, 0.0), (0.7, 0.0));
        assert_eq!(q.re, 7.4560698546450155);
        assert_ne!(q.re, x / 0.7);
        // An infinite real part makes the imaginary one NaN (inf * 0).
        let q = divide(Complex::new(f64::INFINITY, 0.0), (2.0, 0.0));
        assert_eq!(q.re, f64::INFINITY);
        assert!(q.im.is_nan());
    }
}
