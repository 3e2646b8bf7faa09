#!/usr/bin/env bash
# Every intrinsic of the run-time vector sweeps is inlined into its `#[target_feature]` sweep.
# An intrinsic reached through a closure that is not inlined there (`array::map`, say) is
# compiled without the sweep's target features, so it stays a function of its own, called once
# per vector: `f32` coordinates on the AVX-512F lanes ran 15x slower so, and no test sees it
# (the bits are right). The performance report's release build instantiates every sweep (every
# sample type, both run-time lane widths); none of its functions may be an x86 intrinsic, but
# `xgetbv`, the detection's own.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(uname -m)" != x86_64 ]]; then
    echo "not x86_64: no run-time sweeps to check"
    exit 0
fi
if ! command -v nm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq binutils
fi
cargo build --release --features complex,half --example perf_report
out_of_line="$(nm -C "${CARGO_TARGET_DIR:-target}/release/examples/perf_report" |
    grep -E 'core::core_arch::x86(_64)?::' | grep -v '::xsave::_xgetbv' || true)"
if [[ -n "$out_of_line" ]]; then
    echo "x86 intrinsics compiled out of line (called from code without the sweep's target features):" >&2
    echo "$out_of_line" >&2
    exit 1
fi
echo "every x86 intrinsic of the report's sweeps is inlined"
