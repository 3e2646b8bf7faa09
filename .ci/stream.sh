#!/usr/bin/env bash
# The streaming API on a microcontroller: builds the no_std firmware example
# (examples/firmware/, its own workspace) for a Cortex-M4F, checks its code size against a
# budget, and prints the code size and the RAM of the stream states (docs/stream.md lists both).
# Installs what it needs itself; network only to the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv7em-none-eabihf
# The firmware's .text must stay below this many bytes (it is about 4 KiB).
TEXT_BUDGET=16384

rustup target add "$TARGET"
rustup component add llvm-tools

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target_dir"

echo "--- numgrad core, no_std, $TARGET"
cargo build --release --no-default-features --lib --target "$TARGET"

echo "--- firmware example (examples/firmware), $TARGET"
cargo build --release --locked --manifest-path examples/firmware/Cargo.toml --target "$TARGET"
elf="$target_dir/$TARGET/release/numgrad-firmware"

host="$(rustc -vV | sed -n 's/^host: //p')"
llvm_size="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-size"
if [[ ! -x "$llvm_size" ]]; then
    llvm_size="$(command -v llvm-size || command -v size)"
fi
"$llvm_size" -A "$elf"
text="$("$llvm_size" -A "$elf" | awk '$1 == ".text" { print $2 }')"
echo "firmware .text: $text bytes (budget $TEXT_BUDGET)"
if (( text > TEXT_BUDGET )); then
    echo "firmware .text exceeds its budget" >&2
    exit 1
fi

echo "--- RAM of stream states (size_of)"
cargo run --quiet --example stream_sizes
