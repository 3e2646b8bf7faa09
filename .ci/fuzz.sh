#!/usr/bin/env bash
# Fuzzing (issue 4): builds the cargo-fuzz targets of fuzz/ (its own workspace; nightly,
# AddressSanitizer, debug assertions and overflow checks on) and runs every target for a short,
# bounded time, starting from its committed seed corpus (fuzz/corpus/<target>/) copied to a
# scratch directory, so the repository is left as it was. A failing input fails the script and
# is kept under <target dir>/fuzz/artifacts/.
#
# `FUZZ_BUILD=dev` builds the targets without optimizations (CI's smoke runs: the build takes
# about 2 minutes instead of 8 on 2 cores, and each target runs 10 to 40 times fewer inputs a
# second, so CI gives each 30 s, enough to replay its committed corpus (well under a second)
# and go on for a few hundred to a few thousand inputs;
# opt-level 1 builds as slowly as the release build).
# Longer runs, by hand, from the repository root (optimized, the default):
#   FUZZ_SECONDS=14400 bash .ci/fuzz.sh strided        # 4 hours on one target
#   cargo +nightly fuzz run -a strided fuzz/corpus/strided -- -max_total_time=14400 -jobs=2 -workers=2
# (the second grows the committed corpus in place: keep only a handful of its files when
# committing, e.g. with `-set_cover_merge=1` into an empty directory).
#
# Installs what it needs itself: a nightly toolchain and cargo-fuzz (only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
case "${FUZZ_BUILD:-release}" in
    release) mode=() ;;
    dev) mode=(--dev) ;;
    *) echo "FUZZ_BUILD must be release or dev" >&2; exit 2 ;;
esac

bash .ci/nightly.sh
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
artifacts="$target_dir/artifacts"
mkdir -p "$artifacts"

if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

echo "--- build (${targets[*]}; ${FUZZ_BUILD:-release})"
cargo +nightly fuzz build -a "${mode[@]}" --fuzz-dir fuzz --target-dir "$target_dir"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    echo "--- fuzz $t for ${seconds} s"
    mkdir -p "$scratch/$t"
    if [[ -d "fuzz/corpus/$t" ]]; then
        cp -r "fuzz/corpus/$t/." "$scratch/$t/"
    fi
    log="$scratch/$t.log"
    if cargo +nightly fuzz run -a "${mode[@]}" --fuzz-dir fuzz --target-dir "$target_dir" "$t" "$scratch/$t" \
        -- -max_total_time="$seconds" -artifact_prefix="$artifacts/$t-" -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units)' "$log" || true
    else
        tail -n 60 "$log" >&2
        echo "fuzz target $t failed; reproducer in $artifacts" >&2
        exit 1
    fi
done
echo "fuzzing: every target ran ${seconds} s without a failure"
