//! The AVX-512F lanes' quotient from the FMA units (`Isa::Avx512Fma`, Intel's default) held to
//! the hardware's division: on random operands of every class that decides a division's last
//! bit, its verification must accept the correctly rounded quotient and no double one or two
//! ulps from it, and the whole quotient (FMA where verified) must give the divider's bits.
//!
//! `NUMGRAD_QUOTIENTS` sets how many quotients (4e6 by default; by hand, billions:
//! `NUMGRAD_QUOTIENTS=2e9 cargo test --release --test suite -- fma_quotient --nocapture`). On a CPU
//! without AVX-512F there is no such quotient, and the test says so and checks nothing more.
#![cfg(target_arch = "x86_64")]

use numgrad::testing::fma_quotient;

#[path = "../support/operands.rs"]
mod operands;

use operands::{Rng, check};

#[test]
fn the_fma_quotient_has_the_dividers_bits() {
    let count = std::env::var("NUMGRAD_QUOTIENTS")
        .ok()
        .and_then(|c| c.parse::<f64>().ok())
        .map_or(4_000_000, |c| c as u64);
    if fma_quotient([1.0; 8], [1.0; 8], [1.0; 8]).is_none() {
        println!("no AVX-512F on this CPU: no FMA quotient to check");
        return;
    }
    let mut whole = 0u64;
    let accepted = check(
        count,
        |n, d, offered| fma_quotient(n, d, offered).expect("AVX-512F").2,
        |n, d| {
            let (q, exact, _) = fma_quotient(n, d, [0.0; 8]).expect("AVX-512F");
            whole += u64::from(exact.iter().all(|&e| e));
            (q, exact)
        },
    );
    println!(
        "{count} quotients: the verification accepted {accepted} correctly rounded ones and no \
         other double; {whole} of {} vectors were verified whole (the FMA quotient kept)",
        count / 8
    );
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    // It must also serve: most moderate operands are verified (the fast path is taken).
    let mut moderate = 0;
    for _ in 0..1000 {
        let n: [f64; 8] = std::array::from_fn(|_| 1.0 + rng.unit());
        let d: [f64; 8] = std::array::from_fn(|_| 0.5 + rng.unit());
        moderate += usize::from(
            fma_quotient(n, d, [0.0; 8])
                .expect("AVX-512F")
                .1
                .iter()
                .all(|&e| e),
        );
    }
    assert!(
        moderate >= 990,
        "{moderate} of 1000 moderate vectors verified"
    );
}
