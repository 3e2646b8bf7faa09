//! Arbitrary views, axes, spacings, edge orders and element types (real samples, complex,
//! datetime64, timedelta64 and float16): every call either fails on every path with the same error and
//! untouched outputs, or equals the scalar reference bit for bit on every kernel.
#![no_main]

use arbitrary::Unstructured;
use half::f16;
use libfuzzer_sys::fuzz_target;
use num_complex::Complex;
use numgrad::{Datetime64, Timedelta64};
use numgrad_fuzz::{strided_call, strided_values_call};

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let _ = match u.int_in_range(0u8..=10).unwrap_or(0) {
        0 => strided_call::<f64, f64>(&mut u),
        1 => strided_call::<f32, f32>(&mut u),
        2 => strided_call::<i16, f32>(&mut u),
        3 => strided_call::<u8, f64>(&mut u),
        4 => strided_call::<i64, f64>(&mut u),
        5 => strided_call::<u32, f32>(&mut u),
        6 => strided_values_call::<Complex<f64>, f64>(&mut u),
        7 => strided_values_call::<Complex<f32>, f32>(&mut u),
        8 => strided_values_call::<Datetime64, f64>(&mut u),
        9 => strided_values_call::<Timedelta64, f64>(&mut u),
        _ => strided_values_call::<f16, f16>(&mut u),
    };
});
