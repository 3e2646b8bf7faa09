#!/usr/bin/env bash
# The panic-free core (issue 4) and the firmware budgets (issue 11). Builds the probe programs
# of probe/ (their own workspace, `#![no_std] #![no_main]`, numgrad with
# `default-features = false`) for a Cortex-M4F. They call every no_std entry point on inputs
# read with volatile loads, and their panic handler calls a function that does not exist: they
# link only if no panic path survives. Then prints their code size, checks the static
# worst-case stack of each entry point against a budget, does the same for the `compact`
# build's cortex-m-rt programs against their code-size and stack budgets, and measures the host
# stack by painting. docs/robustness.md lists the figures.
#
# Installs what it needs itself: the thumbv7em target and llvm-tools (stable), and a nightly
# toolchain with rust-src for the stack-size build.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv7em-none-eabihf
# Worst-case stack budgets on the Cortex-M4F, in bytes (measured: about 4 KiB and 0.4 KiB).
STACK_BUDGET_ND=6144
STACK_BUDGET_1D=1024
# The `compact` build's budgets (issue 11): `.text` of the whole program minus an empty
# cortex-m-rt program, and the worst-case stack of `gradient` (measured: 7,920 B, 3,980 B and
# 600 B).
TEXT_BUDGET_COMPACT_ND=8000
TEXT_BUDGET_COMPACT_1D=4000
STACK_BUDGET_COMPACT=1024

rustup target add "$TARGET"
rustup component add llvm-tools
bash .ci/nightly.sh rust-src

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/probe"
host="$(rustc -vV | sed -n 's/^host: //p')"
tools="$(rustc --print sysroot)/lib/rustlib/$host/bin"
export LLVM_READOBJ="$tools/llvm-readobj" LLVM_OBJDUMP="$tools/llvm-objdump"
probe=(--release --locked --manifest-path probe/Cargo.toml --target "$TARGET")

echo "--- link check: no panic path (profile opt-level s; then z and 3, with the streams)"
# The streams ride on the z and 3 builds (a build of their own cost half a minute); the s build
# is the one whose code size is printed, without them.
cargo build "${probe[@]}" --target-dir "$target_dir/s"
for opt in z 3; do
    CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" cargo build "${probe[@]}" --features stream \
        --target-dir "$target_dir/$opt"
done
echo "every probe linked: no panic path in the no_std core"

echo "--- code size (.text, opt-level s, whole program)"
elf="$target_dir/s/$TARGET/release"
for bin in probe-1d probe-f32 probe-full; do
    text="$("$tools/llvm-size" -A "$elf/$bin" | awk '$1 == ".text" { print $2 }')"
    printf '%-11s %8s bytes\n' "$bin" "$text"
done

echo "--- feature compact: code size (.text, opt-level s, minus an empty cortex-m-rt program)"
compact=(--features compact --bin budget-empty --bin budget-nd --bin budget-nd-i16 --bin budget-1d)
cargo build "${probe[@]}" "${compact[@]}" --target-dir "$target_dir/compact"
elf="$target_dir/compact/$TARGET/release"
text_of() { "$tools/llvm-size" -A "$elf/$1" | awk '$1 == ".text" { print $2 }'; }
empty="$(text_of budget-empty)"
over=0
for pair in "budget-nd gradient f32->f32 $TEXT_BUDGET_COMPACT_ND" \
    "budget-nd-i16 gradient i16->f32 $TEXT_BUDGET_COMPACT_ND" \
    "budget-1d gradient_1d f32->f32 $TEXT_BUDGET_COMPACT_1D"; do
    read -r bin entry types budget <<<"$pair"
    size=$(($(text_of "$bin") - empty))
    printf '%-12s %-16s %6s bytes (budget %s)\n' "$entry" "$types" "$size" "$budget"
    ((size <= budget)) || over=1
done
printf '(the empty cortex-m-rt program: %s bytes)\n' "$empty"
if ((over)); then
    echo "a compact entry point exceeds its code-size budget" >&2
    exit 1
fi

echo "--- worst-case stack per entry point (nightly -Z emit-stack-sizes, call graph)"
RUSTFLAGS="-Z emit-stack-sizes -C symbol-mangling-version=v0" \
    cargo +nightly build "${probe[@]}" -Z build-std=core --target-dir "$target_dir/stack"
stack="$target_dir/stack/$TARGET/release"
python3 probe/stack_sizes.py --max "$STACK_BUDGET_ND" "$stack/probe-full" \
    "entry::gradient::" "entry::gradient_1d::" "entry::gradient_reference::" \
    "entry::gradient_with_kernel::" "entry::gradient_values::" | cut -c1-160
python3 probe/stack_sizes.py --max "$STACK_BUDGET_1D" "$stack/probe-1d" "probe_1d::gradient_1d" \
    | cut -c1-160

echo "--- feature compact: worst-case stack of gradient and gradient_1d"
RUSTFLAGS="-Z emit-stack-sizes -C symbol-mangling-version=v0" \
    cargo +nightly build "${probe[@]}" "${compact[@]}" -Z build-std=core \
    --target-dir "$target_dir/compact-stack"
stack="$target_dir/compact-stack/$TARGET/release"
for bin in budget-nd budget-nd-i16 budget-1d; do
    python3 probe/stack_sizes.py --max "$STACK_BUDGET_COMPACT" "$stack/$bin" "budget::gradient" \
        | cut -c1-160
done

echo "--- host stack, painted (x86_64, release)"
cargo run --quiet --release --example stack_usage
