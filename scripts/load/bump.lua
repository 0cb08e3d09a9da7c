-- wrk script for scripts/load.sh: POST {"name":"bump"} to /v1/instances/iN/events, N cycling
-- over INSTANCES instances (each thread starts at its own offset), with the bearer TOKEN.
-- DELAY_MS > 0 paces each connection: it waits that long before each request, so the offered
-- rate is about connections * 1000 / (DELAY_MS + latency). Counts answers that are not 202.
local instances = tonumber(os.getenv("INSTANCES") or "1000")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local threads = {}
local counter = 0

wrk.method = "POST"
wrk.body = '{"name":"bump"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

function setup(thread)
    thread:set("offset", counter * 7919)
    counter = counter + 1
    table.insert(threads, thread)
end

local n = 0
not202 = 0 -- global: done() reads it with thread:get
function init(args)
    n = offset
end

function request()
    n = n + 1
    return wrk.format(nil, "/v1/instances/i" .. (n % instances) .. "/events")
end

if delay_ms > 0 then
    function delay()
        return delay_ms
    end
end

function response(status, headers, body)
    if status ~= 202 then
        not202 = not202 + 1
        if not202 <= 3 then io.stderr:write("answer " .. status .. ": " .. body .. "\n") end
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do bad = bad + t:get("not202") end
    io.write(string.format(
        "RESULT requests=%d seconds=%.2f rate=%.0f not202=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), bad,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
