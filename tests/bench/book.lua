-- wrk script: POST /api/v1/bookings, one slot per request, counting the answers.
--
--   wrk ... -s tests/bench/book.lua http://127.0.0.1:PORT -- SLOTS_FILE MODE TAG THREADS
--
-- SLOTS_FILE: lines "practitioner_id service_id start" (tests/bench/slots.py writes them).
-- MODE free:      thread k of THREADS books lines k+1, k+1+THREADS, ... each once, so no
--                 two requests ask for the same slot (after the last line it starts
--                 again: those attempts are 409s, counted as "reused").
-- MODE contended: every thread and connection rotates over all the lines; exactly one
--                 201 per slot is right, every other attempt must be a 409.
-- Every request has a patient e-mail of its own (TAG-thread-n), so the per-contact
-- limit on open bookings never applies.
-- At the end it prints "bench-status: 201=N 409=N 4xx=N 5xx=N reused=N" and, if any,
-- the first unexpected answer ("bench-first-4xx: ...", "bench-first-5xx: ...").

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

local slots = {}
local i = 0
local tag, k, mode = "bench", 0, "free"
local headers = { ["Content-Type"] = "application/json" }

n201, n409, n4xx, n5xx, reused = 0, 0, 0, 0, 0
first4xx, first5xx = "", ""

function init(args)
  local file = args[1]
  mode = args[2]
  tag = args[3] or "bench"
  local nthreads = tonumber(args[4]) or 1
  if not file or (mode ~= "free" and mode ~= "contended") then
    error("book.lua: pass SLOTS_FILE free|contended TAG THREADS after --")
  end
  k = tonumber(thread_index) or 0
  local n = 0
  for line in io.lines(file) do
    local p, s, st = line:match("^(%S+) (%S+) (%S+)$")
    if p then
      if mode == "contended" or n % nthreads == k then
        slots[#slots + 1] = { p, s, st }
      end
      n = n + 1
    end
  end
  if #slots == 0 then
    error("book.lua: no slots for thread " .. k .. " in " .. file)
  end
  if mode == "contended" then
    i = (k * 7) % #slots -- threads start apart, then all of them go round the same slots
  end
end

function request()
  i = i + 1
  if i > #slots and mode ~= "contended" then
    reused = reused + 1
  end
  local s = slots[(i - 1) % #slots + 1]
  local body = '{"practitioner_id":"' .. s[1] .. '","service_id":"' .. s[2] ..
    '","start":"' .. s[3] .. '","patient":{"name":"Bench Patient","email":"bench-' ..
    tag .. '-' .. k .. '-' .. i .. '@example.org"}}'
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

function response(status, hdrs, body)
  if status == 201 then
    n201 = n201 + 1
  elseif status == 409 then
    n409 = n409 + 1
  elseif status >= 500 then
    n5xx = n5xx + 1
    if first5xx == "" then first5xx = status .. " " .. (body or ""):sub(1, 300) end
  else
    n4xx = n4xx + 1
    if first4xx == "" then first4xx = status .. " " .. (body or ""):sub(1, 300) end
  end
end

function done(summary, latency, requests)
  local t = { n201 = 0, n409 = 0, n4xx = 0, n5xx = 0, reused = 0 }
  local f4, f5 = "", ""
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do
      t[key] = t[key] + (tonumber(thread:get(key)) or 0)
    end
    if f4 == "" then f4 = thread:get("first4xx") or "" end
    if f5 == "" then f5 = thread:get("first5xx") or "" end
  end
  io.write(string.format("bench-status: 201=%d 409=%d 4xx=%d 5xx=%d reused=%d\n",
    t.n201, t.n409, t.n4xx, t.n5xx, t.reused))
  if f4 ~= "" then io.write("bench-first-4xx: " .. f4:gsub("\n", " ") .. "\n") end
  if f5 ~= "" then io.write("bench-first-5xx: " .. f5:gsub("\n", " ") .. "\n") end
end
