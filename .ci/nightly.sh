#!/usr/bin/env bash
# The nightly toolchain and the components given as arguments (`bash .ci/nightly.sh miri
# rust-src`): the one place that installs them, for Miri, the fuzz targets and the stack probe.
# Quick when they are there already.
set -euo pipefail

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
if (($# > 0)); then
    rustup component add "$@" --toolchain nightly
fi
