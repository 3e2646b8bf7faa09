#!/usr/bin/env bash
# Debian's aarch64 cross linker and libc, and qemu-user, unless the machine has them: the aarch64
# clippy step builds criterion's `alloca`, whose build script compiles C for the target, and
# `.ci/aarch64.sh` links and runs the test suite with them. Network only to the package
# registries.
set -euo pipefail

if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null \
    || [[ ! -d /usr/aarch64-linux-gnu/lib ]]; then
    apt-get update
    apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
fi
