#!/usr/bin/env bash
# Miri (issue 4): every unsafe path of the core (src/lanes.rs, src/element.rs lane loads,
# src/kernels/*, the streams' block loads and stores) on small inputs, under the interpreter,
# which reports any out-of-bounds access, misaligned or uninitialised read, or aliasing
# violation. The tests run are the ones sized for it: the library's unit tests,
# tests/suite/miri_paths.rs (every kernel forced on every lane type, SIMD remainders, negative, zero
# and stepped strides, coordinates and ticks, both edge orders) and tests/suite/miri_layouts.rs
# (transposed, reversed and padded outputs, every integer lane conversion, special values, the
# fused pass on a broadcast input, the stream block paths) and tests/suite/miri_raw.rs (views from
# raw pointers over uninitialised gaps, every kernel; stitched blocks). Each compares with the
# scalar reference bit for bit. Then tests/suite/miri_ndarray.rs (feature `ndarray`): the
# raw-pointer views (a stepped output whose gaps another live view or thread writes, a live `&mut`
# to a gap, negative and zero strides, an empty view's dangling pointer, null and misaligned
# pointers refused) and the ndarray adapter (reversed, transposed, stepped, broadcast and integer
# inputs, and `gradient_arrays`' outputs, never zero-filled: Miri rejects any read of them before
# they are written). The proptest suites are far too slow under Miri and are not run here.
# About 17 minutes of one core, building included (tests/suite/miri_paths.rs 8, the library's
# unit tests 3); CI starts it first and runs its other steps beside it.
#
# Installs what it needs itself: a nightly toolchain with the miri and rust-src components.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/nightly.sh miri rust-src
cargo +nightly miri setup

cargo +nightly miri test --lib
# The suite's Miri-sized modules (`miri_paths`, `miri_layouts`, `miri_raw`, `miri_ndarray`,
# `miri_values`), in one build with the features the last two need; the filter leaves out the
# suite's other modules.
cargo +nightly miri test --features ndarray,complex,half --test suite -- miri_
