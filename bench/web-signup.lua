-- wrk script: each request is a valid signup form for a new address, so every one
-- exercises the whole signup path (parse, checks, one transaction, one queued email).
local counter = 0
local thread_id = 0
local run = tostring(os.time())

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  counter = 0
end

request = function()
  counter = counter + 1
  local email = string.format("bench-%s-%d-%d@example.com", run, tid or 0, counter)
  local body = "email=" .. email ..
    "&cities=berlin&cities=amsterdam&career_paths=data&roles=Data+Analyst" ..
    "&entry_levels=graduate&entry_levels=entry&experience=none" ..
    "&work_environments=hybrid&work_environments=remote&visa=eu" ..
    "&languages=en&languages=de&skills=sql%2C+python&start_date=2026-09-01&consent=yes"
  return wrk.format("POST", "/signup", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("signup: %d requests, %d non-2xx, %d socket errors\n",
    summary.requests, non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
