-- wrk script for bench/pages.py: cycles through the paths given after `--`, optionally POSTing
-- a form body (env BENCH_BODY, where {n} becomes a per-thread counter), and prints one JSON line
-- with the latency percentiles (microseconds) when the run ends.
local paths = {}
local index = 0
local counter = 0
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local headers = {}

function init(args)
  for _, path in ipairs(args) do
    paths[#paths + 1] = path
  end
  -- wrk.format uses the table it is given instead of wrk.headers (-H on the command line, the
  -- session cookie), so a POST's table starts as a copy of them.
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  index = math.random(#paths) - 1
end

function request()
  index = index % #paths + 1
  if method == "POST" then
    counter = counter + 1
    local filled = body:gsub("{n}", tostring(counter))
    return wrk.format("POST", paths[index], headers, filled)
  end
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
