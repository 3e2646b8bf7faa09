//! What both probe programs share: the panic handler that cannot link, the volatile inputs,
//! and the volatile sink that keeps every result alive.
#![no_std]

use core::ptr::{read_volatile, write_volatile};

pub mod api;
#[cfg(feature = "compact")]
pub mod budget;

/// Calls a function that no object file defines. Any panic path that survives optimisation
/// references this handler, so the link fails with
/// `undefined symbol: numgrad_probe_found_a_panic_path`; a program that links has none.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        fn numgrad_probe_found_a_panic_path() -> !;
    }
    // SAFETY: never runs in a program that links (the symbol does not exist).
    unsafe { numgrad_probe_found_a_panic_path() }
}

/// Elements of each input buffer.
pub const BUF: usize = 256;

/// Inputs a host (or a debugger) would write: read only through volatile loads, so the
/// compiler knows nothing of their values.
#[unsafe(no_mangle)]
static mut NUMGRAD_PROBE_WORDS: [u64; BUF] = [0; BUF];
#[unsafe(no_mangle)]
static mut NUMGRAD_PROBE_FLOATS: [f64; BUF] = [0.0; BUF];

/// Sink of results: written through volatile stores, so nothing computed is dead.
#[unsafe(no_mangle)]
static mut NUMGRAD_PROBE_SINK: u64 = 0;

/// A stream of unknown values: the `k`-th word and float of the volatile inputs, cycling.
pub struct Volatile {
    next: usize,
}

impl Default for Volatile {
    fn default() -> Self {
        Self::new()
    }
}

impl Volatile {
    /// Starts at the first input.
    pub const fn new() -> Self {
        Self { next: 0 }
    }

    fn index(&mut self) -> usize {
        let k = self.next % BUF;
        self.next = self.next.wrapping_add(1);
        k
    }

    /// An unknown `u64`.
    pub fn word(&mut self) -> u64 {
        let k = self.index();
        let base = &raw const NUMGRAD_PROBE_WORDS;
        // SAFETY: `k < BUF`; the static is only read, volatile, in this single-threaded
        // program.
        unsafe { read_volatile(base.cast::<u64>().add(k)) }
    }

    /// An unknown `f64`.
    pub fn float(&mut self) -> f64 {
        let k = self.index();
        let base = &raw const NUMGRAD_PROBE_FLOATS;
        // SAFETY: as for `word`.
        unsafe { read_volatile(base.cast::<f64>().add(k)) }
    }

    /// An unknown `usize` (any value: the library must reject absurd ones, not panic).
    pub fn size(&mut self) -> usize {
        self.word() as usize
    }

    /// An unknown `isize`.
    pub fn stride(&mut self) -> isize {
        self.word() as isize
    }

    /// An unknown value below `n` (for choices the probe makes, e.g. a rank).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.size() % n }
    }
}

/// Keeps `value` alive.
pub fn sink(value: u64) {
    let p = &raw mut NUMGRAD_PROBE_SINK;
    // SAFETY: single-threaded; the static is only written here, volatile.
    unsafe { write_volatile(p, read_volatile(p) ^ value) }
}

/// Keeps every element of `values` alive.
pub fn sink_floats<F: Copy + Into<f64>>(values: &[F]) {
    for &v in values {
        sink(v.into().to_bits());
    }
}

/// A float type the probe can make from an unknown `f64`.
pub trait ProbeFloat: numgrad::Precision + Into<f64> {
    /// `x` rounded to this type.
    fn from_f64(x: f64) -> Self;
    /// The value whose bits are the low bits of `word` (no float conversion code).
    fn from_word(word: u64) -> Self;
    /// The bits of `self`, widened.
    fn bits(self) -> u64;
}

impl ProbeFloat for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn from_word(word: u64) -> Self {
        f64::from_bits(word)
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl ProbeFloat for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn from_word(word: u64) -> Self {
        f32::from_bits(word as u32)
    }
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

/// A sample type the probe can make from unknown inputs.
pub trait ProbeSample: Copy + Default {
    /// An unknown sample.
    fn make(v: &mut Volatile) -> Self;
}

impl ProbeSample for f64 {
    fn make(v: &mut Volatile) -> Self {
        v.float()
    }
}

impl ProbeSample for f32 {
    fn make(v: &mut Volatile) -> Self {
        v.float() as f32
    }
}

macro_rules! integer_samples {
    ($($t:ty),*) => {$(
        impl ProbeSample for $t {
            fn make(v: &mut Volatile) -> Self {
                v.word() as $t
            }
        }
    )*};
}
integer_samples!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ProbeSample for numgrad::Timedelta64 {
    fn make(v: &mut Volatile) -> Self {
        Self(v.word() as i64)
    }
}

impl ProbeSample for numgrad::Datetime64 {
    fn make(v: &mut Volatile) -> Self {
        Self(v.word() as i64)
    }
}

impl ProbeFloat for half::f16 {
    fn from_f64(x: f64) -> Self {
        half::f16::from_f64(x)
    }
    fn from_word(word: u64) -> Self {
        half::f16::from_bits(word as u16)
    }
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl ProbeSample for half::f16 {
    fn make(v: &mut Volatile) -> Self {
        half::f16::from_f64(v.float())
    }
}

impl<F: ProbeFloat + Default> ProbeSample for num_complex::Complex<F> {
    fn make(v: &mut Volatile) -> Self {
        Self::new(F::from_f64(v.float()), F::from_f64(v.float()))
    }
}

/// An array of unknown samples.
pub fn samples<T: ProbeSample, const N: usize>(v: &mut Volatile) -> [T; N] {
    let mut out = [T::default(); N];
    for x in out.iter_mut() {
        *x = T::make(v);
    }
    out
}

/// The prefix of `s` of an unknown length (all of `s` when the length is too large).
pub fn prefix<'a, T>(v: &mut Volatile, s: &'a [T]) -> &'a [T] {
    let n = v.size();
    s.get(..n).unwrap_or(s)
}

/// The mutable prefix of `s` of an unknown length (all of `s` when the length is too large).
pub fn prefix_mut<'a, T>(v: &mut Volatile, s: &'a mut [T]) -> &'a mut [T] {
    let n = v.size();
    if n <= s.len() { s.split_at_mut(n).0 } else { s }
}

/// Keeps a call's outcome alive.
pub fn sink_result<E>(r: &Result<(), E>) {
    sink(u64::from(r.is_ok()));
}
