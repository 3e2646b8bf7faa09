#!/usr/bin/env bash
# Every unsafe path under Miri, on the small inputs of tests/miri_paths.rs and the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add miri rust-src --toolchain nightly
cargo +nightly miri setup
cargo +nightly miri test --lib
cargo +nightly miri test --test miri_paths
