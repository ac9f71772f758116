-- wrk script: the sustained mixed workload (issue 7, point 5).
--
--   wrk ... -s tests/bench/mixed.lua http://127.0.0.1:PORT -- \
--       PROFILE_PATHS SEARCH_PATHS AVAILABILITY_PATHS SLOTS_FILE TAG THREADS
--
-- Every connection goes round a fixed cycle of 20 requests: 6 profile GETs, 6 searches,
-- 4 availability GETs (80% reads), 3 bookings (15%) and 1 cancellation (5%).
-- Bookings take free slots from SLOTS_FILE (thread k of THREADS: lines k+1,
-- k+1+THREADS, ...; each once).  A 201's id and manage token go to a queue in the
-- thread's Lua state; a cancellation takes the oldest one and sends
-- POST /api/v1/bookings/{id}/cancel with "Authorization: Bearer <token>"; with none
-- queued yet it books instead.
-- At the end it prints
--   bench-status: 2xx=N 201=N 409=N 4xx=N 5xx=N reads=N books=N cancels=N cancelled=N reused=N
-- and the first unexpected answer of each kind, if any.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

local lists = {}      -- profile, search, availability paths
local pos = { 0, 0, 0 }
local slots = {}
local si = 0
local queue, qhead, qtail = {}, 1, 0
local tag, k = "bench", 0
local step = 0
local json = { ["Content-Type"] = "application/json" }
-- P profile, S search, A availability, B book, C cancel: 6/6/4/3/1 of 20
local cycle = { "P", "S", "A", "B", "P", "S", "P", "A", "S", "B",
                "P", "S", "A", "C", "P", "S", "A", "B", "P", "S" }

n2xx, n201, n409, n4xx, n5xx = 0, 0, 0, 0, 0
reads, books, cancels, cancelled, reused = 0, 0, 0, 0, 0
first4xx, first5xx = "", ""

local function load_paths(file)
  local t = {}
  for line in io.lines(file) do
    if line:sub(1, 1) == "/" then t[#t + 1] = line end
  end
  if #t == 0 then error("mixed.lua: no paths in " .. file) end
  return t
end

function init(args)
  if not args[4] then
    error("mixed.lua: pass PROFILE_PATHS SEARCH_PATHS AVAILABILITY_PATHS SLOTS_FILE TAG THREADS after --")
  end
  lists[1], lists[2], lists[3] = load_paths(args[1]), load_paths(args[2]), load_paths(args[3])
  tag = args[5] or "bench"
  local nthreads = tonumber(args[6]) or 1
  k = tonumber(thread_index) or 0
  local n = 0
  for line in io.lines(args[4]) do
    local p, s, st = line:match("^(%S+) (%S+) (%S+)$")
    if p then
      if n % nthreads == k then slots[#slots + 1] = { p, s, st } end
      n = n + 1
    end
  end
  if #slots == 0 then error("mixed.lua: no slots for thread " .. k) end
  for j = 1, 3 do pos[j] = (k * 7919) % #lists[j] end
  step = (k * 7) % #cycle
end

local function get(j)
  pos[j] = pos[j] % #lists[j] + 1
  reads = reads + 1
  return wrk.format("GET", lists[j][pos[j]])
end

local function book()
  si = si + 1
  if si > #slots then reused = reused + 1 end
  books = books + 1
  local s = slots[(si - 1) % #slots + 1]
  local body = '{"practitioner_id":"' .. s[1] .. '","service_id":"' .. s[2] ..
    '","start":"' .. s[3] .. '","patient":{"name":"Bench Patient","email":"mixed-' ..
    tag .. '-' .. k .. '-' .. si .. '@example.org"}}'
  return wrk.format("POST", "/api/v1/bookings", json, body)
end

function request()
  step = step % #cycle + 1
  local c = cycle[step]
  if c == "P" then return get(1)
  elseif c == "S" then return get(2)
  elseif c == "A" then return get(3)
  elseif c == "C" and qhead <= qtail then
    local b = queue[qhead]
    queue[qhead] = nil
    qhead = qhead + 1
    cancels = cancels + 1
    return wrk.format("POST", "/api/v1/bookings/" .. b[1] .. "/cancel",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. b[2] }, "{}")
  end
  return book()
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    n2xx = n2xx + 1
    if status == 201 then
      n201 = n201 + 1
      local id = body:match('"id":"([^"]+)"')
      local token = body:match('"manage_token":"([^"]+)"')
      if id and token then
        qtail = qtail + 1
        queue[qtail] = { id, token }
      end
    elseif body:find('"status":"cancelled"', 1, true) then
      cancelled = cancelled + 1
    end
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
  local keys = { "n2xx", "n201", "n409", "n4xx", "n5xx", "reads", "books", "cancels",
                 "cancelled", "reused" }
  local t = {}
  for _, key in ipairs(keys) do t[key] = 0 end
  local f4, f5 = "", ""
  for _, thread in ipairs(threads) do
    for _, key in ipairs(keys) do
      t[key] = t[key] + (tonumber(thread:get(key)) or 0)
    end
    if f4 == "" then f4 = thread:get("first4xx") or "" end
    if f5 == "" then f5 = thread:get("first5xx") or "" end
  end
  io.write(string.format(
    "bench-status: 2xx=%d 201=%d 409=%d 4xx=%d 5xx=%d reads=%d books=%d cancels=%d cancelled=%d reused=%d\n",
    t.n2xx, t.n201, t.n409, t.n4xx, t.n5xx, t.reads, t.books, t.cancels, t.cancelled, t.reused))
  if f4 ~= "" then io.write("bench-first-4xx: " .. f4:gsub("\n", " ") .. "\n") end
  if f5 ~= "" then io.write("bench-first-5xx: " .. f5:gsub("\n", " ") .. "\n") end
end
