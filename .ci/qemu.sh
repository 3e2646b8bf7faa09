#!/usr/bin/env bash
# numgrad running on microcontrollers, not only building for them (issue 11): builds the
# firmware of examples/mcu/ (its own workspace) for a Cortex-M4F with FPU (thumbv7em-none-eabihf,
# hard float) and a Cortex-M0 without one (thumbv6m-none-eabi, soft float), and runs it under
# QEMU with semihosting for output:
#   - selftest: a few hundred numpy fixture cases through gradient_1d, the N-d gradient and the
#     streams, compared bit for bit on the chip's own floating point;
#   - thermal:  the MLX90640 example (the strongest edge of a 32x24 frame).
# Boards: mps2-an386 (Cortex-M4F) and microbit (nRF51, Cortex-M0: 256 KiB flash, 16 KiB RAM;
# a program that outgrows them fails to link, which fails the script). Fails on any mismatch,
# nonzero exit or timeout. Prints the match counts, the stack high-water marks and the .text of
# thermal minus an empty cortex-m-rt program.
# Installs what it needs itself; network only to the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

M4=thumbv7em-none-eabihf
M0=thumbv6m-none-eabi
# Seconds one QEMU run may take (each takes well under one).
RUN_TIMEOUT=60

if ! command -v qemu-system-arm >/dev/null; then
    apt-get update
    apt-get install -y --no-install-recommends qemu-system-arm
fi
qemu-system-arm --version | head -n 1
rustup target add "$M4" "$M0"
rustup component add llvm-tools

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/mcu"
host="$(rustc -vV | sed -n 's/^host: //p')"
llvm_size="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-size"
mcu=(--release --locked --manifest-path examples/mcu/Cargo.toml --target-dir "$target_dir")
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT


# The QEMU machine a target's programs run on.
machine() { if [[ "$1" == "$M4" ]]; then echo mps2-an386; else echo microbit; fi; }

# Runs `bin` of `target` on its board; fails on a nonzero exit (semihosting SYS_EXIT) or a
# timeout.
run() {
    local target="$1" bin="$2" rc=0 board
    board="$(machine "$target")"
    echo "--- $bin, $target on $board"
    timeout "$RUN_TIMEOUT" qemu-system-arm -M "$board" -nographic \
        -semihosting-config enable=on,target=native \
        -kernel "$target_dir/$target/release/$bin" | tee "$log/$target-$bin" || rc=$?
    if (( rc == 124 )); then
        echo "$bin on $board: timed out after ${RUN_TIMEOUT}s" >&2
        exit 1
    elif (( rc != 0 )); then
        echo "$bin on $board: exit code $rc" >&2
        exit 1
    fi
}

# The size of section `$3` of program `$2` for target `$1`, in bytes.
section() {
    "$llvm_size" -A "$target_dir/$1/release/$2" | awk -v s="$3" '$1 == s { print $2 }'
}

summary=()
for target in "$M4" "$M0"; do
    cargo build "${mcu[@]}" --target "$target" --bins
    run "$target" selftest
    grep -q '^selftest: .* PASS$' "$log/$target-selftest"
    summary+=("selftest, $target on $(machine "$target"):"
        "$(grep -E 'bit-exact|stack used' "$log/$target-selftest" | sed 's/^/    /')"
        "    flash: .text $(section "$target" selftest .text) + .rodata $(section "$target" selftest .rodata) bytes")
    run "$target" thermal
    thermal="$(section "$target" thermal .text)" empty="$(section "$target" empty .text)"
    summary+=("thermal, $target on $(machine "$target"):"
        "$(sed 's/^/    /' "$log/$target-thermal")"
        "    .text: thermal $thermal - empty $empty = $((thermal - empty)) bytes")
done

echo "--- summary"
printf '%s\n' "${summary[@]}"
