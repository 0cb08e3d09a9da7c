#!/usr/bin/env bash
# Load figures for `switchyard serve` with wrk: events/s accepted at full speed, and latency
# at a fixed offered rate. Every event is durable (journaled before its 202).
#
#   scripts/load.sh [path/to/release/switchyard]
#
# Without a binary it builds the release product into .build-release. Starts the server on a
# free loopback port over a fresh temporary database, starts 1,000 instances i0..i999 of a
# counter machine, then runs wrk on loopback (keep-alive) with scripts/load/bump.lua, which
# POSTs {"name":"bump"} to /v1/instances/iN/events with N cycling over the instances:
#   (a) throughput: `wrk -t2 -cC -d20s` for C in LOAD_CONNECTIONS (default "16 64 256");
#   (b) latency at ~LOAD_RATE requests/s (default 5000): Debian's wrk has no -R, so each of
#       LOAD_PACED_CONNECTIONS (default 100) connections waits C*1000/RATE ms before each
#       request (the Lua delay() hook). That is paced closed-loop, not a true open loop: a slow
#       answer delays that connection's next request, so the achieved rate is printed too.
# Afterwards the instances' counts must add up to the 202s wrk saw (give or take requests in
# flight when wrk stopped). Exits non-zero on any non-202 or socket error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
if [[ -z "$bin" ]]; then
    swift build --package-path "$root" -c release --scratch-path "$root/.build-release" --product switchyard
    bin="$(swift build --package-path "$root" -c release --scratch-path "$root/.build-release" --show-bin-path)/switchyard"
fi
command -v wrk >/dev/null || { echo "error: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
duration=${LOAD_DURATION:-20s}
instances=1000

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-load.XXXXXX")
mkdir "$work/machines"
cat >"$work/machines/counter.scxml" <<'SCXML'
<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="counter" initial="on">
  <datamodel><data id="count" expr="0"/></datamodel>
  <state id="on">
    <transition event="bump"><assign location="count" expr="count + 1"/></transition>
  </state>
</scxml>
SCXML
token="sy_load_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "{ \"tokens\": [ { \"name\": \"admin\", \"scope\": \"admin\", \"token\": \"$token\" } ] }" >"$work/tokens.json"

"$bin" serve --port 0 --db "$work/switchyard.sqlite" --machines "$work/machines" \
    --tokens "$work/tokens.json" --log-level warning >"$work/server.out" 2>"$work/server.err" &
pid=$!
cleanup() {
    kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
url=""
for _ in $(seq 200); do
    url=$(sed -n 's/^Switchyard listening on \(http[^ ]*\).*/\1/p' "$work/server.out")
    [[ -n "$url" ]] && break
    sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/server.err" >&2; exit 1; }
until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]]; do sleep 0.1; done
auth="Authorization: Bearer $token"

# One curl, one keep-alive connection, URL globbing: PUT /v1/instances/i0 .. i999.
started=$(curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "$auth" -H 'Content-Type: application/json' \
    -d '{"machine":"counter"}' "$url/v1/instances/i[0-$((instances - 1))]" | grep -c '^201$' || true)
[[ $started == "$instances" ]] || { echo "error: started $started of $instances instances" >&2; exit 1; }
echo "server $url: $instances counter instances started; $(nproc) cores"

export TOKEN=$token INSTANCES=$instances
total=0
status=0
run() { # label, wrk arguments...
    local label=$1
    shift
    echo "== $label: wrk $*"
    local out
    out=$(wrk "$@" --latency -s "$root/scripts/load/bump.lua" "$url")
    echo "$out" | sed -n '/Latency Distribution/,/requests in/p;/Requests\/sec/p;/Non-2xx/p;/Socket errors/p'
    local result
    result=$(echo "$out" | grep '^RESULT')
    echo "$result"
    local requests bad errors
    requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
    bad=$(sed 's/.*not202=\([0-9]*\).*/\1/' <<<"$result")
    errors=$(sed 's/.*socket_errors=\([0-9]*\).*/\1/' <<<"$result")
    total=$((total + requests))
    if [[ $bad != 0 || $errors != 0 ]]; then status=1; fi
}

DELAY_MS=0 run "warm-up" -t2 -c64 -d5s
for c in ${LOAD_CONNECTIONS:-16 64 256}; do
    DELAY_MS=0 run "throughput, $c connections" -t2 -c"$c" -d"$duration"
done
rate=${LOAD_RATE:-5000}
paced=${LOAD_PACED_CONNECTIONS:-100}
delay=$((paced * 1000 / rate))
DELAY_MS=$delay run "latency at ~$rate/s ($paced connections, ${delay} ms between requests)" \
    -t2 -c"$paced" -d"${LOAD_LATENCY_DURATION:-30s}"

# Every 202 must be a bump some instance counted.
counted=$(curl -s -w '\n' -H "$auth" "$url/v1/instances/i[0-$((instances - 1))]" | python3 -c '
import json, sys
print(sum(int(json.loads(line)["data"]["count"]) for line in sys.stdin if line.strip()))')
echo "requests completed by wrk: $total; bumps counted by the instances: $counted"
# wrk stops with requests in flight: those may be counted without wrk having seen the answer.
if ((counted < total || counted > total + 2 * 512)); then
    echo "error: the counts do not add up" >&2
    status=1
fi
grep -i 'error' "$work/server.err" | head -5 >&2 || true
exit $status
