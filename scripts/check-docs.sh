#!/usr/bin/env bash
# Builds the DocC documentation of every library module and fails on any DocC warning.
# Used by .ci/run after the tests; `swift package generate-documentation --target X` for one.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for target in SwitchyardExpressions SwitchyardCore SwitchyardSCXML SwitchyardRules SwitchyardRuntime \
    SwitchyardStore SwitchyardDSL SwitchyardConformance Switchyard SwitchyardServer; do
    log=$(mktemp)
    if ! swift package generate-documentation --target "$target" > "$log" 2>&1; then
        echo "docs: $target: generate-documentation failed"
        cat "$log"
        status=1
    # Warnings about a dependency's package layout (swift-distributed-tracing ships a CMakeLists.txt
    # SwiftPM does not handle) are not ours.
    elif grep "warning:" "$log" | grep -qv "which are unhandled"; then
        echo "docs: $target: DocC warnings"
        grep -A8 "warning:" "$log" | grep -v "which are unhandled"
        status=1
    else
        echo "docs: $target: no warnings"
    fi
    rm -f "$log"
done
exit $status
