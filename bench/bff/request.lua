-- bench/bff/request.lua: the wrk script of bench/bff/run.sh.
--
-- Environment:
--   BFF_TOKEN     access token, sent as "Authorization: Bearer <token>" on every request
--   BFF_PATH      request path; "{id}" in it is replaced by the next id of BFF_IDS_FILE
--   BFF_IDS_FILE  one user id per line (only read when BFF_PATH holds "{id}")
--
-- At the end it prints one line that run.sh parses:
--   RESULT requests=N duration_us=N p50_us=N p90_us=N p99_us=N max_us=N mean_us=N
--          status_errors=N connect=N read=N write=N timeout=N
-- status_errors counts responses with a status above 399 (wrk's "Non-2xx or 3xx responses").
-- There is no response() hook on purpose: it would make wrk hand every body to Lua and steal CPU
-- from the BFF on a 2-core machine; run.sh checks beforehand that each path answers exactly 200.

local token = os.getenv("BFF_TOKEN") or error("BFF_TOKEN is not set")
local path = os.getenv("BFF_PATH") or error("BFF_PATH is not set")
wrk.headers["Authorization"] = "Bearer " .. token

local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

local requests_by_id = nil
local position = 0

function init(args)
  if string.find(path, "{id}", 1, true) then
    local file = os.getenv("BFF_IDS_FILE") or error("BFF_IDS_FILE is not set")
    -- Every request built once, so the measured loop only hands out strings.
    requests_by_id = {}
    for line in io.lines(file) do
      if #line > 0 then
        table.insert(requests_by_id, wrk.format("GET", (string.gsub(path, "{id}", line))))
      end
    end
    if #requests_by_id == 0 then
      error("no ids in " .. file)
    end
    -- Threads start at different places of the list.
    position = (thread_index * 7919) % #requests_by_id
  else
    -- A fixed request, built once.
    local request_bytes = wrk.format("GET", path)
    request = function()
      return request_bytes
    end
  end
end

function request()
  position = position % #requests_by_id + 1
  return requests_by_id[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d " ..
      "status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, errors.status,
    errors.connect, errors.read, errors.write, errors.timeout))
end
