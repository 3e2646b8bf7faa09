//! The integration tests, one binary: each module here was a test binary of its own, and each
//! instantiated the crate's generic kernels for its sample types again (numpy_fixtures alone
//! took 86 s to build, miri_layouts 80 s; all of them 460 CPU-seconds of the 667 the README's
//! test command spent). Built once, every module shares one set of instantiations.
//!
//! Run one module with a filter: `cargo test --test suite -- properties::`. `guards.rs` and
//! `allocations.rs` stay binaries of their own: each replaces the global allocator.
//!
//! A module needing a feature is compiled only with it (what `required-features` did).

#[path = "../fixture_cases/mod.rs"]
mod fixture_cases;
#[path = "../support/mod.rs"]
mod support;

mod blocks;
mod errors;
mod fma_quotient;
mod isa_paths;
mod miri_layouts;
#[cfg(feature = "ndarray")]
mod miri_ndarray;
mod miri_paths;
mod miri_raw;
#[cfg(all(feature = "complex", feature = "half"))]
mod miri_values;
#[cfg(feature = "ndarray")]
mod ndarray;
mod numpy_fixtures;
#[cfg(feature = "alloc")]
mod numpy_testgradient;
#[cfg(all(feature = "complex", feature = "half"))]
mod numpy_values;
#[cfg(feature = "rayon")]
mod parallel;
mod properties;
mod stream;
#[cfg(all(feature = "alloc", feature = "complex", feature = "half"))]
mod values;
