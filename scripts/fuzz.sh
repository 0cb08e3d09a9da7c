#!/usr/bin/env bash
# Builds and runs a libFuzzer target straight from the module sources.
#   scripts/fuzz.sh scxml [seconds]   # the SCXML loader (default 60 s)
# Crashes are written to fuzz-corpus/<target>/crashes; the corpus lives in fuzz-corpus/<target>.
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
    scxml) shift; fuzz_scxml "$@" ;;
    *) echo "usage: scripts/fuzz.sh scxml [seconds]" >&2; exit 2 ;;
esac
