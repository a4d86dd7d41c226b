#!/usr/bin/env bash
# Loads `dossier serve` and `tantivy-cli serve` side by side and adds the
# "HTTP load" section to BENCHMARKS.md (rewritten from the last full run).
#   bash bench/serve.sh                          # 1M passages, 3 rounds of 10 s per row
#   bash bench/serve.sh --passages 10000 --seconds 5 --rounds 1
set -euo pipefail
cd "$(dirname "$0")/.."
# tantivy-cli from crates.io (0.24, the newest published; it builds with a
# current toolchain only without --locked, which pins a broken dependency).
if [ ! -x target/tantivy-cli/bin/tantivy ]; then
    cargo install tantivy-cli --version 0.24.0 --root target/tantivy-cli
fi
cargo build --release --quiet -p dossier -p dossier-bench
exec target/release/dossier-bench serve-bench "$@"
