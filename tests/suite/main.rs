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

/// Every file of `tests/suite/` is a module above: a file left out would compile into nothing
/// and its tests would never run, with nothing to say so.
#[test]
fn every_file_of_the_suite_is_a_module_of_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let declared: Vec<&str> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| Some(n.strip_suffix(".rs")?.to_owned()))
        .filter(|n| n != "main")
        .collect();
    files.sort();
    assert!(files.len() >= 17, "{files:?}");
    for file in &files {
        assert!(
            declared.contains(&file.as_str()),
            "tests/suite/{file}.rs is not a module"
        );
    }
}
