//! Could the coordinate lines' three divisions per point come from the FMA units instead of
//! the divider, bit for bit? Issue 14 asks for a quotient from an approximate reciprocal
//! corrected with FMA residuals, equal to IEEE division, or figures showing why not. This probe
//! measures that quotient on the CPU at hand (x86_64 with AVX2 and FMA) and checks it exact.
//!
//! ```sh
//! cargo run --release --example division_probe                 # timings, ns per point
//! cargo run --release --example division_probe -- --check 1e9  # exactness on 1e9 quotients
//! ```
//!
//! The quotient (`exact`): a 12-bit reciprocal estimate (`vrcpps` on the divisor rounded to
//! `f32`), two Newton steps, `q0 = n*y` and one correction `q = q0 + (n - d*q0)*y` with FMA.
//! It is then *verified* rather than trusted: with `r = n - d*q` (one FMA, one rounding) and
//! `h = |d| * 2^(e-53)`, `e` the exponent of the double just below `|q|`, a lane is accepted
//! only when `|r| < h` and `2^-1021 <= h < inf`; a vector with any lane not accepted is divided
//! by `vdivpd` instead. Why an accepted lane is `n / d` correctly rounded:
//!
//! - `h` is exact: `2^e * 2^-53` is a power of two or rounds to 0 (only for `e = -1022`), and
//!   its product by `|d|` (53 bits at most) is exact when it is a normal number, which
//!   `h >= 2^-1021` (computed) guarantees.
//! - Rounding to nearest is monotone and `h` is a double, so `|n - d*q| >= h` would give
//!   `|r| >= h`: hence `|n/d - q| < 2^(e-53)` exactly.
//! - If `q` is not a power of two, `e` is its own exponent and `2^(e-53)` half its ulp: `q` is
//!   nearer `n/d` than both neighbours, so it is the correctly rounded quotient (strictly: no
//!   tie). If `q` is a power of two, `e` is one less, and the bound is half the ulp below it,
//!   the nearer neighbour's distance.
//! - Every other case is rejected: `q = ±0` gives `h = inf` (the double "below" 0 has an
//!   exponent of all ones), a subnormal `q` or `d = 0` gives `h = 0`, a non-finite `n`, `d` or
//!   `q` a NaN or infinite `r` or `h`.
//!
//! So bits never change, whatever the estimate; the estimate only decides how often the divider
//! is needed. `--check` holds that to the hardware division on random operands of every class
//! (all exponents, near 1, powers of two, all-ones significands, zeros, subnormals, infinities,
//! NaNs; both in `f32`'s range; quotients near a midpoint between two doubles): it offers the
//! verification the correctly rounded quotient and the doubles one and two ulps either side,
//! and it must accept the quotient alone; the whole path must give the hardware's bits, on the
//! random operands and on a line's weights.
//!
//! Measured on an AMD Zen 4 (EPYC family 25 model 17), 2026-12-04, two runs, 1e5 points (in
//! cache), ns per point: numpy's three `vdivpd` per 4 points 1.01-1.03; one of the three
//! divisions replaced by the exact quotient 2.10-2.14, all three (one estimate shared) 3.98-4.04;
//! without the verification, which alone makes it exact, 1.29-1.31 and 1.63-1.66. The divider
//! is not the scarce unit on this CPU: a 4-lane `vdivpd` issues about every 3.5 cycles, and even
//! the unverified quotient's dozen FMA-port operations cost more than the division it replaces.
//!
//! Measured on an Intel Xeon (family 6 model 207, Emerald Rapids), 2026-12-05, two runs: three
//! `vdivpd` 2.03 ns per point in cache, 2.07-2.08 at 1e7; the exact quotient for one weight
//! 1.81-1.84 and 2.11-2.12; for all three 4.31-4.50. This divider issues a 256-bit `vdivpd`
//! every 8 cycles and a 512-bit one every 16, so on the 512-bit lanes, where the estimate is
//! `vrcp14pd` and each FMA does eight lanes, one verified quotient beside two divisions is 0.66
//! of the time: the library takes it there (`lanes::avx512`, `Isa::Avx512Fma`), and
//! `tests/suite/fma_quotient.rs` holds that code to the hardware's division.

