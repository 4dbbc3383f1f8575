-- wrk script of bench/gateway.ts (not a test). One POST scenario per run, chosen by the script arguments:
--   wrk ... -s bench/wrk-scenario.lua <url> -- cycle  <path> <bodies-file> [<connections> <settle-ms>]
--       bodies-file: one JSON body per line, sent in turn
--   wrk ... -s bench/wrk-scenario.lua <url> -- unique <path> <tag> [<connections> <settle-ms>]
--       {"url":"http://<tag>-<thread>-<n>.example/login?session=<n>"}
-- With <connections> and <settle-ms>, each connection's first request waits settle-ms, so every connection is open
-- (and accepted by the server) before the load starts; the run's duration includes that wait.
-- Every request carries the JSON content type and the extension's Origin (ORIGIN in the environment, if set).
-- At the end it prints one JSON line: requests, duration (µs), p99 latency (µs), non-2xx/3xx answers and socket errors.
-- `cycle` requests are formatted once in init(); `unique` formats one per request (a short string concatenation in
-- LuaJIT), so the load generator stays cheap next to the servers it shares the cores with.

local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local mode, path, arg
-- First requests still to delay (one per connection: none sends a second before its first is answered), and by how much.
local settle_left, settle_ms = 0, 0
local prebuilt = {}
local n = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  mode, path, arg = args[1], args[2], args[3]
  settle_left, settle_ms = tonumber(args[4] or "0"), tonumber(args[5] or "0")
  local origin = os.getenv("ORIGIN")
  if origin and origin ~= "" then headers["Origin"] = origin end
  if mode == "cycle" then
    for body in io.lines(arg) do
      if body ~= "" then table.insert(prebuilt, wrk.format("POST", path, headers, body)) end
    end
  elseif mode ~= "unique" then
    error("mode must be cycle or unique, got " .. tostring(mode))
  end
end

function delay()
  if settle_left > 0 then
    settle_left = settle_left - 1
    return settle_ms
  end
  return 0
end

function request()
  n = n + 1
  if mode == "unique" then
    return wrk.format("POST", path, headers,
      '{"url":"http://' .. arg .. '-' .. id .. '-' .. n .. '.example/login?session=' .. n .. '"}')
  end
  return prebuilt[(n - 1) % #prebuilt + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(99.0), e.status, e.connect + e.read + e.write + e.timeout))
end
