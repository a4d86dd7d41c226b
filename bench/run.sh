#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: builds dossier and the harness in release mode,
# installs ripgrep if missing, and runs every system at the given sizes. It
# exits non-zero if the systems disagree on any hit count.
#   bash bench/run.sh                      # 10k, 100k and 1M passages (about 27 minutes)
#   bash bench/run.sh --sizes 1000 --report target/bench-smoke.md --plot target/bench-smoke.svg
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v rg >/dev/null; then
    # ripgrep's hit counts are checked against the others: it is required.
    (apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null) || {
        echo "ripgrep (rg) is missing and could not be installed; install it and rerun" >&2
        exit 1
    }
fi
cargo build --release --quiet -p dossier -p dossier-bench
exec target/release/dossier-bench run "$@"
