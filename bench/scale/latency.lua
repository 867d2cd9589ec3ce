-- wrk script: requests a random path from the file named by env WRK_PATHS (one per line), and at the end prints one
-- line "p50_ms p95_ms p99_ms req_per_s non2xx errors" for bench/scale/run.sh.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do if #line > 0 then paths[#paths + 1] = line end end
local bad = 0
local counter = 0

function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args) math.randomseed(os.time() + id * 7919) end
function request() return wrk.format(nil, paths[math.random(#paths)]) end
function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local non2xx = summary.errors.status
  io.write(string.format("RESULT %.2f %.2f %.2f %.1f %d %d\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6), non2xx, errors))
end
