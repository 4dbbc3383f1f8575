-- wrk script of bench/gateway.ts (not a test). One POST scenario per run, chosen by the script arguments:
--   wrk ... -s bench/wrk-scenario.lua <url> -- fixed  <path> <body-file>       the same body on every request
--   wrk ... -s bench/wrk-scenario.lua <url> -- cycle  <path> <bodies-file>     bodies-file: one JSON body per line, in turn
--   wrk ... -s bench/wrk-scenario.lua <url> -- unique <path> <tag>             {"url":"http://<tag>-t<thread>-<n>.example/login?session=<n>"}
-- Every request carries the JSON content type and the extension's Origin (ORIGIN in the environment, if set).
-- At the end it prints one JSON line: requests, duration (µs), p99 latency (µs), non-2xx/3xx answers and socket errors.
-- Requests of `fixed` and `cycle` are formatted once in init(); `unique` formats one per request (a short string
-- concatenation in LuaJIT), so the load generator stays cheap next to the servers it shares the cores with.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local mode, path, arg
local prebuilt = {}
local n = 0
local headers = { ["Content-Type"] = "application/json" }

local function read_lines(file)
  local lines = {}
  for line in io.lines(file) do
    if line ~= "" then table.insert(lines, line) end
  end
  return lines
end

function init(args)
  mode, path, arg = args[1], args[2], args[3]
  local origin = os.getenv("ORIGIN")
  if origin and origin ~= "" then headers["Origin"] = origin end
  if mode == "fixed" then
    prebuilt = { wrk.format("POST", path, headers, read_lines(arg)[1]) }
  elseif mode == "cycle" then
    for _, body in ipairs(read_lines(arg)) do table.insert(prebuilt, wrk.format("POST", path, headers, body)) end
  elseif mode ~= "unique" then
    error("mode must be fixed, cycle or unique, got " .. tostring(mode))
  end
end

function request()
  n = n + 1
  if mode == "unique" then
    return wrk.format("POST", path, headers,
      '{"url":"http://' .. arg .. '-t' .. id .. '-' .. n .. '.example/login?session=' .. n .. '"}')
  end
  return prebuilt[(n - 1) % #prebuilt + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(99.0), e.status, e.connect + e.read + e.write + e.timeout))
end
