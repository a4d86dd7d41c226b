#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: builds dossier and the harness in release mode,
# installs ripgrep if missing, and runs every system at the given sizes.
#   bash bench/run.sh                      # 10k, 100k and 1M passages (about 20 minutes)
#   bash bench/run.sh --sizes 1000 --report target/bench-smoke.md --plot target/bench-smoke.svg
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v rg >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null) || echo "ripgrep unavailable: its column stays empty" >&2
fi
cargo build --release --quiet -p dossier -p dossier-bench
exec target/release/dossier-bench run "$@"
