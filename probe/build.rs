//! The budget programs (feature `compact`) link with cortex-m-rt's `link.x`, which includes a
//! `memory.x`: written here, for a generic Cortex-M4F part (the sizes only bound the layout; the
//! programs are measured, not flashed). The other probes keep their bare `_start` and link alone.
use std::{env, fs, path::PathBuf};

fn main() {
    if env::var_os("CARGO_FEATURE_COMPACT").is_none() {
        return;
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(
        out.join("memory.x"),
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 1024K\n  RAM : ORIGIN = 0x20000000, LENGTH = 128K\n}\n",
    )
    .expect("OUT_DIR is writable");
    println!("cargo:rustc-link-search={}", out.display());
    for bin in ["budget-empty", "budget-nd", "budget-nd-i16", "budget-1d"] {
        println!("cargo:rustc-link-arg-bin={bin}=-Tlink.x");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
