#!/usr/bin/env bash
# A new firmware user's first build (issue 11): creates, in a temporary directory, brand-new
# `#![no_std] #![no_main]` binary crates for a Cortex-M4F whose numgrad dependency is the line
# the README's firmware section shows (read from README.md here, so this check follows the
# README; only the version requirement becomes `path = <this repository>`), and links them with
# `cargo build --release`:
#   plain  the section's first Cargo line: calls `gradient_1d` and `gradient` on volatile data;
#          links only if the default features need no global allocator;
#   defmt  the section's line with `defmt`: the same calls, and logs a `GradientError` with
#          `defmt::error!` through a logger that drops the bytes, linked with `defmt.x`: the
#          crate's `defmt::Format` impls link on the target.
# `bash .ci/fresh.sh alloc` instead builds the plain binary with `features = ["alloc"]` added
# and succeeds only if that fails to link for want of an allocator (what the old default did).
#
# Installs what it needs itself (the target, llvm-tools for llvm-nm); network only to the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv7em-none-eabihf
mode="${1:-check}"
repo="$PWD"
rustup target add "$TARGET"
rustup component add llvm-tools
host="$(rustc -vV | sed -n 's/^host: //p')"
llvm_nm="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-nm"

# The README's firmware section, from its heading to the next `## ` heading.
section="$(awk '/^## Firmware: your buffers, no heap/ { on = 1; next } on && /^## / { exit } on' README.md)"
plain_line="$(printf '%s\n' "$section" | grep -m1 '^numgrad = ' || true)"
defmt_line="$(printf '%s\n' "$section" | grep '^numgrad = ' | grep -m1 'defmt' || true)"
if [[ -z "$plain_line" || -z "$defmt_line" ]]; then
    echo "README.md's firmware section lost its Cargo lines (numgrad = ...)" >&2
    exit 1
fi

