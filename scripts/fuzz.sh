#!/usr/bin/env bash
# Builds and runs a libFuzzer target straight from the module sources (swiftc, not SwiftPM),
# with -sanitize=fuzzer,address.
#   scripts/fuzz.sh expr [seconds]    parser + compiler + evaluator of SwitchyardExpressions
#   scripts/fuzz.sh scxml [seconds]   the SCXML loader (default 60 s)
# Corpora live in fuzz-corpus/<target> (git-ignored), crash artifacts beside them. Every crash
# found becomes a regression test (Tests/SwitchyardExpressionsTests/FuzzRegressionTests.swift,
# Tests/SwitchyardSCXMLTests).
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_FLAGS=(-sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name switchyard
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault -O -g)

# Compiles one module's sources into BUILD/<name>.o and BUILD/<name>.swiftmodule.
build_module() {
    local build=$1 name=$2
    shift 2
    swiftc "${SWIFT_FLAGS[@]}" -wmo -module-name "$name" -emit-module -emit-module-path "$build/$name.swiftmodule" \
        -c -o "$build/$name.o" -I "$build" "$@"
}

# ---- expr: the expression language (issue 3) -------------------------------------------
fuzz_expr() {
    local seconds=${1:-60}
    local target=expr out=.build-fuzz/expr
    mkdir -p "$out" "fuzz-corpus/$target" "fuzz-corpus/$target-artifacts"
    local bin="$out/$target-fuzz"
    echo "building $bin"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
        -module-name SwitchyardExpressions Sources/SwitchyardExpressions/*.swift scripts/fuzz/ExprFuzz.swift -o "$bin"
    # Seed the corpus with the table-test expressions.
    if [ -z "$(ls -A "fuzz-corpus/$target")" ] && [ -f scripts/expr-tests/cases.txt ]; then
        local i=0
        grep -v '^#' scripts/expr-tests/cases.txt | sed -e 's/^S: //' -e 's/ ==> .*//' -e 's/ ||| .*//' |
            while IFS= read -r line; do
                printf '%s' "$line" >"fuzz-corpus/$target/seed-$i"
                i=$((i + 1))
            done
    fi
    "$bin" "fuzz-corpus/$target" -dict=scripts/fuzz/expr.dict -max_total_time="$seconds" -max_len=400 \
        -timeout=10 -rss_limit_mb=3000 -print_final_stats=1 -artifact_prefix="fuzz-corpus/$target-artifacts/"
}

# ---- scxml: the SCXML loader (issue 2) ------------------------------------------------
fuzz_scxml() {
    local seconds=${1:-60}
    local build=.build-fuzz/scxml corpus=fuzz-corpus/scxml
    mkdir -p "$build" "$corpus" "$corpus/crashes"
    local xml=(-I Sources/CLibXML2 -I/usr/include/libxml2)
    build_module "$build" SwitchyardExpressions Sources/SwitchyardExpressions/*.swift
    build_module "$build" SwitchyardCore $(find Sources/SwitchyardCore -name '*.swift')
    build_module "$build" SwitchyardSCXML "${xml[@]}" $(find Sources/SwitchyardSCXML -name '*.swift')
    swiftc "${SWIFT_FLAGS[@]}" -I "$build" "${xml[@]}" scripts/fuzz/FuzzSCXML.swift \
        "$build"/SwitchyardExpressions.o "$build"/SwitchyardCore.o "$build"/SwitchyardSCXML.o -lxml2 \
        -o "$build/fuzz-scxml"
    # Seed with the W3C documents and the golden files when present.
    local seeds=()
    [ -d ../shared/w3c-scxml/ecma ] && seeds+=(../shared/w3c-scxml/ecma)
    [ -d Tests/SwitchyardSCXMLTests/Golden ] && seeds+=(Tests/SwitchyardSCXMLTests/Golden)
    "$build/fuzz-scxml" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -dict=scripts/fuzz/scxml.dict -artifact_prefix="$corpus/crashes/" -print_final_stats=1 \
        "$corpus" "${seeds[@]}"
}

case "${1:-}" in
    expr) shift; fuzz_expr "$@" ;;
    scxml) shift; fuzz_scxml "$@" ;;
    *) echo "usage: scripts/fuzz.sh expr|scxml [seconds]" >&2; exit 2 ;;
esac
