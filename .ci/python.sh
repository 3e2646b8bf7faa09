#!/usr/bin/env bash
# The Python package (python/, issue 13) with the README's two commands: one builds the abi3
# wheel (release mode, through maturin) and installs it with its test dependencies into a fresh
# virtual environment, one runs its tests: numpy's TestGradient, the hypothesis suite against
# np.gradient (profile `ci`: 300 examples per property), the dask tests on a two-process
# LocalCluster (an array larger than a worker's memory limit), the examples.
# Installs what it needs itself; network only to the package registries (PyPI, crates.io).
# Wall time on the 2-core development machine, from a clean clone: 3 min 39 s (4 min 34 s while
# other jobs shared the cores); the wheel's release build is most of it, the tests about 70 s.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${TMPDIR:-/tmp}/numgrad-python-venv"
rm -rf "$venv"

echo "--- format of the extension crate (its own workspace: the root's fmt step skips it)"
cargo fmt --manifest-path python/Cargo.toml -- --check

echo "--- build and install (the README's first command)"
# numpy pinned as for the fixtures; the test tools at versions known to work.
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "./python[test]" "numpy==2.4.6" \
    "dask[array]==2026.8.0" "distributed==2026.8.0" "hypothesis==6.170.17" "pytest==9.2.0"

echo "--- tests (the README's second command)"
export HYPOTHESIS_PROFILE=ci
"$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests
