#!/usr/bin/env bash
# Runs the expression benchmark in release mode with heap allocations counted.
#   scripts/bench-expr.sh ['EXPRESSION'] [--count N]
set -euo pipefail
cd "$(dirname "$0")/.."
expr="${1:-amount > 1000 && department == 'legal' || tags.contains('urgent')}"
shift || true
mkdir -p .build/bench
cc -O2 -shared -fPIC -o .build/bench/malloccount.so scripts/malloc-count/malloccount.c
inputs=Benchmarks/inputs/expr-inputs.jsonl
swift build -c release --scratch-path .build-release --product switchyard-bench
LD_PRELOAD="$PWD/.build/bench/malloccount.so" .build-release/release/switchyard-bench expr "$expr" --inputs "$inputs" "$@"