# `numgrad = "0.1"` -> `numgrad = { path = "<repo>" }`; `version = "0.1"` inside a table ->
# `path = "<repo>"`, every other key (features, default-features) kept.
local_dep() {
    sed -E -e "s|^numgrad = \"[^\"]*\"$|numgrad = { path = \"$repo\" }|" \
        -e "s|version = \"[^\"]*\"|path = \"$repo\"|" <<<"$1"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Builds are kept between runs (the sources are new each time).
target_dir="${CARGO_TARGET_DIR:-$repo/target}/fresh"

# new_crate NAME DEPENDENCY-LINE [EXTRA-DEPENDENCY-LINE]: Cargo.toml of a new binary crate.
new_crate() {
    mkdir -p "$work/$1/src"
    cat >"$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$2
${3:-}

[profile.dev]
panic = "abort"

[profile.release]
panic = "abort"
opt-level = "s"

[workspace]
EOF
}

# The part of main.rs both binaries share: the entry point differentiates a series and a 3x4
# frame read with volatile loads (their length too, so the error path is real), and hands each
# result to `report`.
common_main() {
    cat <<'EOF'
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::ptr::{read_volatile, write_volatile};

use numgrad::{
    AxisSpacing, EdgeOrder, GradientError, Options, StridedView, StridedViewMut, gradient,
    gradient_1d,
};

static mut SAMPLES: [i16; 12] = [0; 12];
static mut LEN: u32 = 12;
static mut SINK: f32 = 0.0;

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    loop {
        let mut f = [0i16; 12];
        let base = (&raw const SAMPLES).cast::<i16>();
        for (k, v) in f.iter_mut().enumerate() {
            // SAFETY: `k < 12`, inside the static buffer.
            *v = unsafe { read_volatile(base.add(k)) };
        }
        // SAFETY: single-threaded; a plain volatile load.
        let n = (unsafe { read_volatile(&raw const LEN) } as usize).min(12);

        let mut rate = [0.0f32; 12];
        let series = gradient_1d(
            &f[..n],
            &mut rate[..n],
            AxisSpacing::Uniform(0.002),
            EdgeOrder::Second,
        );
        report(series.map(|()| rate[0]));

        let mut d0 = [0.0f32; 12];
        let mut d1 = [0.0f32; 12];
        let frame = StridedView::new(&f, 0, &[3, n / 3], &[4, 1]).and_then(|input| {
            gradient(
                &input,
                &mut [
                    StridedViewMut::contiguous(&mut d0[..n / 3 * 3], &[3, n / 3])?,
                    StridedViewMut::contiguous(&mut d1[..n / 3 * 3], &[3, n / 3])?,
                ],
                &Options::new(),
            )
        });
        report(frame.map(|()| d0[0] + d1[0]));
    }
}

fn sink(value: f32) {
    // SAFETY: single-threaded; a plain volatile store.
    unsafe { write_volatile(&raw mut SINK, value) };
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
EOF
}

build() {
    echo "--- $1: numgrad dependency line: $(grep '^numgrad = ' "$work/$1/Cargo.toml")"
    (cd "$work/$1" && cargo build --release --target "$TARGET" --target-dir "$target_dir")
}

if [[ "$mode" == alloc ]]; then
    # The plain binary, but with `alloc` as the old default had it: must fail to link.
    line="$(local_dep "$plain_line" | sed -E 's|\}$|, features = ["alloc"] }|')"
    new_crate fresh_alloc "$line"
    {
        common_main
        echo 'fn report(r: Result<f32, GradientError>) { sink(r.unwrap_or(f32::NAN)); }'
    } >"$work/fresh_alloc/src/main.rs"
    if build fresh_alloc >"$work/alloc.log" 2>&1; then
        echo "with features = [\"alloc\"] the fresh binary linked: expected a missing allocator" >&2
        exit 1
    fi
    grep -m1 'no global memory allocator' "$work/alloc.log"
    echo "as expected, features = [\"alloc\"] needs a global allocator the binary does not have"
    exit 0
fi

new_crate fresh_plain "$(local_dep "$plain_line")"
{
    common_main
    cat <<'EOF'

/// An error leaves NaN in the sink (no logger here).
fn report(result: Result<f32, GradientError>) {
    sink(result.unwrap_or(f32::NAN));
}
EOF
} >"$work/fresh_plain/src/main.rs"
build fresh_plain

new_crate fresh_defmt "$(local_dep "$defmt_line")" 'defmt = "1.0.1"'
mkdir -p "$work/fresh_defmt/.cargo"
cat >"$work/fresh_defmt/.cargo/config.toml" <<EOF
[target.$TARGET]
# defmt's linker script: places the interned format strings.
rustflags = ["-C", "link-arg=-Tdefmt.x"]
EOF
{
    common_main
    cat <<'EOF'

/// An error is logged through defmt (`GradientError: defmt::Format`).
fn report(result: Result<f32, GradientError>) {
    match result {
        Ok(value) => sink(value),
        Err(e) => defmt::error!("gradient failed: {}", e),
    }
}

/// A global logger that drops every byte: enough to link (a real one writes to RTT or a UART).
#[defmt::global_logger]
struct Discard;

// SAFETY: every method does nothing, so no two calls can conflict.
unsafe impl defmt::Logger for Discard {
    fn acquire() {}
    unsafe fn flush() {}
    unsafe fn release() {}
    unsafe fn write(_bytes: &[u8]) {}
}
EOF
} >"$work/fresh_defmt/src/main.rs"
build fresh_defmt

# The defmt binary must really hold the error's Format impl: its interned format string (in
# the `.defmt` section, there whether the impl was inlined or not) names numgrad's variants.
elf="$target_dir/$TARGET/release/fresh_defmt"
if ! "$llvm_nm" "$elf" | grep -q '"tag":"defmt_derived".*AxisTooShort.*"crate_name":"numgrad"'; then
    echo "fresh_defmt links but holds no defmt::Format impl of GradientError" >&2
    exit 1
fi
echo "fresh_defmt holds GradientError's defmt::Format impl (interned in .defmt)"
echo "fresh no_std binaries with the README's Cargo lines link ($TARGET)"
