//! Arbitrary views, axes, spacings, edge orders and element types: every call either fails on
//! every path with the same error and untouched outputs, or equals the scalar reference bit for
//! bit on every kernel.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use numgrad_fuzz::strided_call;

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let _ = match u.int_in_range(0u8..=5).unwrap_or(0) {
        0 => strided_call::<f64, f64>(&mut u),
        1 => strided_call::<f32, f32>(&mut u),
        2 => strided_call::<i16, f32>(&mut u),
        3 => strided_call::<u8, f64>(&mut u),
        4 => strided_call::<i64, f64>(&mut u),
        _ => strided_call::<u32, f32>(&mut u),
    };
});
