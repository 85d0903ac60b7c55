-- wrk script: POSTs one chat completion request per call, optionally paced, and prints one
-- machine-readable RESULT line at the end.
--
-- Arguments (after wrk's "--"): <body file> [<header name> <header value>]...
-- Environment: WRK_PACE_MS, a pause per connection between a response and its next request; unset
-- or 0 sends as fast as possible. It is read when the script loads because wrk decides then
-- whether the script paces at all (a delay() of 0 still costs a timer per request).
local pause = tonumber(os.getenv("WRK_PACE_MS") or "0") or 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  local i = 2
  while args[i] and args[i + 1] do
    wrk.headers[args[i]] = args[i + 1]
    i = i + 2
  end
end

if pause > 0 then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format(
      "RESULT requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f\n",
      summary.requests, summary.duration, errors, summary.errors.status,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean))
end
