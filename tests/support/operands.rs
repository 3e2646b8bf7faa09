//! Division operands of every class that decides a quotient's last bit, for the checks that
//! hold a quotient from the FMA units to the hardware's division
//! (`tests/suite/fma_quotient.rs`, the library's; `examples/division_probe.rs --check`, the probe's AVX2 one). Included by path.
#![allow(dead_code)]

/// xorshift64.
pub struct Rng(pub u64);

impl Rng {
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.bits() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An operand of one of the classes that decide a division's last bit: any bits, near 1,
    /// all-ones significands, powers of two, subnormals, zeros, infinities, NaNs, the largest
    /// and the smallest normal, exponents near both ends of the range.
    pub fn operand(&mut self) -> f64 {
        let r = self.bits();
        let sign = r & (1 << 63);
        let v = match r % 16 {
            0..=4 => f64::from_bits(self.bits()),
            5..=8 => 1.0 + self.unit(),
            9 => f64::from_bits(((self.bits() % 2046 + 1) << 52) | ((1 << 52) - 1)),
            10 => 2f64.powi((self.bits() % 2000) as i32 - 1000),
            11 => f64::from_bits(self.bits() % (1 << 52)),
            12 => {
                [0.0, f64::INFINITY, f64::NAN, f64::MAX, f64::MIN_POSITIVE][(r >> 8) as usize % 5]
            }
            13 => f64::from_bits((self.bits() % (1 << 52)) | (((r >> 8) % 60 + 1990) << 52)),
            _ => f64::from_bits((self.bits() % (1 << 52)) | (((r >> 8) % 60 + 1) << 52)),
        };
        f64::from_bits(v.to_bits() | sign)
    }

    /// A dividend and a divisor: of any classes, or both of moderate size (in `f32`'s range,
    /// where the estimates serve), or with a quotient a few ulps from a midpoint between two
    /// doubles (the hardest to round).
    pub fn operands(&mut self) -> (f64, f64) {
        let moderate = |r: &mut Self| {
            let e = (r.bits() % 200) as i32 - 100;
            (1.0 + r.unit()) * 2f64.powi(e) * if r.bits() & 1 == 0 { 1.0 } else { -1.0 }
        };
        match self.bits() % 4 {
            0 => (self.operand(), self.operand()),
            1 => (moderate(self), moderate(self)),
            _ => {
                // n = d * m rounded once (a fused multiply-add), m the midpoint between q and
                // its successor.
                let (d, q) = (moderate(self), moderate(self));
                let half_ulp = (f64::from_bits(q.to_bits() + 1) - q) / 2.0;
                let n = d.mul_add(q, d * half_ulp);
                let off = (self.bits() % 5) as i64 - 2;
                (f64::from_bits(n.to_bits().wrapping_add_signed(off)), d)
            }
        }
    }
}

/// The double `step` doubles from the quotient `q` (`q` itself where that is not a finite
/// double of `q`'s sign): what a verification is offered besides the quotient.
pub fn offered(q: f64, step: i64) -> f64 {
    let c = f64::from_bits(q.to_bits().wrapping_add_signed(step));
    if q.is_finite() && c.is_finite() && c.signum() == q.signum() {
        c
    } else {
        q
    }
}

/// The same double (any NaN for a NaN).
pub fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// `count` random quotients, `N` lanes at a time, held to the hardware's division: `accepts`
/// (a verification: which lanes accept the offered `q` as `n / d`) must accept the correctly
/// rounded quotient and none of the doubles one and two ulps either side, and `quotient` must
/// give the hardware's bits in every lane it marks (the lanes it claims exact). Panics on any
/// difference; returns how many correctly rounded quotients were accepted.
pub fn check<const N: usize>(
    count: u64,
    mut accepts: impl FnMut([f64; N], [f64; N], [f64; N]) -> [bool; N],
    mut quotient: impl FnMut([f64; N], [f64; N]) -> ([f64; N], [bool; N]),
) -> u64 {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut done, mut accepted) = (0u64, 0u64);
    let (mut n, mut d) = ([0.0; N], [0.0; N]);
    while done < count {
        for k in 0..N {
            (n[k], d[k]) = rng.operands();
        }
        let want: [f64; N] = std::array::from_fn(|k| n[k] / d[k]);
        for step in -2i64..=2 {
            let offered = want.map(|q| offered(q, step));
            let taken = accepts(n, d, offered);
            for k in (0..N).filter(|&k| taken[k]) {
                expect_quotient(n[k], d[k], offered[k], "accepted");
                accepted += u64::from(step == 0);
            }
        }
        let (q, exact) = quotient(n, d);
        for k in (0..N).filter(|&k| exact[k]) {
            expect_quotient(n[k], d[k], q[k], "given");
        }
        done += N as u64;
    }
    accepted
}

/// Panics unless `q` is the hardware's `n / d` (`how` it came: "accepted", "given").
fn expect_quotient(n: f64, d: f64, q: f64, how: &str) {
    let want = n / d;
    assert!(
        same(q, want),
        "{n:e} / {d:e}: {q:e} {how}, the divider gives {want:e}"
    );
}
