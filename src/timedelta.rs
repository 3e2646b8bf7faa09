//! datetime64 and timedelta64 samples: 64-bit counts of a unit the caller keeps, `i64::MIN`
//! being NaT, with numpy's timedelta arithmetic (numpy 2.4's loops, `loops.c.src`).

use crate::value::{Products, Value, sealed::Sealed};

/// numpy's NaT ("not a time"): the most negative count.
const NAT: i64 = i64::MIN;

/// A numpy `datetime64` value: a count of some unit since the epoch (the unit is the caller's
/// to keep), [`NAT`](Self::NAT) for NaT. Its gradient is a [`Timedelta64`] of the same unit
/// per unit of spacing, as numpy's.
///
/// ```
/// use numgrad::Datetime64;
/// assert!(Datetime64::NAT.is_nat());
/// assert!(!Datetime64(0).is_nat());
/// ```
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Datetime64(pub i64);

/// A numpy `timedelta64` value: a count of some unit (the caller's to keep),
/// [`NAT`](Self::NAT) for NaT. The gradient of [`Datetime64`] and `Timedelta64` samples.
///
/// ```
/// use numgrad::Timedelta64;
/// assert_eq!(Timedelta64::NAT, Timedelta64(i64::MIN));
/// ```
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timedelta64(pub i64);

/// `a - b` (`TIMEDELTA_mm_m_subtract`): NaT if either is; otherwise wrapping, as numpy 2.4's
/// loop (later numpy raises `OverflowError` there instead).
fn sub(a: i64, b: i64) -> i64 {
    if a == NAT || b == NAT {
        NAT
    } else {
        a.wrapping_sub(b)
    }
}

/// `a + b` (`TIMEDELTA_mm_m_add`), as [`sub`].
fn add(a: i64, b: i64) -> i64 {
    if a == NAT || b == NAT {
        NAT
    } else {
        a.wrapping_add(b)
    }
}

/// `t` scaled by a float (`TIMEDELTA_md_m_divide`, `TIMEDELTA_dm_m_multiply`): NaT stays NaT;
/// otherwise `t` rounded to `f64`, the operation in `f64`, and the result truncated toward
/// zero, NaT when it is not finite. numpy's C cast of a finite result outside the `i64` range
/// is undefined; x86-64 gives `i64::MIN`, NaT, and so does this.
#[inline]
fn scaled(t: i64, op: impl FnOnce(f64) -> f64) -> i64 {
    if t == NAT {
        return NAT;
    }
    let r = op(t as f64);
    // 2^63: the least `f64` above `i64::MAX`.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if r.is_finite() && (-LIMIT..LIMIT).contains(&r) {
        r as i64
    } else {
        NAT
    }
}

/// numpy's gradient formulas on counts (a datetime64 array is viewed as timedelta64 first).
#[inline]
fn difference(plus: i64, minus: i64, divisor: f64) -> Timedelta64 {
    Timedelta64(scaled(sub(plus, minus), |d| d / divisor))
}

#[inline]
fn weighted([a, b, c]: [f64; 3], [f0, f1, f2]: [i64; 3]) -> Timedelta64 {
    let term = |w: f64, t: i64| scaled(t, |t| w * t);
    Timedelta64(add(add(term(a, f0), term(b, f1)), term(c, f2)))
}

/// Both count types: NaT, and numpy's formulas (numpy views a datetime64 array as timedelta64
/// before differencing).
macro_rules! counts {
    ($($t:ty),*) => {$(
        impl $t {
            /// NaT: `i64::MIN`, as in numpy.
            pub const NAT: Self = Self(NAT);

            /// Whether this is NaT.
            pub fn is_nat(self) -> bool {
                self.0 == NAT
            }
        }

        impl Sealed for $t {}

        impl Value<f64> for $t {
            type Out = Timedelta64;
            #[inline]
            fn missing() -> Self {
                Self::NAT
            }
            #[inline]
            fn difference(plus: Self, minus: Self, divisor: f64) -> Timedelta64 {
                difference(plus.0, minus.0, divisor)
            }
            #[inline]
            fn weighted(weights: [f64; 3], f: [Self; 3], _: Products) -> Timedelta64 {
                weighted(weights, f.map(|t| t.0))
            }
        }
    )*};
}
counts!(Timedelta64, Datetime64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_truncates_and_maps_the_unrepresentable_to_nat() {
        assert_eq!(scaled(-3, |t| t / 2.0), -1);
        assert_eq!(scaled(3, |t| t * 0.5), 1);
        assert_eq!(scaled(5, |t| t / 0.0), NAT);
        assert_eq!(scaled(0, |t| t / 0.0), NAT);
        assert_eq!(scaled(1 << 62, |t| t * 4.0), NAT);
        assert_eq!(scaled(-(1 << 62), |t| t * 2.0), NAT);
        assert_eq!(scaled((1 << 53) + 1, |t| t * 1.0), 1 << 53);
        assert_eq!(scaled(NAT, |_| 0.0), NAT);
    }

    #[test]
    fn sums_wrap_and_nat_spreads() {
        assert_eq!(add(1 << 62, -(1 << 62) - 1), -1);
        assert_eq!(sub(1 << 62, -(1 << 62) - 1), i64::MIN + 1);
        assert_eq!(add(NAT, 0), NAT);
        assert_eq!(sub(0, NAT), NAT);
    }
}
