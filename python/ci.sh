#!/usr/bin/env bash
# CI for the Python package: build the wheel with maturin, install it into a
# fresh virtual environment, and run the pytest suite against it.
#
#   bash python/ci.sh          (from anywhere; .ci/run calls it)
#
# The wheel builds into the repository's target/ (maturin's default for a
# workspace member), so the release build cache of the dossier crate's
# dependencies is reused. The tests compare with the CLI at
# target/release/dossier (built here if missing or stale), or $DOSSIER_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work="$repo/target/python-ci"
python=${PYTHON:-python3}
started=$(date +%s)

step() { echo "== python: $*"; }

step "cargo fmt --check and clippy for the binding crate"
cargo fmt -p dossier-python --check
cargo clippy --quiet -p dossier-python --all-targets -- -D warnings

# Tools: maturin, from PATH or installed with pip into a venv of their own.
if command -v maturin >/dev/null 2>&1; then
    maturin=$(command -v maturin)
else
    if [ ! -x "$work/tools/bin/maturin" ]; then
        step "installing maturin with pip"
        "$python" -m venv "$work/tools"
        "$work/tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
    fi
    maturin="$work/tools/bin/maturin"
fi
"$maturin" --version

step "building the CLI the tests compare with (cargo build --release)"
cargo build --release --quiet --bin dossier

step "building the wheel (maturin build --release)"
rm -rf "$work/wheels"
"$maturin" build --release --quiet --manifest-path python/Cargo.toml --out "$work/wheels"
wheel=$(ls "$work"/wheels/dossier-*.whl)
echo "$wheel"

step "installing it into a fresh virtual environment"
rm -rf "$work/venv"
"$python" -m venv "$work/venv"
venv_python="$work/venv/bin/python"
pip() { "$venv_python" -m pip --disable-pip-version-check "$@"; }
pip install --quiet "$wheel"
# The test tools: pytest, and pandas and mypy for the optional features.
pip install --quiet pytest pandas mypy

# The tests must import the installed wheel, not the sources in python/.
installed=$(cd "$work" && "$venv_python" -c 'import dossier; print(dossier.__file__)')
case "$installed" in
    "$work/venv/"*) echo "testing $installed" ;;
    *) echo "dossier was imported from $installed, not from the fresh venv"; exit 1 ;;
esac

step "pytest"
cd "$repo/python"
DOSSIER_BIN="${DOSSIER_BIN:-$repo/target/release/dossier}" \
    "$work/venv/bin/pytest" -p no:cacheprovider -q tests
echo "== python: done in $(( $(date +%s) - started )) s"