#[cfg(target_arch = "x86_64")]
#[path = "../tests/support/operands.rs"]
mod operands;

#[cfg(target_arch = "x86_64")]
mod probe {
    use std::arch::x86_64::*;
    use std::time::Instant;

    use super::operands::{self, Rng};

    /// A reciprocal of `d` with about 46 correct bits (`f32` estimate, two Newton steps).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[inline(always)]
    unsafe fn reciprocal(d: __m256d) -> __m256d {
        // SAFETY: the caller's contract.
        unsafe {
            let y0 = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
            let one = _mm256_set1_pd(1.0);
            let y1 = _mm256_fmadd_pd(y0, _mm256_fnmadd_pd(d, y0, one), y0);
            _mm256_fmadd_pd(y1, _mm256_fnmadd_pd(d, y1, one), y1)
        }
    }

    /// `n * y` corrected once: `q0 + (n - d*q0) * y`.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[inline(always)]
    unsafe fn corrected(n: __m256d, d: __m256d, y: __m256d) -> __m256d {
        // SAFETY: the caller's contract.
        unsafe {
            let q0 = _mm256_mul_pd(n, y);
            _mm256_fmadd_pd(_mm256_fnmadd_pd(d, q0, n), y, q0)
        }
    }

    /// All ones in the lanes where `q` is shown to be `n / d` correctly rounded (module docs).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[inline(always)]
    unsafe fn verified(n: __m256d, d: __m256d, q: __m256d) -> __m256d {
        // SAFETY: the caller's contract.
        unsafe {
            let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
            let r = _mm256_fnmadd_pd(d, q, n);
            let below = _mm256_sub_epi64(_mm256_castpd_si256(q), _mm256_set1_epi64x(1));
            let exponent = _mm256_and_si256(below, _mm256_set1_epi64x(0x7ff0 << 48));
            let h = _mm256_mul_pd(
                _mm256_mul_pd(
                    _mm256_castsi256_pd(exponent),
                    _mm256_set1_pd(2f64.powi(-53)),
                ),
                _mm256_and_pd(d, abs),
            );
            let normal = _mm256_and_pd(
                _mm256_cmp_pd::<_CMP_GE_OQ>(h, _mm256_set1_pd(2f64.powi(-1021))),
                _mm256_cmp_pd::<_CMP_LT_OQ>(h, _mm256_set1_pd(f64::INFINITY)),
            );
            _mm256_and_pd(
                _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_and_pd(r, abs), h),
                normal,
            )
        }
    }

    /// `n / d` bit for bit: the verified quotient, or `vdivpd` when a lane is not shown.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[inline(always)]
    unsafe fn exact(n: __m256d, d: __m256d, y: __m256d) -> (__m256d, bool) {
        // SAFETY: the caller's contract.
        unsafe {
            let q = corrected(n, d, y);
            if _mm256_movemask_pd(verified(n, d, q)) == 0b1111 {
                (q, true)
            } else {
                (_mm256_div_pd(n, d), false)
            }
        }
    }

    /// How a line's weights divide: by `vdivpd` (numpy's bits), the exact quotient for one or
    /// all three weights, or the unverified quotient (not exact: the method's floor).
    #[derive(Clone, Copy, PartialEq)]
    enum Divide {
        Hardware,
        ExactFirst,
        ExactAll,
        UnverifiedFirst,
        UnverifiedAll,
    }

    const VARIANTS: [(&str, Divide); 5] = [
        ("three vdivpd (numpy's formula)", Divide::Hardware),
        ("exact quotient for a, vdivpd for b, c", Divide::ExactFirst),
        ("exact quotients for a, b, c", Divide::ExactAll),
        (
            "unverified quotient for a (not exact)",
            Divide::UnverifiedFirst,
        ),
        (
            "unverified quotients for a, b, c (not exact)",
            Divide::UnverifiedAll,
        ),
    ];

    /// numpy's interior `(a*f[i-1] + b*f[i]) + c*f[i+1]` with its weights from positions `x`,
    /// points `1 ..` in fours; returns how many vectors the divider took in `Exact*`.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `x`, `f` and `out` have the same length.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn line<const HOW: u8>(x: &[f64], f: &[f64], out: &mut [f64]) -> usize {
        let how = VARIANTS[HOW as usize].1;
        let mut divider = 0;
        let mut i = 1;
        while i + 5 <= x.len() {
            // SAFETY: `i - 1 ..= i + 4` lie in all three slices; AVX2 and FMA by the contract.
            unsafe {
                let at = |s: &[f64], k: usize| _mm256_loadu_pd(s.as_ptr().add(k));
                let (xm, x0, xp) = (at(x, i - 1), at(x, i), at(x, i + 1));
                let (dx1, dx2) = (_mm256_sub_pd(x0, xm), _mm256_sub_pd(xp, x0));
                let s = _mm256_add_pd(dx1, dx2);
                let na = _mm256_xor_pd(dx2, _mm256_set1_pd(-0.0));
                let (da, nb, db) = (
                    _mm256_mul_pd(dx1, s),
                    _mm256_sub_pd(dx2, dx1),
                    _mm256_mul_pd(dx1, dx2),
                );
                let dc = _mm256_mul_pd(dx2, s);
                let mut divider_took = |fast: bool| divider += usize::from(!fast);
                let (a, b, c) = match how {
                    Divide::Hardware => (
                        _mm256_div_pd(na, da),
                        _mm256_div_pd(nb, db),
                        _mm256_div_pd(dx1, dc),
                    ),
                    Divide::ExactFirst | Divide::UnverifiedFirst => {
                        let y = reciprocal(da);
                        let a = if how == Divide::ExactFirst {
                            let (a, fast) = exact(na, da, y);
                            divider_took(fast);
                            a
                        } else {
                            corrected(na, da, y)
                        };
                        (a, _mm256_div_pd(nb, db), _mm256_div_pd(dx1, dc))
                    }
                    Divide::ExactAll | Divide::UnverifiedAll => {
                        // One estimate for all three: 1/(dx1*dx2*s) times the missing factor.
                        let y = reciprocal(_mm256_mul_pd(db, s));
                        let (ya, yb, yc) = (
                            _mm256_mul_pd(dx2, y),
                            _mm256_mul_pd(s, y),
                            _mm256_mul_pd(dx1, y),
                        );
                        if how == Divide::ExactAll {
                            let ((a, fa), (b, fb), (c, fc)) =
                                (exact(na, da, ya), exact(nb, db, yb), exact(dx1, dc, yc));
                            divider_took(fa && fb && fc);
                            (a, b, c)
                        } else {
                            (
                                corrected(na, da, ya),
                                corrected(nb, db, yb),
                                corrected(dx1, dc, yc),
                            )
                        }
                    }
                };
                let (fm, f0, fp) = (at(f, i - 1), at(f, i), at(f, i + 1));
                let sum = _mm256_add_pd(_mm256_mul_pd(a, fm), _mm256_mul_pd(b, f0));
                _mm256_storeu_pd(
                    out.as_mut_ptr().add(i),
                    _mm256_add_pd(sum, _mm256_mul_pd(c, fp)),
                );
            }
            i += 4;
        }
        divider
    }

    fn run(how: usize, x: &[f64], f: &[f64], out: &mut [f64]) -> usize {
        // SAFETY: `main` checked AVX2 and FMA; the slices have one length.
        unsafe {
            match how {
                0 => line::<0>(x, f, out),
                1 => line::<1>(x, f, out),
                2 => line::<2>(x, f, out),
                3 => line::<3>(x, f, out),
                _ => line::<4>(x, f, out),
            }
        }
    }

    /// The verification held to the hardware's division on `count` random operand pairs: for
    /// each, the correctly rounded quotient and the doubles one and two ulps either side of it
    /// are offered, and a lane may accept the quotient alone; the whole path (`exact`, with its
    /// fallback) must give the hardware's bits. Then a line's weights. Panics on any
    /// difference.
    fn check(count: u64) {
        let started = Instant::now();
        let mut fast = 0u64;
        let accepted = operands::check(
            count,
            // SAFETY: `main` checked AVX2 and FMA.
            |n, d, q| unsafe { accepts(&n, &d, &q) },
            |n, d| {
                // SAFETY: as above.
                let (q, vector_fast) = unsafe { quotient(&n, &d) };
                fast += u64::from(vector_fast);
                (q, [true; 4])
            },
        );
        println!(
            "{count} quotients of random operands equal to the hardware's: the verification \
             accepted {accepted} correctly rounded ones and no other; {fast} of {} vectors took \
             the FMA quotient ({:.1} s)",
            count / 4,
            started.elapsed().as_secs_f64()
        );
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (x, f) = positions(1_000_001, &mut rng);
        let mut want = vec![0.0; x.len()];
        let mut got = vec![0.0; x.len()];
        run(0, &x, &f, &mut want);
        let took = run(2, &x, &f, &mut got);
        assert!(
            want.iter()
                .zip(&got)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        println!(
            "a line of 1,000,001 points by coordinates: equal to the hardware's; the divider took \
             part of {took} of its {} vectors of points",
            x.len() / 4
        );
    }

    /// The verified quotient of four lanes, and whether no lane needed the divider.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn quotient(n: &[f64; 4], d: &[f64; 4]) -> ([f64; 4], bool) {
        let mut q = [0.0; 4];
        // SAFETY: four lanes each; AVX2 and FMA by the contract.
        unsafe {
            let (nv, dv) = (_mm256_loadu_pd(n.as_ptr()), _mm256_loadu_pd(d.as_ptr()));
            let (v, fast) = exact(nv, dv, reciprocal(dv));
            _mm256_storeu_pd(q.as_mut_ptr(), v);
            (q, fast)
        }
    }

    /// The lanes where [`verified`] accepts `q` as `n / d`.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn accepts(n: &[f64; 4], d: &[f64; 4], q: &[f64; 4]) -> [bool; 4] {
        // SAFETY: four lanes each; AVX2 and FMA by the contract.
        let mask = unsafe {
            let load = |v: &[f64; 4]| _mm256_loadu_pd(v.as_ptr());
            _mm256_movemask_pd(verified(load(n), load(d), load(q)))
        };
        [0, 1, 2, 3].map(|k| mask & (1 << k) != 0)
    }

    /// Increasing positions with uneven steps, and a signal.
    fn positions(n: usize, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        let mut at = 0.0;
        let x = (0..n)
            .map(|_| {
                at += 0.1 + rng.unit();
                at
            })
            .collect();
        let f = (0..n).map(|_| rng.unit() * 100.0 - 50.0).collect();
        (x, f)
    }

    pub fn main() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            println!("this CPU has no AVX2 and FMA: nothing to probe");
            return;
        }
        let args: Vec<String> = std::env::args().collect();
        if let Some(i) = args.iter().position(|a| a == "--check") {
            let count = args
                .get(i + 1)
                .and_then(|c| c.parse::<f64>().ok())
                .unwrap_or(1e8);
            return check(count as u64);
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for n in [100_000, 10_000_000] {
            let (x, f) = positions(n, &mut rng);
            let mut want = vec![0.0; n];
            run(0, &x, &f, &mut want);
            for how in 1..3 {
                let mut out = vec![0.0; n];
                run(how, &x, &f, &mut out);
                assert!(
                    want.iter()
                        .zip(&out)
                        .all(|(a, b)| a.to_bits() == b.to_bits())
                );
            }
            let reps = (20_000_000 / n).max(2);
            let mut times = vec![vec![]; VARIANTS.len()];
            let mut out = vec![0.0; n];
            for _ in 0..11 {
                for (how, t) in times.iter_mut().enumerate() {
                    let started = Instant::now();
                    for _ in 0..reps {
                        run(how, &x, &f, &mut out);
                    }
                    t.push(started.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64);
                }
            }
            println!("{n} points (medians of 11 rounds, ns per point):");
            for ((name, _), mut t) in VARIANTS.iter().zip(times) {
                t.sort_by(f64::total_cmp);
                println!("  {name}: {:.3}", t[5]);
            }
        }
    }
}

fn main() {
    #[cfg(target_arch = "x86_64")]
    probe::main();
    #[cfg(not(target_arch = "x86_64"))]
    println!("x86_64 only");
}
