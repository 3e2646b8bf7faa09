#!/usr/bin/env bash
# Smoke-runs every cargo-fuzz target for a short bounded time (25 s each by default). For a long
# run of one target: cargo +nightly fuzz run strided --fuzz-dir fuzz -- -max_total_time=36000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in $(cargo +nightly fuzz list --fuzz-dir fuzz); do
    echo "--- fuzz $target"
    # Work on a scratch copy of the corpus so CI leaves the committed seeds as they are.
    corpus="$(mktemp -d)"
    cp -r "fuzz/corpus/$target/." "$corpus/" 2>/dev/null || true
    log="$(mktemp)"
    if ! cargo +nightly fuzz run "$target" --fuzz-dir fuzz "$corpus" -- \
        -max_total_time="${FUZZ_SECONDS:-25}" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $target failed" >&2
        exit 1
    fi
    grep -E "^Done [0-9]+ runs" "$log"
    rm -rf "$corpus" "$log"
done
