#!/usr/bin/env bash
# Checks the live `switchyard serve` against its own OpenAPI document with schemathesis: every
# operation is called with generated valid and invalid input, and every answer must be a
# non-5xx that the document describes (status, content type, headers, body schema).
#
#   scripts/schemathesis.sh [path/to/switchyard]
#
# Without a binary it builds the debug `switchyard` product. The server runs on a free loopback
# port over a temporary directory (the shipped machines, a tokens file with one admin token)
# and is stopped with SIGTERM at the end. Exits non-zero on any schemathesis failure, on a
# logged internal error, or when the server does not stop cleanly.
#
# Environment: ST_MAX_EXAMPLES (test cases per operation and phase, default 50), ST_SEED
# (default 1, so a run is reproducible), ST_VERSION (the schemathesis pip installs when `st` is
# missing, default 4.32.5), ST_ARGS (more arguments for `st run`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
if [[ -z "$bin" ]]; then
    swift build --package-path "$root" --product switchyard
    bin="$(swift build --package-path "$root" --show-bin-path)/switchyard"
fi
[[ -x "$bin" ]] || { echo "error: $bin is not an executable" >&2; exit 2; }

if ! command -v st >/dev/null 2>&1; then
    python3 -m pip install --quiet "schemathesis==${ST_VERSION:-4.32.5}"
    hash -r
fi
st --version

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-schemathesis.XXXXXX")
mkdir "$work/machines"
cp "$root"/machines/*.scxml "$root"/machines/*.rules.xml "$work/machines/"
token="sy_schemathesis_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$work/tokens.json" <<EOF
{ "tokens": [ { "name": "admin", "scope": "admin", "token": "$token" } ] }
EOF

"$bin" serve --port 0 --db "$work/switchyard.sqlite" --machines "$work/machines" \
    --tokens "$work/tokens.json" --log-level notice >"$work/server.out" 2>"$work/server.err" &
pid=$!
stopped=0
stop_server() {
    [[ $stopped == 1 ]] && return 0
    stopped=1
    kill -TERM "$pid" 2>/dev/null || return 0
    local rc=0
    wait "$pid" || rc=$?
    return $rc
}
cleanup() {
    stop_server || true
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

url=""
for _ in $(seq 200); do
    url=$(sed -n 's/^Switchyard listening on \(http[^ ]*\).*/\1/p' "$work/server.out")
    [[ -n "$url" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$url" ]] || { echo "error: the server never printed its URL" >&2; exit 1; }
for _ in $(seq 200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]] && break
    sleep 0.1
done
echo "server at $url"

auth="Authorization: Bearer $token"
# A couple of instances (and an event) so the instance paths have data to answer with.
for id in doc-1 doc-2; do
    curl -sf -X PUT -H "$auth" -H 'Content-Type: application/json' \
        -d '{"machine":"document_approval","data":{"title":"t"}}' "$url/v1/instances/$id" >/dev/null
done
curl -sf -X POST -H "$auth" -H 'Content-Type: application/json' \
    -d '{"name":"submit"}' "$url/v1/instances/doc-1/events?wait=processed" >/dev/null

status=0
# scripts/schemathesis.toml holds the few per-operation relaxations, each with its reason.
st --config-file "$root/scripts/schemathesis.toml" run "$url/openapi.yaml" \
    --checks all \
    -H "$auth" \
    --max-examples "${ST_MAX_EXAMPLES:-50}" \
    --seed "${ST_SEED:-1}" \
    --no-color \
    ${ST_ARGS:-} || status=$?

if grep -q 'internal error' "$work/server.err"; then
    echo "error: the server logged internal errors:" >&2
    grep 'internal error' "$work/server.err" | head -20 >&2
    status=1
fi
server_rc=0
stop_server || server_rc=$?
if [[ $server_rc != 0 ]]; then
    echo "error: the server exited with $server_rc after SIGTERM" >&2
    tail -20 "$work/server.err" >&2
    status=1
fi
exit $status
