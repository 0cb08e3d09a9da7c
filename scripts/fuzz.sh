#!/usr/bin/env bash
# Builds and runs a libFuzzer target.
#   scripts/fuzz.sh expr [seconds]     parser + compiler + evaluator of SwitchyardExpressions
# The target is compiled with swiftc directly from the module sources (not through SwiftPM)
# with -sanitize=fuzzer,address. The corpus lives in fuzz-corpus/<target> (git-ignored), crash
# artifacts in fuzz-corpus/<target>-artifacts/. Every crash found becomes a regression test in
# Tests/SwitchyardExpressionsTests/FuzzRegressionTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-expr}"
seconds="${2:-60}"
case "$target" in
expr)
    sources=(Sources/SwitchyardExpressions/*.swift scripts/fuzz/ExprFuzz.swift)
    module=SwitchyardExpressions
    ;;
*)
    echo "usage: scripts/fuzz.sh expr [seconds]" >&2
    exit 2
    ;;
esac
out=.build/fuzz
mkdir -p "$out" "fuzz-corpus/$target" "fuzz-corpus/$target-artifacts"
bin="$out/$target-fuzz"
echo "building $bin"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
    -module-name "$module" "${sources[@]}" -o "$bin"
# Seed the corpus with the table-test expressions.
if [ -z "$(ls -A "fuzz-corpus/$target")" ] && [ -f scripts/expr-tests/cases.txt ]; then
    i=0
    grep -v '^#' scripts/expr-tests/cases.txt | sed -e 's/^S: //' -e 's/ ==> .*//' -e 's/ ||| .*//' |
        while IFS= read -r line; do
            printf '%s' "$line" >"fuzz-corpus/$target/seed-$i"
            i=$((i + 1))
        done
fi
"$bin" "fuzz-corpus/$target" -dict=scripts/fuzz/expr.dict -max_total_time="$seconds" -max_len=400 \
    -timeout=10 -rss_limit_mb=3000 -print_final_stats=1 -artifact_prefix="fuzz-corpus/$target-artifacts/"
