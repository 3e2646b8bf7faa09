#!/usr/bin/env bash
# The host test suite on aarch64 (issue 11), under qemu-user: the unit tests and the
# integration tests whose results depend on the target, cross-compiled for
# aarch64-unknown-linux-gnu (Debian's gcc-aarch64-linux-gnu links) and run by `qemu-aarch64`, so
# `wide`'s NEON lanes are checked bit for bit against the numpy fixtures and the reference, as
# the x86_64 paths are.
#
# What the NEON path is (wide 1.7.1, target feature `neon`, on by default on this target):
# `wide::f32x8` is two `float32x4_t` and `wide::f64x4` two `float64x2_t`, i.e. f32 runs 8 lanes
# as two 4-lane `v*.4s` operations and f64 runs 4 lanes as two 2-lane `v*.2d` operations. The
# test binaries' kernels show `fadd`/`fsub`/`fmul`/`fdiv` on `v*.4s` and `v*.2d` in pairs, and
# `scvtf`/`ucvtf` for the integer samples; no fused `fmla`/`fmadd` anywhere. On aarch64 the
# compile-time lanes are the only path (no run-time AVX sweeps): tests/suite/isa_paths.rs runs
# them for every cap and checks that (aarch64_runs_the_neon_compile_time_lanes_only).
# With `complex,half` the value types run here too: the numpy fixtures of complex (whose fused
# products are emulated, not taken from an FMA instruction), datetime64 (whose out-of-range
# casts saturate on aarch64 and must not) and float16 (the scalar arithmetic: no F16C here).
#
# Profile: the test profile at opt-level 1 without debug info. Plain debug runs the proptest
# suites far too slowly under emulation (properties.rs alone 454 s, isa_paths.rs 215 s);
# --release runs them at their release case counts (2000-3000) in 3.5 min. At opt-level 1 the
# debug assertions stay on, so the suites run at their debug case counts (the same as the host
# debug run): about 70 s emulated, and no PROPTEST_CASES override. Compiling is the cost
# (about 11 CPU-minutes for every test target, as for --release: 6 to 9 minutes on 2 shared
# cores). opt-level 1 for numgrad alone compiles no faster and runs 2.5x slower.
#
# Installs what it needs itself: Debian's cross linker, aarch64 libc and qemu-user, and the
# aarch64 Rust target. Network only to the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=aarch64-unknown-linux-gnu

bash .ci/cross.sh
rustup target add "$TARGET"

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CARGO_PROFILE_DEV_OPT_LEVEL=1 CARGO_PROFILE_DEV_DEBUG=0
# AVX2 does not exist here: the x86_64 requirement must not leak in from the caller.
unset NUMGRAD_REQUIRE_AVX2

# The host run's features minus `ndarray` and `rayon` (adapters with no target-specific code,
# not worth building under emulation), and `testing` through the dev-dependency. The unit tests
# and the integration suite (one binary: numpy's fixtures and TestGradient, the properties
# against the reference, the ISA paths, the value types, blocks, streams, errors and the
# Miri-sized paths, each cheap to run once built). Left to the host run: guards and allocation
# counts (binaries of their own, about a CPU-minute each to build here, checking nothing
# target-specific) and the doctests (the API's examples).
tests=(--lib --test suite)
echo "--- build, $TARGET"
cargo test --target "$TARGET" --features alloc,complex,half "${tests[@]}" --no-run
echo "--- run under qemu-aarch64"
cargo test --target "$TARGET" --features alloc,complex,half "${tests[@]}" -- --nocapture
